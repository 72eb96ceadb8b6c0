// The builder's per-edge and per-node accumulators, and how they become the graph's nodes and
// evidence once a capture is read (the aggregation itself is in builder.ts).
import type { DirectionBasis, FlowRecord, ObservationSide, Peer, PolicyHit, Protocol, Verdict } from '../flows/types';
import type { AttributionEvidence, EdgeEvidence, GraphNode, PolicyHitEvidence } from './types';

export const SIDES: readonly ObservationSide[] = ['client', 'server', 'unknown'];

const SAMPLE_PODS = 5;
const MAX_DNS_NAMES = 20;
/** Distinct L7 keys, drop reasons and policies kept per edge. */
export const MAX_L7_KEYS = 50;

/** Direction bases from the strongest to the weakest: a connection seen twice keeps the stronger. */
export const BASES: readonly DirectionBasis[] = [
  'handshake',
  'l7',
  'known-port',
  'port-range',
  'reply-flag',
  'first-seen',
  'flow-log',
  'icmp',
  'packet',
];

/** Seconds kept in a connection's entry: 2^25 s (about a year), so an entry stays a small integer. */
const SECONDS_WRAP = 2 ** 25;
/** The entry's bit that says its direction was a guess (see DirectionEvidence.uncertain). */
const GUESSED = 16;

/**
 * A connection's entry in an edge: the second it was first seen (modulo SECONDS_WRAP), whether its
 * direction was a guess, and the index in BASES of what settled it, in one small integer (so the
 * maps stay unboxed). See mergeConnValues for two sightings.
 */
export function connValue(time: number, basis: number, uncertain = false): number {
  return (Number.isFinite(time) ? Math.floor(time / 1000) % SECONDS_WRAP : 0) * 32 + (uncertain ? GUESSED : 0) + basis;
}

/**
 * Two sightings of one connection entry (its runs, or the same client address and port seen on
 * two edges that became one): the earlier second, and the basis the evidence can stand behind. A
 * guess is said with what it rests on, even beside a settled run (the edge says "first seen,
 * uncertain", never "reply flags" for a connection it counts as guessed); of two guesses the weaker
 * basis, of two settlements the stronger.
 */
export function mergeConnValues(a: number, b: number): number {
  const second = Math.min(a >> 5, b >> 5) * 32;
  const [ga, gb] = [a & GUESSED, b & GUESSED];
  if (ga !== gb) return second + ((ga ? a : b) & 31);
  return second + ga + (ga ? Math.max(a & 15, b & 15) : Math.min(a & 15, b & 15));
}

/** Basis index of a connection entry (see connValue). */
export const connBasis = (v: number): number => v & 15;

/** True when a connection entry's direction was a guess (see connValue). */
export const connGuessed = (v: number): boolean => (v & GUESSED) !== 0;

/** Seconds between two connection entries' first sightings. */
export function connSecondsApart(a: number, b: number): number {
  const d = Math.abs((a >> 5) - (b >> 5));
  return Math.min(d, SECONDS_WRAP - d);
}

export interface SideAcc {
  total: number;
  replies: number;
  /** Verdicts of the requests, and of the replies (counted like `flows`: each at the end that saw more). */
  verdicts: Partial<Record<Verdict, number>>;
  replyVerdicts: Partial<Record<Verdict, number>>;
}

export type EdgeService = NonNullable<EdgeEvidence['service']>;

/** What few edges have (L7, drops, names, policies, flow logs): created on first use, to keep edges small. */
export interface EdgeExtra {
  /** Records with no connection to track them by, by basis (their `count`). */
  untracked: Partial<Record<DirectionBasis, number>>;
  /** Flow-log connections started (Calico `num_flows_started`), by the side that reported them. */
  flowLog: Record<ObservationSide, number>;
  /** The most connections one flow-log record saw active at once, by side: a connection open before the capture counts too. */
  flowLogPeak: Record<ObservationSide, number>;
  dropReasons: Map<string, number>;
  dnsNames: Set<string>;
  dns: Map<string, number>;
  http: Map<string, number>;
  /** Policy hits by `action|direction|kind|policy` → flow events. */
  enforced: Map<string, number>;
  pending: Map<string, number>;
  pendingActions: Map<string, number>;
  matchTypes: Map<string, number>;
  /** ICMP edges: the types of the request messages seen (echo request 8, ICMPv6 128, …). */
  icmpTypes: Set<number>;
}

/** Mutable per-edge accumulator; plain data so it can cross a worker boundary. */
export interface EdgeAcc {
  source: string;
  target: string;
  protocol: Protocol;
  port: number | null | 'unknown';
  sides: Record<ObservationSide, SideAcc>;
  /**
   * Connections by the key of their client address and port (see endpointKey) → what settled them
   * and when they were first seen (see connValue).
   */
  conns: Map<number, number>;
  connsCapped: boolean;
  /** Connections decided by a guess (see DirectionEvidence.uncertain). */
  uncertain: number;
  first: number;
  last: number;
  srcPods: Set<string>;
  dstPods: Set<string>;
  extra?: EdgeExtra;
  /** Edges to a possible Service frontend: each tracked connection's part (see slices.ts). */
  slices?: Map<number, ConnSlice>;
  service?: EdgeService;
}

/** The edge's rarely used evidence, created when first needed. */
export function extraOf(e: EdgeAcc): EdgeExtra {
  return (e.extra ??= emptyExtra());
}

export function bump<K>(map: Map<K, number>, key: K, by: number, cap = Infinity): void {
  const cur = map.get(key);
  if (cur !== undefined) map.set(key, cur + by);
  else if (map.size < cap) map.set(key, by);
}

/**
 * Which end of its connection saw a settled record: from the packet's observer and its travel
 * (`isReply`, settled by the connection), else from the end local to the observing node. A
 * packet's own reply flag never enters, so the counts of an edge do not change when flags are
 * wrong (DESIGN.md, "Connection").
 */
export function sideOf(r: FlowRecord): ObservationSide {
  if (r.observer !== 'unknown') return (r.observer === 'sender') !== r.isReply ? 'client' : 'server';
  return r.localEnd ?? 'unknown';
}

/**
 * Adds what one settled record says to its edge: times, sample pods, the counts of the end that
 * saw it, verdicts, drop reasons, names, L7 and policies. Returns that end.
 */
export function addRecordEvidence(e: EdgeAcc, r: FlowRecord): ObservationSide {
  const start = r.start !== undefined && Number.isFinite(r.start) ? Math.min(r.start, r.time) : r.time;
  if (Number.isFinite(r.time)) {
    if (start < e.first) e.first = start;
    if (r.time > e.last) e.last = r.time;
  }
  const side = sideOf(r);
  addCapped(e.srcPods, r.srcPod, SAMPLE_PODS);
  addCapped(e.dstPods, r.dstPod, SAMPLE_PODS);
  const seen = e.sides[side];
  seen.total += r.count;
  if (r.isReply) seen.replies += r.count;
  const verdicts = r.isReply ? seen.replyVerdicts : seen.verdicts;
  verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + r.count;
  addRecordExtra(() => extraOf(e), r);
  return side;
}

/** True when a record carries evidence that goes into an edge's EdgeExtra (see addRecordExtra). */
export function hasExtra(r: FlowRecord): boolean {
  return (
    r.dropReason !== undefined ||
    (r.dstNames !== undefined && r.dstNames.length > 0 && !r.isReply) ||
    r.l7 !== undefined ||
    (r.icmpType !== undefined && !r.isReply) ||
    r.policies !== undefined
  );
}

/** Adds a record's drop reason, names, L7, ICMP type and policies to an EdgeExtra (made by `x` when first needed). */
export function addRecordExtra(x: () => EdgeExtra, r: FlowRecord): void {
  if (r.dropReason) bump(x().dropReasons, r.dropReason, r.count, MAX_L7_KEYS);
  if (r.dstNames && r.dstNames.length > 0 && !r.isReply) for (const n of r.dstNames) addCapped(x().dnsNames, n, MAX_DNS_NAMES);
  if (r.l7?.kind === 'dns') bump(x().dns, r.l7.query, r.count, MAX_L7_KEYS);
  else if (r.l7?.kind === 'http') bump(x().http, `${r.l7.method} ${r.l7.path}`, r.count, MAX_L7_KEYS);
  if (r.icmpType !== undefined && !r.isReply) x().icmpTypes.add(r.icmpType);
  const p = r.policies;
  if (p) {
    for (const h of p.enforced) bump(x().enforced, hitKey(h), r.count, MAX_L7_KEYS);
    for (const h of p.pending ?? []) bump(x().pending, hitKey(h), r.count, MAX_L7_KEYS);
    if (p.pendingAction) bump(x().pendingActions, p.pendingAction, r.count);
    if (p.matchType) bump(x().matchTypes, p.matchType, r.count);
  }
}

/** A new, empty EdgeExtra. */
export function emptyExtra(): EdgeExtra {
  return {
    untracked: {},
    flowLog: { client: 0, server: 0, unknown: 0 },
    flowLogPeak: { client: 0, server: 0, unknown: 0 },
    dropReasons: new Map(),
    dnsNames: new Set(),
    dns: new Map(),
    http: new Map(),
    enforced: new Map(),
    pending: new Map(),
    pendingActions: new Map(),
    matchTypes: new Map(),
    icmpTypes: new Set(),
  };
}

/**
 * Adds (`sign` 1) or takes away (`sign` -1) one EdgeExtra's counts into another; names and types
 * are capped unions either way (what a part had cannot be told apart from the rest).
 */
export function mergeExtra(m: EdgeExtra, x: EdgeExtra, sign: 1 | -1 = 1): void {
  const add = <K>(into: Map<K, number>, from: Map<K, number>, cap = Infinity): void => {
    for (const [k, n] of from) {
      if (sign > 0) bump(into, k, n, cap);
      else if (into.has(k)) {
        const left = into.get(k)! - n;
        if (left > 0) into.set(k, left);
        else into.delete(k);
      }
    }
  };
  for (const side of SIDES) {
    m.flowLog[side] += sign * x.flowLog[side];
    if (sign > 0) m.flowLogPeak[side] = Math.max(m.flowLogPeak[side], x.flowLogPeak[side]);
  }
  for (const [b, n] of Object.entries(x.untracked)) {
    const left = (m.untracked[b as DirectionBasis] ?? 0) + sign * n;
    if (left > 0) m.untracked[b as DirectionBasis] = left;
    else delete m.untracked[b as DirectionBasis];
  }
  add(m.dropReasons, x.dropReasons, MAX_L7_KEYS);
  add(m.dns, x.dns, MAX_L7_KEYS);
  add(m.http, x.http, MAX_L7_KEYS);
  add(m.enforced, x.enforced, MAX_L7_KEYS);
  add(m.pending, x.pending, MAX_L7_KEYS);
  add(m.pendingActions, x.pendingActions);
  add(m.matchTypes, x.matchTypes);
  if (sign > 0) {
    for (const n of x.dnsNames) addCapped(m.dnsNames, n, MAX_DNS_NAMES);
    for (const t of x.icmpTypes) m.icmpTypes.add(t);
  }
}

/**
 * Adds `value` to a set that keeps at most `cap` values: the smallest ones, so that the result does
 * not depend on the order values arrive in (one thread or several, any split of the file).
 */
export function addCapped<T extends string | number>(set: Set<T>, value: T | undefined, cap: number): void {
  if (value === undefined || set.has(value)) return;
  if (set.size < cap) {
    set.add(value);
    return;
  }
  let max: T | undefined;
  for (const v of set) if (max === undefined || v > max) max = v;
  if (max !== undefined && value < max) {
    set.delete(max);
    set.add(value);
  }
}

export interface NodeAcc {
  peer: Peer;
  /** The stable labels of the pod with the smallest name seen (the same whatever order records come in). */
  labels?: Readonly<Record<string, string>>;
  labelsPod?: string;
  pods: Set<string>;
  /**
   * Workloads selected by identity labels: the owners its pods' names say they belong to
   * (`web`, `web-canary`). More than one means one selector gathers several workloads.
   */
  owners?: Set<string>;
  /** The identity came from a cluster snapshot, not from the capture. */
  fromSnapshot?: true;
}

const MAX_OWNERS = 10;

/** Adds a pod's owner to a node, or another node's owners (the same node seen elsewhere). */
export function addOwners(n: NodeAcc, owners: Iterable<string>): void {
  for (const o of owners) addCapped((n.owners ??= new Set()), o, MAX_OWNERS);
}

export function emptyEdge(source: string, target: string, protocol: Protocol, port: number | null | 'unknown'): EdgeAcc {
  const side = (): SideAcc => ({ total: 0, replies: 0, verdicts: {}, replyVerdicts: {} });
  return {
    source,
    target,
    protocol,
    port,
    sides: { client: side(), server: side(), unknown: side() },
    conns: new Map(),
    connsCapped: false,
    uncertain: 0,
    first: Infinity,
    last: -Infinity,
    srcPods: new Set(),
    dstPods: new Set(),
  };
}

export function hitKey(h: PolicyHit): string {
  return `${h.action}|${h.direction ?? ''}|${h.kind ?? ''}|${h.policy}`;
}

function hitOf(key: string, count: number): PolicyHitEvidence {
  const [action, direction, kind, ...policy] = key.split('|');
  return {
    policy: policy.join('|'),
    ...(kind ? { kind } : {}),
    ...(direction ? { direction: direction as 'ingress' | 'egress' } : {}),
    action: action as PolicyHitEvidence['action'],
    count,
  };
}

function peerLabel(p: Peer): string {
  switch (p.kind) {
    case 'workload':
      return p.name;
    case 'entity':
      return p.entity;
    case 'external':
      return p.ip;
    case 'service':
      return `${p.name} (Service)`;
    case 'network':
      return p.scope === 'public' ? 'a public network' : 'a private network';
  }
}

function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function nodeOf(id: string, n: NodeAcc, ipNames: Map<string, Set<string>>): GraphNode {
  const p = n.peer;
  const samplePods = [...n.pods].sort();
  switch (p.kind) {
    case 'workload':
      return {
        id,
        kind: 'workload',
        label: p.name,
        namespace: p.namespace,
        identity: p.identity,
        ...(p.unlabelled ? { unlabelled: p.unlabelled } : {}),
        ...(n.fromSnapshot ? { identitySource: 'snapshot' as const } : {}),
        labels: n.labels ? sortedObject(Object.entries(n.labels)) : { ...p.identity },
        samplePods,
      };
    case 'entity':
      return { id, kind: 'entity', label: p.entity, entity: p.entity };
    case 'external': {
      const names = [...(ipNames.get(p.ip) ?? [])].sort();
      return { id, kind: 'external', label: names[0] ?? peerLabel(p), ip: p.ip, dnsNames: names };
    }
    case 'service':
      return p.namespace
        ? { id, kind: 'service', label: peerLabel(p), namespace: p.namespace }
        : { id, kind: 'service', label: peerLabel(p) };
    case 'network':
      return { id, kind: 'network', label: peerLabel(p), scope: p.scope };
  }
}

const NO_EXTRA: EdgeExtra = emptyExtra();

function attributionOf(e: EdgeExtra): AttributionEvidence {
  const hits = (m: Map<string, number>): PolicyHitEvidence[] =>
    [...m]
      .map(([k, n]) => hitOf(k, n))
      .sort((a, b) => b.count - a.count || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0) || (a.action < b.action ? -1 : 1));
  return {
    enforced: hits(e.enforced),
    pending: hits(e.pending),
    pendingActions: sortedObject(e.pendingActions.entries()),
    matchTypes: sortedObject(e.matchTypes.entries()),
  };
}

export function evidenceOf(e: EdgeAcc, ipNames: Map<string, Set<string>>): EdgeEvidence {
  const x = e.extra ?? NO_EXTRA;
  // An event seen at both ends is counted once: requests and replies each at the end that saw more
  // of them (a capture often sees a connection's requests at one node and its replies at the other).
  let requests = 0;
  let replies = 0;
  const verdicts: Partial<Record<Verdict, number>> = {};
  const asReplies: Partial<Record<Verdict, number>> = {};
  for (const side of SIDES) {
    const s = e.sides[side];
    requests = Math.max(requests, s.total - s.replies);
    replies = Math.max(replies, s.replies);
    for (const [v, n] of Object.entries(s.verdicts)) verdicts[v as Verdict] = Math.max(verdicts[v as Verdict] ?? 0, n);
    for (const [v, n] of Object.entries(s.replyVerdicts)) asReplies[v as Verdict] = Math.max(asReplies[v as Verdict] ?? 0, n);
  }
  for (const [v, n] of Object.entries(asReplies)) verdicts[v as Verdict] = (verdicts[v as Verdict] ?? 0) + n;
  const flows = requests + replies;
  const dnsNames = new Set(x.dnsNames);
  if (e.target.startsWith('ip:')) for (const n of ipNames.get(e.target.slice(3)) ?? []) dnsNames.add(n);
  const byCount = <T extends { count: number }>(a: T[], key: (x: T) => string): T[] =>
    a.sort((x, y) => y.count - x.count || (key(x) < key(y) ? -1 : 1));
  const basis: Partial<Record<DirectionBasis, number>> = { ...x.untracked };
  for (const v of e.conns.values()) basis[BASES[connBasis(v)]] = (basis[BASES[connBasis(v)]] ?? 0) + 1;
  // Both ends may report the same flow-log connections: count the side that reported the most.
  const flowLog = Math.max(...SIDES.map((side) => Math.max(x.flowLog[side], x.flowLogPeak[side])));
  if (flowLog > 0) basis['flow-log'] = flowLog;
  return {
    flows,
    replies,
    connections: e.conns.size + flowLog,
    connectionsCapped: e.connsCapped,
    firstSeen: Number.isFinite(e.first) ? e.first : null,
    lastSeen: Number.isFinite(e.last) ? e.last : null,
    verdicts: sortedObject(Object.entries(verdicts)),
    dropReasons: sortedObject(x.dropReasons.entries()),
    samplePods: { src: [...e.srcPods].sort(), dst: [...e.dstPods].sort() },
    dnsNames: [...dnsNames].sort(),
    l7: {
      dns: byCount(
        [...x.dns].map(([query, count]) => ({ query, count })),
        (x) => x.query,
      ),
      http: byCount(
        [...x.http].map(([k, count]) => {
          const sp = k.indexOf(' ');
          return { method: k.slice(0, sp), path: k.slice(sp + 1), count };
        }),
        (x) => `${x.method} ${x.path}`,
      ),
    },
    ...(e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6' ? { icmpTypes: [...x.icmpTypes].sort((a, b) => a - b) } : {}),
    direction: { basis: sortedObject(Object.entries(basis)), uncertain: e.uncertain },
    attribution: attributionOf(x),
    ...(e.service ? { service: e.service } : {}),
  };
}

/** One connection's share of a frontend edge's evidence (slices.ts splits frontend edges by them). */
export interface ConnSlice {
  /** Flow events by side, `[total, replies]` for client, server and unknown, in SIDES order. */
  readonly counts: number[];
  /** Flow events with a verdict other than FORWARDED, by `side|1` (replies) or `side|0` and verdict. */
  other?: Record<string, number>;
  first: number;
  last: number;
  /** The client's pod, when a record named it. */
  pod?: string;
  /** Drops, names, L7 and policies of its records. */
  extra?: EdgeExtra;
}
