// Service frontends in, backends out. A NetworkPolicy sees traffic after a Service is translated,
// so an edge to a ClusterIP (which Hubble reports before translation, often as `reserved:world`
// with `destination_service`) must become an edge to the backend workload on its target port.
import type { ClusterSnapshot } from '../cluster/snapshot';
import type { Protocol } from '../flows/types';
import type { ServicePeer } from '../flows/types';
import { addCapped, connSecondsApart, emptyEdge, SIDES, type EdgeAcc, type EdgeService, type NodeAcc } from './accumulators';
import { partOf, withoutParts } from './slices';

const SAMPLE_PODS = 5;
import { edgeKey, nodeKey } from './keys';
import { workloadOfPod } from './relabel';

interface Resolvable {
  readonly nodes: Map<string, NodeAcc>;
  readonly edges: Map<string, EdgeAcc>;
  /** Service `ns/name` → `node|port` Hubble named on flows that reached a pod. */
  readonly serviceBackends: Map<string, Set<string>>;
}

/**
 * An edge to a Service frontend: its key, the Service (`ns/name`; for an unnamed one the address the
 * client addressed) and the frontend port.
 */
interface Frontend {
  readonly key: string;
  readonly edge: EdgeAcc;
  readonly service: string;
  readonly port: number;
  /**
   * Nothing names the Service: an address outside the pods (`reserved:world` or a bare address,
   * with no destination_service, as a field-masked export gives it) that may be a ClusterIP. Only
   * its own translated flows to a pod resolve it.
   */
  readonly unnamed?: true;
}

const SNAPSHOT_PROTOCOLS = new Set<Protocol>(['TCP', 'UDP', 'SCTP']);

function frontends(s: Resolvable, snapshot: ClusterSnapshot | undefined): Frontend[] {
  const out: Frontend[] = [];
  for (const [key, e] of s.edges) {
    if (typeof e.port !== 'number') continue;
    if (e.target.startsWith('service:')) out.push({ key, edge: e, service: e.target.slice('service:'.length), port: e.port });
    else if (e.target.startsWith('ip:') && SNAPSHOT_PROTOCOLS.has(e.protocol)) {
      // A ClusterIP Hubble did not name (no destination_service): the snapshot may know it; else
      // the translated flow of the same client address and port may show where it went.
      const hit = snapshot?.serviceByFrontend(e.target.slice(3), e.port, e.protocol as 'TCP');
      if (hit) out.push({ key, edge: e, service: `${hit.service.namespace}/${hit.service.name}`, port: e.port });
      else out.push({ key, edge: e, service: e.target.slice(3), port: e.port, unnamed: true });
    }
  }
  return out;
}

/** A translated flow is seen within this many seconds of the frontend's (the same packets, a moment later). */
const PAIR_SECONDS = 5;

/** A frontend's claim that an edge's connection `conn` is its own connection, seen after translation. */
interface Claim {
  readonly f: Frontend;
  readonly e: EdgeAcc;
  readonly conn: number;
}

/**
 * The flows `fronts` could have been translated to: the same client address and port, the same
 * client and protocol, within PAIR_SECONDS, to an edge `target` accepts.
 */
function claimsOf(s: Resolvable, fronts: readonly Frontend[], target: (e: EdgeAcc) => boolean): Claim[] {
  const byConn = new Map<number, { f: Frontend; value: number }[]>();
  for (const f of fronts) {
    for (const [c, value] of f.edge.conns) (byConn.get(c) ?? byConn.set(c, []).get(c)!).push({ f, value });
  }
  const out: Claim[] = [];
  if (byConn.size === 0) return out;
  for (const e of s.edges.values()) {
    if (typeof e.port !== 'number' || !target(e)) continue;
    for (const [c, v] of e.conns) {
      for (const { f, value } of byConn.get(c) ?? []) {
        if (f.edge !== e && f.edge.source === e.source && f.edge.protocol === e.protocol && connSecondsApart(value, v) <= PAIR_SECONDS) {
          out.push({ f, e, conn: c });
        }
      }
    }
  }
  return out;
}

/**
 * Backends (`node|port`) the capture shows each frontend's own connections reached after
 * translation (see claimsOf). A busy client uses one source port towards several destinations, so
 * a backend must be reached by at least half of the frontend's connections that were seen
 * translated, and a translated flow two frontends claim is neither's (a client port reused for two
 * Services in one second cannot say which it was). An unnamed frontend pairs only with flows to
 * pods (never an address with an address, or a pod with a pod), and only when at least half of its
 * connections were seen translated; an address that pairs so is a frontend, not where a named
 * Service was translated to.
 */
function translations(s: Resolvable, all: readonly Frontend[]): Translations {
  const isPod = (e: EdgeAcc): boolean => s.nodes.get(e.target)?.peer.kind === 'workload';
  const unnamedClaims = claimsOf(
    s,
    all.filter((f) => f.unnamed),
    isPod,
  );
  const frontEdges = new Set([...all.filter((f) => !f.unnamed), ...unnamedClaims.map((c) => c.f)].map((f) => f.edge));
  const claims = [
    ...unnamedClaims,
    ...claimsOf(
      s,
      all.filter((f) => !f.unnamed),
      (e) => !frontEdges.has(e),
    ),
  ];
  const claimants = new Map<EdgeAcc, Map<number, Set<Frontend>>>();
  for (const { f, e, conn } of claims) {
    const byConn = claimants.get(e) ?? claimants.set(e, new Map()).get(e)!;
    (byConn.get(conn) ?? byConn.set(conn, new Set()).get(conn)!).add(f);
  }
  // Per frontend: the client connections seen translated (claimed by it alone), and which backends each reached.
  const reached = new Map<Frontend, Map<number, Set<string>>>();
  for (const [e, byConn] of claimants) {
    for (const [c, fs] of byConn) {
      if (fs.size !== 1) continue;
      const [f] = fs;
      const byClient = reached.get(f) ?? reached.set(f, new Map()).get(f)!;
      (byClient.get(c) ?? byClient.set(c, new Set()).get(c)!).add(`${e.target}|${e.port as number}`);
    }
  }
  const found = new Map<Frontend, Set<string>>();
  const byConn = new Map<Frontend, Map<number, Set<string>>>();
  for (const [f, byClient] of reached) {
    if (f.unnamed && byClient.size * 2 < f.edge.conns.size) continue;
    // A Service with several backends gives none of them half the votes: a backend that every
    // connection reaching it reached alone (no other flow at the same client port) counts too.
    const votes = new Map<string, number>();
    const company = new Set<string>();
    for (const targets of byClient.values()) {
      for (const t of targets) votes.set(t, (votes.get(t) ?? 0) + 1);
      if (targets.size > 1) for (const t of targets) company.add(t);
    }
    const targets = [...votes].filter(([t, n]) => n * 2 >= byClient.size || !company.has(t)).map(([t]) => t);
    if (targets.length > 0) {
      found.set(f, new Set(targets));
      byConn.set(f, byClient);
    }
  }
  return { found, byConn };
}

/** What the translated flows show: each frontend's backends (`node|port`), and what each of its connections reached. */
interface Translations {
  readonly found: Map<Frontend, Set<string>>;
  readonly byConn: Map<Frontend, Map<number, Set<string>>>;
}

/**
 * The snapshot's backends of one Service port, as `node|port` (nodes created when the capture never
 * saw them; every backend pod joins its node's sample pods), with the pods behind each in `pods`. An
 * endpoint given only by address is the pod the snapshot knows at that address, if any.
 */
function snapshotBackends(s: Resolvable, snapshot: ClusterSnapshot, f: Frontend, pods: Map<string, Set<string>>): string[] {
  const [namespace, name] = f.service.split('/');
  const svc = snapshot.service(namespace, name);
  // A frontend port is the Service port, or its NodePort when the client addressed a node.
  const port =
    svc?.ports.find((p) => p.port === f.port && p.protocol === f.edge.protocol) ??
    svc?.ports.find((p) => p.nodePort === f.port && p.protocol === f.edge.protocol);
  if (!svc || !port) return [];
  return snapshot.backends(svc, port).flatMap((b) => {
    const pod = b.kind === 'pod' ? b.pod : snapshot.podByIp(b.ip);
    if (!pod && b.kind === 'address') {
      const id = `ip:${b.ip}`;
      if (!s.nodes.has(id)) s.nodes.set(id, { peer: { kind: 'external', ip: b.ip }, pods: new Set() });
      return [`${id}|${b.port}`];
    }
    if (!pod) return [];
    const w = workloadOfPod(pod);
    if (!w) return [];
    const id = nodeKey(w.peer);
    const node = s.nodes.get(id);
    if (!node) s.nodes.set(id, { peer: w.peer, labels: w.labels, pods: new Set([pod.name]), fromSnapshot: true });
    else addCapped(node.pods, pod.name, SAMPLE_PODS);
    const target = `${id}|${b.port}`;
    (pods.get(target) ?? pods.set(target, new Set()).get(target)!).add(pod.name);
    return [target];
  });
}

/**
 * Resolves every edge to a Service frontend to the Service's backends, from (in this order) the
 * translated flow of the same connection (same client address and port), the backends other
 * connections to that Service port reached, the backends Hubble named with `destination_service`,
 * and the cluster snapshot. Each connection goes to the one backend its translated flow reached;
 * with several backends, the connections no translation places stay on the Service (see
 * moveToBackends). A frontend nothing resolves stays a `service:NS/NAME` edge, marked unresolved:
 * an ipBlock on a ClusterIP would never match.
 */
export function resolveServices(s: Resolvable, snapshot: ClusterSnapshot | undefined, merge: (into: EdgeAcc, from: EdgeAcc) => void): void {
  // Named Services first: an address one of them was translated to is no frontend of its own.
  const fronts = frontends(s, snapshot).sort((a, b) => Number(a.unnamed ?? false) - Number(b.unnamed ?? false));
  if (fronts.length === 0) return;
  const { found: ownOf, byConn } = translations(s, fronts);
  const learned = new Map<string, Set<string>>();
  for (const [f, targets] of ownOf) {
    const k = `${f.service}|${f.edge.protocol}|${f.port}`;
    for (const t of targets) (learned.get(k) ?? learned.set(k, new Set()).get(k)!).add(t);
  }
  const gone = new Set<string>();
  for (const f of fronts) {
    const reached = byConn.get(f) ?? new Map<number, Set<string>>();
    if (f.unnamed) {
      // Not known to be a Service at all: resolved only by what the capture shows it reached, and
      // never when a named Service was translated to it (it is that Service's backend).
      if (f.edge.service || s.edges.get(f.key) !== f.edge) continue;
      const own = ownOf.get(f);
      const targets = [...(own ?? learned.get(`${f.service}|${f.edge.protocol}|${f.port}`) ?? [])];
      if (targets.length > 0)
        moveToBackends(s, f, targets, own ? 'translation' : 'learned-backend', { reached, pods: new Map(), merge, gone });
      continue;
    }
    // The best evidence first: this frontend's own translated flows; then the cluster snapshot
    // (all of the Service port's backends); then what other clients of the Service port reached;
    // then Hubble's hints, only where they name the same port (a Service's other ports differ).
    const pods = new Map<string, Set<string>>();
    const fromSnapshot = snapshot ? snapshotBackends(s, snapshot, f, pods) : [];
    // Where the snapshot knows the Service port, a translation to anything else is a coincidence.
    const own = [...(ownOf.get(f) ?? [])].filter((t) => fromSnapshot.length === 0 || fromSnapshot.includes(t));
    let resolvedBy: EdgeService['resolvedBy'] = 'translation';
    let targets = [...new Set([...own, ...fromSnapshot])];
    if (own.length === 0 && fromSnapshot.length > 0) resolvedBy = 'snapshot';
    if (targets.length === 0) {
      resolvedBy = 'learned-backend';
      targets = [...(learned.get(`${f.service}|${f.edge.protocol}|${f.port}`) ?? [])];
    }
    if (targets.length === 0) targets = [...(s.serviceBackends.get(f.service) ?? [])].filter((t) => t.endsWith(`|${f.port}`));
    if (targets.length === 0) {
      f.edge.service = { name: f.service, resolvedBy: 'unresolved' };
      continue;
    }
    moveToBackends(s, f, targets, resolvedBy, { reached, pods, merge, gone });
  }
  // A frontend node no edge uses any more leaves the graph.
  const used = new Set([...s.edges.values()].flatMap((e) => [e.source, e.target]));
  for (const id of gone) if (!used.has(id)) s.nodes.delete(id);
}

interface MoveContext {
  /** What each of the frontend's connections was seen translated to (`node|port`). */
  readonly reached: ReadonlyMap<number, ReadonlySet<string>>;
  /** The snapshot's pods behind each backend. */
  readonly pods: ReadonlyMap<string, ReadonlySet<string>>;
  readonly merge: (into: EdgeAcc, from: EdgeAcc) => void;
  /** Frontend nodes that may be left without edges. */
  readonly gone: Set<string>;
}

const splitTarget = (t: string): [string, number] => {
  const bar = t.lastIndexOf('|');
  return [t.slice(0, bar), Number(t.slice(bar + 1))];
};

/**
 * Moves a frontend's edge onto its backends (`node|port`), each saying through which Service it
 * went and how that was found. One backend takes the whole edge. With several, each connection
 * goes to the one its translated flow reached (never to every backend: the counts of the edges add
 * up to what was seen), and what no translation places stays on an edge to the Service itself that
 * lists every backend it may have reached.
 */
function moveToBackends(
  s: Resolvable,
  f: Frontend,
  targets: readonly string[],
  resolvedBy: EdgeService['resolvedBy'],
  ctx: MoveContext,
): void {
  s.edges.delete(f.key);
  ctx.gone.add(f.edge.target);
  const sorted = [...new Set(targets)].sort();
  const place = (t: string, part: EdgeAcc, by: EdgeService['resolvedBy']): void => {
    const [node, port] = splitTarget(t);
    const key = edgeKey(f.edge.source, node, f.edge.protocol, port);
    let mine = s.edges.get(key);
    if (!mine) s.edges.set(key, (mine = emptyEdge(f.edge.source, node, f.edge.protocol, port)));
    ctx.merge(mine, part);
    // The snapshot's pods stand for a backend only the snapshot names; a translation shows its own.
    if (by === 'snapshot') for (const pod of ctx.pods.get(t) ?? []) addCapped(mine.dstPods, pod, SAMPLE_PODS);
    // Through a Service, the edge says how its backend was found; the translation is the best evidence.
    if (!mine.service || by === 'translation') mine.service = { name: f.service, resolvedBy: by };
  };
  if (sorted.length === 1) {
    place(sorted[0], f.edge, resolvedBy);
    return;
  }
  const byTarget = new Map<string, number[]>();
  for (const c of f.edge.conns.keys()) {
    const to = [...(ctx.reached.get(c) ?? [])].filter((t) => sorted.includes(t));
    if (to.length === 1) (byTarget.get(to[0]) ?? byTarget.set(to[0], []).get(to[0])!).push(c);
  }
  const parts = [...byTarget.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([t, conns]) => ({ t, part: partOf(f.edge, conns, ...splitTarget(t)) }));
  for (const { t, part } of parts) place(t, part, 'translation');
  const rest = withoutParts(
    f.edge,
    parts.map((p) => p.part),
  );
  if (SIDES.every((side) => rest.sides[side].total === 0) && rest.conns.size === 0) return;
  // What no translation places: on the Service, with every backend any of it may have reached.
  const service = serviceNode(s, f);
  const key = edgeKey(f.edge.source, service, f.edge.protocol, f.port);
  const held = { ...rest, target: service };
  for (const t of sorted) if (resolvedBy === 'snapshot') for (const pod of ctx.pods.get(t) ?? []) addCapped(held.dstPods, pod, SAMPLE_PODS);
  const mine = s.edges.get(key);
  if (mine) ctx.merge(mine, held);
  else s.edges.set(key, held);
  (mine ?? held).service = {
    name: f.service,
    // The backends came from other connections of the Service when not from the snapshot.
    resolvedBy: resolvedBy === 'translation' ? 'learned-backend' : resolvedBy,
    backends: sorted.map((t) => {
      const [node, port] = splitTarget(t);
      return { node, port };
    }),
  };
}

/** The node of the Service a frontend stands for: the one Hubble named, else one made for it (by `ns/name`, or by the address nothing names). */
function serviceNode(s: Resolvable, f: Frontend): string {
  if (f.edge.target.startsWith('service:')) return f.edge.target;
  const slash = f.service.indexOf('/');
  const peer: ServicePeer =
    slash > 0 && !f.unnamed
      ? { kind: 'service', namespace: f.service.slice(0, slash), name: f.service.slice(slash + 1) }
      : { kind: 'service', namespace: '', name: f.service };
  const id = nodeKey(peer);
  if (!s.nodes.has(id)) s.nodes.set(id, { peer, pods: new Set() });
  return id;
}
