import { enterprisePolicies, goldmanePolicies } from './calico-policies';
import { ownerFromAggregatedName, parseKeyValueLabels, workloadIdentity } from './identity';
import type { CaptureEvent, FlowRecord, NetworkPeer, Observer, Peer, Protocol, RecordPolicies, Verdict } from './types';
import { AddressCheck } from './wire-values';

/** Field order of the documented space-delimited Calico flow-log text format. */
export const CALICO_TEXT_FIELDS = [
  'startTime',
  'endTime',
  'srcType',
  'srcNamespace',
  'srcName',
  'srcLabels',
  'dstType',
  'dstNamespace',
  'dstName',
  'dstLabels',
  'srcIP',
  'dstIP',
  'proto',
  'srcPort',
  'dstPort',
  'numFlows',
  'numFlowsStarted',
  'numFlowsCompleted',
  'reporter',
  'packetsIn',
  'packetsOut',
  'bytesIn',
  'bytesOut',
  'action',
] as const;

/** Protocol names and IANA numbers as Calico writes them (`tcp`, `6`, Goldmane `TCP`). */
const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  ...{ tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmp: 'ICMPv4', icmpv4: 'ICMPv4', icmpv6: 'ICMPv6', icmp6: 'ICMPv6' },
  ...{ '6': 'TCP', '17': 'UDP', '132': 'SCTP', '1': 'ICMPv4', '58': 'ICMPv6' },
};

/** The record's `action`: Calico Enterprise `allow`/`deny`, Goldmane `Allow`/`Deny`/`Pass`. */
const VERDICTS: Readonly<Record<string, Verdict>> = { allow: 'FORWARDED', deny: 'DROPPED', pass: 'AUDIT' };

type EndpointKind = 'workload' | 'host' | 'networkset' | 'network';

/** Endpoint types: Calico Enterprise short names, Goldmane `EndpointType` names and enum numbers. */
const ENDPOINT_KINDS: Readonly<Record<string, EndpointKind>> = {
  ...{ wep: 'workload', workloadendpoint: 'workload', '1': 'workload', hep: 'host', hostendpoint: 'host', '2': 'host' },
  ...{ ns: 'networkset', networkset: 'networkset', '3': 'networkset', net: 'network', network: 'network', '4': 'network' },
};

/** Scalars as text; anything else (objects, null) as empty. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

const lookup = <T>(table: Readonly<Record<string, T>>, v: unknown): T | undefined => {
  const k = text(v).trim().toLowerCase();
  return Object.hasOwn(table, k) ? table[k] : undefined;
};

/** A field's text, or undefined when Calico left it out: empty, `-` (absent or aggregated away) or `*`. */
const present = (v: unknown): string | undefined => {
  const s = text(v).trim();
  return s === '' || s === '-' || s === '*' ? undefined : s;
};

// Which strings are addresses: a record's `source_ip` that is none ("not-an-ip") is read as absent.
const addresses = new AddressCheck();

/** An endpoint's address, or undefined when Calico left it out (`-`) or gave something that is no IP. */
const addressOf = (v: unknown): string | undefined => addresses.of(present(v));

/** Calico's names for an address it aggregated to its kind (`*_name_aggr`, Goldmane `*_name` of a Network). */
const NETWORK_SCOPES: Readonly<Record<string, NetworkPeer['scope']>> = { pub: 'public', pvt: 'private' };

interface CalicoEndpoint {
  readonly type: unknown;
  readonly namespace: unknown;
  /** The pod's own name (`-` when aggregated), or a `<prefix>*` name in the text format. */
  readonly name: unknown;
  /** `<prefix>*` for aggregated pods, `pub` / `pvt` for networks. */
  readonly nameAggr: unknown;
  readonly labels: unknown;
  readonly ip: unknown;
}

interface EndpointView {
  readonly peer: Peer;
  readonly pod?: string;
  readonly labels?: Record<string, string>;
}

/**
 * Whether the record carried the endpoint's labels at all. Absent, null, `-` and an aggregated `-`
 * (`{"labels": "-"}`, `["-"]`) mean Calico left them out (flow-log data types: "A hyphen indicates
 * aggregation"); an empty list or map means the pods have none.
 */
function labelsCaptured(input: unknown): boolean {
  if (input === undefined || input === null) return false;
  if (typeof input === 'string') return present(input) !== undefined;
  if (Array.isArray(input)) return input.length === 0 || input.some((l) => present(l) !== undefined);
  if (typeof input === 'object' && 'labels' in input) return labelsCaptured(input.labels);
  return typeof input === 'object';
}

/**
 * What one end of a Calico record names: a workload, a host, an address, a pub/pvt network or
 * nothing usable. A network's kind is read from its `*_name_aggr` / name (`pub`, `pvt`, as the data
 * types document it) or from a type of `pub` / `pvt` (what some exports write in place of `net`).
 */
function calicoPeer(ep: CalicoEndpoint): EndpointView {
  const kind = lookup(ENDPOINT_KINDS, ep.type);
  const typeScope = lookup(NETWORK_SCOPES, ep.type);
  const namespace = present(ep.namespace);
  const ip = addressOf(ep.ip);
  if (kind === 'host') return { peer: { kind: 'entity', entity: 'host' } };
  if (typeScope || kind === 'network' || kind === 'networkset' || (!namespace && kind !== 'workload')) {
    if (ip) return { peer: { kind: 'external', ip } };
    // Aggregation dropped the address and kept only its kind: no ipBlock can be derived from it.
    const scope = typeScope ?? (kind === 'networkset' ? undefined : lookup(NETWORK_SCOPES, present(ep.nameAggr) ?? present(ep.name)));
    return { peer: scope ? { kind: 'network', scope } : { kind: 'entity', entity: 'world' } };
  }
  if (!namespace) return { peer: { kind: 'entity', entity: 'unknown' } };
  const labelsKnown = labelsCaptured(ep.labels);
  const labels = labelsKnown ? parseKeyValueLabels(ep.labels) : {};
  const name = present(ep.name);
  const pod = name && !name.includes('*') ? name : undefined;
  // `nginx-86c57db685-*` / `rails-81531*` stand for the owner's pods: it is named without the hash.
  const aggr = present(ep.nameAggr) ?? (name?.includes('*') ? name : undefined);
  const owner = aggr ? ownerFromAggregatedName(aggr) || undefined : undefined;
  const id = workloadIdentity(labels, owner, pod, labelsKnown, namespace);
  if (!id) return { peer: { kind: 'entity', entity: 'unknown' } };
  const peer: Peer = id.unlabelled
    ? { kind: 'workload', namespace, name: id.name, identity: id.identity, unlabelled: id.unlabelled }
    : { kind: 'workload', namespace, name: id.name, identity: id.identity };
  return { peer, pod, labels: labelsKnown ? labels : undefined };
}

/**
 * Unix seconds, epoch milliseconds (Elasticsearch `@timestamp`), their decimal strings, or RFC 3339;
 * NaN otherwise. Zero (and below) is Goldmane's unset value, not 1970: NaN too.
 */
function epochMs(v: unknown): number {
  if (typeof v === 'number') return v <= 0 ? NaN : v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return epochMs(Number(v));
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

function numberOr(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : Number(present(v));
  return Number.isFinite(n) ? n : fallback;
}

const isPort = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= 65535;

/**
 * The server port: null for ICMP, `'unknown'` when the aggregation level dropped it (`dest_port`
 * null, absent, `-`, or Goldmane's zero value). Throws on a value that is no port at all.
 */
function serverPort(protocol: Protocol, v: unknown): number | null | 'unknown' {
  if (protocol === 'ICMPv4' || protocol === 'ICMPv6') return null;
  const s = present(v);
  if (s === undefined || s === '0') return 'unknown';
  const n = Number(s);
  if (!isPort(n)) throw new Error(`destination port "${s}" is not a port number`);
  return n;
}

/**
 * Calico records are connection-level, oriented initiator → receiver: reporter `src` (old text
 * logs: `out`) is the sender's node, `dst` (`in`) the receiver's; `fwd` neither.
 */
function reporterObserver(reporter: unknown): Observer {
  const r = text(reporter).trim().toLowerCase();
  if (r.startsWith('src') || r === 'out') return 'sender';
  if (r.startsWith('dst') || r === 'in') return 'receiver';
  return 'unknown';
}

interface FlatCalico {
  readonly start: unknown;
  readonly end: unknown;
  /** When the record was written (Elasticsearch `@timestamp`), used when it has no end time. */
  readonly written?: unknown;
  readonly src: CalicoEndpoint;
  readonly dst: CalicoEndpoint;
  readonly proto: unknown;
  readonly srcPort: unknown;
  readonly dstPort: unknown;
  /** Flow events in the interval (`num_flows`: every connection active in it). */
  readonly count: unknown;
  /** Connections started in the interval (`num_flows_started`). */
  readonly started: unknown;
  readonly reporter: unknown;
  readonly action: unknown;
  readonly policies?: RecordPolicies;
  /** The Service the source addressed (`dest_service_namespace` / `dest_service_name`), resolved by Calico to this backend. */
  readonly service?: { readonly namespace: unknown; readonly name: unknown };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function calicoRecord(f: FlatCalico): CaptureEvent {
  // The record covers an aggregation interval: `start` is when it began, `time` when it ended.
  const start = epochMs(f.start);
  const time = [epochMs(f.end), epochMs(f.written), start].find(Number.isFinite) ?? NaN;
  const protocol = lookup(PROTOCOLS, f.proto);
  if (!protocol) {
    // Like Hubble's records without L4 (GRE, IPIP, ESP, or a protocol left out): skipped, not bad,
    // and still part of the window the capture covers.
    const named = present(f.proto);
    return {
      kind: 'skip',
      reason: named ? `no L4 protocol the tool reads (protocol "${named}")` : 'no L4 protocol',
      ...(Number.isFinite(time) ? { time } : {}),
      ...(Number.isFinite(start) ? { start } : {}),
    };
  }
  const src = calicoPeer(f.src);
  const dst = calicoPeer(f.dst);
  const record: Mutable<FlowRecord> = {
    time,
    verdict: lookup(VERDICTS, f.action) ?? 'OTHER',
    src: src.peer,
    dst: dst.peer,
    protocol,
    port: serverPort(protocol, f.dstPort),
    isReply: false,
    observer: reporterObserver(f.reporter),
    count: Math.max(1, numberOr(f.count, 1)),
    startedConnections: Math.max(0, numberOr(f.started, numberOr(f.count, 1))),
  };
  if (Number.isFinite(start)) record.start = start;
  const srcIp = addressOf(f.src.ip);
  const dstIp = addressOf(f.dst.ip);
  const clientPort = numberOr(f.srcPort, NaN);
  if (srcIp) record.srcIp = srcIp;
  if (dstIp) record.dstIp = dstIp;
  if (isPort(clientPort)) record.clientPort = clientPort;
  if (src.pod) record.srcPod = src.pod;
  if (dst.pod) record.dstPod = dst.pod;
  if (src.labels) record.srcLabels = src.labels;
  if (dst.labels) record.dstLabels = dst.labels;
  if (f.policies) record.policies = f.policies;
  const svcName = present(f.service?.name);
  if (svcName && dst.peer.kind === 'workload')
    record.dstService = { namespace: present(f.service?.namespace) ?? dst.peer.namespace, name: svcName };
  return { kind: 'flow', record };
}

/**
 * Converts one Calico Enterprise flow-log document (flows.log line or Elasticsearch `_source`) into
 * a capture event. Field meanings: Calico Enterprise "Flow log data types" (`*_name_aggr`, `pub` /
 * `pvt`, `-` for aggregated fields, times in Unix seconds). A record with no protocol the tool reads
 * (none, or GRE, IPIP, …) is a `skip` event with its times. Throws with a reason on a destination
 * port that is no port; a missing port is `'unknown'`, not an error.
 */
export function calicoEnterpriseEvent(o: Record<string, unknown>): CaptureEvent {
  return calicoRecord({
    start: o.start_time,
    end: o.end_time,
    written: o['@timestamp'],
    src: {
      type: o.source_type,
      namespace: o.source_namespace,
      name: o.source_name,
      nameAggr: o.source_name_aggr,
      labels: o.source_labels,
      ip: o.source_ip,
    },
    dst: {
      type: o.dest_type,
      namespace: o.dest_namespace,
      name: o.dest_name,
      nameAggr: o.dest_name_aggr,
      labels: o.dest_labels,
      ip: o.dest_ip,
    },
    proto: o.proto ?? o.protocol,
    srcPort: o.source_port,
    dstPort: o.dest_port,
    count: o.num_flows ?? o.num_flows_started,
    started: o.num_flows_started ?? o.num_flows,
    reporter: o.reporter,
    action: o.action,
    policies: enterprisePolicies(o.policies, o.pending_action ?? o.pendingAction),
    service: { namespace: o.dest_service_namespace, name: o.dest_service_name },
  });
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Converts one Calico OSS Goldmane `Flow` (protojson with `Key` nested, snake_case or camelCase,
 * int64 as strings, times in Unix seconds) or one flat Whisker API flow (RFC 3339 times) into a
 * capture event. Schema: goldmane/proto/api.proto (`Flow`, `FlowKey`, `PolicyTrace`); a source or
 * destination name is the pods' shared generate-name (`web-*`) or `pub` / `pvt` for a Network.
 * Throws like {@link calicoEnterpriseEvent}.
 */
export function calicoGoldmaneEvent(o: Record<string, unknown>): CaptureEvent {
  const key = asRecord(o.Key) ?? asRecord(o.key) ?? o;
  const pick = (snake: string, camel: string): unknown => key[snake] ?? key[camel] ?? o[snake] ?? o[camel];
  return calicoRecord({
    start: o.start_time ?? o.startTime,
    end: o.end_time ?? o.endTime,
    src: {
      type: pick('source_type', 'sourceType'),
      namespace: pick('source_namespace', 'sourceNamespace'),
      name: undefined,
      nameAggr: pick('source_name', 'sourceName'),
      labels: o.source_labels ?? o.sourceLabels,
      ip: undefined,
    },
    dst: {
      type: pick('dest_type', 'destType'),
      namespace: pick('dest_namespace', 'destNamespace'),
      name: undefined,
      nameAggr: pick('dest_name', 'destName'),
      labels: o.dest_labels ?? o.destLabels,
      ip: undefined,
    },
    proto: pick('proto', 'protocol'),
    srcPort: undefined,
    dstPort: pick('dest_port', 'destPort'),
    // Goldmane counts connections, not flows: those started, and those still open at the end.
    count: Math.max(
      numberOr(o.num_connections_started ?? o.numConnectionsStarted, 0),
      numberOr(o.num_connections_live ?? o.numConnectionsLive, 0),
      numberOr(o.num_connections_completed ?? o.numConnectionsCompleted, 0),
      1,
    ),
    started: o.num_connections_started ?? o.numConnectionsStarted ?? 1,
    reporter: pick('reporter', 'reporter'),
    action: pick('action', 'action'),
    policies: goldmanePolicies(key.policies ?? o.policies, pick('pending_action', 'pendingAction')),
    service: { namespace: pick('dest_service_namespace', 'destServiceNamespace'), name: pick('dest_service_name', 'destServiceName') },
  });
}

/**
 * Converts one line of the documented space-delimited text format ({@link CALICO_TEXT_FIELDS};
 * Calico Enterprise "Filter flow logs") into a capture event. The format names no policies.
 * Throws on a wrong number of fields or a start time that is not a Unix timestamp.
 */
export function calicoTextEvent(line: string): CaptureEvent {
  const f = line.trim().split(/\s+/);
  if (f.length !== CALICO_TEXT_FIELDS.length) {
    throw new Error(`expected ${CALICO_TEXT_FIELDS.length} space-delimited fields, found ${f.length}`);
  }
  const v = Object.fromEntries(CALICO_TEXT_FIELDS.map((name, i) => [name, f[i]])) as Record<(typeof CALICO_TEXT_FIELDS)[number], string>;
  if (!/^\d+$/.test(v.startTime)) throw new Error(`startTime "${v.startTime}" is not a Unix timestamp`);
  return calicoRecord({
    start: v.startTime,
    end: v.endTime,
    src: { type: v.srcType, namespace: v.srcNamespace, name: v.srcName, nameAggr: undefined, labels: v.srcLabels, ip: v.srcIP },
    dst: { type: v.dstType, namespace: v.dstNamespace, name: v.dstName, nameAggr: undefined, labels: v.dstLabels, ip: v.dstIP },
    proto: v.proto,
    srcPort: v.srcPort,
    dstPort: v.dstPort,
    count: v.numFlows !== '-' ? v.numFlows : v.numFlowsStarted,
    started: v.numFlowsStarted !== '-' ? v.numFlowsStarted : v.numFlows,
    reporter: v.reporter,
    action: v.action,
  });
}

/** True when a text line looks like the Calico header line rather than a record. */
export function isCalicoTextHeader(line: string): boolean {
  const tokens = line.trim().split(/\s+/);
  return tokens.length > 0 && tokens.every((t) => HEADER_NAMES.has(t));
}

const HEADER_NAMES = new Set<string>(CALICO_TEXT_FIELDS);
