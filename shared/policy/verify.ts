import type { ClusterSnapshot, SnapshotPod } from '../cluster/snapshot';
import { blockRanges, parseIp } from './cidr';
import { DEFAULT_SERVICE_RANGES } from './lint-common';
import type { CaptureFormat } from '../flows/types';
import { unknownPortAdvice } from '../graph/advice';
import { backendEdges } from '../graph/service-edges';
import { isKept, type Selection } from '../graph/selection';
import type { GraphEdge, GraphNode, GraphWarning, ServiceGraph } from '../graph/types';
import { dataLossWarnings } from '../graph/warnings';
import type { CiliumNetworkPolicy } from './cilium-types';
import { CONN_PROTOCOLS, coverage as setCoverage, size, type ConnProtocol, type ConnSet } from './engine/conn-set';
import {
  allows,
  flowVerdict,
  policyEngine,
  type DirectionDetail,
  type PairDetail,
  type End,
  type FlowVerdict,
  type PodEnd,
  type PolicyEngine,
  type Verdict3,
} from './engine';
import type { ClusterModel, ClusterPod, ConnectionEnd } from './evaluate';
import { enginePolicies, type PolicyDocument } from './documents';
import type { NetworkPolicy, PolicyProtocol, RuleRef } from './types';

export interface EdgeFinding {
  readonly edge: string;
  readonly verdict: Verdict3;
  /** Why, in words: given for the findings that are problems or cannot be decided. */
  readonly explanation?: string;
  /** For an undecided edge: what the input lacks, and what would decide it. */
  readonly decide?: readonly string[];
  /**
   * For an edge that is not allowed: why no policy of this flavor generated from the capture could
   * allow it (uncoverable()), so that no policy set is to blame for it.
   */
  readonly inexpressible?: string;
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

/** The one verdict on a policy set against the capture: every surface (CLI, app, REPORT.md, AI review) shows this. */
export interface CoverageVerdict {
  /** pass: every kept edge allowed, nothing pruned or unobserved allowed; fail: some kept edge blocked or something unwanted allowed; undecided: no failure, but some edges cannot be decided from the input. */
  readonly status: 'pass' | 'fail' | 'undecided';
  /** One line, e.g. "2 kept edges blocked · 1 edge cannot be decided from this input". */
  readonly headline: string;
  /** The CLI's exit code: 0 pass, 1 fail, 3 undecided. */
  readonly exitCode: 0 | 1 | 3;
}

/** The coverage report: the policies against the observed edges and the selection. */
export interface Coverage {
  readonly engine: 'kubernetes' | 'cilium';
  readonly scope: readonly string[];
  /** Kept edges the policies allow (with the rules that do). */
  readonly keptAllowed: readonly EdgeFinding[];
  /** Kept edges the policies block: each one is an outage. Edges the flavor cannot express are here, with the reason. */
  readonly keptDenied: readonly EdgeFinding[];
  /** Kept edges whose verdict the input cannot decide (a named port without a snapshot, an unresolved Service, unknown labels). */
  readonly keptUndecided: readonly EdgeFinding[];
  readonly prunedDenied: readonly EdgeFinding[];
  /** Pruned edges the policies still allow. */
  readonly prunedAllowed: readonly EdgeFinding[];
  readonly prunedUndecided: readonly EdgeFinding[];
  /** Connections never observed between workloads on observed ports that the policies allow (first 200). */
  readonly unobservedAllowed: readonly UnobservedFinding[];
  readonly unobservedAllowedCount: number;
  /** Rules that no kept edge matches. */
  readonly unbackedRules: readonly RuleRef[];
  /** Rules whose ports reach beyond the ports of the kept edges behind them. */
  readonly widePorts: readonly { readonly rule: RuleRef; readonly unobserved: string }[];
  /** True when every kept edge is allowed and nothing pruned or unobserved is. */
  readonly ok: boolean;
  readonly verdict: CoverageVerdict;
  /** The capture's warnings that mean flows are missing (damaged gzip, bad lines, lost events…): with any, no verdict is a pass. */
  readonly dataLoss: readonly GraphWarning[];
  /** Policy documents given that could not be read (refused YAML, a wrong field): with any, no verdict is a pass. */
  readonly unreadPolicies?: number;
}

export interface VerifyOptions {
  /** A cluster snapshot: container port names, full pod labels, namespace labels. */
  readonly snapshot?: ClusterSnapshot;
  /** Judge as Cilium enforces the set, or by Kubernetes semantics; by default Cilium's when any CiliumNetworkPolicy is given. */
  readonly engine?: 'kubernetes' | 'cilium';
  /**
   * How many documents of the policy set could not be read: the set is judged without them, so it
   * cannot pass (a missing deny may be what blocks a pruned edge, a missing allow what lets a kept one through).
   */
  readonly unreadPolicies?: number;
}

const MAX_LISTED = 200;

/** The labels all pods share, and the keys whose values differ among them (or that only some have). */
function sharedLabels(all: readonly Readonly<Record<string, string>>[]): { labels: Record<string, string>; varying?: Set<string> } {
  const varying = new Set<string>();
  for (const l of all.slice(1)) {
    for (const k in l) if (all[0][k] !== l[k]) varying.add(k);
    for (const k in all[0]) if (l[k] !== all[0][k]) varying.add(k);
  }
  const labels = Object.fromEntries(Object.entries(all[0]).filter(([k]) => !varying.has(k)));
  return varying.size > 0 ? { labels, varying } : { labels };
}

/** The pods of a workload node in a snapshot: by the pod names seen, else by the workload's name. */
function snapshotPods(n: GraphNode, snapshot: ClusterSnapshot | undefined): readonly SnapshotPod[] {
  if (!snapshot || n.kind !== 'workload' || !n.namespace) return [];
  const byName = (n.samplePods ?? []).flatMap((p) => {
    const pod = snapshot.pod(n.namespace!, p);
    return pod ? [pod] : [];
  });
  if (byName.length > 0) {
    const owner = byName[0].owner?.name;
    return owner ? snapshot.podsOfWorkload(n.namespace, owner) : byName;
  }
  return snapshot.podsOfWorkload(n.namespace, n.label.replace(/\[.*\]$/, ''));
}

/**
 * The ends the policy engine judges, one per graph node: workloads as pods (labels from the capture,
 * or all of them from a snapshot; container ports from a snapshot), external addresses with the DNS
 * names seen for them, reserved entities, and the nodes the input leaves opaque (a Service frontend
 * nothing resolved, an address a flow log aggregated away).
 */
export function endsFromGraph(graph: ServiceGraph, snapshot?: ClusterSnapshot): Map<string, End> {
  const ends = new Map<string, End>();
  for (const n of graph.nodes) {
    if (n.kind === 'workload' && n.namespace) {
      const pods = snapshotPods(n, snapshot);
      const captured = n.unlabelled === 'not-captured' ? undefined : { ...n.labels, ...n.identity };
      const nsLabels = graph.namespaceLabels?.[n.namespace] ?? snapshot?.namespaceLabels(n.namespace);
      const end: PodEnd = {
        kind: 'pod',
        id: n.id,
        namespace: n.namespace,
        ...(pods.length > 0
          ? { ...sharedLabels(pods.map((p) => p.labels)), labelsComplete: true, podPorts: pods.map((p) => p.ports) }
          : captured
            ? { labels: captured, ...(n.varyingLabels?.length ? { varying: new Set(n.varyingLabels) } : {}) }
            : {}),
        ...(nsLabels ? { namespaceLabels: nsLabels } : {}),
      };
      ends.set(n.id, end);
    } else if (n.kind === 'external' && n.ip)
      ends.set(n.id, { kind: 'address', id: n.id, ip: n.ip, ...(n.dnsNames ? { names: n.dnsNames } : {}) });
    else if (n.kind === 'entity') ends.set(n.id, { kind: 'entity', id: n.id, entity: n.entity ?? n.label, ...(n.ip ? { ip: n.ip } : {}) });
    else if (n.kind === 'service')
      ends.set(n.id, {
        kind: 'opaque',
        id: n.id,
        why: `${n.id} is a Service frontend nothing resolved to its backends, and policies see traffic after the Service is translated: give a cluster snapshot (--snapshot), or capture the translated flows`,
      });
    else if (n.kind === 'network')
      ends.set(n.id, {
        kind: 'opaque',
        id: n.id,
        within: n.scope ?? 'public',
        why: `the flow log aggregated this address into ${n.label}, so whether an address rule matches it is not known: lower Calico's flow-log aggregation`,
      });
    else ends.set(n.id, { kind: 'opaque', id: n.id, why: `${n.id} has no address or identity in the input` });
  }
  return ends;
}

/** The pods and addresses the graph stands for, as the ClusterModel callers of `evaluate` describe them. */
export function clusterFromGraph(graph: ServiceGraph): { cluster: ClusterModel; ends: Map<string, ConnectionEnd> } {
  const pods: ClusterPod[] = [];
  const ends = new Map<string, ConnectionEnd>();
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const n of graph.nodes) {
    if (n.kind === 'workload' && n.namespace) {
      namespaceLabels[n.namespace] ??= { 'kubernetes.io/metadata.name': n.namespace };
      if (!n.identity || Object.keys(n.identity).length === 0) continue;
      const pod: ClusterPod = { namespace: n.namespace, name: n.label, labels: { ...n.labels, ...n.identity } };
      pods.push(pod);
      ends.set(n.id, { kind: 'pod', pod });
    } else if (n.kind === 'external' && n.ip) ends.set(n.id, { kind: 'ip', ip: n.ip });
  }
  return { cluster: { pods, namespaceLabels }, ends };
}

/** What to do about a pruned edge from a pod's own node, which the policies cannot deny (see addResidentNode). */
const RESIDENT_NODE_HINT: Record<PolicyEngine['flavor'], string> = {
  kubernetes:
    "Kubernetes documents that a NetworkPolicy cannot block a pod's own node (kubelet probes come from it): keep the edge, or use the Cilium flavor with an ingressDeny from the host entity (it stops kubelet probes too)",
  cilium:
    "Cilium's allow-localhost lets a node reach its own pods whatever the allow rules say: to block it, add an ingressDeny from the host entity for these pods (it stops kubelet probes too), or run the agent with allow-localhost=policy; else keep the edge",
};

/**
 * Why the generated policies of a flavor cannot allow an edge the capture observed, and what to do,
 * when that is the case: a workload no selector can name, a Service frontend nothing resolved, an
 * address Calico aggregated away, a port the input left out, and in the Kubernetes flavor the
 * reserved entities and ICMP. Undefined for an expressible edge. `format`: the capture's, so that
 * the advice for a missing port is the one its tool can follow.
 */
export function uncoverable(
  e: GraphEdge,
  nodes: ReadonlyMap<string, GraphNode>,
  flavor: 'kubernetes' | 'cilium' = 'kubernetes',
  format?: CaptureFormat,
): string | undefined {
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
      return `${n.label} is all the flow log says of this address, and no address rule can be derived from it: lower Calico's flow-log aggregation or add the CIDR by hand`;
    }
    if (n?.kind === 'entity' && (n.entity ?? n.label) === 'unknown')
      return `the capture does not say what ${id} is (Hubble reported no identity for it), so no policy of either flavor can name it: capture it again with identities, or find the peer by its address`;
    if (n?.kind === 'entity' && flavor === 'kubernetes') {
      const entity = n.entity ?? n.label;
      const field = `${e.source === id ? 'fromEntities' : 'toEntities'}: ${entity}`;
      if (entity === 'world')
        return `the capture has no address for ${id}: add an ipBlock for the addresses it reaches, or use the Cilium flavor (${field})`;
      return `a NetworkPolicy cannot select ${id}: an ipBlock with its addresses works only where the CNI matches ipBlocks against node addresses (Cilium needs policy-cidr-match-mode=nodes). Use the Cilium flavor (${field})`;
    }
  }
  if (e.port === 'unknown') {
    const advice = unknownPortAdvice(format);
    return `the input has no port for it (${advice.cause}), so no port-restricted rule can allow it: ${advice.fix}`;
  }
  if (e.protocol.startsWith('ICMP') && flavor === 'kubernetes')
    return 'a NetworkPolicy cannot name ICMP (only a rule without ports, which opens every port and protocol, allows it): use the Cilium flavor (icmps)';
  return undefined;
}

function inScope(n: GraphNode | undefined, scope: ReadonlySet<string>): boolean {
  return n?.kind === 'workload' && scope.has(n.namespace ?? '');
}

/** The connections an edge stands for: one per ICMP request type seen, else one (port undefined when unknown). */
function flowsOf(e: GraphEdge): { protocol: ConnProtocol; port?: number }[] {
  if (e.protocol === 'ICMPv4' || e.protocol === 'ICMPv6') {
    const types = e.evidence.icmpTypes ?? [];
    return types.length > 0 ? types.map((t) => ({ protocol: e.protocol, port: t })) : [{ protocol: e.protocol }];
  }
  return [{ protocol: e.protocol, ...(typeof e.port === 'number' ? { port: e.port } : {}) }];
}

/** The default Service ranges, parsed once (the doubt is asked for every edge). */
const SERVICE_RANGES = DEFAULT_SERVICE_RANGES.map((r) => ({ ...r, ranges: blockRanges(r.cidr) }));

/**
 * Why an edge to an address in a default Service range cannot be judged as an address: it may be a
 * ClusterIP seen before translation (Hubble reports it as reserved:world when nothing names the
 * Service), which no ipBlock matches, since a NetworkPolicy sees traffic after translation. Only
 * asked without a snapshot: a snapshot resolves the ClusterIPs it holds.
 */
function serviceRangeDoubt(e: GraphEdge, nodes: ReadonlyMap<string, GraphNode>): string | undefined {
  for (const id of [e.source, e.target]) {
    const n = nodes.get(id);
    const ip = n?.kind === 'external' && n.ip ? parseIp(n.ip) : undefined;
    if (!ip) continue;
    const hit = SERVICE_RANGES.find((r) => r.ranges.some((x) => x.v6 === ip.v6 && x.start <= ip.value && ip.value <= x.end));
    if (hit)
      return `${n!.ip} lies in ${hit.cidr} (${hit.source}), so it may be a Service's ClusterIP seen before translation, which no ipBlock matches (a NetworkPolicy sees traffic after it): give a cluster snapshot (--snapshot) to tell`;
  }
  return undefined;
}

/** Why an edge drawn with an uncertain direction cannot be judged as drawn. */
function directionDoubt(e: GraphEdge): string {
  const d = e.evidence.direction;
  const total = Object.values(d.basis).reduce((a, b) => a + (b ?? 0), 0);
  // What opens a connection of this protocol, so that a capture of it settles who the client is.
  const start = e.protocol === 'TCP' ? 'its SYN' : e.protocol === 'SCTP' ? 'its INIT' : 'its first packet';
  return `the capture did not settle its direction (${d.uncertain} of ${total} connection(s)): if the flow ran the other way, the policies must allow that instead. Capture the connection's start (${start}) to settle it`;
}

/** The verdict of every connection of an edge: allowed only if all are, blocked if one is. */
function edgeVerdict(
  engine: PolicyEngine,
  e: GraphEdge,
  src: End,
  dst: End,
): { verdict: Verdict3; first: FlowVerdict; all: FlowVerdict[]; flows: { protocol: ConnProtocol; port?: number }[] } {
  // A Service frontend nothing resolved: a policy sees the flow after translation, on the backends'
  // port, which may not be the Service port the capture shows; so that port is not known either.
  const frontend = dst.kind === 'opaque' && !dst.within;
  const flows: { protocol: ConnProtocol; port?: number }[] = frontend ? flowsOf(e).map((f) => ({ protocol: f.protocol })) : flowsOf(e);
  const all = flows.map((f) => engine.evaluate({ src, dst, protocol: f.protocol, port: f.port }));
  const blocked = all.find((v) => v.verdict === 'blocked');
  const undecided = all.find((v) => v.verdict === 'undecided');
  const first = blocked ?? undecided ?? all[0];
  return { verdict: first.verdict, first, all, flows };
}

/** The one verdict: status, headline and exit code (see Coverage). */
export function coverageVerdict(
  c: Omit<Coverage, 'verdict' | 'ok' | 'dataLoss'> & { readonly dataLoss?: readonly GraphWarning[] },
): CoverageVerdict {
  const kept = c.keptAllowed.length + c.keptDenied.length + c.keptUndecided.length;
  const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  const problems: string[] = [];
  if (c.keptDenied.length > 0) problems.push(`${plural(c.keptDenied.length, 'kept edge')} blocked`);
  if (c.prunedAllowed.length > 0) problems.push(`${plural(c.prunedAllowed.length, 'pruned edge')} still allowed`);
  if (c.unobservedAllowedCount > 0) problems.push(`${plural(c.unobservedAllowedCount, 'never-observed connection')} allowed`);
  if (c.widePorts.length > 0) problems.push(`${plural(c.widePorts.length, 'rule')} wider than the observed ports`);
  const undecided = c.keptUndecided.length + c.prunedUndecided.length;
  const open = undecided > 0 ? `${plural(undecided, 'edge')} cannot be decided from this input` : '';
  // Flows the capture lost were never checked: what was checked may pass, the whole cannot.
  const lost = [
    ...((c.dataLoss ?? []).length > 0
      ? [`the capture lost data (${(c.dataLoss ?? []).map((w) => w.code).join(', ')}): flows it lost are not checked`]
      : []),
    ...((c.unreadPolicies ?? 0) > 0
      ? [`${plural(c.unreadPolicies ?? 0, 'policy document')} could not be read, so the set was judged without them`]
      : []),
  ].join(' · ');
  if (problems.length > 0)
    return { status: 'fail', headline: [...problems, ...(open ? [open] : []), ...(lost ? [lost] : [])].join(' · '), exitCode: 1 };
  if (undecided > 0 || lost)
    return {
      status: 'undecided',
      headline: [
        ...(open ? [open] : []),
        ...(lost ? [lost] : []),
        `${c.keptAllowed.length} of ${plural(kept, 'kept edge')} allowed, nothing pruned or unobserved allowed`,
      ].join(' · '),
      exitCode: 3,
    };
  return {
    status: 'pass',
    headline:
      kept === 0
        ? 'No kept edge in scope to check; nothing pruned or unobserved is allowed'
        : `Every kept edge is allowed (${kept}); nothing pruned or unobserved is allowed`,
    exitCode: 0,
  };
}

/**
 * Checks a policy set against the capture, with the engine of its flavor (Cilium's when any
 * CiliumNetworkPolicy is given, else Kubernetes'; a Calico StagedKubernetesNetworkPolicy is judged as
 * the NetworkPolicy it becomes once enforced), in three steps:
 * - classify: every edge in scope, kept or pruned, is allowed, blocked or undecided, with the rules,
 *   the reason, or what would decide it; edges the flavor cannot express are blocked with the fix;
 * - unobserved: every workload pair never observed, on the ports its destination serves, is denied;
 * - backing: every rule is backed by a kept edge, and allows no port beyond the ones seen behind it.
 * Shapes: `namespaces` is the scope (an edge counts when either end is a workload in it); the result's
 * lists are in graph order, unobserved ones capped at 200 (the count is whole).
 */
export function verify(
  policies: readonly PolicyDocument[],
  graph: ServiceGraph,
  selection: Selection,
  namespaces: readonly string[],
  options: VerifyOptions = {},
): Coverage {
  const run = verifyRun(policies, graph, selection, namespaces, options);
  const edges = classifyEdges(run);
  const unobserved = unobservedAllowed(run, edges.observed, edges.serverPorts, edges.serverIngress);
  const base = {
    dataLoss: dataLossWarnings(graph.warnings),
    ...(options.unreadPolicies ? { unreadPolicies: options.unreadPolicies } : {}),
    engine: run.engine.flavor,
    scope: [...run.scope].sort(),
    ...edges.findings,
    ...unobserved,
    ...ruleBacking(run.engine.ruleRefs, edges.backing),
  };
  const verdict = coverageVerdict(base);
  return { ...base, ok: verdict.status === 'pass', verdict };
}

/**
 * The verdict on each edge in scope (an edge counts when either end is a workload of `namespaces`)
 * as verify's first step gives it for a kept edge: allowed, blocked (with the reason, and why no
 * policy of the flavor could allow it when none could) or undecided (with what would decide it),
 * by edge key. For callers that judge observed flows one by one (the soak), with the same engine,
 * Service backends and doubts as verify.
 */
export function judgeEdges(
  policies: readonly PolicyDocument[],
  graph: ServiceGraph,
  namespaces: readonly string[],
  options: VerifyOptions = {},
): Map<string, EdgeFinding> {
  const { findings } = classifyEdges(verifyRun(policies, graph, { pruned: new Map() }, namespaces, options));
  return new Map([...findings.keptAllowed, ...findings.keptDenied, ...findings.keptUndecided].map((f) => [f.edge, f]));
}

function verifyRun(
  policies: readonly PolicyDocument[],
  graph: ServiceGraph,
  selection: Selection,
  namespaces: readonly string[],
  options: VerifyOptions,
): VerifyRun {
  // A staged Calico policy is judged as the NetworkPolicy it becomes once enforced.
  const { kubernetes, cilium } = enginePolicies(policies);
  return {
    graph,
    selection,
    scope: new Set(namespaces),
    nodes: new Map(graph.nodes.map((n) => [n.id, n])),
    engine: policyEngine(kubernetes, cilium, options.engine),
    ends: endsFromGraph(graph, options.snapshot),
    snapshot: options.snapshot,
    kubernetes,
    cilium,
  };
}

/** What the three steps of a verify run share. */
interface VerifyRun {
  readonly graph: ServiceGraph;
  readonly selection: Selection;
  readonly scope: ReadonlySet<string>;
  readonly nodes: ReadonlyMap<string, GraphNode>;
  readonly engine: PolicyEngine;
  readonly ends: ReadonlyMap<string, End>;
  readonly snapshot?: ClusterSnapshot;
  readonly kubernetes: readonly NetworkPolicy[];
  readonly cilium: readonly CiliumNetworkPolicy[];
}

/** A rule that allows some kept edge, and the ports (`PROTO/port`, `PROTO/*`) it was seen allowing. */
interface Backing {
  readonly ref: RuleRef;
  /** Usually one or two: a list is cheaper than a set. */
  readonly seen: string[];
  /** What the rule surely allows (only this is kept of the engine's answer). */
  readonly sure: ConnSet;
}

/** Credits the rules of one direction that allow flow `f` (said as `PROTO/port`) to the backing of each. */
function addBacking(
  backing: Map<RuleRef, Backing>,
  d: DirectionDetail | null,
  f: { protocol: ConnProtocol; port?: number },
  said: string,
): void {
  if (!d) return;
  for (const r of d.rules) {
    if (r.implicit || allows(r.allowance, f.protocol, f.port) === 'no') continue;
    const b = backing.get(r.ref);
    if (!b) backing.set(r.ref, { ref: r.ref, seen: [said], sure: r.allowance.sure });
    else if (!b.seen.includes(said)) b.seen.push(said);
  }
}

/**
 * Step 1: the verdict on every edge in scope, kept or pruned; and, for the next steps, the
 * (source, target, protocol, port) seen, the ports each in-scope workload serves, and the rules
 * each kept edge was allowed by.
 */
function classifyEdges(run: VerifyRun): {
  findings: Pick<Coverage, 'keptAllowed' | 'keptDenied' | 'keptUndecided' | 'prunedAllowed' | 'prunedDenied' | 'prunedUndecided'>;
  observed: Set<string>;
  serverPorts: Map<string, Set<string>>;
  /** For each server, its ingress as one of its edges found it (which policies isolate it does not depend on the source). */
  serverIngress: Map<string, DirectionDetail | null>;
  backing: Map<RuleRef, Backing>;
} {
  const { graph, selection, scope, nodes, engine, ends } = run;
  const keptAllowed: EdgeFinding[] = [];
  const keptDenied: EdgeFinding[] = [];
  const keptUndecided: EdgeFinding[] = [];
  const prunedDenied: EdgeFinding[] = [];
  const prunedAllowed: EdgeFinding[] = [];
  const prunedUndecided: EdgeFinding[] = [];
  const observed = new Set<string>();
  const serverPorts = new Map<string, Set<string>>();
  const serverIngress = new Map<string, DirectionDetail | null>();
  // By the ref object: the engine names each rule with the one ref it lists in ruleRefs.
  const backing = new Map<RuleRef, Backing>();

  for (const e of graph.edges) {
    // An edge to a Service with several backends is judged by every backend it may have reached.
    const parts = backendEdges(e).filter((p) => inScope(nodes.get(p.source), scope) || inScope(nodes.get(p.target), scope));
    const kept = isKept(selection, e.key);
    const judged = parts.flatMap((p) => {
      const [src, dst] = [ends.get(p.source), ends.get(p.target)];
      return src && dst ? [{ p, src, dst, v: edgeVerdict(engine, p, src, dst) }] : [];
    });
    if (judged.length === 0) continue;
    const worst = judged.find((j) => j.v.verdict === 'blocked') ?? judged.find((j) => j.v.verdict === 'undecided') ?? judged[0];
    const raw = worst.v;
    // An edge whose direction the capture could not settle may be the reverse of what happened: its
    // rules may not be the ones the real flow needs.
    const doubt =
      raw.verdict !== 'allowed'
        ? undefined
        : e.evidence.direction.uncertain > 0
          ? directionDoubt(e)
          : run.snapshot
            ? undefined
            : serviceRangeDoubt(e, nodes);
    const v = doubt ? { ...raw, verdict: 'undecided' as const } : raw;
    const hint =
      doubt ??
      (v.verdict !== 'allowed'
        ? uncoverable(worst.p, nodes, engine.flavor, graph.format)
        : !kept && v.first.implicit
          ? RESIDENT_NODE_HINT[engine.flavor]
          : undefined);
    const problem = kept ? v.verdict !== 'allowed' : v.verdict !== 'blocked';
    const finding: EdgeFinding = {
      edge: e.key,
      verdict: v.verdict,
      ...(problem
        ? {
            explanation: doubt
              ? `${e.key} is allowed as drawn, but ${doubt}.`
              : `${v.first.explanation}${hint ? ` Why: ${hint.replace(/\.$/, '')}.` : ''}`,
          }
        : {}),
      ...(v.verdict === 'undecided' ? { decide: doubt ? [doubt] : v.first.unknowns } : {}),
      ...(problem && hint && !doubt && v.verdict !== 'allowed' ? { inexpressible: hint } : {}),
      ...(v.first.egressRule ? { egress: v.first.egressRule } : {}),
      ...(v.first.ingressRule ? { ingress: v.first.ingressRule } : {}),
    };
    if (kept) (v.verdict === 'allowed' ? keptAllowed : v.verdict === 'blocked' ? keptDenied : keptUndecided).push(finding);
    else (v.verdict === 'allowed' ? prunedAllowed : v.verdict === 'blocked' ? prunedDenied : prunedUndecided).push(finding);
    for (const { p, v: pv } of judged) {
      if (typeof p.port === 'number' && (p.protocol === 'TCP' || p.protocol === 'UDP' || p.protocol === 'SCTP')) {
        observed.add(`${p.source}|${p.target}|${p.protocol}|${p.port}`);
        if (inScope(nodes.get(p.target), scope)) {
          (serverPorts.get(p.target) ?? serverPorts.set(p.target, new Set()).get(p.target)!).add(`${p.protocol}/${p.port}`);
          if (!serverIngress.has(p.target)) serverIngress.set(p.target, pv.all[0].ingress);
        }
      }
      if (!kept) continue;
      for (let i = 0; i < pv.all.length; i++) {
        const f = pv.flows[i];
        const said = `${f.protocol}/${f.port ?? '*'}`;
        addBacking(backing, pv.all[i].egress, f, said);
        addBacking(backing, pv.all[i].ingress, f, said);
      }
    }
  }
  return {
    findings: { keptAllowed, keptDenied, keptUndecided, prunedAllowed, prunedDenied, prunedUndecided },
    observed,
    serverPorts,
    serverIngress,
    backing,
  };
}

/**
 * Step 2: connections never observed that the policies allow: for each in-scope workload and each
 * port it was seen serving, every source a rule of its ingress could name, on the ports that pair
 * was not seen using. What the platform allows whatever the policies say (the node reaching its
 * pods) is not counted.
 */
function unobservedAllowed(
  run: VerifyRun,
  observed: ReadonlySet<string>,
  serverPorts: ReadonlyMap<string, ReadonlySet<string>>,
  serverIngress: ReadonlyMap<string, DirectionDetail | null>,
): Pick<Coverage, 'unobservedAllowed' | 'unobservedAllowedCount'> {
  const { engine, ends } = run;
  const list: UnobservedFinding[] = [];
  let count = 0;
  const candidates = candidateIndex(ends);
  for (const [target, portSet] of [...serverPorts].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const dst = ends.get(target);
    if (dst?.kind !== 'pod') continue;
    const sources = candidates.sourcesFor(engine, run.kubernetes, run.cilium, dst, serverIngress.get(target));
    const ports = [...portSet].sort().map((pp) => {
      const [protocol, portText] = pp.split('/') as [PolicyProtocol, string];
      return { protocol, port: Number(portText) };
    });
    for (const [source, src] of sources) {
      if (source === target) continue;
      // One pair answers every port: its sets are computed once.
      let pair: PairDetail | undefined;
      for (const { protocol, port } of ports) {
        if (observed.has(`${source}|${target}|${protocol}|${port}`)) continue;
        pair ??= engine.pair(src, dst);
        if (allows(pair.allowance, protocol, port) !== 'yes') continue;
        const v = flowVerdict(pair, { src, dst, protocol, port });
        if (v.verdict !== 'allowed' || v.implicit) continue;
        count++;
        if (list.length < MAX_LISTED) list.push({ source, target, protocol, port, explanation: v.explanation });
      }
    }
  }
  return { unobservedAllowed: list, unobservedAllowedCount: count };
}

/**
 * Step 3: rules no kept edge is allowed by, and rules that surely allow more ports (or ICMP types)
 * than the kept edges behind them used. Deny rules are not judged here.
 */
function ruleBacking(refs: readonly RuleRef[], backing: ReadonlyMap<RuleRef, Backing>): Pick<Coverage, 'unbackedRules' | 'widePorts'> {
  const unbackedRules: RuleRef[] = [];
  const widePorts: { rule: RuleRef; unobserved: string }[] = [];
  for (const ref of refs) {
    if (ref.deny) continue;
    const b = backing.get(ref);
    if (!b) {
      unbackedRules.push(ref);
      continue;
    }
    // Only what the rule surely allows counts: a port it may allow (a named port the input cannot resolve) is undecided, not wide.
    const allowed = b.sure;
    if (CONN_PROTOCOLS.every((p) => setCoverage(allowed, p) === 'all')) {
      widePorts.push({ rule: ref, unobserved: 'every port' });
      continue;
    }
    const extra: string[] = [];
    for (const p of CONN_PROTOCOLS) {
      const n = size(allowed, p);
      if (n === 0) continue;
      // How many ports (types) of this protocol the kept edges behind it used; a port-less flow used them all.
      let used = 0;
      for (const x of b.seen)
        if (x.length > p.length && x.startsWith(p) && x[p.length] === '/') used = x.endsWith('/*') ? Infinity : used + 1;
      if (used === Infinity) continue;
      const unit = p.startsWith('ICMP') ? 'type' : 'port';
      if (setCoverage(allowed, p) === 'all') extra.push(`every ${p} ${unit}`);
      else if (n > used) extra.push(`${n - used} unobserved ${p} ${unit}(s)`);
    }
    if (extra.length > 0) widePorts.push({ rule: ref, unobserved: extra.join(', ') });
  }
  return { unbackedRules, widePorts };
}

/** A source no peer index files: a pod without labels in a namespace that cannot exist. */
const PROBE: PodEnd = { kind: 'pod', id: 'probe', namespace: '\0', labels: {}, labelsComplete: true };

/** Sources worth trying for unobserved connections to a pod: those its ingress rules could name. */
function candidateIndex(ends: ReadonlyMap<string, End>) {
  const all = [...ends.entries()];
  const nonPods = all.filter(([, e]) => e.kind !== 'pod');
  const byLabel = new Map<string, [string, End][]>();
  for (const entry of all) {
    const end = entry[1];
    if (end.kind !== 'pod' || !end.labels) continue;
    for (const [k, v] of Object.entries(end.labels)) {
      const key = `${end.namespace}\0${k}=${v}`;
      (byLabel.get(key) ?? byLabel.set(key, []).get(key)!).push(entry);
    }
  }
  const strip = (k: string): string => (k.includes(':') ? k.slice(k.indexOf(':') + 1) : k);
  const byId = { kubernetes: new Map<string, NetworkPolicy[]>(), cilium: new Map<string, CiliumNetworkPolicy[]>() };
  let indexed = false;
  const index = (kubernetes: readonly NetworkPolicy[], cilium: readonly CiliumNetworkPolicy[]): void => {
    if (indexed) return;
    indexed = true;
    for (const p of kubernetes) {
      const id = `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
      (byId.kubernetes.get(id) ?? byId.kubernetes.set(id, []).get(id)!).push(p);
    }
    for (const p of cilium) {
      const id = p.kind === 'CiliumClusterwideNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
      (byId.cilium.get(id) ?? byId.cilium.set(id, []).get(id)!).push(p);
    }
  };
  return {
    /** Every end a rule of a policy selecting `dst` (for ingress) could match; all ends when a rule could match any. */
    sourcesFor(
      engine: PolicyEngine,
      kubernetes: readonly NetworkPolicy[],
      cilium: readonly CiliumNetworkPolicy[],
      dst: PodEnd,
      known?: DirectionDetail | null,
    ): [string, End][] {
      index(kubernetes, cilium);
      // Which policies isolate dst's ingress does not depend on the source: an edge into dst already
      // found them; else ask with a source no rule can name, so no rule is matched in full.
      const probe = known !== undefined ? known : engine.pair(PROBE, dst).ingress;
      if (!probe || probe.isolated === 'no') return all;
      const found = new Map<string, End>();
      const addAll = (list: readonly [string, End][]): void => list.forEach(([id, e]) => found.set(id, e));
      const bySelector = (ns: string | undefined, sel: { matchLabels?: Readonly<Record<string, string>> } | undefined): boolean => {
        const labels = sel?.matchLabels;
        if (ns === undefined || !labels) return false;
        for (const k of Object.keys(labels)) {
          const key = strip(k);
          if (key.startsWith('io.kubernetes.pod.namespace')) continue;
          addAll(byLabel.get(`${ns}\0${key}=${labels[k]}`) ?? []);
          return true;
        }
        return false;
      };
      const selecting = [...new Set([...probe.isolating, ...probe.maybeIsolating])];
      for (const p of selecting.flatMap((id) => byId.kubernetes.get(id) ?? [])) {
        for (const rule of p.spec.ingress ?? []) {
          if (!rule.from || rule.from.length === 0) return all;
          for (const peer of rule.from) {
            if (peer.ipBlock) addAll(nonPods);
            else {
              const nsSel = peer.namespaceSelector;
              const ns = !nsSel ? (p.metadata.namespace ?? 'default') : nsSel.matchLabels?.['kubernetes.io/metadata.name'];
              if (!bySelector(ns, peer.podSelector)) return all;
            }
          }
        }
      }
      for (const p of selecting.flatMap((id) => byId.cilium.get(id) ?? [])) {
        for (const spec of [...(p.spec ? [p.spec] : []), ...(p.specs ?? [])]) {
          for (const rule of spec.ingress ?? []) {
            const eps = rule.fromEndpoints ?? [];
            if (eps.length === 0 && !rule.fromEntities && !rule.fromCIDR && !rule.fromCIDRSet) {
              if ((rule.toPorts?.length ?? 0) > 0 || (rule.icmps?.length ?? 0) > 0) return all;
              continue;
            }
            if ((rule.fromEntities ?? []).some((x) => x === 'cluster' || x === 'all')) return all;
            if (rule.fromEntities || rule.fromCIDR || rule.fromCIDRSet) addAll(nonPods);
            for (const sel of eps) {
              const nsKey = Object.entries(sel.matchLabels ?? {}).find(([k]) => strip(k) === 'io.kubernetes.pod.namespace');
              const ns = nsKey ? nsKey[1] : p.kind === 'CiliumClusterwideNetworkPolicy' ? undefined : (p.metadata.namespace ?? 'default');
              if ((sel.matchExpressions?.length ?? 0) > 0 || !bySelector(ns, sel)) return all;
            }
          }
        }
      }
      return [...found.entries()];
    },
  };
}
