import { isKept, type Selection } from '../graph/selection';
import type { GraphEdge, GraphNode, ServiceGraph } from '../graph/types';
import {
  effectivePolicyTypes,
  evaluate,
  peerMatches,
  policyId,
  portsMatch,
  type ClusterModel,
  type ClusterPod,
  type Connection,
  type ConnectionEnd,
} from './evaluate';
import { selectorMatches } from './selectors';
import type { NetworkPolicy, NetworkPolicyPeer, PolicyProtocol, RuleRef } from './types';

export interface EdgeFinding {
  readonly edge: string;
  /** Why, in words: given for the findings that are problems (and edges a policy cannot express). */
  readonly explanation?: string;
  readonly egress?: RuleRef;
  readonly ingress?: RuleRef;
}

export interface UnobservedFinding {
  readonly source: string;
  readonly target: string;
  readonly protocol: PolicyProtocol;
  readonly port: number;
  readonly explanation: string;
}

/** The coverage report: the policies against the observed edges and the selection. */
export interface Coverage {
  readonly scope: readonly string[];
  /** Kept edges the policies allow (with the rules that do). */
  readonly keptAllowed: readonly EdgeFinding[];
  /** Kept edges the policies block: each one is an outage. */
  readonly keptDenied: readonly EdgeFinding[];
  readonly prunedDenied: readonly EdgeFinding[];
  /** Pruned edges the policies still allow. */
  readonly prunedAllowed: readonly EdgeFinding[];
  /** Connections never observed between workloads on observed ports that the policies allow (first 200). */
  readonly unobservedAllowed: readonly UnobservedFinding[];
  readonly unobservedAllowedCount: number;
  /** Rules that no kept edge matches. */
  readonly unbackedRules: readonly RuleRef[];
  /** Rules whose ports reach beyond the ports of the kept edges behind them. */
  readonly widePorts: readonly { readonly rule: RuleRef; readonly unobserved: string }[];
  /** Edges a NetworkPolicy cannot express (entities, ICMP, workloads without labels). */
  readonly notExpressible: readonly EdgeFinding[];
  /** True when every kept edge is allowed and nothing pruned or unobserved is. */
  readonly ok: boolean;
}

const MAX_LISTED = 200;

/** The pods and addresses the graph stands for, as the policy evaluator sees them. */
export function clusterFromGraph(graph: ServiceGraph): { cluster: ClusterModel; ends: Map<string, ConnectionEnd> } {
  const pods: ClusterPod[] = [];
  const ends = new Map<string, ConnectionEnd>();
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const n of graph.nodes) {
    if (n.kind === 'workload' && n.namespace) {
      namespaceLabels[n.namespace] ??= { 'kubernetes.io/metadata.name': n.namespace };
      // A workload seen without labels cannot be selected: it is reported, not evaluated.
      if (!n.identity || Object.keys(n.identity).length === 0) continue;
      const pod: ClusterPod = { namespace: n.namespace, name: n.label, labels: { ...n.labels, ...n.identity } };
      pods.push(pod);
      ends.set(n.id, { kind: 'pod', pod });
    } else if (n.kind === 'external' && n.ip) ends.set(n.id, { kind: 'ip', ip: n.ip });
  }
  return { cluster: { pods, namespaceLabels }, ends };
}

/**
 * Why no generated rule can cover an edge the capture observed, and what to do, when that is the
 * case: a workload no selector can name, a Service frontend nothing resolved, an address Calico
 * aggregated away, a port the flow log left out. Undefined for the edges that are expressible (or
 * that only other flavors can express: entities, ICMP).
 */
export function uncoverable(e: GraphEdge, nodes: ReadonlyMap<string, GraphNode>): string | undefined {
  for (const id of [e.source, e.target]) {
    const n = nodes.get(id);
    if (n?.kind === 'workload' && (!n.identity || Object.keys(n.identity).length === 0)) {
      return n.unlabelled === 'not-captured'
        ? `${id} appears only in records without labels, so no selector can name it: give a cluster snapshot to take its labels from`
        : `${id} has no labels a policy could select: label its pods (for example app=${n.label.replace(/\[.*\]$/, '')})`;
    }
    if (n?.kind === 'service') {
      return `${id} is a Service frontend nothing resolved to its backends, and a policy sees traffic after the Service is translated: give a cluster snapshot, or capture the translated flows`;
    }
    if (n?.kind === 'network') {
      return `${n.label} is all the flow log says of this address, and no ipBlock can be derived from it: lower Calico's flow-log aggregation or add the CIDR by hand`;
    }
  }
  if (e.port === 'unknown')
    return "the flow log left out the port, so no port-restricted rule can allow it: lower Calico's flow-log aggregation so that ports are kept";
  return undefined;
}

function policyProtocol(e: GraphEdge): PolicyProtocol | undefined {
  return e.protocol === 'TCP' || e.protocol === 'UDP' || e.protocol === 'SCTP' ? e.protocol : undefined;
}

function inScope(n: GraphNode | undefined, scope: ReadonlySet<string>): boolean {
  return n?.kind === 'workload' && scope.has(n.namespace ?? '');
}

/**
 * Checks policies against observed traffic: every kept edge allowed, every pruned edge and every
 * unobserved workload pair (on the ports seen) denied, and every rule backed by a kept edge.
 */
export function verify(
  policies: readonly NetworkPolicy[],
  graph: ServiceGraph,
  selection: Selection,
  namespaces: readonly string[],
): Coverage {
  const scope = new Set(namespaces);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const { cluster, ends } = clusterFromGraph(graph);
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const p of policies) {
    const ns = p.metadata.namespace ?? 'default';
    (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(p);
  }
  // The policies that select each pod (either direction), so each evaluation looks at a few.
  const selecting = new Map<ClusterPod, NetworkPolicy[]>();
  const selectingOf = (pod: ClusterPod): NetworkPolicy[] => {
    let list = selecting.get(pod);
    if (!list)
      selecting.set(pod, (list = (byNamespace.get(pod.namespace) ?? []).filter((p) => selectorMatches(p.spec.podSelector, pod.labels))));
    return list;
  };
  const relevant = (c: Connection): NetworkPolicy[] => {
    const a = c.src.kind === 'pod' ? selectingOf(c.src.pod) : [];
    const b = c.dst.kind === 'pod' && !(c.src.kind === 'pod' && c.src.pod === c.dst.pod) ? selectingOf(c.dst.pod) : [];
    return b.length === 0 ? a : a.length === 0 ? b : [...a, ...b];
  };
  const judge = (c: Connection) => evaluate(relevant(c), cluster, c);

  const keptAllowed: EdgeFinding[] = [];
  const keptDenied: EdgeFinding[] = [];
  const prunedDenied: EdgeFinding[] = [];
  const prunedAllowed: EdgeFinding[] = [];
  const notExpressible: EdgeFinding[] = [];
  const observed = new Set<string>();
  const serverPorts = new Map<string, Set<string>>();
  const keptEdges: { edge: GraphEdge; conn: Connection }[] = [];

  for (const e of graph.edges) {
    const src = nodes.get(e.source);
    const dst = nodes.get(e.target);
    if (!inScope(src, scope) && !inScope(dst, scope)) continue;
    const kept = isKept(selection, e.key);
    const protocol = policyProtocol(e);
    const a = ends.get(e.source);
    const b = ends.get(e.target);
    if (!protocol || typeof e.port !== 'number' || !a || !b) {
      const gap = uncoverable(e, nodes);
      // A kept edge no rule can cover is blocked by the policies that isolate its ends: never "allowed".
      if (gap && kept) keptDenied.push({ edge: e.key, explanation: `${e.key}: ${gap}` });
      else if (gap) prunedDenied.push({ edge: e.key });
      else {
        const missing = nodes.get(!a ? e.source : e.target);
        const why = !protocol
          ? `${e.protocol} cannot be named by a NetworkPolicy`
          : `${missing?.id ?? e.target} cannot be selected by a NetworkPolicy`;
        notExpressible.push({ edge: e.key, explanation: `${e.key}: ${why}` });
      }
      continue;
    }
    observed.add(`${e.source}|${e.target}|${protocol}|${e.port}`);
    if (inScope(dst, scope)) {
      const set = serverPorts.get(e.target) ?? new Set<string>();
      set.add(`${protocol}/${e.port}`);
      serverPorts.set(e.target, set);
    }
    const conn: Connection = { src: a, dst: b, protocol, port: e.port };
    const v = judge(conn);
    const problem = kept !== v.allowed;
    const finding: EdgeFinding = problem
      ? { edge: e.key, explanation: v.explanation, egress: v.egress?.allowedBy, ingress: v.ingress?.allowedBy }
      : { edge: e.key, egress: v.egress?.allowedBy, ingress: v.ingress?.allowedBy };
    if (kept) {
      (v.allowed ? keptAllowed : keptDenied).push(finding);
      keptEdges.push({ edge: e, conn });
    } else (v.allowed ? prunedAllowed : prunedDenied).push(finding);
  }

  // Unobserved pairs: for each in-scope destination and each port it serves, which sources could
  // reach it? Candidates come from its ingress rules' peers (all sources when not isolated).
  const sources = [...ends.entries()];
  // Index pod ends by namespace and label, so a peer's candidates are found without a scan.
  const byLabel = new Map<string, [string, ConnectionEnd][]>();
  const addresses = sources.filter(([, end]) => end.kind === 'ip');
  for (const entry of sources) {
    const end = entry[1];
    if (end.kind !== 'pod') continue;
    for (const [k, v] of Object.entries(end.pod.labels)) {
      const key = `${end.pod.namespace}\0${k}=${v}`;
      (byLabel.get(key) ?? byLabel.set(key, []).get(key)!).push(entry);
    }
  }
  const candidatesOf = (peer: NetworkPolicyPeer, ns: string): [string, ConnectionEnd][] => {
    if (peer.ipBlock) return addresses;
    const nsSel = peer.namespaceSelector;
    const nsNames = Object.keys(nsSel?.matchLabels ?? {});
    const exactNs = !nsSel
      ? ns
      : nsNames.length === 1 && !nsSel.matchExpressions?.length
        ? nsSel.matchLabels?.['kubernetes.io/metadata.name']
        : undefined;
    const first = Object.entries(peer.podSelector?.matchLabels ?? {})[0];
    if (exactNs === undefined || !first) return sources;
    return byLabel.get(`${exactNs}\0${first[0]}=${first[1]}`) ?? [];
  };
  const unobservedAllowed: UnobservedFinding[] = [];
  let unobservedAllowedCount = 0;
  for (const [target, portSet] of [...serverPorts].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const dst = ends.get(target);
    if (dst?.kind !== 'pod') continue;
    const isolating = selectingOf(dst.pod).filter((p) => effectivePolicyTypes(p).includes('Ingress'));
    for (const pp of [...portSet].sort()) {
      const [protocol, portText] = pp.split('/') as [PolicyProtocol, string];
      const port = Number(portText);
      let candidates = sources;
      if (isolating.length > 0) {
        const peers: { peer: NetworkPolicyPeer | undefined; ns: string }[] = [];
        for (const p of isolating) {
          for (const rule of p.spec.ingress ?? []) {
            if (!portsMatch(rule.ports, { src: dst, dst, protocol, port })) continue;
            if (!rule.from || rule.from.length === 0) peers.push({ peer: undefined, ns: dst.pod.namespace });
            else for (const peer of rule.from) peers.push({ peer, ns: p.metadata.namespace ?? 'default' });
          }
        }
        if (peers.some((x) => x.peer === undefined)) candidates = sources;
        else {
          const found = new Map<string, ConnectionEnd>();
          for (const x of peers) {
            for (const [id, end] of candidatesOf(x.peer!, x.ns))
              if (!found.has(id) && peerMatches(x.peer!, x.ns, end, cluster)) found.set(id, end);
          }
          candidates = [...found.entries()];
        }
      }
      for (const [source, src] of candidates) {
        if (source === target || observed.has(`${source}|${target}|${protocol}|${port}`)) continue;
        const v = judge({ src, dst, protocol, port });
        if (!v.allowed) continue;
        unobservedAllowedCount++;
        if (unobservedAllowed.length < MAX_LISTED) unobservedAllowed.push({ source, target, protocol, port, explanation: v.explanation });
      }
    }
  }

  // A rule is backed when at least one kept edge matches its peer and ports; its ports should
  // not reach beyond the ports of those edges.
  const unbackedRules: RuleRef[] = [];
  const widePorts: { rule: RuleRef; unobserved: string }[] = [];
  const keptBySelf = { ingress: new Map<ClusterPod, typeof keptEdges>(), egress: new Map<ClusterPod, typeof keptEdges>() };
  for (const k of keptEdges) {
    for (const [dir, end] of [['ingress', k.conn.dst] as const, ['egress', k.conn.src] as const]) {
      if (end.kind === 'pod') (keptBySelf[dir].get(end.pod) ?? keptBySelf[dir].set(end.pod, []).get(end.pod)!).push(k);
    }
  }
  const podsByNamespace = new Map<string, ClusterPod[]>();
  for (const pod of cluster.pods)
    (podsByNamespace.get(pod.namespace) ?? podsByNamespace.set(pod.namespace, []).get(pod.namespace)!).push(pod);
  for (const p of policies) {
    const ns = p.metadata.namespace ?? 'default';
    const id = policyId(p);
    const selected = (podsByNamespace.get(ns) ?? []).filter((pod) => selectorMatches(p.spec.podSelector, pod.labels));
    for (const dir of ['ingress', 'egress'] as const) {
      const rules = dir === 'ingress' ? (p.spec.ingress ?? []) : (p.spec.egress ?? []);
      rules.forEach((rule, index) => {
        const peers =
          dir === 'ingress' ? (rule as { from?: readonly NetworkPolicyPeer[] }).from : (rule as { to?: readonly NetworkPolicyPeer[] }).to;
        const backing = selected
          .flatMap((pod) => keptBySelf[dir].get(pod) ?? [])
          .filter(({ conn }) => {
            const other = dir === 'ingress' ? conn.src : conn.dst;
            const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, ns, other, cluster));
            return peerOk && portsMatch(rule.ports, conn);
          });
        const ref: RuleRef = { policy: id, direction: dir, index };
        if (backing.length === 0) unbackedRules.push(ref);
        else {
          const seen = new Set(backing.map(({ conn }) => `${conn.protocol}/${conn.port}`));
          const extra: string[] = [];
          for (const port of rule.ports ?? [{}]) {
            const proto = port.protocol ?? 'TCP';
            if (port.port === undefined) extra.push(rule.ports ? `every ${proto} port` : 'every port');
            else if (typeof port.port === 'number') {
              const end = port.endPort ?? port.port;
              const missing =
                end -
                port.port +
                1 -
                [...seen].filter(
                  (x) =>
                    x.startsWith(`${proto}/`) &&
                    Number(x.slice(proto.length + 1)) >= (port.port as number) &&
                    Number(x.slice(proto.length + 1)) <= end,
                ).length;
              if (missing > 0) extra.push(`${missing} unobserved ${proto} port(s) in ${port.port}-${end}`);
            }
          }
          if (extra.length > 0) widePorts.push({ rule: ref, unobserved: extra.join(', ') });
        }
      });
    }
  }

  return {
    scope: [...scope].sort(),
    keptAllowed,
    keptDenied,
    prunedDenied,
    prunedAllowed,
    unobservedAllowed,
    unobservedAllowedCount,
    unbackedRules,
    widePorts,
    notExpressible,
    ok: keptDenied.length === 0 && prunedAllowed.length === 0 && unobservedAllowedCount === 0 && widePorts.length === 0,
  };
}
