import { ownerFromPodName, parseKeyValueLabels, workloadIdentity } from './identity';
import type { CaptureEvent, Peer, Protocol, Verdict } from './types';

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

const PROTO_NUMBERS: Record<string, Protocol> = { '6': 'TCP', '17': 'UDP', '132': 'SCTP', '1': 'ICMPv4', '58': 'ICMPv6' };

/** Scalars as text; anything else (objects, null) as empty. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function toProtocol(p: unknown): Protocol | undefined {
  const s = text(p).trim();
  if (PROTO_NUMBERS[s]) return PROTO_NUMBERS[s];
  switch (s.toLowerCase()) {
    case 'tcp':
      return 'TCP';
    case 'udp':
      return 'UDP';
    case 'sctp':
      return 'SCTP';
    case 'icmp':
    case 'icmpv4':
      return 'ICMPv4';
    case 'icmpv6':
    case 'icmp6':
      return 'ICMPv6';
    default:
      return undefined;
  }
}

function toVerdict(action: unknown): Verdict {
  switch (text(action).toLowerCase()) {
    case 'allow':
      return 'FORWARDED';
    case 'deny':
      return 'DROPPED';
    case 'pass':
      return 'AUDIT';
    default:
      return 'OTHER';
  }
}

const present = (v: unknown): string | undefined => {
  const s = text(v).trim();
  return s === '' || s === '-' ? undefined : s;
};

/** Endpoint types: Calico Enterprise short names and Goldmane enum names. */
function endpointKind(type: unknown): 'workload' | 'host' | 'networkset' | 'network' | undefined {
  switch (text(type).toLowerCase()) {
    case 'wep':
    case 'workloadendpoint':
      return 'workload';
    case 'hep':
    case 'hostendpoint':
      return 'host';
    case 'ns':
    case 'networkset':
      return 'networkset';
    case 'net':
    case 'network':
      return 'network';
    default:
      return undefined;
  }
}

interface CalicoEndpoint {
  readonly type: unknown;
  readonly namespace: unknown;
  readonly name: unknown;
  readonly nameAggr: unknown;
  readonly labels: unknown;
  readonly ip: unknown;
}

function calicoPeer(ep: CalicoEndpoint): { peer: Peer; pod?: string; labels?: Record<string, string> } {
  const kind = endpointKind(ep.type);
  const namespace = present(ep.namespace);
  const ip = present(ep.ip);
  if (kind === 'host') return { peer: { kind: 'entity', entity: 'host' } };
  if (kind === 'network' || kind === 'networkset' || (!namespace && kind !== 'workload')) {
    return { peer: ip ? { kind: 'external', ip } : { kind: 'entity', entity: 'world' } };
  }
  if (!namespace) return { peer: { kind: 'entity', entity: 'unknown' } };
  const labels = parseKeyValueLabels(ep.labels);
  const name = present(ep.name);
  const aggr = present(ep.nameAggr);
  // `rails-81531*` / `access-6b687c8dcb-*` name the owner of aggregated pods.
  const owner = aggr ? ownerFromPodName(aggr.replace(/-?\*$/, '')) : undefined;
  const pod = name && !name.endsWith('*') ? name : undefined;
  const id = workloadIdentity(labels, owner ?? (name?.endsWith('*') ? ownerFromPodName(name.replace(/-?\*$/, '')) : undefined), pod);
  if (!id) return { peer: { kind: 'entity', entity: 'unknown' } };
  return { peer: { kind: 'workload', namespace, name: id.name, identity: id.identity }, pod, labels };
}

function epochMs(v: unknown): number {
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return epochMs(Number(v));
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

function numberOr(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : Number(present(v));
  return Number.isFinite(n) ? n : fallback;
}

interface FlatCalico {
  readonly start: unknown;
  readonly end: unknown;
  readonly src: CalicoEndpoint;
  readonly dst: CalicoEndpoint;
  readonly proto: unknown;
  readonly srcPort: unknown;
  readonly dstPort: unknown;
  readonly count: unknown;
  readonly reporter: unknown;
  readonly action: unknown;
}

function calicoRecord(f: FlatCalico): CaptureEvent {
  const protocol = toProtocol(f.proto);
  if (!protocol) throw new Error(`unknown protocol "${text(f.proto)}"`);
  const src = calicoPeer(f.src);
  const dst = calicoPeer(f.dst);
  const port = protocol.startsWith('ICMP') ? null : numberOr(f.dstPort, NaN);
  if (port !== null && !Number.isFinite(port)) throw new Error('missing destination port');
  const reporter = text(f.reporter).toLowerCase();
  // Calico reports each flow from the source ("src") and/or destination ("dst") endpoint.
  // Older text logs say "out" (reported by the source) and "in" (by the destination).
  const side =
    reporter.startsWith('src') || reporter === 'out' ? 'client' : reporter.startsWith('dst') || reporter === 'in' ? 'server' : 'unknown';
  const start = epochMs(f.start);
  const end = epochMs(f.end);
  return {
    kind: 'flow',
    record: {
      time: Number.isFinite(end) ? end : start,
      verdict: toVerdict(f.action),
      src: src.peer,
      dst: dst.peer,
      protocol,
      port,
      isReply: false,
      side,
      count: Math.max(1, numberOr(f.count, 1)),
      srcIp: present(f.src.ip),
      dstIp: present(f.dst.ip),
      clientPort: present(f.srcPort) ? numberOr(f.srcPort, 0) : undefined,
      srcPod: src.pod,
      dstPod: dst.pod,
      srcLabels: src.labels,
      dstLabels: dst.labels,
    },
  };
}

/** Calico Enterprise flow-log JSON (flows.log / Elasticsearch documents). */
export function calicoEnterpriseEvent(o: Record<string, unknown>): CaptureEvent {
  return calicoRecord({
    start: o.start_time,
    end: o.end_time ?? o['@timestamp'],
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
    count: o.num_flows_started ?? o.num_flows,
    reporter: o.reporter,
    action: o.action,
  });
}

/** Calico OSS Goldmane `Flow` (protojson, `Key` nested) or the flat Whisker API flow. */
export function calicoGoldmaneEvent(o: Record<string, unknown>): CaptureEvent {
  const key = (o.Key ?? o.key ?? o) as Record<string, unknown>;
  const pick = (snake: string, camel: string): unknown => key[snake] ?? key[camel];
  return calicoRecord({
    start: o.start_time ?? o.startTime,
    end: o.end_time ?? o.endTime,
    src: {
      type: pick('source_type', 'sourceType') ?? 'WorkloadEndpoint',
      namespace: pick('source_namespace', 'sourceNamespace'),
      name: pick('source_name', 'sourceName'),
      nameAggr: undefined,
      labels: o.source_labels ?? o.sourceLabels,
      ip: undefined,
    },
    dst: {
      type: pick('dest_type', 'destType') ?? 'WorkloadEndpoint',
      namespace: pick('dest_namespace', 'destNamespace'),
      name: pick('dest_name', 'destName'),
      nameAggr: undefined,
      labels: o.dest_labels ?? o.destLabels,
      ip: undefined,
    },
    proto: pick('proto', 'proto') ?? o.protocol,
    srcPort: undefined,
    dstPort: pick('dest_port', 'destPort'),
    count: o.num_connections_started ?? o.numConnectionsStarted ?? 1,
    reporter: pick('reporter', 'reporter'),
    action: pick('action', 'action'),
  });
}

/** One line of the documented space-delimited text format. */
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
    src: { type: v.srcType, namespace: v.srcNamespace, name: v.srcName, nameAggr: v.srcName, labels: v.srcLabels, ip: v.srcIP },
    dst: { type: v.dstType, namespace: v.dstNamespace, name: v.dstName, nameAggr: v.dstName, labels: v.dstLabels, ip: v.dstIP },
    proto: v.proto,
    srcPort: v.srcPort,
    dstPort: v.dstPort,
    count: v.numFlowsStarted !== '-' ? v.numFlowsStarted : v.numFlows,
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
