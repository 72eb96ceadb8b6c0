// How much each kind of coverage finding weighs, said once: the review column, an AI draft's review
// and every count of them take it from here, so that one finding never has two severities.

/** The kinds of finding coverage (verify) makes about a policy set. */
export type CoverageKind =
  | 'kept-inexpressible'
  | 'kept-denied'
  | 'pruned-allowed'
  | 'unobserved-allowed'
  | 'wide-ports'
  | 'kept-undecided'
  | 'pruned-undecided'
  | 'unbacked-rules';

/**
 * What fails verify's verdict is an error (an outage, or something unwanted allowed); what leaves
 * it undecided, or is only listed (a rule no kept flow backs), is a warning.
 */
export const COVERAGE_SEVERITY: Readonly<Record<CoverageKind, 'error' | 'warning'>> = {
  'kept-inexpressible': 'error',
  'kept-denied': 'error',
  'pruned-allowed': 'error',
  'unobserved-allowed': 'error',
  'wide-ports': 'error',
  'kept-undecided': 'warning',
  'pruned-undecided': 'warning',
  'unbacked-rules': 'warning',
};
