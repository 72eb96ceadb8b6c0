// The one DNS finding of a policy set: three checks see the same thing (the capture: no lookup
// seen; the generation: an egress policy without DNS; lint: egress isolated, no rule to the
// cluster DNS), and every surface (the review column, REPORT.md) says it once, from here.
import type { GraphWarning } from '../graph/types';
import type { PolicyWarning } from './generate';
import type { LintFinding } from './lint-types';

/** A workload that will not resolve names under the policies, and the policy to fix when lint named one. */
export interface DnsEntry {
  readonly workload: string;
  readonly policy?: string;
}

export interface DnsFinding {
  /** Each workload once, sorted. */
  readonly entries: readonly DnsEntry[];
  /** What it means and what to do, said once. */
  readonly message: string;
}

const UNSEEN =
  'These workloads get an egress policy but no DNS lookup from them was seen, so name resolution will be blocked unless they only use addresses: capture longer, or allow kube-dns (UDP and TCP 53) by hand.';

/**
 * What the capture, the generation and lint say about DNS, as one finding; undefined when none of
 * them says anything. Only workloads a policy of the set selects (`policied`) can lose DNS to it:
 * the capture's list of workloads that looked nothing up is cut to those.
 */
export function dnsFinding(o: {
  readonly capture?: GraphWarning;
  readonly generation?: PolicyWarning;
  readonly lint: readonly LintFinding[];
  readonly policied: ReadonlySet<string>;
}): DnsFinding | undefined {
  const byWorkload = new Map<string, DnsEntry>();
  for (const w of o.capture?.subjects ?? []) if (o.policied.has(w)) byWorkload.set(w, { workload: w });
  for (const w of o.generation?.subjects ?? []) if (w !== '') byWorkload.set(w, { workload: w });
  // Lint's finding names the policy to fix: it wins over the bare workload.
  for (const f of o.lint) if (f.code === 'no-dns' && f.workload) byWorkload.set(f.workload, { workload: f.workload, policy: f.policy });
  if (byWorkload.size === 0) return undefined;
  const entries = [...byWorkload.keys()].sort().map((w) => byWorkload.get(w)!);
  const fix = o.lint.find((f) => f.code === 'no-dns')?.fix;
  return { entries, message: [o.generation?.message ?? UNSEEN, fix].filter((x): x is string => !!x).join(' ') };
}
