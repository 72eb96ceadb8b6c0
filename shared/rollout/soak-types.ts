// The soak report's shapes (see soak.ts): what a rollout's flows since the apply say, plain data that
// crosses IPC and is hashed as it is. Times are epoch milliseconds, durations milliseconds, UTC.
import type { Selection } from '../graph/selection';
import type { ServiceGraph } from '../graph/types';
import type { ClusterSnapshot } from '../cluster/snapshot';
import type { CiliumRule } from '../policy/cilium-types';
import type { PolicyDocument } from '../policy/documents';
import type { Verdict3 } from '../policy/engine';
import type { Direction, NetworkPolicyEgressRule, NetworkPolicyIngressRule } from '../policy/types';
import type { NamespaceMap } from './namespace-map';

/** What the soak reads. */
export interface SoakInput {
  /** The flows of the target namespace(s) since the apply (`hubble observe --namespace NS --since TIME`, a flow-log export), as a graph. */
  readonly flows: ServiceGraph;
  /** The policies rolled out, as applied: any flavor, in their target namespaces. */
  readonly policies: readonly PolicyDocument[];
  /** When they were applied, epoch ms. */
  readonly appliedAt: number;
  /** The business cycle to be clean for, ms; 24 h when not given. */
  readonly cycleMs?: number;
  /** The edges pruned before generating, with their reasons, keyed as the original capture's edges (its namespaces). */
  readonly selection?: Selection;
  /** The map the policies were rolled out through (source → target namespace): the selection and the original are in the sources. */
  readonly namespaceMap?: NamespaceMap;
  /** The graph of the capture the policies were generated from: when its batch traffic ran. */
  readonly original?: ServiceGraph;
  /** A cluster snapshot of the target: container port names and labels for the judgement. */
  readonly snapshot?: ClusterSnapshot;
}

/** A stretch of the day the original capture saw traffic only then (a nightly job), and whether the soak saw that hour again. */
export interface BatchWindow {
  /** When the original capture saw it, epoch ms. */
  readonly start: number;
  readonly end: number;
  /** `2026-11-02 02:00–02:05 UTC`: when it was seen; the soak needs the same time of day. */
  readonly seen: string;
  /** The original's edges seen only then. */
  readonly edges: readonly string[];
  /** The soak's flows cover that time of day, whole, on some day since the apply. */
  readonly covered: boolean;
}

/** What the flows read cover, against the apply and the cycle. Never more than they show. */
export interface SoakWindow {
  readonly appliedAt: number;
  readonly cycleMs: number;
  /** The first and last flow time read (epoch ms); null when the flows carry no time. */
  readonly first: number | null;
  readonly last: number | null;
  /** The first flow read is no later than five minutes after the apply: the flows reach back to it. */
  readonly reachesApply: boolean;
  /** From the first flow read (the apply, when flows from before it were read too) to the last, ms: what was covered since the apply. */
  readonly coveredMs: number;
  /** The flows read include some from before the apply: edges seen only then are left out. */
  readonly startsBeforeApply: boolean;
  /** The original capture's batch traffic, by time of day; empty when it saw none, or could not tell (`batchNote`). */
  readonly batch: readonly BatchWindow[];
  /** Why no batch traffic is known: no original capture was given, or it is too short to tell. */
  readonly batchNote?: string;
  /** Every way the window falls short of the cycle, in words; empty when it covers it. */
  readonly shortfalls: readonly string[];
}

/**
 * How a non-forwarded flow is read:
 * - `missing-rule`: the rolled-out policies deny it and it was not pruned: the patch allows it;
 * - `expected`: its edge was pruned, with the reason;
 * - `denied-by-other`: the flow names a policy that is not part of this rollout as denying it
 *   (Hubble `ingress_denied_by`/`egress_denied_by`, Calico's enforced or pending policy trace);
 * - `outside-rollout`: the rolled-out policies allow it, or select neither end, or Hubble's drop
 *   reason is no policy's (CT_MAP_INSERTION_FAILED…), and no policy is named: what stopped it lies
 *   outside this rollout (the other end's policies, the datapath, an earlier version of the policies);
 * - `undecided`: whether the rolled-out policies allow it cannot be decided from this input (`decide`).
 */
export type SoakClass = 'missing-rule' | 'expected' | 'denied-by-other' | 'outside-rollout' | 'undecided';

/** A rule that would allow a missing flow, and where it goes. */
export interface PatchRule {
  /** `namespace/name` of the policy to add it to: a rolled-out one that selects the workload, or `newPolicy`. */
  readonly policy: string;
  readonly kind: PolicyDocument['kind'];
  readonly direction: Direction;
  readonly rule: NetworkPolicyIngressRule | NetworkPolicyEgressRule | CiliumRule;
  /** The `observed: …` line of the generator, for the rule's comment. */
  readonly comment: string;
  /** When no rolled-out policy selects the workload: the whole policy to add (holding just this rule). */
  readonly newPolicy?: PolicyDocument;
}

/** The fix for a missing rule: the generator's rules for its edge, in the rollout's flavor. */
export interface SoakPatch {
  readonly rules: readonly PatchRule[];
  /** Why no policy of the rollout's flavor can allow the flow (then `rules` is empty), and what to do. */
  readonly inexpressible?: string;
}

/** One edge of the soak with flows that were not forwarded, and how they are read. */
export interface SoakFlow {
  /** The soak capture's edge key (target namespaces). */
  readonly edge: string;
  readonly class: SoakClass;
  /** Flow events by what stopped (or would have stopped) them: DROPPED, Cilium's AUDIT (audit mode: would have been dropped), Calico's pending deny (staged: would be denied). */
  readonly counts: { readonly dropped: number; readonly audit: number; readonly pendingDeny: number };
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  /** The rolled-out policies' verdict on it; `out-of-scope` when neither end is in their namespaces. */
  readonly rollout: Verdict3 | 'out-of-scope';
  /** One or two sentences: why this class. */
  readonly explanation: string;
  /** `expected`: the pruned edge (as the original capture keys it) and why it was pruned. */
  readonly pruned?: { readonly edge: string; readonly by: 'user' | 'dropped'; readonly reason?: string };
  /** Policies the flow names as denying it that are not part of this rollout. */
  readonly deniedBy?: readonly string[];
  /** `missing-rule`: the rule(s) that would allow it. */
  readonly patch?: SoakPatch;
  /** `undecided`: what the input lacks, and what would decide it. */
  readonly decide?: readonly string[];
}

/** The one verdict of a soak; the CLI exits with `exitCode`, a promotion needs `clean`. */
export interface SoakVerdict {
  /**
   * clean: the window covers the cycle (and the batch hours) and no flow is a missing rule;
   * missing-rules: some flow is (whatever the window); too-short: none is, but the window falls short;
   * undecided: window and flows fine so far, but some flow cannot be decided, or the capture lost flows.
   */
  readonly status: 'clean' | 'missing-rules' | 'too-short' | 'undecided';
  /** One line saying which, e.g. "1 missing rule · covered 6 h of the 24 h cycle". */
  readonly headline: string;
  /** 0 clean, 1 missing rules or too short, 3 undecided. */
  readonly exitCode: 0 | 1 | 3;
}

/** The soak report, before its hash. */
export interface SoakAnalysis {
  readonly window: SoakWindow;
  /** The rolled-out policies (`Kind namespace/name`), sorted. */
  readonly policies: readonly string[];
  /** The namespaces the rolled-out policies are in. */
  readonly scope: readonly string[];
  /** `from=to` pairs of the map, in order; empty without one. */
  readonly namespaceMap: readonly string[];
  /** Every edge with non-forwarded flows since the apply, missing rules first, then by edge key. */
  readonly flows: readonly SoakFlow[];
  /** Edges with non-forwarded flows seen only before the apply: not under these policies, left out. */
  readonly beforeApply: number;
  /** Warnings of the soak capture that mean flows are missing (lost events, bad lines, …). */
  readonly dataLoss: readonly { readonly code: string; readonly message: string }[];
  readonly verdict: SoakVerdict;
}

/** The soak report with what identifies it: the hash a promotion's audit entry records. */
export interface SoakReport extends SoakAnalysis {
  /** sha-256 (hex) of the rolled-out policies in canonical form (sorted keys, sorted by kind, namespace and name). */
  readonly policiesSha256: string;
  /** sha-256 (hex) of the report's canonical form (sorted keys, no whitespace), `sha256` itself left out. */
  readonly sha256: string;
}
