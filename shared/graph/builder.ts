import type { CaptureFormat, FlowRecord, Peer, Verdict } from '../flows/types';
import { evidenceOf, nodeOf, SIDES, type EdgeAcc, type NodeAcc } from './accumulators';
import { edgeKey, isDnsPort, peerKey } from './keys';
import type { GraphEdge, GraphNode, ServiceGraph } from './types';
import { graphWarnings, type CaptureCounts } from './warnings';

const SAMPLE_PODS = 5;
const MAX_DNS_NAMES = 20;
const MAX_L7_KEYS = 50;
const MAX_PODS_INDEXED = 200_000;
/** Distinct connections tracked over the whole capture; past this, counts are lower bounds. */
const MAX_TRACKED_CONNECTIONS = 200_000;
/** A workload known only by pod name (no labels): resolved through `podOwners` at build time. */
function unresolved(p: Peer): boolean {
  return p.kind === 'workload' && Object.keys(p.identity).length === 0;
}

/** Everything a builder has aggregated; structured-clone friendly for worker threads. */
export type { EdgeAcc } from './accumulators';

export interface GraphPartial {
  edges: Map<string, EdgeAcc>;
  nodes: Map<string, NodeAcc>;
  ipNames: Map<string, Set<string>>;
  dnsClients: Set<string>;
  /** `ns/pod` → node id, for pods seen with their labels. */
  podOwners: Map<string, string>;
  /** Pods of workloads seen without labels. */
  unresolvedPods: Map<string, Set<string>>;
  /** /24 (IPv4) or /64 (IPv6) networks pod addresses were seen in. */
  podNetworks: Set<string>;
  trackedConnections: number;
  minTime: number;
  maxTime: number;
}

function emptyPartial(): GraphPartial {
  return {
    edges: new Map(),
    nodes: new Map(),
    ipNames: new Map(),
    dnsClients: new Set(),
    podOwners: new Map(),
    unresolvedPods: new Map(),
    podNetworks: new Set(),
    trackedConnections: 0,
    minTime: Infinity,
    maxTime: -Infinity,
  };
}

/** FNV-1a over the connection's identifying fields: cheaper to store and compare than strings. */
export function connectionHash(srcIp: string | undefined, clientPort: number | undefined, dstIp: string | undefined): number {
  let h = 0x811c9dc5;
  const mix = (str: string): void => {
    for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x7c, 0x01000193);
  };
  if (srcIp) mix(srcIp);
  if (dstIp) mix(dstIp);
  h = Math.imul(h ^ ((clientPort ?? 0) & 0xff), 0x01000193);
  h = Math.imul(h ^ ((clientPort ?? 0) >>> 8), 0x01000193);
  return h >>> 0;
}

function addCapped<T>(set: Set<T>, value: T | undefined, cap: number): void {
  if (value !== undefined && set.size < cap) set.add(value);
}

function bump<K>(map: Map<K, number>, key: K, by: number, cap = Infinity): void {
  const cur = map.get(key);
  if (cur !== undefined) map.set(key, cur + by);
  else if (map.size < cap) map.set(key, by);
}

/** Aggregates FlowRecords into a service graph on the fly; records are not kept. */
export class GraphBuilder {
  private state: GraphPartial = emptyPartial();
  // Peers from the endpoint cache are shared objects: remember their keys.
  private readonly ids = new WeakMap<Peer, string>();
  // Pods already indexed in podOwners / unresolvedPods, to skip the work on repeat sightings.
  private readonly seenPods = new Set<string>();

  add(r: FlowRecord): void {
    const s = this.state;
    if (r.l7?.kind === 'dns') {
      for (const ip of r.l7.ips) {
        let names = s.ipNames.get(ip);
        if (!names) s.ipNames.set(ip, (names = new Set()));
        addCapped(names, r.l7.query, MAX_DNS_NAMES);
      }
    }
    const src = this.node(r.src, r.srcPod, r.srcLabels);
    const dst = this.node(r.dst, r.dstPod, r.dstLabels);
    if (r.src.kind === 'workload' && r.srcIp !== undefined) this.podNetwork(r.srcIp);
    if (r.dst.kind === 'workload' && r.dstIp !== undefined) this.podNetwork(r.dstIp);
    const key = edgeKey(src, dst, r.protocol, r.port);
    let e = s.edges.get(key);
    if (!e) {
      e = {
        source: src,
        target: dst,
        protocol: r.protocol,
        port: r.port,
        sides: { client: { total: 0, verdicts: {} }, server: { total: 0, verdicts: {} }, unknown: { total: 0, verdicts: {} } },
        replies: 0,
        conns: new Set(),
        connsCapped: false,
        first: Infinity,
        last: -Infinity,
        dropReasons: new Map(),
        srcPods: new Set(),
        dstPods: new Set(),
        dnsNames: new Set(),
        dns: new Map(),
        http: new Map(),
      };
      s.edges.set(key, e);
    }
    if (Number.isFinite(r.time)) {
      if (r.time < e.first) e.first = r.time;
      if (r.time > e.last) e.last = r.time;
      if (r.time < s.minTime) s.minTime = r.time;
      if (r.time > s.maxTime) s.maxTime = r.time;
    }
    if (r.srcIp !== undefined || r.clientPort !== undefined) {
      const conn = connectionHash(r.srcIp, r.clientPort, r.dstIp);
      if (!e.conns.has(conn)) {
        if (s.trackedConnections < MAX_TRACKED_CONNECTIONS) {
          e.conns.add(conn);
          s.trackedConnections++;
        } else e.connsCapped = true;
      }
    }
    addCapped(e.srcPods, r.srcPod, SAMPLE_PODS);
    addCapped(e.dstPods, r.dstPod, SAMPLE_PODS);
    if (r.l7?.kind === 'dns' || isDnsPort(r.protocol, r.port)) s.dnsClients.add(src);
    if (r.isReply) {
      e.replies += r.count;
      return;
    }
    const side = e.sides[r.side];
    side.total += r.count;
    side.verdicts[r.verdict] = (side.verdicts[r.verdict] ?? 0) + r.count;
    if (r.dropReason) bump(e.dropReasons, r.dropReason, r.count, MAX_L7_KEYS);
    if (r.dstNames) for (const n of r.dstNames) addCapped(e.dnsNames, n, MAX_DNS_NAMES);
    if (r.l7?.kind === 'dns') bump(e.dns, r.l7.query, r.count, MAX_L7_KEYS);
    else if (r.l7?.kind === 'http') bump(e.http, `${r.l7.method} ${r.l7.path}`, r.count, MAX_L7_KEYS);
  }

  private lastPodIp = '';

  private podNetwork(ip: string): void {
    if (ip === this.lastPodIp) return;
    this.lastPodIp = ip;
    const nets = this.state.podNetworks;
    if (nets.size >= 4096) return;
    if (ip.includes(':')) {
      const groups = ip.split('::')[0].split(':').slice(0, 4);
      if (groups.length === 4) nets.add(`${groups.join(':')}::/64`);
    } else {
      const dot = ip.lastIndexOf('.');
      if (dot > 0) nets.add(`${ip.slice(0, dot)}.0/24`);
    }
  }

  private node(p: Peer, pod: string | undefined, labels: Readonly<Record<string, string>> | undefined): string {
    let id = this.ids.get(p);
    if (id === undefined) {
      id = peerKey(p);
      if (p.kind !== 'external') this.ids.set(p, id);
    }
    const s = this.state;
    let n = s.nodes.get(id);
    if (!n) s.nodes.set(id, (n = { peer: p, labels, pods: new Set() }));
    else if (!n.labels && labels) n.labels = labels;
    if (pod === undefined) return id;
    const seenKey = unresolved(p) ? `?${pod}` : pod;
    if (this.seenPods.has(seenKey)) return id;
    if (this.seenPods.size < MAX_PODS_INDEXED) this.seenPods.add(seenKey);
    addCapped(n.pods, pod, SAMPLE_PODS);
    if (p.kind === 'workload') {
      const podKey = `${p.namespace}/${pod}`;
      if (unresolved(p)) {
        let pods = s.unresolvedPods.get(id);
        if (!pods) s.unresolvedPods.set(id, (pods = new Set()));
        addCapped(pods, podKey, 1000);
      } else if (s.podOwners.size < MAX_PODS_INDEXED && !s.podOwners.has(podKey)) s.podOwners.set(podKey, id);
    }
    return id;
  }

  /** The aggregated state, to send to another thread or merge into another builder. */
  partial(): GraphPartial {
    return this.state;
  }

  /** Adds another builder's aggregate (for example a worker thread's) into this one. */
  merge(o: GraphPartial): void {
    const s = this.state;
    for (const [id, n] of o.nodes) {
      const mine = s.nodes.get(id);
      if (!mine) s.nodes.set(id, n);
      else {
        mine.labels ??= n.labels;
        for (const p of n.pods) addCapped(mine.pods, p, SAMPLE_PODS);
      }
    }
    for (const [ip, names] of o.ipNames) {
      const mine = s.ipNames.get(ip);
      if (!mine) s.ipNames.set(ip, names);
      else for (const n of names) addCapped(mine, n, MAX_DNS_NAMES);
    }
    for (const c of o.dnsClients) s.dnsClients.add(c);
    for (const n of o.podNetworks) if (s.podNetworks.size < 4096) s.podNetworks.add(n);
    for (const [pod, id] of o.podOwners) if (!s.podOwners.has(pod) && s.podOwners.size < MAX_PODS_INDEXED) s.podOwners.set(pod, id);
    for (const [id, pods] of o.unresolvedPods) {
      const mine = s.unresolvedPods.get(id);
      if (!mine) s.unresolvedPods.set(id, pods);
      else for (const p of pods) addCapped(mine, p, 1000);
    }
    s.minTime = Math.min(s.minTime, o.minTime);
    s.maxTime = Math.max(s.maxTime, o.maxTime);
    for (const [key, e] of o.edges) {
      const mine = s.edges.get(key);
      if (!mine) {
        s.edges.set(key, e);
        s.trackedConnections += e.conns.size;
        continue;
      }
      this.mergeEdge(mine, e);
    }
  }

  private mergeEdge(mine: EdgeAcc, e: EdgeAcc): void {
    const s = this.state;
    for (const side of SIDES) {
      mine.sides[side].total += e.sides[side].total;
      for (const [v, n] of Object.entries(e.sides[side].verdicts)) {
        mine.sides[side].verdicts[v as Verdict] = (mine.sides[side].verdicts[v as Verdict] ?? 0) + n;
      }
    }
    mine.replies += e.replies;
    for (const c of e.conns) {
      if (!mine.conns.has(c)) {
        mine.conns.add(c);
        s.trackedConnections++;
      }
    }
    mine.connsCapped ||= e.connsCapped;
    mine.first = Math.min(mine.first, e.first);
    mine.last = Math.max(mine.last, e.last);
    for (const [k, n] of e.dropReasons) bump(mine.dropReasons, k, n, MAX_L7_KEYS);
    for (const p of e.srcPods) addCapped(mine.srcPods, p, SAMPLE_PODS);
    for (const p of e.dstPods) addCapped(mine.dstPods, p, SAMPLE_PODS);
    for (const n of e.dnsNames) addCapped(mine.dnsNames, n, MAX_DNS_NAMES);
    for (const [k, n] of e.dns) bump(mine.dns, k, n, MAX_L7_KEYS);
    for (const [k, n] of e.http) bump(mine.http, k, n, MAX_L7_KEYS);
  }

  /** Re-keys workloads known only by pod name onto the workload that owns the pod, if seen. */
  private resolvePods(): void {
    const s = this.state;
    const remap = new Map<string, string>();
    for (const [id, pods] of s.unresolvedPods) {
      for (const pod of pods) {
        const owner = s.podOwners.get(pod);
        if (owner) {
          remap.set(id, owner);
          break;
        }
      }
    }
    if (remap.size === 0) return;
    for (const [id, owner] of remap) {
      const from = s.nodes.get(id);
      const to = s.nodes.get(owner);
      if (from && to) for (const p of from.pods) addCapped(to.pods, p, SAMPLE_PODS);
      s.nodes.delete(id);
      if (s.dnsClients.delete(id)) s.dnsClients.add(owner);
    }
    for (const [key, e] of [...s.edges]) {
      const source = remap.get(e.source) ?? e.source;
      const target = remap.get(e.target) ?? e.target;
      if (source === e.source && target === e.target) continue;
      s.edges.delete(key);
      const newKey = edgeKey(source, target, e.protocol, e.port);
      const mine = s.edges.get(newKey);
      if (mine) this.mergeEdge(mine, e);
      else s.edges.set(newKey, { ...e, source, target });
    }
  }

  /** Freezes the aggregate into a deterministic ServiceGraph (sorted nodes and edges). */
  build(format: CaptureFormat | undefined, counts: CaptureCounts): ServiceGraph {
    this.resolvePods();
    const s = this.state;
    const nodes: GraphNode[] = [...s.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, n]) => nodeOf(id, n, s.ipNames));
    const edges: GraphEdge[] = [...s.edges.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, e]) => ({
        key,
        source: e.source,
        target: e.target,
        protocol: e.protocol,
        port: e.port,
        evidence: evidenceOf(e, s.ipNames),
      }));
    const namespaces = [...new Set(nodes.flatMap((n) => (n.namespace ? [n.namespace] : [])))].sort();
    const window = Number.isFinite(s.minTime) ? { start: s.minTime, end: s.maxTime } : null;
    const podNetworks = [...s.podNetworks].sort();
    const graph = { format, nodes, edges, namespaces, window, podNetworks, warnings: [] };
    return { ...graph, warnings: graphWarnings(graph, s.dnsClients, counts) };
  }
}
