// Coverage and lint for the findings list: what the worker runs, and the main thread for small graphs.
import type { Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { generateCilium } from '../../../shared/policy/cilium';
import type { CiliumNetworkPolicy } from '../../../shared/policy/cilium-types';
import { generate, type GenerateOptions } from '../../../shared/policy/generate';
import { lint } from '../../../shared/policy/lint';
import type { LintFinding } from '../../../shared/policy/lint-types';
import { lintCilium } from '../../../shared/policy/lint-cilium';
import type { NetworkPolicy } from '../../../shared/policy/types';
import { verify, type CoverageVerdict } from '../../../shared/policy/verify';
import { coverageGroups, type FindingGroup } from './finding-groups';

export interface FindingsRequest {
  readonly id: number;
  /** The policies to check, or (cheaper to send) the options to generate them from in the worker. */
  readonly policies?: readonly (NetworkPolicy | CiliumNetworkPolicy)[];
  readonly generate?: GenerateOptions & { readonly flavor?: 'kubernetes' | 'cilium' };
  /** Sent when it changed; the worker keeps the last one. */
  readonly graph?: ServiceGraph;
  readonly selection: Selection;
  readonly namespaces: readonly string[];
}

/** The one verdict on the policies shown, and the findings behind it, in groups, worst first. */
export interface Findings {
  readonly verdict: CoverageVerdict;
  readonly groups: FindingGroup[];
  /** Lint's DNS findings, which the review column merges with the capture's and the generation's (dnsFinding). */
  readonly dnsLint: readonly LintFinding[];
}

export interface FindingsReply {
  readonly id: number;
  readonly findings?: Findings;
  readonly error?: string;
}

/** The policies of a request: given, or generated again from its options in the flavor shown. */
function policiesOf(
  r: Omit<FindingsRequest, 'id' | 'graph'> & { readonly graph: ServiceGraph },
): readonly (NetworkPolicy | CiliumNetworkPolicy)[] {
  if (r.policies) return r.policies;
  const options = r.generate ?? { namespaces: r.namespaces };
  return options.flavor === 'cilium'
    ? generateCilium(r.graph, r.selection, options).policies.map((g) => g.policy)
    : generate(r.graph, r.selection, options).policies.map((g) => g.policy);
}

/** Coverage and lint of the policies of a request, in groups, with the one verdict. */
export function computeFindings(r: Omit<FindingsRequest, 'id' | 'graph'> & { readonly graph: ServiceGraph }): Findings {
  const policies = policiesOf(r);
  const coverage = verify(policies, r.graph, r.selection, r.namespaces);
  const networkPolicies = policies.filter((p): p is NetworkPolicy => p.kind === 'NetworkPolicy');
  const cilium = policies.filter((p): p is CiliumNetworkPolicy => p.kind !== 'NetworkPolicy');
  const lintFindings = [...lint(networkPolicies, { graph: r.graph }), ...lintCilium(cilium, { graph: r.graph })];
  return {
    verdict: coverage.verdict,
    groups: coverageGroups(coverage, lintFindings),
    dnsLint: lintFindings.filter((f) => f.code === 'no-dns'),
  };
}
