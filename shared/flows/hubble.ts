import { localEndOf, observerOf, packetGuess } from './direction';
import { entityForIdentity, ownerFromControllerName, ownerFromPodName, parseCiliumLabels, workloadIdentity } from './identity';
import type { CaptureEvent, FlowRecord, L7Summary, PacketClues, Peer, PolicyHit, Protocol, RecordPolicies, Verdict } from './types';
import { AddressCheck, objectValue, portValue, stringList, stringValue } from './wire-values';

/** The parts of Hubble's `flow.Endpoint` we read; the wire shape stays in this file. */
interface WireEndpoint {
  readonly identity?: number;
  readonly namespace?: string;
  readonly labels?: readonly string[];
  readonly pod_name?: string;
  readonly workloads?: readonly { readonly name?: string; readonly kind?: string }[];
}

type WirePolicy = { readonly name?: string; readonly namespace?: string; readonly kind?: string };

/**
 * Hubble's `Flow` as JSON gives it: every field may be missing or of another type than the
 * protocol says (a hand-edited or field-masked export), so each is checked where it is read.
 */
interface WireFlow {
  readonly time?: unknown;
  readonly verdict?: unknown;
  readonly drop_reason_desc?: unknown;
  readonly IP?: unknown;
  readonly l4?: unknown;
  readonly source?: unknown;
  readonly destination?: unknown;
  readonly is_reply?: unknown;
  readonly reply?: unknown;
  readonly traffic_direction?: unknown;
  readonly trace_observation_point?: unknown;
  readonly destination_names?: unknown;
  readonly source_service?: unknown;
  readonly destination_service?: unknown;
  readonly policy_match_type?: unknown;
  readonly ingress_allowed_by?: unknown;
  readonly egress_allowed_by?: unknown;
  readonly ingress_denied_by?: unknown;
  readonly egress_denied_by?: unknown;
  readonly l7?: unknown;
}

const VERDICTS = new Set<Verdict>(['FORWARDED', 'DROPPED', 'AUDIT', 'REDIRECTED', 'ERROR']);

function toVerdict(v: unknown): Verdict {
  return typeof v === 'string' && VERDICTS.has(v as Verdict) ? (v as Verdict) : 'OTHER';
}

/** An ICMP type (0–255), or undefined when the value is none. */
function icmpTypeValue(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255 ? v : undefined;
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
    const id = workloadIdentity(parsed.pod, owner, ep?.pod_name, labelsKnown, namespace);
    if (id) {
      const peer: Peer = id.unlabelled
        ? { kind: 'workload', namespace, name: id.name, identity: id.identity, unlabelled: id.unlabelled }
        : { kind: 'workload', namespace, name: id.name, identity: id.identity };
      return { peer, pod: ep?.pod_name, labels: labelsKnown ? parsed.pod : undefined };
    }
  }
  return { peer: { kind: 'entity', entity: 'unknown' } };
}

function l7Summary(raw: unknown): L7Summary | undefined {
  const l7 = objectValue(raw);
  if (!l7) return undefined;
  const dns = objectValue(l7.dns);
  const query = stringValue(dns?.query);
  if (query !== undefined) return { kind: 'dns', query: query.replace(/\.$/, ''), ips: stringList(dns?.ips) ?? [] };
  const http = objectValue(l7.http);
  const method = stringValue(http?.method);
  if (method) {
    let path = stringValue(http?.url) ?? '';
    const m = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(path);
    if (m) path = m[1] ?? '/';
    else path = path.replace(/[?#].*$/, '');
    return { kind: 'http', method, path };
  }
  return undefined;
}

type WorkloadRef = NonNullable<WireEndpoint['workloads']>[number];

const isWorkloadRef = (w: unknown): w is WorkloadRef => {
  const o = objectValue(w);
  return !!o && (o.name === undefined || typeof o.name === 'string') && (o.kind === undefined || typeof o.kind === 'string');
};

/**
 * One endpoint with every field of the right type: a field of another type (labels that are a
 * string, a numeric pod name) is left out, as if the record had not carried it.
 */
function wireEndpoint(raw: unknown): WireEndpoint | undefined {
  const ep = objectValue(raw);
  if (!ep) return undefined;
  const labels = stringList(ep.labels);
  const workloads = Array.isArray(ep.workloads) ? ep.workloads.filter(isWorkloadRef) : undefined;
  const clean =
    (ep.identity === undefined || typeof ep.identity === 'number') &&
    (ep.namespace === undefined || typeof ep.namespace === 'string') &&
    (ep.pod_name === undefined || typeof ep.pod_name === 'string') &&
    labels === ep.labels &&
    (ep.workloads === undefined || workloads?.length === (ep.workloads as unknown[]).length);
  if (clean) return ep;
  return {
    identity: typeof ep.identity === 'number' ? ep.identity : undefined,
    namespace: stringValue(ep.namespace),
    labels,
    pod_name: stringValue(ep.pod_name),
    workloads,
  };
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

function serviceOf(raw: unknown): { namespace: string; name: string } | undefined {
  const s = objectValue(raw);
  const name = stringValue(s?.name);
  return name ? { namespace: stringValue(s?.namespace) || 'default', name } : undefined;
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
  private readonly addresses = new AddressCheck();

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

  private endpointView(raw: unknown, ip: string | undefined): EndpointView {
    const ep = wireEndpoint(raw);
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

  /**
   * Converts one Hubble JSON object into a capture event. Throws on a shape that is not Hubble at
   * all; a field with the wrong type or an impossible value (an address that is not an IP, a port
   * past 65535) is read as absent, and the record is kept.
   */
  decode(obj: Record<string, unknown>): CaptureEvent {
    if ('node_status' in obj) return this.nodeStatus(obj);
    if ('lost_events' in obj) {
      const lost = objectValue(obj.lost_events);
      const count = Number(lost?.num_events_lost ?? 0);
      return { kind: 'lost-events', count, source: stringValue(lost?.source) ?? 'UNKNOWN' };
    }
    const flow = objectValue('flow' in obj ? obj.flow : obj) as WireFlow | undefined;
    if (!flow || (flow.source === undefined && flow.destination === undefined && !flow.IP && !flow.l4)) {
      throw new Error('not a Hubble flow: no "flow", "source", "destination", "IP" or "l4" field');
    }
    const l4 = objectValue(flow.l4);
    const l4Of = (name: string) => objectValue(l4?.[name]);
    let protocol: Protocol | undefined;
    let ports: Record<string, unknown> | undefined;
    let icmp: Record<string, unknown> | undefined;
    if ((ports = l4Of('TCP'))) protocol = 'TCP';
    else if ((ports = l4Of('UDP'))) protocol = 'UDP';
    else if ((ports = l4Of('SCTP'))) protocol = 'SCTP';
    else if ((icmp = l4Of('ICMPv4'))) protocol = 'ICMPv4';
    else if ((icmp = l4Of('ICMPv6'))) protocol = 'ICMPv6';
    if (!protocol) {
      const time = this.parseTime(flow.time ?? obj.time);
      return Number.isFinite(time) ? { kind: 'skip', reason: 'no L4 protocol', time } : { kind: 'skip', reason: 'no L4 protocol' };
    }
    // jsonpb leaves zero values out: an ICMP message without a type is type 0 (an IPv4 echo reply).
    const icmpType = icmp ? (icmp.type === undefined ? 0 : icmpTypeValue(icmp.type)) : undefined;
    const srcPort = portValue(ports?.source_port);
    const dstPort = portValue(ports?.destination_port);

    const flags = protocol === 'TCP' ? objectValue(ports?.flags) : undefined;
    const claim = typeof flow.is_reply === 'boolean' ? (flow.is_reply ? 'reply' : 'request') : flow.reply === true ? 'reply' : undefined;
    const l7Type = objectValue(flow.l7)?.type;
    const opener =
      flags?.SYN === true
        ? flags.ACK === true
          ? 'syn-ack'
          : 'syn'
        : l7Type === 'REQUEST'
          ? 'l7-request'
          : l7Type === 'RESPONSE'
            ? 'l7-response'
            : undefined;
    const local = (raw: unknown): boolean => typeof objectValue(raw)?.ID === 'number';
    const observer = observerOf(stringValue(flow.trace_observation_point), local(flow.source), local(flow.destination));
    const clues = this.cluesOf(opener, claim, observer);
    const reply = packetGuess(clues, protocol, icmpType, srcPort, dstPort);

    const ip = objectValue(flow.IP);
    const srcIp = this.addresses.of(ip?.source);
    const dstIp = this.addresses.of(ip?.destination);
    let a = this.endpointView(flow.source, srcIp);
    let b = this.endpointView(flow.destination, dstIp);
    // Hubble names a Service only when the address and port are its frontend (a ClusterIP, a
    // NodePort or a load-balancer address): before translation. A pod end keeps its workload.
    const dstService = serviceOf(flow.destination_service);
    const srcService = serviceOf(flow.source_service);
    if (dstService && b.peer.kind !== 'workload') b = { peer: { kind: 'service', ...dstService } };
    if (srcService && a.peer.kind !== 'workload') a = { peer: { kind: 'service', ...srcService } };
    const [client, server] = reply ? [b, a] : [a, b];
    const serverPort = reply ? srcPort : dstPort;
    const clientPort = reply ? dstPort : srcPort;
    const time = this.parseTime(flow.time ?? obj.time);
    const backendOf = dstService && b.peer.kind === 'workload' && !reply ? dstService : undefined;
    const names = stringList(flow.destination_names);
    // One shape for every record (absent fields undefined): cheaper to build and to read than spreads.
    const record: FlowRecord = {
      time,
      nanos: this.nanos,
      verdict: toVerdict(flow.verdict),
      src: client.peer,
      dst: server.peer,
      protocol,
      // A field mask can leave the ports out (or a record give one that is no port): say so, never
      // take it for ICMP's "no port" (a rule for every port).
      port: serverPort ?? (icmp ? null : 'unknown'),
      icmpType,
      isReply: reply,
      observer: clues.observer,
      localEnd: clues.observer === 'unknown' ? localEndOf(stringValue(flow.traffic_direction)) : undefined,
      count: 1,
      srcIp: reply ? dstIp : srcIp,
      dstIp: reply ? srcIp : dstIp,
      clientPort,
      srcPod: client.pod,
      dstPod: server.pod,
      srcLabels: client.labels,
      dstLabels: server.labels,
      dropReason: stringValue(flow.drop_reason_desc) || undefined,
      l7: l7Summary(flow.l7),
      dstNames: names && names.length > 0 ? names : undefined,
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
