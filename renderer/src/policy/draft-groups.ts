import type { DraftFinding, DraftFindingCode, DraftReview } from '../../../shared/ai/review';
import type { LintCode } from '../../../shared/policy/lint-types';
import {
  COVERAGE_TITLES,
  LINT_TITLES,
  LISTED,
  plural,
  SEVERITY_RANK,
  sharedFix,
  worstFirst,
  type FindingEntry,
  type FindingGroup,
  type VerdictLine,
} from './finding-groups';

const isLint = (code: DraftFindingCode): code is LintCode => Object.hasOwn(LINT_TITLES, code);

/** Kinds the review says once, whole (their message is the line): the reply itself is the problem. */
const SAID_WHOLE: ReadonlySet<DraftFindingCode> = new Set(['refused', 'no-yaml', 'no-policies', 'not-sent']);

/** Titles of the review's own kinds, by count; the coverage kinds use the policies tab's words. */
const DRAFT_TITLES: Record<Exclude<DraftFindingCode, LintCode>, (n: number) => string> = {
  refused: () => 'The model declined to write the policies',
  'no-yaml': () => 'The reply holds no YAML',
  yaml: (n) => `${plural(n, 'YAML document')} that do not parse`,
  'no-policies': () => 'The YAML holds no NetworkPolicy',
  'kept-denied': COVERAGE_TITLES['kept-denied'],
  'kept-inexpressible': (n) => COVERAGE_TITLES['kept-inexpressible'](n),
  'kept-undecided': COVERAGE_TITLES['kept-undecided'],
  'pruned-allowed': COVERAGE_TITLES['pruned-allowed'],
  'unobserved-allowed': COVERAGE_TITLES['unobserved-allowed'],
  'unbacked-rule': COVERAGE_TITLES['unbacked-rules'],
  'wide-ports': COVERAGE_TITLES['wide-ports'],
  'not-sent': (n) => `${plural(n, 'kept edge')} not sent to the model`,
  ignored: (n) => `${plural(n, 'part')} of the reply ignored`,
};

/** A finding as one line: its message, its own fix when the kind has no shared one, its edge when the graph has it. */
function entry(f: DraftFinding, shared: string | undefined, isEdge: (key: string) => boolean): FindingEntry {
  const full = f.fix && !shared ? `${f.message} Fix: ${f.fix}` : undefined;
  return { text: f.message, ...(full ? { full } : {}), ...(f.subject && isEdge(f.subject) ? { edge: f.subject } : {}) };
}

/**
 * The review of an AI draft in the review column's way: one group per kind of finding, errors
 * first, a fix the whole kind shares said once, each finding one line that leads to its edge when
 * the graph has that edge (a connection never observed has none).
 */
export function draftGroups(review: Pick<DraftReview, 'findings' | 'counts'>, isEdge: (key: string) => boolean): FindingGroup[] {
  const byCode = new Map<DraftFindingCode, DraftFinding[]>();
  for (const f of review.findings) (byCode.get(f.code) ?? byCode.set(f.code, []).get(f.code)!).push(f);
  return worstFirst(
    [...byCode].map(([code, list]): FindingGroup => {
      const severity = list.map((f) => f.severity).reduce((a, b) => (SEVERITY_RANK[b] < SEVERITY_RANK[a] ? b : a));
      const detail = sharedFix(list.map((f) => f.fix));
      const key = isLint(code) ? `lint:${code}` : code;
      if (SAID_WHOLE.has(code) && list.length === 1) return { key, severity, title: list[0].message, count: 0, detail, parts: [] };
      // The review lists the first never-observed connections and counts them all: the group says the count.
      const listed = list;
      const count = code === 'unobserved-allowed' ? Math.max(review.counts.unobservedAllowed, listed.length) : listed.length;
      return {
        key,
        severity,
        title: isLint(code) ? LINT_TITLES[code](count) : DRAFT_TITLES[code](count),
        count,
        detail,
        parts: [{ entries: listed.slice(0, LISTED).map((f) => entry(f, detail, isEdge)) }],
      };
    }),
  );
}

/** The review's verdict as the line above its groups: what it found, in how many policies and rules. */
export function draftVerdictLine(review: Pick<DraftReview, 'verdict' | 'tally' | 'counts'>): VerdictLine {
  // The review's own tally: the same numbers as its groups, the Take button and the bundle.
  const { error: errors, warning: warnings } = review.tally;
  const what = `${plural(review.counts.policies, 'policy', 'policies')}, ${plural(review.counts.rules, 'rule')}`;
  const text =
    review.verdict === 'errors'
      ? `Fail: ${plural(errors, 'error')}${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''} in ${what}`
      : review.verdict === 'warnings'
        ? `Pass with ${plural(warnings, 'warning')}: ${what}`
        : `Pass: nothing found in ${what}`;
  return { status: review.verdict, text };
}
