import { isReplyPacket, observationSide } from './direction';
import { entityForIdentity, ownerFromPodName, parseCiliumLabels, workloadIdentity } from './identity';
import type { CaptureEvent, L7Summary, Peer, Protocol, Verdict } from './types';

/** The parts of Hubble's `flow.Endpoint` we read; the wire shape stays in this file. */
interface WireEndpoint {
  readonly identity?: number;
  readonly namespace?: string;
  readonly labels?: readonly string[];
  readonly pod_name?: string;
  readonly workloads?: readonly { readonly name?: string; readonly kind?: string }[];
}

type WirePorts = { readonly source_port?: number; readonly destination_port?: number };

interface WireFlow {
  readonly time?: string;
  readonly verdict?: string;
  readonly drop_reason_desc?: string;
  readonly IP?: { readonly source?: string; readonly destination?: string };
  readonly l4?: {
    readonly TCP?: WirePorts & { readonly flags?: Readonly<Record<string, boolean>> };
    readonly UDP?: WirePorts;
    readonly SCTP?: WirePorts;
    readonly ICMPv4?: { readonly type?: number };
    readonly ICMPv6?: { readonly type?: number };
  };
  readonly source?: WireEndpoint;
  readonly destination?: WireEndpoint;
  readonly is_reply?: boolean;
  readonly reply?: boolean;
  readonly traffic_direction?: string;
  readonly trace_observation_point?: string;
  readonly destination_names?: readonly string[];
  readonly l7?: {
    readonly type?: string;
    readonly dns?: { readonly query?: string; readonly ips?: readonly string[] };
    readonly http?: { readonly method?: string; readonly url?: string };
  };
}

const VERDICTS = new Set<Verdict>(['FORWARDED', 'DROPPED', 'AUDIT', 'REDIRECTED', 'ERROR']);

function toVerdict(v: string | undefined): Verdict {
  return v && VERDICTS.has(v as Verdict) ? (v as Verdict) : 'OTHER';
}

/** Parses an RFC 3339 time with nanoseconds to epoch ms; NaN when absent or malformed. */
export function parseTime(t: unknown): number {
  return typeof t === 'string' ? Date.parse(t) : NaN;
}

interface EndpointView {
  readonly peer: Peer;
  readonly pod?: string;
  readonly labels?: Record<string, string>;
  /** A world identity: the peer is the address, filled in per flow. */
  readonly world?: true;
}

const WORLD_ENTITY: EndpointView = { peer: { kind: 'entity', entity: 'world' }, world: true };

// Endpoints repeat on almost every line; caching their interpretation avoids most per-line work.
const endpointCache = new Map<string, EndpointView>();
const ENDPOINT_CACHE_MAX = 50_000;

function cached(key: string, make: () => EndpointView): EndpointView {
  let view = endpointCache.get(key);
  if (view === undefined) {
    view = make();
    if (endpointCache.size >= ENDPOINT_CACHE_MAX) endpointCache.clear();
    // The key may be a slice of a whole input chunk: store a copy so the chunk can be freed.
    endpointCache.set(JSON.parse(JSON.stringify(key)) as string, view);
  }
  return view;
}

function withAddress(view: EndpointView, ip: string | undefined): EndpointView {
  return view.world && ip ? { peer: { kind: 'external', ip } } : view;
}

/** Interprets a parsed endpoint; a Cilium identity number names one label set, so it keys the cache. */
function endpointView(ep: WireEndpoint | undefined, ip: string | undefined): EndpointView {
  const labels = ep?.labels;
  if (!ep || !labels || labels.length === 0) return withAddress(interpretEndpoint(ep), ip);
  const key =
    ep.identity !== undefined && ep.identity >= 1000
      ? `#${ep.identity}|${ep.namespace ?? ''}|${ep.pod_name ?? ''}|${labels.length}`
      : `${ep.namespace ?? ''}|${ep.pod_name ?? ''}|${labels.join(',')}`;
  return withAddress(
    cached(key, () => interpretEndpoint(ep)),
    ip,
  );
}

/** `"key":VALUE` inside `raw`: a number or a plain string (no escapes); undefined otherwise. */
function rawField(raw: string, key: string): string | undefined {
  const k = raw.indexOf(key);
  if (k < 0) return undefined;
  const start = k + key.length;
  if (raw.charCodeAt(start) === 34) {
    const end = raw.indexOf('"', start + 1);
    return end < 0 ? undefined : raw.slice(start + 1, end);
  }
  let end = start;
  while (end < raw.length && raw.charCodeAt(end) >= 48 && raw.charCodeAt(end) <= 57) end++;
  return end > start ? raw.slice(start, end) : undefined;
}

/**
 * Interprets an endpoint from its raw JSON text (the fast path: no parse on a cache hit). A
 * Cilium identity (≥ 1000; reserved ones are small and compared in full) names one label set,
 * so identity, namespace and pod key the cache cheaply.
 */
function rawEndpointView(raw: string, ip: string | undefined): EndpointView {
  const identity = rawField(raw, '"identity":');
  const key =
    identity !== undefined && identity.length > 3 && raw.includes('"labels":[') && !raw.includes('\\')
      ? `#${identity}|${rawField(raw, '"namespace":') ?? ''}|${rawField(raw, '"pod_name":') ?? ''}`
      : raw;
  return withAddress(
    cached(key, () => interpretEndpoint(JSON.parse(raw) as WireEndpoint)),
    ip,
  );
}

function interpretEndpoint(ep: WireEndpoint | undefined): EndpointView {
  const parsed = parseCiliumLabels(ep?.labels);
  const namespace = ep?.namespace || parsed.namespace;
  const entity = parsed.entity ?? (parsed.worldish ? 'world' : undefined) ?? (namespace ? undefined : entityForIdentity(ep?.identity));
  if (entity === 'world' && namespace && ep?.pod_name) {
    // Cilium sometimes reports a pod as world while its identity is still being resolved; the
    // graph builder maps it back to the workload that owns the pod (never to an IP).
    const name = ep.workloads?.[0]?.name ?? ownerFromPodName(ep.pod_name);
    return { peer: { kind: 'workload', namespace, name, identity: {} }, pod: ep.pod_name };
  }
  if (entity === 'world') return WORLD_ENTITY;
  if (entity) return { peer: { kind: 'entity', entity } };
  if (namespace) {
    const owner = ep?.workloads?.[0]?.name;
    const id = workloadIdentity(parsed.pod, owner, ep?.pod_name);
    if (id) {
      return {
        peer: { kind: 'workload', namespace, name: id.name, identity: id.identity },
        pod: ep?.pod_name,
        labels: parsed.pod,
      };
    }
  }
  return { peer: { kind: 'entity', entity: 'unknown' } };
}

/** Clears the endpoint cache (tests and long-running processes between captures). */
export function resetHubbleCaches(): void {
  endpointCache.clear();
}

const SOURCE_KEY = '"source":{';
const DEST_KEY = '"destination":{';

/** Index just past the object that opens at `open`, or -1 (strings are skipped with indexOf). */
function objectEnd(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // Skip a string, honouring escaped quotes.
      let q = s.indexOf('"', i + 1);
      while (q > 0 && s.charCodeAt(q - 1) === 92) {
        let bs = 0;
        for (let k = q - 1; s.charCodeAt(k) === 92; k--) bs++;
        if (bs % 2 === 0) break;
        q = s.indexOf('"', q + 1);
      }
      if (q < 0) return -1;
      i = q;
    } else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Fast path for one `{"flow":{…}}` line: the two endpoint objects (most of the bytes) are cut
 * out and looked up by their text, and only the rest is parsed. Returns undefined when the line
 * is not of that shape, and the caller parses it the ordinary way.
 */
export function hubbleLineFast(line: string): CaptureEvent | undefined {
  if (!line.startsWith('{"flow":{')) return undefined;
  const si = line.indexOf(SOURCE_KEY);
  if (si < 0) return undefined;
  const sOpen = si + SOURCE_KEY.length - 1;
  const sEnd = objectEnd(line, sOpen);
  if (sEnd < 0) return undefined;
  const di = line.indexOf(DEST_KEY, sEnd);
  // The source endpoint must come first, and nothing else may hold a destination object.
  if (di < 0 || line.lastIndexOf(DEST_KEY, si) >= 0) return undefined;
  const dOpen = di + DEST_KEY.length - 1;
  const dEnd = objectEnd(line, dOpen);
  if (dEnd < 0) return undefined;
  const rest = line.slice(0, sOpen) + '0' + line.slice(sEnd, dOpen) + '0' + line.slice(dEnd);
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(rest) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const srcRaw = line.slice(sOpen, sEnd);
  const dstRaw = line.slice(dOpen, dEnd);
  return hubbleEvent(obj, (flow) => [rawEndpointView(srcRaw, flow.IP?.source), rawEndpointView(dstRaw, flow.IP?.destination)]);
}

function l7Summary(l7: WireFlow['l7']): L7Summary | undefined {
  if (!l7) return undefined;
  if (l7.dns?.query !== undefined) {
    return { kind: 'dns', query: l7.dns.query.replace(/\.$/, ''), ips: l7.dns.ips ?? [] };
  }
  if (l7.http?.method) {
    let path = l7.http.url ?? '';
    const m = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(path);
    if (m) path = m[1] ?? '/';
    else path = path.replace(/[?#].*$/, '');
    return { kind: 'http', method: l7.http.method, path };
  }
  return undefined;
}

/**
 * Converts one Hubble JSON object (the `GetFlowsResponse` wrapper or a bare `Flow`) into a
 * capture event with a normalized FlowRecord. Throws on a shape that is not Hubble at all.
 */
export function hubbleEvent(
  obj: Record<string, unknown>,
  endpoints: (flow: WireFlow) => [EndpointView, EndpointView] = (flow) => [
    endpointView(flow.source, flow.IP?.source),
    endpointView(flow.destination, flow.IP?.destination),
  ],
): CaptureEvent {
  if ('node_status' in obj) return { kind: 'node-status', time: parseTime(obj.time) };
  if ('lost_events' in obj) {
    const lost = obj.lost_events as { num_events_lost?: number | string; source?: string } | null;
    return { kind: 'lost-events', count: Number(lost?.num_events_lost ?? 0), source: String(lost?.source ?? 'UNKNOWN') };
  }
  const flow = ('flow' in obj ? obj.flow : obj) as WireFlow | null;
  if (!flow || typeof flow !== 'object' || (flow.source === undefined && flow.destination === undefined && !flow.IP && !flow.l4)) {
    throw new Error('not a Hubble flow: no "flow", "source", "destination", "IP" or "l4" field');
  }
  const l4 = flow.l4;
  let protocol: Protocol | undefined;
  let ports: WirePorts | undefined;
  let icmpType: number | undefined;
  if (l4?.TCP) [protocol, ports] = ['TCP', l4.TCP];
  else if (l4?.UDP) [protocol, ports] = ['UDP', l4.UDP];
  else if (l4?.SCTP) [protocol, ports] = ['SCTP', l4.SCTP];
  else if (l4?.ICMPv4) [protocol, icmpType] = ['ICMPv4', l4.ICMPv4.type ?? 0];
  else if (l4?.ICMPv6) [protocol, icmpType] = ['ICMPv6', l4.ICMPv6.type ?? 0];
  if (!protocol) return { kind: 'skip', reason: 'no L4 protocol' };

  const reply = isReplyPacket({
    isReply: typeof flow.is_reply === 'boolean' ? flow.is_reply : flow.reply === true ? true : undefined,
    tcpFlags: l4?.TCP?.flags,
    l7Type: flow.l7?.type,
    icmpType,
    icmpV6: protocol === 'ICMPv6',
    srcPort: ports?.source_port,
    dstPort: ports?.destination_port,
  });
  const srcIp = flow.IP?.source;
  const dstIp = flow.IP?.destination;
  const [a, b] = endpoints(flow);
  const [client, server] = reply ? [b, a] : [a, b];
  const serverPort = reply ? ports?.source_port : ports?.destination_port;
  const clientPort = reply ? ports?.destination_port : ports?.source_port;
  const time = parseTime(flow.time ?? obj.time);
  return {
    kind: 'flow',
    record: {
      time,
      verdict: toVerdict(flow.verdict),
      src: client.peer,
      dst: server.peer,
      protocol,
      port: serverPort ?? null,
      isReply: reply,
      side: observationSide(flow.traffic_direction, flow.trace_observation_point, reply),
      count: 1,
      srcIp: reply ? dstIp : srcIp,
      dstIp: reply ? srcIp : dstIp,
      clientPort,
      srcPod: client.pod,
      dstPod: server.pod,
      srcLabels: client.labels,
      dstLabels: server.labels,
      dropReason: flow.drop_reason_desc,
      l7: l7Summary(flow.l7),
      dstNames: reply ? undefined : flow.destination_names,
    },
  };
}
