import { isKept, type Selection } from '../graph/selection';
import { backendEdges } from '../graph/service-edges';
import type { GraphEdge, ServiceGraph } from '../graph/types';
import { peerMatches, portsMatch, type Connection } from '../policy/evaluate';
import { observedLine, type GeneratedPolicy, type GenerateOptions, type PolicySet, type RuleProvenance } from '../policy/generate';
import { selectorMatches } from '../policy/selectors';
import type {
  Direction,
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  PolicyProtocol,
  RuleRef,
} from '../policy/types';
import { clusterFromGraph } from '../policy/verify';
import { parseDraftReply } from './reply';
import { reviewDraft, type DraftReview } from './review';

type Rule = NetworkPolicyIngressRule | NetworkPolicyEgressRule;

export interface DraftRule {
  readonly ref: RuleRef;
  readonly policy: NetworkPolicy;
  readonly rule: Rule;
}

const idOf = (p: NetworkPolicy): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
const rulesOf = (p: NetworkPolicy, d: Direction): readonly Rule[] => (d === 'ingress' ? p.spec.ingress : p.spec.egress) ?? [];
const peersOf = (r: Rule, d: Direction): readonly NetworkPolicyPeer[] | undefined =>
  d === 'ingress' ? (r as NetworkPolicyIngressRule).from : (r as NetworkPolicyEgressRule).to;

/** Every rule of a draft, addressed as `ns/name direction[i]`. */
export function draftRules(policies: readonly NetworkPolicy[]): DraftRule[] {
  return policies.flatMap((policy) =>
    (['ingress', 'egress'] as const).flatMap((direction) =>
      rulesOf(policy, direction).map((rule, index) => ({ ref: { policy: idOf(policy), direction, index }, policy, rule })),
    ),
  );
}

/** The kept edges one rule of one policy matches: the pod it selects at its end, a peer and a port at the other. */
function edgesOfRule(policy: NetworkPolicy, direction: Direction, rule: Rule, graph: ServiceGraph, selection: Selection): GraphEdge[] {
  const { cluster, ends } = clusterFromGraph(graph);
  const ns = policy.metadata.namespace ?? 'default';
  const peers = peersOf(rule, direction);
  const seen = new Set<string>();
  return graph.edges.flatMap(backendEdges).filter((e) => {
    if (seen.has(e.key) || !isKept(selection, e.key) || typeof e.port !== 'number' || !['TCP', 'UDP', 'SCTP'].includes(e.protocol))
      return false;
    const src = ends.get(e.source);
    const dst = ends.get(e.target);
    if (!src || !dst) return false;
    const [self, other] = direction === 'ingress' ? [dst, src] : [src, dst];
    if (self.kind !== 'pod' || self.pod.namespace !== ns || !selectorMatches(policy.spec.podSelector, self.pod.labels)) return false;
    const conn: Connection = { src, dst, protocol: e.protocol as PolicyProtocol, port: e.port };
    if (!portsMatch(rule.ports, conn)) return false;
    // An edge to a Service stands for each of its backends: one of them matching is the edge, once.
    const matches = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, ns, other, cluster));
    if (matches) seen.add(e.key);
    return matches;
  });
}

function provenance(
  policy: NetworkPolicy,
  ref: RuleRef,
  rule: Rule,
  graph: ServiceGraph,
  selection: Selection,
  origin: string,
): RuleProvenance {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = edgesOfRule(policy, ref.direction, rule, graph, selection);
  const ns = policy.metadata.namespace ?? 'default';
  const lines = edges.map((e) => observedLine(e, nodes, ns));
  return {
    ref,
    edges: edges.map((e) => e.key),
    comment: [origin, ...(lines.length > 0 ? lines : ['no observed flow backs this rule'])].join('\n'),
  };
}

/** A drafted set as a PolicySet: each rule traced to the kept edges it matches, its comment saying it was drafted. */
export function draftPolicySet(
  policies: readonly NetworkPolicy[],
  graph: ServiceGraph,
  selection: Selection,
  options: GenerateOptions,
  origin: string,
): PolicySet {
  return {
    flavor: 'kubernetes',
    options,
    warnings: [],
    policies: policies.map((policy): GeneratedPolicy => ({
      policy,
      workload: `draft:${idOf(policy)}`,
      rules: draftRules([policy]).map((r) => provenance(policy, r.ref, r.rule, graph, selection, `drafted by ${origin}`)),
    })),
  };
}

const canonical = (s: LabelSelector): string =>
  JSON.stringify({
    l: Object.entries(s.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    e: [...(s.matchExpressions ?? [])].map((x) => JSON.stringify(x)).sort(),
  });

/**
 * The deterministic set with some rules of a draft taken into it: each rule joins the generated
 * policy with the same namespace and pod selector, or a new policy of its own (for its direction
 * only, so that it isolates nothing more than the rule's own direction).
 */
export function withDraftRules(
  set: PolicySet,
  draft: readonly NetworkPolicy[],
  take: readonly RuleRef[],
  graph: ServiceGraph,
  selection: Selection,
  origin: string,
): PolicySet {
  const rules = draftRules(draft);
  const out: GeneratedPolicy[] = [...set.policies];
  const names = new Set(out.map((g) => idOf(g.policy)));
  for (const want of take) {
    const found = rules.find((r) => r.ref.policy === want.policy && r.ref.direction === want.direction && r.ref.index === want.index);
    if (!found) throw new Error(`The draft has no rule ${want.policy} ${want.direction}[${want.index}].`);
    const ns = found.policy.metadata.namespace ?? 'default';
    const key = canonical(found.policy.spec.podSelector);
    const type = found.ref.direction === 'ingress' ? 'Ingress' : 'Egress';
    const at = out.findIndex(
      (g) => g.workload !== undefined && (g.policy.metadata.namespace ?? 'default') === ns && canonical(g.policy.spec.podSelector) === key,
    );
    if (at >= 0) {
      const g = out[at];
      const list = [...rulesOf(g.policy, found.ref.direction), found.rule];
      const policy: NetworkPolicy = {
        ...g.policy,
        spec: {
          ...g.policy.spec,
          policyTypes: [...new Set([...(g.policy.spec.policyTypes ?? []), type])].sort() as NetworkPolicy['spec']['policyTypes'],
          [found.ref.direction]: list,
        },
      };
      const ref: RuleRef = { policy: idOf(policy), direction: found.ref.direction, index: list.length - 1 };
      out[at] = {
        ...g,
        policy,
        rules: [...g.rules, provenance(policy, ref, found.rule, graph, selection, `taken from the draft by ${origin}`)],
      };
    } else {
      let name = `${found.policy.metadata.name}-drafted`;
      for (let i = 2; names.has(`${ns}/${name}`); i++) name = `${found.policy.metadata.name}-drafted-${i}`;
      names.add(`${ns}/${name}`);
      const policy: NetworkPolicy = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, namespace: ns },
        spec: { podSelector: found.policy.spec.podSelector, policyTypes: [type], [found.ref.direction]: [found.rule] },
      };
      const ref: RuleRef = { policy: idOf(policy), direction: found.ref.direction, index: 0 };
      out.push({
        policy,
        workload: `draft:${idOf(found.policy)}`,
        rules: [provenance(policy, ref, found.rule, graph, selection, `taken from the draft by ${origin}`)],
      });
    }
  }
  return { ...set, policies: out };
}

/** A draft, or some of its rules, chosen to replace or join the deterministic set. */
export interface DraftTake {
  readonly model: string;
  readonly reply: string;
  readonly tokens: Readonly<Record<string, string>>;
  readonly take: 'draft' | readonly RuleRef[];
}

/**
 * The policy set with a draft taken: the reply is read and reviewed again (never trusted as it was
 * shown), then either replaces the deterministic set or lends it the chosen rules.
 */
export function applyDraftTake(
  base: PolicySet,
  t: DraftTake,
  graph: ServiceGraph,
  selection: Selection,
): { set: PolicySet; review: DraftReview } {
  const review = reviewDraft(parseDraftReply(t.reply, t.tokens), graph, selection, base.options.namespaces);
  const origin = `model ${t.model}`;
  const set =
    t.take === 'draft'
      ? draftPolicySet(review.policies, graph, selection, base.options, origin)
      : withDraftRules(base, review.policies, t.take, graph, selection, origin);
  return { set, review };
}
