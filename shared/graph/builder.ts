import type { ClusterSnapshot } from '../cluster/snapshot';
import { networkOf } from '../policy/cidr';
import { ownerFromPodName } from '../flows/identity';
import type { CaptureEvent, CaptureFormat, DirectionBasis, FlowRecord, Peer, Verdict } from '../flows/types';
import {
  addCapped,
  addOwners,
  addRecordEvidence,
  BASES,
  connValue,
  emptyEdge,
  evidenceOf,
  extraOf,
  mergeConnValues,
  mergeExtra,
  nodeOf,
  SIDES,
  type EdgeAcc,
  type NodeAcc,
} from './accumulators';
import { foldIcmpResponses, holdIcmpResponse, isIcmpResponseRecord } from './icmp';
import { ConnectionTracker, hostOf, isTrackable, type TrackerExport } from './connections';
import { AddressHashes, displayIds, edgeKey, endpointKey, isDnsPort, nodeKey, protocolCode } from './keys';
import { relabelFromSnapshot, remapNodes } from './relabel';
import { resolveServices } from './services';
import { addToSlice, mayBeFrontend, mergeSlices, type ConnSlice } from './slices';
import type { GraphEdge, GraphNode, ServiceGraph } from './types';
import { graphWarnings, type CaptureCounts } from './warnings';

const SAMPLE_PODS = 5;
const MAX_DNS_NAMES = 20;
const MAX_PODS_INDEXED = 200_000;
/** Distinct connections tracked over the whole capture; past this, counts are lower bounds. */
const MAX_TRACKED_CONNECTIONS = 200_000;

/** A workload known only by pod name (no labels in its records): resolved through `podOwners` at build time. */
function unresolved(p: Peer): boolean {
  return p.kind === 'workload' && p.unlabelled === 'not-captured';
}

export type { EdgeAcc } from './accumulators';

/** Everything a builder has aggregated; structured-clone friendly for worker threads. */
export interface GraphPartial {
  edges: Map<string, EdgeAcc>;
  nodes: Map<string, NodeAcc>;
  ipNames: Map<string, Set<string>>;
  dnsClients: Set<string>;
  /** `ns/pod` → node id, for pods seen with their labels. */
  podOwners: Map<string, string>;
  /** Pods of workloads whose records carried no labels. */
  unresolvedPods: Map<string, Set<string>>;
  /** /24 (IPv4) or /64 (IPv6) networks pod addresses were seen in. */
  podNetworks: Set<string>;
  /** Service `ns/name` → backends (`node|port`) Hubble named on flows that reached a pod. */
  serviceBackends: Map<string, Set<string>>;
  /** ICMP errors and replies by the key of the edge they answer (see holdIcmpResponse). */
  icmpResponses: Map<string, EdgeAcc>;
  trackedConnections: number;
  minTime: number;
  maxTime: number;
  /** A worker's connections for the main thread to finish (see ConnectionTracker.export). */
  connections?: TrackerExport;
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
    serviceBackends: new Map(),
    icmpResponses: new Map(),
    trackedConnections: 0,
    minTime: Infinity,
    maxTime: -Infinity,
  };
}

/** Where a record's direction comes from when no connection can be tracked for it. */
function untrackedBasis(r: FlowRecord): DirectionBasis {
  if (!r.clues) return 'flow-log';
  return r.protocol.startsWith('ICMP') ? 'icmp' : 'packet';
}

export interface BuildOptions {
  /** A cluster snapshot: labels for workloads whose records had none, and Service backends. */
  readonly snapshot?: ClusterSnapshot;
}

/**
 * Aggregates FlowRecords into a service graph on the fly; records are not kept, except those of
 * connections nothing has settled yet (see ConnectionTracker).
 */
export class GraphBuilder {
  private state: GraphPartial = emptyPartial();
  // Peers from the endpoint cache are shared objects: remember their keys.
  private readonly ids = new WeakMap<Peer, string>();
  // Pods already indexed in podOwners / unresolvedPods, to skip the work on repeat sightings.
  private readonly seenPods = new Set<string>();
  private readonly tracker: ConnectionTracker;
  private readonly hashes = new AddressHashes();
  private tracking = { forgotten: 0, decidedEarly: 0 };

  /** @param options.part true in a worker thread that reads one part of a file (see ConnectionTracker) */
  constructor(private readonly options: { readonly part?: boolean } = {}) {
    this.tracker = new ConnectionTracker(
      (r, basis, uncertain, first) => this.addSettled(r, basis, uncertain, first),
      options.part,
      this.hashes,
    );
  }

  /**
   * Takes what the parser read: a flow is added (see add); a record left out for having no L4 still
   * widens the capture's window with its times. Every reader routes events through here.
   */
  addEvent(ev: CaptureEvent): void {
    if (ev.kind === 'flow') this.add(ev.record);
    else if (ev.kind === 'skip' && ev.time !== undefined) this.widenWindow(ev.time, ev.start);
  }

  /** Adds one record: a Hubble packet goes through its connection, anything else is taken as it is. */
  add(r: FlowRecord): void {
    this.widenWindow(r.time, r.start);
    if (isTrackable(r)) this.tracker.add(r);
    else this.addSettled(r, untrackedBasis(r), false, false);
  }

  /** The window runs from the earliest start (or time) to the latest time (an aggregated record's end). */
  private widenWindow(time: number, start: number | undefined): void {
    if (!Number.isFinite(time)) return;
    const s = this.state;
    const from = start !== undefined && Number.isFinite(start) ? Math.min(start, time) : time;
    if (from < s.minTime) s.minTime = from;
    if (time > s.maxTime) s.maxTime = time;
  }

  /**
   * Adds a record whose client and server are settled, by `basis`; `uncertain` when that was a
   * guess, `first` on the first record of the decision (a guessed connection is counted once).
   */
  private addSettled(r: FlowRecord, basis: DirectionBasis, uncertain: boolean, first: boolean): void {
    const s = this.state;
    if (isIcmpResponseRecord(r)) {
      // An ICMP error or reply makes no edge: it waits for the build to fold into what it answers.
      holdIcmpResponse(s.icmpResponses, r, this.idOf(r.src), this.idOf(r.dst));
      return;
    }
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
      s.edges.set(key, (e = emptyEdge(src, dst, r.protocol, r.port)));
      if (mayBeFrontend(r.dst, r)) e.slices = new Map();
    }
    const start = r.start !== undefined && Number.isFinite(r.start) ? Math.min(r.start, r.time) : r.time;
    const side = addRecordEvidence(e, r);
    if (basis === 'flow-log') {
      const x = extraOf(e);
      x.flowLog[side] += r.startedConnections ?? r.count;
      x.flowLogPeak[side] = Math.max(x.flowLogPeak[side], r.count);
      // Calico resolved the Service itself: the record already names the backend.
      if (r.dstService && !e.service) e.service = { name: `${r.dstService.namespace}/${r.dstService.name}`, resolvedBy: 'flow-log' };
    } else if (hostOf(r, 'client') !== undefined) {
      const conn = endpointKey(protocolCode(r.protocol), this.hashes.of(hostOf(r, 'client')!), r.clientPort ?? 0);
      const v = connValue(start, BASES.indexOf(basis), uncertain);
      const had = e.conns.get(conn);
      if (had === undefined) {
        if (s.trackedConnections < MAX_TRACKED_CONNECTIONS) {
          e.conns.set(conn, v);
          s.trackedConnections++;
        } else e.connsCapped = true;
      } else if (v !== had) e.conns.set(conn, mergeConnValues(had, v));
      if (e.slices && e.conns.has(conn)) addToSlice(e.slices, conn, r, side, start);
    } else {
      const untracked = extraOf(e).untracked;
      untracked[basis] = (untracked[basis] ?? 0) + r.count;
    }
    if (uncertain && first) e.uncertain++;
    if (r.l7?.kind === 'dns' || isDnsPort(r.protocol, r.port)) s.dnsClients.add(src);
    if (r.dstService && r.dst.kind === 'workload' && typeof r.port === 'number') {
      const svc = `${r.dstService.namespace}/${r.dstService.name}`;
      let backends = s.serviceBackends.get(svc);
      if (!backends) s.serviceBackends.set(svc, (backends = new Set()));
      addCapped(backends, `${dst}|${r.port}`, 100);
    }
  }

  private lastPodIp = '';

  private podNetwork(ip: string): void {
    if (ip === this.lastPodIp) return;
    this.lastPodIp = ip;
    const nets = this.state.podNetworks;
    if (nets.size >= 4096) return;
    const net = networkOf(ip);
    if (net) nets.add(net);
  }

  /** A peer's node key, from the cache of shared peers. */
  private idOf(p: Peer): string {
    let id = this.ids.get(p);
    if (id === undefined) {
      id = nodeKey(p);
      if (p.kind !== 'external') this.ids.set(p, id);
    }
    return id;
  }

  private node(p: Peer, pod: string | undefined, labels: Readonly<Record<string, string>> | undefined): string {
    const id = this.idOf(p);
    const s = this.state;
    let n = s.nodes.get(id);
    if (!n) s.nodes.set(id, (n = { peer: p, pods: new Set() }));
    if (labels) takeLabels(n, labels, pod);
    if (pod === undefined) return id;
    const seenKey = unresolved(p) ? `?${pod}` : pod;
    if (this.seenPods.has(seenKey)) return id;
    if (this.seenPods.size < MAX_PODS_INDEXED) this.seenPods.add(seenKey);
    addCapped(n.pods, pod, SAMPLE_PODS);
    if (p.kind === 'workload') {
      if (Object.keys(p.identity).length > 0) addOwners(n, [ownerFromPodName(pod)]);
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
    if (this.options.part) this.state.connections = this.tracker.export();
    return this.state;
  }

  /**
   * Adds another builder's aggregate into this one. Workers' partials must be merged in the order
   * of their parts of the file, after this builder read what comes before them.
   */
  merge(o: GraphPartial): void {
    const s = this.state;
    for (const [id, n] of o.nodes) {
      const mine = s.nodes.get(id);
      if (!mine) s.nodes.set(id, n);
      else {
        if (n.labels) takeLabels(mine, n.labels, n.labelsPod);
        for (const p of n.pods) addCapped(mine.pods, p, SAMPLE_PODS);
        addOwners(mine, n.owners ?? []);
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
    for (const [svc, backends] of o.serviceBackends) {
      const mine = s.serviceBackends.get(svc);
      if (!mine) s.serviceBackends.set(svc, backends);
      else for (const b of backends) addCapped(mine, b, 100);
    }
    s.minTime = Math.min(s.minTime, o.minTime);
    s.maxTime = Math.max(s.maxTime, o.maxTime);
    for (const [key, e] of o.icmpResponses) {
      const mine = s.icmpResponses.get(key);
      if (mine) mergeEdge(mine, e, s);
      else s.icmpResponses.set(key, e);
    }
    for (const [key, e] of o.edges) {
      let mine = s.edges.get(key);
      // A new edge is taken as it came, while its connections fit under the cap (no copy).
      if (!mine && s.trackedConnections + e.conns.size <= MAX_TRACKED_CONNECTIONS) {
        s.edges.set(key, e);
        s.trackedConnections += e.conns.size;
        continue;
      }
      if (!mine) s.edges.set(key, (mine = emptyEdge(e.source, e.target, e.protocol, e.port)));
      mergeEdge(mine, e, s);
    }
    if (o.connections) this.tracker.merge(o.connections);
  }

  /**
   * Re-keys workloads whose records carried no labels onto the workload that owns their pods, when
   * a pod was also seen with labels, or else onto the one labelled workload of the same name.
   */
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
    const byBase = new Map<string, string[]>();
    for (const id of s.nodes.keys()) {
      const hash = id.indexOf('#');
      if (hash > 0) (byBase.get(id.slice(0, hash)) ?? byBase.set(id.slice(0, hash), []).get(id.slice(0, hash))!).push(id);
    }
    for (const [id, n] of s.nodes) {
      if (remap.has(id) || n.peer.kind !== 'workload' || n.peer.unlabelled !== 'not-captured') continue;
      const namesakes = (byBase.get(id.slice(0, id.indexOf('#'))) ?? []).filter(
        (o) => !o.endsWith('#!not-captured') && !o.endsWith('#!none'),
      );
      if (namesakes.length === 1) remap.set(id, namesakes[0]);
    }
    remapNodes(s, remap, (mine, e) => mergeEdge(mine, e, s));
  }

  /** Freezes the aggregate into a deterministic ServiceGraph (sorted nodes and edges). */
  build(format: CaptureFormat | undefined, counts: CaptureCounts, options: BuildOptions = {}): ServiceGraph {
    this.tracking = this.tracker.finish();
    const s = this.state;
    const merge = (mine: EdgeAcc, e: EdgeAcc): void => mergeEdge(mine, e, s);
    const icmpResponsesLeftOut = foldIcmpResponses(s.edges, s.icmpResponses, merge);
    this.resolvePods();
    if (options.snapshot) relabelFromSnapshot(s, options.snapshot, merge);
    resolveServices(s, options.snapshot, merge);
    // Name the workloads: `namespace/name`, with the selector only where two share a name.
    const shown = displayIds(s.nodes.keys());
    remapNodes(s, shown, merge);
    const nodes: GraphNode[] = [...s.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, n]) => {
        const node = nodeOf(id, n, s.ipNames);
        const bracket = id.indexOf('[');
        return bracket > 0 ? { ...node, label: id.slice(id.indexOf('/') + 1) } : node;
      });
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
    // Workloads whose pods belong to more than one owner: one selector gathers several workloads.
    const owners = new Map<string, string[]>();
    for (const [id, n] of s.nodes) if (n.owners && n.owners.size > 1) owners.set(id, [...n.owners].sort());
    const tally = { ...counts, ...this.tracking, icmpResponsesLeftOut, snapshot: options.snapshot?.source };
    return { ...graph, warnings: graphWarnings(graph, s.dnsClients, tally, owners) };
  }
}

/** Keeps the labels of the pod with the smallest name (records without a pod name come last). */
function takeLabels(n: NodeAcc, labels: Readonly<Record<string, string>>, pod: string | undefined): void {
  const key = pod ?? '\uffff';
  if (n.labels === undefined || key < (n.labelsPod ?? '\uffff')) {
    n.labels = labels;
    n.labelsPod = key;
  }
}

/** Adds edge `e`'s evidence into `mine` (same key): counts add, samples and names are capped unions. */
export function mergeEdge(mine: EdgeAcc, e: EdgeAcc, s: { trackedConnections: number }): void {
  for (const side of SIDES) {
    mine.sides[side].total += e.sides[side].total;
    mine.sides[side].replies += e.sides[side].replies;
    for (const [v, n] of Object.entries(e.sides[side].verdicts)) {
      mine.sides[side].verdicts[v as Verdict] = (mine.sides[side].verdicts[v as Verdict] ?? 0) + n;
    }
    for (const [v, n] of Object.entries(e.sides[side].replyVerdicts)) {
      mine.sides[side].replyVerdicts[v as Verdict] = (mine.sides[side].replyVerdicts[v as Verdict] ?? 0) + n;
    }
  }
  for (const [c, v] of e.conns) {
    const had = mine.conns.get(c);
    if (had === undefined) {
      // The same cap as one thread: past it, counts are lower bounds and say so.
      if (s.trackedConnections < MAX_TRACKED_CONNECTIONS) {
        mine.conns.set(c, v);
        s.trackedConnections++;
      } else mine.connsCapped = true;
    } else if (v !== had) mine.conns.set(c, mergeConnValues(had, v));
  }
  mine.connsCapped ||= e.connsCapped;
  mine.uncertain += e.uncertain;
  mine.first = Math.min(mine.first, e.first);
  mine.last = Math.max(mine.last, e.last);
  for (const p of e.srcPods) addCapped(mine.srcPods, p, SAMPLE_PODS);
  for (const p of e.dstPods) addCapped(mine.dstPods, p, SAMPLE_PODS);
  if (e.extra) mergeExtra(extraOf(mine), e.extra);
  if (e.slices) mergeSlices((mine.slices ??= new Map<number, ConnSlice>()), e.slices);
  mine.service ??= e.service;
}
