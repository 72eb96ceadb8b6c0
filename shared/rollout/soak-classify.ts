// Each edge of the soak with flows that were not forwarded, read as one class (soak-types.ts,
// SoakClass). What counts as not forwarded, by source:
// - Hubble `DROPPED`; Hubble `AUDIT`, the verdict Cilium's policy audit mode gives a flow "that would
//   have been dropped by policy if audit mode was turned off" (flow.proto, Verdict; Cilium docs,
//   "Creating Policies from Verdicts": audit mode logs every connection policy would drop);
// - Calico flow logs and Goldmane: `action: deny`, and the pending verdict `deny`, what the flow would
//   get "where all staged policies are considered active" (Calico flow-log data types,
//   `pending_policies`), read into the edge's `attribution.pendingActions`.
import type { ClusterSnapshot } from '../cluster/snapshot';
import type { GraphEdge, PolicyHitEvidence, ServiceGraph } from '../graph/types';
import type { PolicyDocument } from '../policy/documents';
import { ruleRefText } from '../policy/types';
import { endsFromGraph, judgeEdges, type EdgeFinding } from '../policy/verify';
import { patchFor, rolloutEngine } from './patch';
import type { SoakClass, SoakFlow } from './soak-types';

/** Flow events of an edge that were not forwarded, by what stopped them. */
export function stoppedCounts(e: GraphEdge): SoakFlow['counts'] {
  const v = e.evidence.verdicts;
  return { dropped: v.DROPPED ?? 0, audit: v.AUDIT ?? 0, pendingDeny: e.evidence.attribution.pendingActions.deny ?? 0 };
}

/** A policy document as flows name it: `namespace/name` (a clusterwide one: its name), staged or not. */
const docKey = (p: PolicyDocument): string =>
  `${p.kind === 'StagedKubernetesNetworkPolicy' ? 'staged' : 'enforced'}|${
    p.kind === 'CiliumClusterwideNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`
  }`;

/**
 * A policy a flow names, in the same form. Hubble names `namespace/name`; Calico writes a Kubernetes
 * NetworkPolicy as `namespace/knp.default.name` and a staged one as `namespace/staged:knp.default.name`
 * (Calico flow-log data types, "Format of the policies field"; goldmane/proto `HitFromString`).
 */
function hitKey(h: PolicyHitEvidence): string {
  const slash = h.policy.indexOf('/');
  const ns = slash < 0 ? '' : h.policy.slice(0, slash + 1);
  let local = slash < 0 ? h.policy : h.policy.slice(slash + 1);
  const staged = h.kind?.startsWith('Staged') || local.includes('staged:');
  local = local.replace('staged:', '');
  if (h.kind === 'NetworkPolicy' || h.kind === 'StagedKubernetesNetworkPolicy') local = local.replace(/^knp\.default\./, '');
  return `${staged ? 'staged' : 'enforced'}|${ns}${local}`;
}

const RANK: Record<SoakClass, number> = { 'missing-rule': 0, undecided: 1, 'denied-by-other': 2, 'outside-rollout': 3, expected: 4 };

/** What an edge's drop reasons say, for a flow the rollout does not explain: ` (drop reason: POLICY_DENIED ×3)`. */
function dropReasonsText(e: GraphEdge): string {
  const reasons = Object.entries(e.evidence.dropReasons);
  return reasons.length ? ` (drop reason: ${reasons.map(([r, n]) => `${r} ×${n}`).join(', ')})` : '';
}

/**
 * Could a policy have stopped these flows? Yes for AUDIT and a pending deny (policy verdicts by
 * definition), and for drops unless every drop reason Hubble gave is another kind (`drop_reason_desc`:
 * POLICY_DENIED, POLICY_DENY and the like are policy's; CT_MAP_INSERTION_FAILED, STALE_OR_UNROUTABLE_IP are not).
 */
function stoppedByPolicy(e: GraphEdge, counts: SoakFlow['counts']): boolean {
  const reasons = Object.keys(e.evidence.dropReasons);
  return counts.audit > 0 || counts.pendingDeny > 0 || reasons.length === 0 || reasons.some((r) => /POLICY/i.test(r));
}

function allowedText(f: EdgeFinding): string {
  const by = [f.egress ? `egress by ${ruleRefText(f.egress)}` : '', f.ingress ? `ingress by ${ruleRefText(f.ingress)}` : '']
    .filter(Boolean)
    .join(', ');
  return by ? ` (${by})` : '';
}

/** What the classification reads (analyzeSoak assembles it from a SoakInput). */
export interface ClassifyInput {
  readonly flows: ServiceGraph;
  readonly policies: readonly PolicyDocument[];
  /** The namespaces of the rolled-out policies. */
  readonly scope: readonly string[];
  readonly appliedAt: number;
  /** Pruned edges by the soak's edge key (mapped to the target namespaces), with the original's key and reason. */
  readonly pruned: ReadonlyMap<string, NonNullable<SoakFlow['pruned']>>;
  readonly snapshot?: ClusterSnapshot;
}

/**
 * Every edge of the soak with flows that were not forwarded (DROPPED, AUDIT, a pending deny), in
 * one class each, in this order of questions:
 * 1. do its flows name, as denying them, a policy that is not part of the rollout, and none that is?
 *    `denied-by-other` (a Calico trace that names one of ours too is judged on: the policies decide);
 * 2. was its edge pruned? `expected`, with the reason;
 * 3. were they dropped for a reason that is no policy's (Hubble's drop reason)? `outside-rollout`;
 * 4. what do the rolled-out policies say (verify's judgement)? blocked: `missing-rule`, with the
 *    generator's rule for it; undecided: `undecided`, with what would decide it; allowed, or neither
 *    end in their namespaces: `outside-rollout`.
 * Edges seen only before the apply are counted in `beforeApply` and left out.
 */
export function classifyFlows(c: ClassifyInput): { flows: SoakFlow[]; beforeApply: number } {
  const ours = new Set(c.policies.map(docKey));
  const judged = judgeEdges(c.policies, c.flows, c.scope, c.snapshot ? { snapshot: c.snapshot } : {});
  const ends = endsFromGraph(c.flows, c.snapshot);
  const engine = rolloutEngine(c.policies);
  const flows: SoakFlow[] = [];
  let beforeApply = 0;
  for (const e of c.flows.edges) {
    const counts = stoppedCounts(e);
    if (counts.dropped + counts.audit + counts.pendingDeny === 0) continue;
    if (e.evidence.lastSeen !== null && e.evidence.lastSeen < c.appliedAt) {
      beforeApply++;
      continue;
    }
    const a = e.evidence.attribution;
    const denies = [...a.enforced, ...a.pending].filter((h) => h.action === 'deny');
    const others = [...new Set(denies.filter((h) => !ours.has(hitKey(h))).map((h) => h.policy))].sort();
    const namesOurs = denies.some((h) => ours.has(hitKey(h)));
    const finding = judged.get(e.key);
    const rollout: SoakFlow['rollout'] = finding?.verdict ?? 'out-of-scope';
    const pruned = c.pruned.get(e.key);
    const base = { edge: e.key, counts, firstSeen: e.evidence.firstSeen, lastSeen: e.evidence.lastSeen, rollout };
    const also = rollout === 'blocked' ? '; the rolled-out policies deny it too' : '';
    if (others.length > 0 && !namesOurs) {
      flows.push({
        ...base,
        class: 'denied-by-other',
        deniedBy: others,
        ...(pruned ? { pruned } : {}),
        explanation: `Denied by ${others.join(', ')}, ${others.length === 1 ? 'a policy' : 'policies'} not part of this rollout${also}.`,
      });
    } else if (pruned) {
      flows.push({
        ...base,
        class: 'expected',
        pruned,
        explanation: `Its edge was pruned before generating (${pruned.by === 'dropped' ? 'dropped when captured' : 'pruned by hand'}${pruned.reason ? `: ${pruned.reason}` : ''}), so the policies deny it on purpose.`,
      });
    } else if (!stoppedByPolicy(e, counts)) {
      flows.push({
        ...base,
        class: 'outside-rollout',
        explanation: `Dropped for a reason that is no policy's verdict${dropReasonsText(e)}: no policy, of this rollout or another, stopped it.`,
      });
    } else if (!finding) {
      flows.push({
        ...base,
        class: 'outside-rollout',
        explanation: `Neither end is a workload of the rolled-out namespaces (${c.scope.join(', ')}), so no rolled-out policy decides it${dropReasonsText(e)}.`,
      });
    } else if (finding.verdict === 'allowed') {
      flows.push({
        ...base,
        class: 'outside-rollout',
        explanation: `The rolled-out policies allow it${allowedText(finding)} and no policy is named as denying it: what stopped it lies outside these policies (the other end's policies, a drop that is no policy's), or it was recorded under an earlier version of them${dropReasonsText(e)}.`,
      });
    } else if (finding.verdict === 'undecided') {
      flows.push({
        ...base,
        class: 'undecided',
        explanation: finding.explanation ?? `Whether the rolled-out policies allow ${e.key} cannot be decided from this input.`,
        decide: finding.decide ?? [],
      });
    } else {
      const rules = finding.inexpressible ? [] : patchFor(e, c.flows, c.policies, c.scope, ends, engine);
      flows.push({
        ...base,
        class: 'missing-rule',
        explanation: finding.explanation ?? `The rolled-out policies deny ${e.key}.`,
        patch: { rules, ...(finding.inexpressible ? { inexpressible: finding.inexpressible } : {}) },
      });
    }
  }
  flows.sort((x, y) => RANK[x.class] - RANK[y.class] || (x.edge < y.edge ? -1 : x.edge > y.edge ? 1 : 0));
  return { flows, beforeApply };
}
