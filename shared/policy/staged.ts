/**
 * Calico's staged flavor: `StagedKubernetesNetworkPolicy` (apiVersion `projectcalico.org/v3`), a
 * Kubernetes NetworkPolicy that Calico previews without enforcing it: flow logs and Goldmane report
 * what it would do (`pending_policies`, the verdict `pending_action`), and nothing is dropped.
 *
 * Source of the shape and semantics: Calico's resource reference, "Staged Kubernetes network policy"
 * (https://docs.tigera.io/calico/latest/reference/resources/stagedkubernetesnetworkpolicy: "the only
 * difference between this policy and the example Kubernetes version is that the apiVersion and kind are
 * changed"), and projectcalico/api `pkg/apis/projectcalico/v3/stagedkubernetesnetworkpolicy.go`: the
 * spec is the NetworkPolicy spec (podSelector, ingress, egress, policyTypes) plus `stagedAction`
 * (`Set`, the default when omitted, or `Delete`, which stages the removal of the policy of that name);
 * `ConvertStagedKubernetesPolicyToK8SEnforced` turns one into the NetworkPolicy it becomes once
 * enforced: the same metadata and spec, apiVersion `networking.k8s.io/v1`, kind `NetworkPolicy`.
 *
 * So verify, lint and diff judge a staged policy by what it would do once enforced: `enforcedOf`.
 */
import type { GeneratedPolicy, PolicySet } from './generate';
import type { NetworkPolicy } from './types';
import type { FieldIssue, Validated } from './field-issue';
import { validateNetworkPolicy } from './validate';

export const STAGED_API_VERSION = 'projectcalico.org/v3';
export const STAGED_KIND = 'StagedKubernetesNetworkPolicy';

/** A Calico StagedKubernetesNetworkPolicy: a NetworkPolicy's metadata and spec under Calico's apiVersion and kind. */
export interface StagedKubernetesNetworkPolicy {
  readonly apiVersion: typeof STAGED_API_VERSION;
  readonly kind: typeof STAGED_KIND;
  readonly metadata: NetworkPolicy['metadata'];
  readonly spec: NetworkPolicy['spec'] & {
    /** `Set` (the default when omitted): the policy as written; `Delete`: stages the deletion of the policy of this name. */
    readonly stagedAction?: 'Set' | 'Delete';
  };
}

/** One generated staged policy, with the rules' provenance of the NetworkPolicy it was made from. */
export interface GeneratedStagedPolicy extends Omit<GeneratedPolicy, 'policy'> {
  readonly policy: StagedKubernetesNetworkPolicy;
}

/** The Kubernetes generation in Calico's staged flavor: the same policies, rules, provenance and warnings. */
export interface StagedPolicySet extends Omit<PolicySet, 'flavor' | 'policies'> {
  readonly flavor: 'calico-staged';
  readonly policies: readonly GeneratedStagedPolicy[];
}

/** The staged form of a NetworkPolicy: the same metadata and spec, no `stagedAction` (Calico's default, Set). */
export function stagedOf(p: NetworkPolicy): StagedKubernetesNetworkPolicy {
  return { apiVersion: STAGED_API_VERSION, kind: STAGED_KIND, metadata: p.metadata, spec: p.spec };
}

/**
 * The NetworkPolicy a staged policy becomes once enforced (Calico's
 * `ConvertStagedKubernetesPolicyToK8SEnforced`): the same metadata and spec without `stagedAction`.
 * Only meaningful for `Set`; the reader refuses `Delete` (it allows nothing itself).
 */
export function enforcedOf(p: StagedKubernetesNetworkPolicy): NetworkPolicy {
  // `stagedAction` is dropped, whatever it says: the rest is a NetworkPolicy spec, in its own key order.
  const spec = Object.fromEntries(Object.entries(p.spec).filter(([k]) => k !== 'stagedAction')) as NetworkPolicy['spec'];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: p.metadata, spec };
}

/** A Kubernetes policy set in the staged flavor: each policy staged, everything else kept. */
export function stagedSet(set: PolicySet): StagedPolicySet {
  return { ...set, flavor: 'calico-staged', policies: set.policies.map((g) => ({ ...g, policy: stagedOf(g.policy) })) };
}

/**
 * Validates a `projectcalico.org/v3` StagedKubernetesNetworkPolicy: `stagedAction` is absent, `Set`
 * or `Delete`, and the rest is checked as the NetworkPolicy it becomes (the Kubernetes schema, field
 * paths as in the document). Never throws.
 */
export function validateStagedPolicy(value: unknown): Validated<StagedKubernetesNetworkPolicy> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, issues: [{ path: '(the document)', message: 'expected an object' }] };
  const o = value as { spec?: unknown };
  const issues: FieldIssue[] = [];
  const spec = o.spec && typeof o.spec === 'object' && !Array.isArray(o.spec) ? (o.spec as Record<string, unknown>) : undefined;
  const action = spec?.stagedAction;
  if (action !== undefined && action !== 'Set' && action !== 'Delete')
    issues.push({ path: 'spec.stagedAction', message: `expected one of Set, Delete, not ${JSON.stringify(action)}` });
  const rest = spec ? Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'stagedAction')) : o.spec;
  const checked = validateNetworkPolicy({ ...value, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: rest });
  if (!checked.ok) issues.push(...checked.issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as StagedKubernetesNetworkPolicy };
}
