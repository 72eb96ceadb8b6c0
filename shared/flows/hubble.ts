import { observerOf, packetGuess } from './direction';
import { entityForIdentity, ownerFromControllerName, ownerFromPodName, parseCiliumLabels, workloadIdentity } from './identity';
import type { CaptureEvent, FlowRecord, L7Summary, PacketClues, Peer, PolicyHit, Protocol, RecordPolicies, Verdict } from './types';

/** The parts of Hubble's `flow.Endpoint` we read; the wire shape stays in this file. */
interface WireEndpoint {
  readonly identity?: number;
  readonly namespace?: string;
  readonly labels?: readonly string[];
  readonly pod_name?: string;
  readonly workloads?: readonly { readonly name?: string; readonly kind?: string }[];
}

type WirePorts = { readonly source_port?: number; readonly destination_port?: number };
type WireService = { readonly name?: string; readonly namespace?: string } | null;
type WirePolicy = { readonly name?: string; readonly namespace?: string; readonly kind?: string };

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
  readonly source_service?: WireService;
  readonly destination_service?: WireService;
  readonly policy_match_type?: number;
  readonly ingress_allowed_by?: readonly WirePolicy[];
  readonly egress_allowed_by?: readonly WirePolicy[];
  readonly ingress_denied_by?: readonly WirePolicy[];
  readonly egress_denied_by?: readonly WirePolicy[];
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

/** Cilium's `policy_match_type` values (pkg/monitor/api: PolicyMatchNone … PolicyMatchProtoOnly), as Hubble prints them. */
const MATCH_TYPES = ['none', 'L3-Only', 'L3-L4', 'L4-Only', 'all', 'L3-Proto', 'Proto-Only'];

interface EndpointView {
  readonly peer: Peer;
  readonly pod?: string;
  readonly labels?: Record<string, string>;
  /** A world identity: the peer is the address, filled in per flow. */
  readonly world?: true;
}

const OPENERS: readonly PacketClues['opener'][] = [undefined, 'syn', 'syn-ack', 'l7-request', 'l7-response'];
const CLAIMS: readonly PacketClues['claim'][] = [undefined, 'request', 'reply'];
const OBSERVERS: readonly PacketClues['observer'][] = ['sender', 'receiver', 'unknown'];

const WORLD_ENTITY: EndpointView = { peer: { kind: 'entity', entity: 'world' }, world: true };
const ENDPOINT_CACHE_MAX = 50_000;

function withAddress(view: EndpointView, ip: string | undefined): EndpointView {
  return view.world && ip ? { peer: { kind: 'external', ip } } : view;
}

function interpretEndpoint(ep: WireEndpoint | undefined): EndpointView {
  const parsed = parseCiliumLabels(ep?.labels);
  const namespace = ep?.namespace || parsed.namespace;
  const entity = parsed.entity ?? (parsed.worldish ? 'world' : undefined) ?? (namespace ? undefined : entityForIdentity(ep?.identity));
  const workload = ep?.workloads?.[0];
  const owner = workload?.name ? ownerFromControllerName(workload.name, workload.kind) : undefined;
  if (entity === 'world' && namespace && ep?.pod_name) {
    // Cilium sometimes reports a pod as world while its identity is still being resolved; the
    // graph builder maps it back to the workload that owns the pod (never to an IP).
    const name = owner ?? ownerFromPodName(ep.pod_name);
    return { peer: { kind: 'workload', namespace, name, identity: {}, unlabelled: 'not-captured' }, pod: ep.pod_name };
  }
  if (entity === 'world') return WORLD_ENTITY;
  if (entity) return { peer: { kind: 'entity', entity } };
  if (namespace) {
    // A record without labels (an exporter's field mask) is not a pod without labels.
    const labelsKnown = (ep?.labels?.length ?? 0) > 0;
    const id = workloadIdentity(parsed.pod, owner, ep?.pod_name, labelsKnown);
    if (id) {
      const peer: Peer = id.unlabelled
        ? { kind: 'workload', namespace, name: id.name, identity: id.identity, unlabelled: id.unlabelled }
        : { kind: 'workload', namespace, name: id.name, identity: id.identity };
      return { peer, pod: ep?.pod_name, labels: labelsKnown ? parsed.pod : undefined };
    }
  }
  return { peer: { kind: 'entity', entity: 'unknown' } };
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

function policyHits(list: unknown, direction: 'ingress' | 'egress', action: 'allow' | 'deny'): PolicyHit[] {
  const items: readonly unknown[] = Array.isArray(list) ? list : [];
  return items.flatMap((item) => {
    const p = item as WirePolicy | null;
    if (!p || typeof p.name !== 'string' || !p.name) return [];
    const kind = typeof p.kind === 'string' && p.kind ? { kind: p.kind } : {};
    return [{ policy: typeof p.namespace === 'string' && p.namespace ? `${p.namespace}/${p.name}` : p.name, ...kind, direction, action }];
  });
}

/** Cilium ≥ 1.15 names the policies that allowed or denied a flow; older agents leave the fields out. */
function recordPolicies(f: WireFlow): RecordPolicies | undefined {
  const named = f.ingress_allowed_by ?? f.egress_allowed_by ?? f.ingress_denied_by ?? f.egress_denied_by;
  const matchType = typeof f.policy_match_type === 'number' && f.policy_match_type > 0 ? MATCH_TYPES[f.policy_match_type] : undefined;
  if (named === undefined && !matchType) return undefined;
  const enforced = [
    ...policyHits(f.ingress_allowed_by, 'ingress', 'allow'),
    ...policyHits(f.egress_allowed_by, 'egress', 'allow'),
    ...policyHits(f.ingress_denied_by, 'ingress', 'deny'),
    ...policyHits(f.egress_denied_by, 'egress', 'deny'),
  ];
  if (enforced.length === 0 && !matchType) return undefined;
  return matchType ? { enforced, matchType } : { enforced };
}

function serviceOf(s: WireService | undefined): { namespace: string; name: string } | undefined {
  return s && typeof s.name === 'string' && s.name ? { namespace: s.namespace || 'default', name: s.name } : undefined;
}

/**
 * Reads Hubble's JSON (the `GetFlowsResponse` wrapper or a bare `Flow`, as `hubble observe -o
 * jsonpb` prints them) into capture events. One decoder belongs to one read: it caches what
 * endpoints mean, and two captures read in one process must not share that.
 */
export class HubbleDecoder {
  // Endpoints repeat on almost every line; caching their interpretation avoids most per-line work.
  // A Cilium identity (>= 1000; reserved ones are small) names one label set, namespace included,
  // so identity then pod name key the cache without looking at the labels.
  private readonly byIdentity = new Map<number, Map<string, EndpointView>>();
  private readonly byLabels = new Map<string, EndpointView>();
  private cachedViews = 0;
  // Flows of one capture share the date and time to the second: parse that part once.
  private lastSecond = '';
  private lastSecondMs = NaN;

  /** Nanoseconds within the millisecond of the last time parseTime read (undefined when it had none). */
  private nanos: number | undefined;
  // Packets carry one of a few dozen clue combinations: share them instead of allocating one each.
  private readonly clues: PacketClues[] = [];

  /** Parses an RFC 3339 time to epoch ms (NaN when absent or malformed); the sub-millisecond digits go to `nanos`. */
  private parseTime(t: unknown): number {
    this.nanos = undefined;
    if (typeof t !== 'string') return NaN;
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
    if (!m) return Date.parse(t);
    if (m[1] !== this.lastSecond) {
      this.lastSecond = m[1];
      this.lastSecondMs = Date.parse(m[1] + 'Z');
    }
    if (!m[2]) return this.lastSecondMs;
    const digits = m[2].length >= 9 ? m[2].slice(0, 9) : m[2].padEnd(9, '0');
    this.nanos = Number(digits.slice(3));
    return this.lastSecondMs + Number(digits.slice(0, 3));
  }

  private cluesOf(opener: PacketClues['opener'], claim: PacketClues['claim'], observer: PacketClues['observer']): PacketClues {
    const key = (OPENERS.indexOf(opener) * 3 + CLAIMS.indexOf(claim)) * 3 + OBSERVERS.indexOf(observer);
    return (this.clues[key] ??= { ...(opener ? { opener } : {}), ...(claim ? { claim } : {}), observer });
  }

  private remember<K>(map: Map<K, EndpointView>, key: K, view: EndpointView): EndpointView {
    if (this.cachedViews >= ENDPOINT_CACHE_MAX) {
      this.byIdentity.clear();
      this.byLabels.clear();
      this.cachedViews = 0;
    }
    this.cachedViews++;
    map.set(key, view);
    return view;
  }

  private endpointView(ep: WireEndpoint | undefined, ip: string | undefined): EndpointView {
    const labels = ep?.labels;
    if (!ep || !labels || labels.length === 0) return withAddress(interpretEndpoint(ep), ip);
    if (ep.identity !== undefined && ep.identity >= 1000) {
      let pods = this.byIdentity.get(ep.identity);
      if (!pods) this.byIdentity.set(ep.identity, (pods = new Map<string, EndpointView>()));
      const pod = ep.pod_name ?? '';
      return withAddress(pods.get(pod) ?? this.remember(pods, pod, interpretEndpoint(ep)), ip);
    }
    const key = `${ep.namespace ?? ''}|${ep.pod_name ?? ''}|${labels.join(',')}`;
    return withAddress(this.byLabels.get(key) ?? this.remember(this.byLabels, key, interpretEndpoint(ep)), ip);
  }

  /** Converts one Hubble JSON object into a capture event. Throws on a shape that is not Hubble at all. */
  decode(obj: Record<string, unknown>): CaptureEvent {
    if ('node_status' in obj) return this.nodeStatus(obj);
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

    const flags = l4?.TCP?.flags;
    const claim = typeof flow.is_reply === 'boolean' ? (flow.is_reply ? 'reply' : 'request') : flow.reply === true ? 'reply' : undefined;
    const l7Type = flow.l7?.type;
    const opener = flags?.SYN
      ? flags.ACK
        ? 'syn-ack'
        : 'syn'
      : l7Type === 'REQUEST'
        ? 'l7-request'
        : l7Type === 'RESPONSE'
          ? 'l7-response'
          : undefined;
    const clues = this.cluesOf(opener, claim, observerOf(flow.traffic_direction, flow.trace_observation_point, claim));
    const reply = packetGuess(clues, protocol, icmpType, ports?.source_port, ports?.destination_port);

    const srcIp = flow.IP?.source;
    const dstIp = flow.IP?.destination;
    let a = this.endpointView(flow.source, srcIp);
    let b = this.endpointView(flow.destination, dstIp);
    // Hubble names a Service only when the address and port are its frontend (a ClusterIP, a
    // NodePort or a load-balancer address): before translation. A pod end keeps its workload.
    const dstService = serviceOf(flow.destination_service);
    const srcService = serviceOf(flow.source_service);
    if (dstService && b.peer.kind !== 'workload') b = { peer: { kind: 'service', ...dstService } };
    if (srcService && a.peer.kind !== 'workload') a = { peer: { kind: 'service', ...srcService } };
    const [client, server] = reply ? [b, a] : [a, b];
    const serverPort = reply ? ports?.source_port : ports?.destination_port;
    const clientPort = reply ? ports?.destination_port : ports?.source_port;
    const time = this.parseTime(flow.time ?? obj.time);
    const backendOf = dstService && b.peer.kind === 'workload' && !reply ? dstService : undefined;
    // One shape for every record (absent fields undefined): cheaper to build and to read than spreads.
    const record: FlowRecord = {
      time,
      nanos: this.nanos,
      verdict: toVerdict(flow.verdict),
      src: client.peer,
      dst: server.peer,
      protocol,
      // A field mask can leave the ports out: say so, never take it for ICMP's "no port" (a rule for every port).
      port: serverPort ?? (protocol.startsWith('ICMP') ? null : 'unknown'),
      isReply: reply,
      observer: clues.observer,
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
      dstNames: flow.destination_names,
      clues,
      dstService: backendOf,
      policies: recordPolicies(flow),
    };
    return { kind: 'flow', record };
  }

  private nodeStatus(obj: Record<string, unknown>): CaptureEvent {
    const time = this.parseTime(obj.time);
    const s = obj.node_status as { state_change?: unknown; node_names?: unknown; message?: unknown } | null;
    const state = typeof s?.state_change === 'string' ? s.state_change : undefined;
    if (!state || state === 'NODE_CONNECTED' || state === 'UNKNOWN_NODE_STATE') return { kind: 'node-status', time };
    const nodes = Array.isArray(s?.node_names) ? s.node_names.filter((n): n is string => typeof n === 'string') : [];
    const message = typeof s?.message === 'string' && s.message ? s.message : undefined;
    return { kind: 'node-status', time, status: message ? { state, nodes, message } : { state, nodes } };
  }
}

/** Decodes one Hubble JSON object with a decoder of its own (tests, single records); reads use one decoder each. */
export function hubbleEvent(obj: Record<string, unknown>, decoder: HubbleDecoder = new HubbleDecoder()): CaptureEvent {
  return decoder.decode(obj);
}
