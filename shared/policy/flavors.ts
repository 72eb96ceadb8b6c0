/** The three flavors a policy set is generated in, and the one dispatch between them. */
import type { Selection } from '../graph/selection';
import type { ServiceGraph } from '../graph/types';
import { generateCilium, type CiliumPolicySet, type GeneratedCiliumPolicy } from './cilium';
import { generate, type GeneratedPolicy, type GenerateOptions, type PolicySet } from './generate';
import { stagedSet, type GeneratedStagedPolicy, type StagedPolicySet } from './staged';

/** `kubernetes`: NetworkPolicy; `cilium`: CiliumNetworkPolicy; `calico-staged`: Calico's StagedKubernetesNetworkPolicy. */
export type Flavor = 'kubernetes' | 'cilium' | 'calico-staged';

export const FLAVORS: readonly Flavor[] = ['kubernetes', 'cilium', 'calico-staged'];

/** A generated set in any flavor. */
export type AnyPolicySet = PolicySet | CiliumPolicySet | StagedPolicySet;

/** One generated policy in any flavor. */
export type AnyGeneratedPolicy = GeneratedPolicy | GeneratedCiliumPolicy | GeneratedStagedPolicy;

/** Least-privilege policies in a flavor (`generate`, `generateCilium`; the staged flavor is `generate`'s set, staged). */
export function generateFlavor(flavor: Flavor, graph: ServiceGraph, selection: Selection, options: GenerateOptions): AnyPolicySet {
  if (flavor === 'cilium') return generateCilium(graph, selection, options);
  const set = generate(graph, selection, options);
  return flavor === 'calico-staged' ? stagedSet(set) : set;
}
