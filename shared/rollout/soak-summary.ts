// What a rollout's stored soak says in one line, for the promotion (its confirmation and audit entry)
// and the Rollout tab alike: the report's verdict, its hash and headline, or that none was made.
import type { RolloutSoak, SoakSummary } from '../api/rollout-schemas';

/** The headline when a rollout has no soak report. */
export const NO_SOAK_HEADLINE = 'The flows of the staging namespace since the apply have not been read: Check soak first.';

/** The summary of a stored soak (shared/rollout/soak's report): `not-run` without one. */
export function soakSummary(soak: RolloutSoak | undefined): SoakSummary {
  if (!soak) return { verdict: 'not-run', headline: NO_SOAK_HEADLINE };
  const v = soak.report.verdict;
  return { verdict: v.status, hash: soak.report.sha256, headline: v.headline };
}
