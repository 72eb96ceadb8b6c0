/**
 * The policy documents the checks (verify, lint, diff, soak) read: NetworkPolicies, Calico's
 * StagedKubernetesNetworkPolicies (judged as the NetworkPolicies they become once enforced, see
 * staged.ts) and CiliumNetworkPolicies (with clusterwide ones).
 */
import type { CiliumNetworkPolicy } from './cilium-types';
import { enforcedOf, type StagedKubernetesNetworkPolicy } from './staged';
import type { NetworkPolicy } from './types';

/** A policy document the checks read. */
export type PolicyDocument = NetworkPolicy | StagedKubernetesNetworkPolicy | CiliumNetworkPolicy;

/**
 * The documents as the policy engine takes them: NetworkPolicies, with each staged policy as the
 * NetworkPolicy it becomes once enforced, and the Cilium policies apart.
 */
export function enginePolicies(docs: readonly PolicyDocument[]): { kubernetes: NetworkPolicy[]; cilium: CiliumNetworkPolicy[] } {
  const kubernetes: NetworkPolicy[] = [];
  const cilium: CiliumNetworkPolicy[] = [];
  for (const p of docs) {
    if (p.kind === 'NetworkPolicy') kubernetes.push(p);
    else if (p.kind === 'StagedKubernetesNetworkPolicy') kubernetes.push(enforcedOf(p));
    else cilium.push(p);
  }
  return { kubernetes, cilium };
}
