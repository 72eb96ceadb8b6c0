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
  if (typeof t !== 'string') return NaN;
  // Flows of one capture share the date and time to the second: parse that part once.
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (!m) return Date.parse(t);
  if (m[1] !== lastSecond) {
    lastSecond = m[1];
    lastSecondMs = Date.parse(m[1] + 'Z');
  }
  return m[2] ? lastSecondMs + Math.floor(Number(m[2].slice(0, 3).padEnd(3, '0'))) : lastSecondMs;
}

let lastSecond = '';
let lastSecondMs = NaN;

interface EndpointView {
  readonly peer: Peer;
  readonly pod?: string;
  readonly labels?: Record<string, string>;
  /** A world identity: the peer is the address, filled in per flow. */
  readonly world?: true;
}

const WORLD_ENTITY: EndpointView = { peer: { kind: 'entity', entity: 'world' }, world: true };

// Endpoints repeat on almost every line; caching their interpretation avoids most per-line work.
// A Cilium identity (>= 1000; reserved ones are small) names one label set, namespace included,
// so identity then pod name key the cache without looking at the labels.
const byIdentity = new Map<number, Map<string, EndpointView>>();
const byLabels = new Map<string, EndpointView>();
let cachedViews = 0;
const ENDPOINT_CACHE_MAX = 50_000;

function remember<K>(map: Map<K, EndpointView>, key: K, view: EndpointView): EndpointView {
  if (cachedViews >= ENDPOINT_CACHE_MAX) resetHubbleCaches();
  cachedViews++;
  map.set(key, view);
  return view;
}

function withAddress(view: EndpointView, ip: string | undefined): EndpointView {
  return view.world && ip ? { peer: { kind: 'external', ip } } : view;
}

function endpointView(ep: WireEndpoint | undefined, ip: string | undefined): EndpointView {
  const labels = ep?.labels;
  if (!ep || !labels || labels.length === 0) return withAddress(interpretEndpoint(ep), ip);
  if (ep.identity !== undefined && ep.identity >= 1000) {
    let pods = byIdentity.get(ep.identity);
    if (!pods) byIdentity.set(ep.identity, (pods = new Map<string, EndpointView>()));
    const pod = ep.pod_name ?? '';
    return withAddress(pods.get(pod) ?? remember(pods, pod, interpretEndpoint(ep)), ip);
  }
  const key = `${ep.namespace ?? ''}|${ep.pod_name ?? ''}|${labels.join(',')}`;
  return withAddress(byLabels.get(key) ?? remember(byLabels, key, interpretEndpoint(ep)), ip);
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
  byIdentity.clear();
  byLabels.clear();
  cachedViews = 0;
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
export function hubbleEvent(obj: Record<string, unknown>): CaptureEvent {
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
  const a = endpointView(flow.source, srcIp);
  const b = endpointView(flow.destination, dstIp);
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
