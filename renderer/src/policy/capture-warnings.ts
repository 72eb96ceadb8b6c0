import type { GraphWarning, WarningCode } from '../../../shared/graph/types';

/**
 * Warnings that mean flows are missing from what the policies are generated from, most of the
 * capture lost first: a policy from such a capture may block traffic nobody saw.
 */
export const DATA_LOSS: readonly WarningCode[] = [
  'damaged-gzip',
  'truncated',
  'nodes-unavailable',
  'lost-events',
  'bad-lines',
  'connections-capped',
  'skipped-records',
];

/** Notes on how far the capture reaches, shown beside the policies (not data lost, but traffic maybe never seen). */
const NOTES: readonly WarningCode[] = ['no-dns', 'short-window'];

/**
 * The capture warnings the policy side shows at first sight: data loss (above the verdict, in
 * `DATA_LOSS` order) and the notes (beside the policies). The rest stay in the capture summary.
 */
export function firstSightWarnings(warnings: readonly GraphWarning[]): { dataLoss: GraphWarning[]; notes: GraphWarning[] } {
  const pick = (codes: readonly WarningCode[]): GraphWarning[] =>
    warnings.filter((w) => codes.includes(w.code)).sort((a, b) => codes.indexOf(a.code) - codes.indexOf(b.code));
  return { dataLoss: pick(DATA_LOSS), notes: pick(NOTES) };
}
