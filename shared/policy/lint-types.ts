// What lint reports, and what it may know besides the policies: shared by the NetworkPolicy, Cilium,
// DNS and address checks.
import type { ServiceGraph } from '../graph/types';

/** What a finding is about; code branches on it (README "lint" lists each). */
export type LintCode =
  | 'schema'
  | 'dead-section'
  | 'ipblock-in-cluster'
  | 'ipblock-service-range'
  | 'missing-namespace-selector'
  | 'split-peer'
  | 'empty-selector'
  | 'no-dns'
  | 'unstable-label'
  | 'cilium-empty-section'
  | 'cilium-requires'
  | 'fqdn-without-dns'
  | 'invalid-name';

export interface LintFinding {
  readonly severity: 'error' | 'warning';
  readonly code: LintCode;
  /** `ns/name` of the policy the finding is about (for a workload finding, the policy to fix first). */
  readonly policy: string;
  /** The workload (`ns/name` as in the graph) the finding is about, when it is about one. */
  readonly workload?: string;
  /** Field path in the policy: `spec.egress[0].to[1].ipBlock`. */
  readonly where?: string;
  readonly message: string;
  /** One line that says how to fix it. */
  readonly fix: string;
}

export interface LintContext {
  /** The observed graph: pod networks, which namespaces a selector's workloads live in, who talks. */
  readonly graph?: ServiceGraph;
  /** Pod CIDRs known from elsewhere (added to those inferred from the graph). */
  readonly podCidrs?: readonly string[];
  /** The cluster's Service range(s) (`--service-cluster-ip-range`). */
  readonly serviceCidrs?: readonly string[];
  /** Services' ClusterIPs known one by one (from a cluster snapshot). */
  readonly serviceIps?: readonly string[];
}
