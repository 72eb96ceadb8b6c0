// The fix for a flow the rolled-out policies deny: the rule the generator writes for its edge, in the
// rollout's flavor, placed on the rolled-out policy that selects the workload. One generator: the
// rule is generate()'s (or generateCilium's) for a graph holding just that edge.
import { Document, isMap, isSeq } from 'yaml';
import { backendEdges } from '../graph/service-edges';
import type { GraphEdge, ServiceGraph } from '../graph/types';
import type { CiliumNetworkPolicy } from '../policy/cilium-types';
import { enginePolicies, type PolicyDocument } from '../policy/documents';
import { policyEngine, type End, type PolicyEngine } from '../policy/engine';
import { effectivePolicyTypes } from '../policy/evaluate';
import { generateFlavor, type AnyGeneratedPolicy, type Flavor } from '../policy/flavors';
import { enforcedOf } from '../policy/staged';
import type { Direction, LabelSelector, NetworkPolicy } from '../policy/types';
import type { PatchRule, SoakPatch } from './soak-types';

const isCilium = (p: PolicyDocument): p is CiliumNetworkPolicy =>
  p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy';

/** The policy engine for a rolled-out set (a staged policy judged as the NetworkPolicy it becomes). */
export function rolloutEngine(policies: readonly PolicyDocument[]): PolicyEngine {
  const { kubernetes, cilium } = enginePolicies(policies);
  return policyEngine(kubernetes, cilium);
}

/** The flavor a rolled-out set is in: Cilium's when it holds a Cilium policy, Calico's staged when it holds a staged one. */
export function flavorOf(policies: readonly PolicyDocument[]): Flavor {
  if (policies.some(isCilium)) return 'cilium';
  return policies.some((p) => p.kind === 'StagedKubernetesNetworkPolicy') ? 'calico-staged' : 'kubernetes';
}

const idOf = (p: PolicyDocument): string =>
  p.kind === 'CiliumClusterwideNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

/** A selector in a fixed form, to compare two: keys sorted, expressions in order. */
function selectorKey(sel: LabelSelector | undefined): string {
  const labels = Object.entries(sel?.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([labels, sel?.matchExpressions ?? []]);
}

const selectorOf = (p: PolicyDocument): LabelSelector | undefined => (isCilium(p) ? p.spec?.endpointSelector : p.spec.podSelector);

/** Does the policy restrict this direction (so a rule added to it takes effect)? */
function restricts(p: PolicyDocument, direction: Direction): boolean {
  if (isCilium(p)) return true;
  const np: NetworkPolicy = p.kind === 'StagedKubernetesNetworkPolicy' ? enforcedOf(p) : p;
  return effectivePolicyTypes(np).includes(direction === 'ingress' ? 'Ingress' : 'Egress');
}

/**
 * Which ends' policies deny the edge: the source's egress, the destination's ingress, each only
 * where a rolled-out policy restricts that direction (an end no policy selects needs no rule, and
 * must not get a policy that would isolate it).
 */
function blockingDirections(e: GraphEdge, engine: PolicyEngine, ends: ReadonlyMap<string, End>): Set<string> {
  const blocked = new Set<string>();
  for (const p of backendEdges(e)) {
    const src = ends.get(p.source);
    const dst = ends.get(p.target);
    if (!src || !dst) continue;
    const v = engine.evaluate({ src, dst, protocol: p.protocol, ...(typeof p.port === 'number' ? { port: p.port } : {}) });
    if (v.egress && v.egress.isolated !== 'no' && !v.egressRule) blocked.add(`${p.source}|egress`);
    if (v.ingress && v.ingress.isolated !== 'no' && !v.ingressRule) blocked.add(`${p.target}|ingress`);
  }
  return blocked;
}

/** The graph of one edge: its ends (and a Service's backends), nothing else. */
function edgeGraph(graph: ServiceGraph, e: GraphEdge): ServiceGraph {
  const ids = new Set([e.source, e.target, ...(e.evidence.service?.backends ?? []).map((b) => b.node)]);
  return { ...graph, nodes: graph.nodes.filter((n) => ids.has(n.id)), edges: [e], warnings: [] };
}

/**
 * The rules that would allow edge `e` of the soak's graph: for each end whose rolled-out policies
 * deny it (the source's egress, the destination's ingress), the rule the generator writes for the
 * edge in the rollout's flavor, on the rolled-out policy of that kind and namespace that selects the
 * workload with the same selector; where none does, `newPolicy` holds the generated policy with just
 * that rule. `ends`: the engine's view of the graph's nodes (verify's endsFromGraph); `scope`: the
 * rolled-out policies' namespaces; `engine`: theirs (rolloutEngine), built once for many edges. No
 * rule when the edge is not denied by the rollout.
 */
export function patchFor(
  e: GraphEdge,
  graph: ServiceGraph,
  policies: readonly PolicyDocument[],
  scope: readonly string[],
  ends: ReadonlyMap<string, End>,
  engine: PolicyEngine = rolloutEngine(policies),
): PatchRule[] {
  const blocked = blockingDirections(e, engine, ends);
  if (blocked.size === 0) return [];
  const flavor = flavorOf(policies);
  const set = generateFlavor(flavor, edgeGraph(graph, e), { pruned: new Map() }, { namespaces: scope });
  const rules: PatchRule[] = [];
  for (const g of set.policies as readonly AnyGeneratedPolicy[]) {
    if (!g.workload) continue;
    const generated: PolicyDocument = g.policy;
    const ns = generated.metadata.namespace ?? 'default';
    const existing = policies.find(
      (p) =>
        p.kind === generated.kind &&
        (p.metadata.namespace ?? 'default') === ns &&
        selectorKey(selectorOf(p)) === selectorKey(selectorOf(generated)),
    );
    for (const r of g.rules) {
      const direction = r.ref.direction;
      if (!r.edges.includes(e.key) || !blocked.has(`${g.workload}|${direction}`)) continue;
      const lists = generated.spec as { readonly ingress?: readonly PatchRule['rule'][]; readonly egress?: readonly PatchRule['rule'][] };
      const rule = lists[direction]?.[r.ref.index];
      if (!rule) continue;
      const target = existing && restricts(existing, direction) ? existing : undefined;
      rules.push({
        policy: target ? idOf(target) : idOf(generated),
        kind: generated.kind,
        direction,
        rule,
        comment: r.comment,
        ...(target ? {} : { newPolicy: onlyRule(generated, direction, rule) }),
      });
    }
  }
  return rules;
}

/**
 * The generated policy holding just one rule, restricting only that direction: a workload no
 * rolled-out policy selects by these labels is isolated in it already (by a default deny), and the
 * new policy must not isolate it in the other.
 */
function onlyRule(p: PolicyDocument, direction: Direction, rule: PatchRule['rule']): PolicyDocument {
  const rest = Object.fromEntries(Object.entries(p.spec ?? {}).filter(([k]) => k !== 'ingress' && k !== 'egress'));
  // Cilium: a direction left out of the spec is not enforced by this policy; Kubernetes: policyTypes says which is.
  if (isCilium(p)) return { ...p, spec: { ...rest, [direction]: [rule] } };
  return {
    ...p,
    spec: { ...rest, podSelector: p.spec.podSelector, policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'], [direction]: [rule] },
  };
}

/** Cilium's explicit deny-all rule `{}`, which a real rule replaces (in a NetworkPolicy `{}` allows everything: kept). */
const isCiliumDenyAll = (p: PolicyDocument, r: unknown): boolean =>
  isCilium(p) && !!r && typeof r === 'object' && Object.keys(r).length === 0;

/**
 * The policies with a patch applied: each rule appended to its policy's list for the direction (a
 * Cilium `[{}]` deny-all placeholder is replaced), or, where the set has no such policy, its
 * `newPolicy` added. Pure: the given policies are not changed.
 */
export function applyPatch(policies: readonly PolicyDocument[], patch: SoakPatch): PolicyDocument[] {
  const out = [...policies];
  for (const r of patch.rules) {
    const i = out.findIndex((p) => p.kind === r.kind && idOf(p) === r.policy);
    if (i < 0) {
      if (r.newPolicy) out.push(r.newPolicy);
      continue;
    }
    const p = out[i];
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    const list = ((spec[r.direction] as readonly unknown[] | undefined) ?? []).filter((x) => !isCiliumDenyAll(p, x));
    out[i] = { ...p, spec: { ...spec, [r.direction]: [...list, r.rule] } } as PolicyDocument;
  }
  return out;
}

/**
 * A patch rule as YAML to paste: `ingress:`/`egress:` with the one rule, the generator's `observed:`
 * line above it; for a rule without a rolled-out policy to go into, the whole new policy.
 */
export function patchRuleYaml(r: PatchRule): string {
  const doc = new Document(r.newPolicy ?? { [r.direction]: [r.rule] });
  const seq = doc.getIn(r.newPolicy ? ['spec', r.direction] : [r.direction], true);
  if (isSeq(seq) && isMap(seq.items[0])) seq.items[0].commentBefore = r.comment.replace(/^/gm, ' ');
  return doc.toString({ lineWidth: 0 });
}
