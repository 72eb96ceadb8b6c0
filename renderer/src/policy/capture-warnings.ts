import type { GraphWarning, WarningCode } from '../../../shared/graph/types';
import { DATA_LOSS, dataLossWarnings } from '../../../shared/graph/warnings';

export { DATA_LOSS };

/** Notes on how far the capture reaches, shown beside the policies (not data lost, but traffic maybe never seen). */
const NOTES: readonly WarningCode[] = ['no-dns', 'short-window'];

/**
 * The capture warnings the policy side shows at first sight: data loss (above the verdict, in
 * `DATA_LOSS` order) and the notes (beside the policies). The rest stay in the capture summary.
 */
export function firstSightWarnings(warnings: readonly GraphWarning[]): { dataLoss: GraphWarning[]; notes: GraphWarning[] } {
  const pick = (codes: readonly WarningCode[]): GraphWarning[] =>
    warnings.filter((w) => codes.includes(w.code)).sort((a, b) => codes.indexOf(a.code) - codes.indexOf(b.code));
  return { dataLoss: dataLossWarnings(warnings), notes: pick(NOTES) };
}
