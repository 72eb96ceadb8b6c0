import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDraftReply } from '../../../shared/ai/reply';
import { reviewDraft, type DraftFinding, type DraftReview } from '../../../shared/ai/review';
import { analyzeText } from '../../../shared/graph/analysis';
import { initialSelection } from '../../../shared/graph/selection';
import { readFixture, ROOT } from '../../../shared/testing/fixtures';
import { draftGroups, draftVerdictLine } from './draft-groups';
import { lint } from '../../../shared/policy/lint';
import { verify } from '../../../shared/policy/verify';
import { coverageGroups, LISTED, type FindingGroup } from './finding-groups';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const keys = new Set(graph.edges.map((e) => e.key));
const isEdge = (k: string): boolean => keys.has(k);
const entries = (g: FindingGroup | undefined) => g?.parts.flatMap((p) => p.entries) ?? [];
const counts: DraftReview['counts'] = {
  policies: 2,
  rules: 3,
  keptAllowed: 0,
  keptDenied: 0,
  prunedAllowed: 0,
  unobservedAllowed: 0,
  unbackedRules: 0,
};
const finding = (f: Partial<DraftFinding> & Pick<DraftFinding, 'code'>): DraftFinding => ({ severity: 'error', message: f.code, ...f });

describe('draftGroups', () => {
  // The stand-in model's draft for bookinfo: it lets reviews look up DNS, which the capture never saw.
  const review = reviewDraft(parseDraftReply(readFixture('ai', 'replies', 'sample-good.md'), {}), graph, initialSelection(graph), [
    'bookinfo',
  ]);
  const groups = draftGroups(review, isEdge);

  it("the stand-in's draft: one line per kind, errors first, each finding once and in its own kind", () => {
    expect(review.verdict).toBe('errors');
    const ranks = groups.map((g) => ['error', 'warning', 'info'].indexOf(g.severity));
    expect(ranks).toEqual([...ranks].sort());
    expect(groups.map((g) => [g.key, g.severity])).toEqual([
      ['kept-inexpressible', 'error'],
      ['unobserved-allowed', 'error'],
      ['unbacked-rule', 'warning'],
      ['ignored', 'info'],
    ]);
    const unobserved = groups.find((g) => g.key === 'unobserved-allowed');
    expect(unobserved).toMatchObject({ title: '1 never-observed connection allowed', count: 1 });
    expect(entries(unobserved).map((e) => e.text)).toEqual([
      expect.stringMatching(/^never observed, yet allowed: bookinfo\/reviews -> kube-system\/kube-dns:53\/UDP is allowed/) as unknown,
    ]);
    expect(groups.find((g) => g.key === 'unbacked-rule')).toMatchObject({ title: '1 rule with no kept flow behind' });
    expect(groups.flatMap((g) => entries(g)).length).toBe(review.findings.length);
    expect(new Set(groups.map((g) => g.key)).size).toBe(groups.length);
  });

  it('a fix the whole kind shares is said once, above it; a fix of one finding stays on its line', () => {
    const shared = draftGroups(
      {
        counts,
        findings: [
          finding({ code: 'kept-denied', subject: 'bookinfo/reviews->bookinfo/ratings:9080/TCP', fix: 'Add a rule.' }),
          finding({ code: 'kept-denied', subject: 'bookinfo/productpage->bookinfo/details:9080/TCP', fix: 'Add a rule.' }),
          finding({ code: 'kept-undecided', severity: 'warning', subject: 'a->b:1/TCP', fix: 'Take a snapshot.' }),
          finding({ code: 'kept-undecided', severity: 'warning', subject: 'c->d:1/TCP', fix: 'Name the port.' }),
        ],
      },
      isEdge,
    );
    expect(shared[0]).toMatchObject({ key: 'kept-denied', title: '2 kept edges blocked by the policies', detail: 'Add a rule.' });
    expect(entries(shared[0]).every((e) => e.full === undefined)).toBe(true);
    expect(shared[1].detail).toBeUndefined();
    expect(entries(shared[1]).map((e) => e.full)).toEqual(['kept-undecided Fix: Take a snapshot.', 'kept-undecided Fix: Name the port.']);
  });

  it('an entry leads to its edge only when the graph has that edge', () => {
    const g = draftGroups(
      {
        counts: { ...counts, unobservedAllowed: 1 },
        findings: [
          finding({ code: 'pruned-allowed', subject: 'bookinfo/reviews->bookinfo/ratings:9080/TCP' }),
          finding({ code: 'unobserved-allowed', subject: 'bookinfo/reviews->kube-system/kube-dns:53/UDP' }),
          finding({ code: 'unbacked-rule', severity: 'warning', subject: 'bookinfo/reviews egress[1]' }),
        ],
      },
      isEdge,
    );
    expect(g.map((x) => entries(x)[0].edge)).toEqual(['bookinfo/reviews->bookinfo/ratings:9080/TCP', undefined, undefined]);
  });

  it('never-observed connections: counted in full (the review counts beyond its list), the first of them listed', () => {
    const listed = Array.from({ length: LISTED + 5 }, (_, i) => finding({ code: 'unobserved-allowed', subject: `a->b:${i}/TCP` }));
    const [g] = draftGroups({ counts: { ...counts, unobservedAllowed: 500 }, findings: listed }, isEdge);
    expect(g).toMatchObject({ title: '500 never-observed connections allowed', count: 500 });
    expect(entries(g)).toHaveLength(LISTED);
  });

  it('a reply that is the problem is said whole, in one line; lint kinds keep their lint titles and keys', () => {
    const g = draftGroups(
      {
        counts,
        findings: [
          finding({ code: 'refused', message: 'The model declined to write the policies.' }),
          finding({ code: 'empty-selector', subject: 'shop/web', message: 'shop/web egress[0] has an empty podSelector' }),
          finding({ code: 'ignored', severity: 'info', message: 'Ignored a Deployment.' }),
        ],
      },
      isEdge,
    );
    expect(g.map((x) => [x.key, x.title, x.count])).toEqual([
      ['refused', 'The model declined to write the policies.', 0],
      ['lint:empty-selector', '1 empty selector', 1],
      ['ignored', '1 part of the reply ignored', 1],
    ]);
    expect(g[0].parts).toEqual([]);
  });
});

describe('draftVerdictLine', () => {
  it.each([
    [
      'errors',
      [finding({ code: 'kept-denied' }), finding({ code: 'wide-ports', severity: 'warning' })],
      'Fail: 1 error, 1 warning in 2 policies, 3 rules',
    ],
    [
      'warnings',
      [finding({ code: 'wide-ports', severity: 'warning' }), finding({ code: 'unbacked-rule', severity: 'warning' })],
      'Pass with 2 warnings: 2 policies, 3 rules',
    ],
    ['pass', [], 'Pass: nothing found in 2 policies, 3 rules'],
  ] as const)('%s', (verdict, findings, text) => {
    const tally = { error: 0, warning: 0, info: 0 };
    for (const f of findings) tally[f.severity]++;
    expect(draftVerdictLine({ verdict, tally, counts })).toEqual({ status: verdict, text });
  });
});

describe('one computation of the findings feeds every count and tab', () => {
  const sel = initialSelection(graph);
  const review = reviewDraft(parseDraftReply(readFixture('ai', 'replies', 'sample-good.md'), {}), graph, sel, ['bookinfo']);
  const groups = draftGroups(review, isEdge);

  it('the verdict line, the groups and the Take button count the same findings', () => {
    const bySeverity = (s: string): number => groups.filter((g) => g.severity === s).reduce((n, g) => n + Math.max(g.count, 1), 0);
    expect(review.tally).toEqual({ error: bySeverity('error'), warning: bySeverity('warning'), info: bySeverity('info') });
    expect(draftVerdictLine(review).text).toBe(
      `Fail: ${review.tally.error} errors, ${review.tally.warning} warning${review.tally.warning === 1 ? '' : 's'} in 5 policies, 11 rules`,
    );
    // The blocked edges of the hint below the groups are the blocked kinds' counts.
    expect(review.counts.keptDenied).toBe(
      groups.filter((g) => g.key === 'kept-denied' || g.key === 'kept-inexpressible').reduce((n, g) => n + g.count, 0),
    );
  });

  it('a kind has the same severity in the draft review as in the policies tab once the draft is taken', () => {
    const taken = coverageGroups(verify(review.policies, graph, sel, ['bookinfo']), lint(review.policies, { graph }));
    const key = (k: string): string => (k === 'unbacked-rule' ? 'unbacked-rules' : k);
    for (const t of taken) {
      const d = groups.find((g) => key(g.key) === t.key);
      if (d) expect([t.key, d.severity]).toEqual([t.key, t.severity]);
    }
    expect(groups.find((g) => g.key === 'kept-inexpressible')?.severity).toBe('error');
  });

  it('no finding is listed twice', () => {
    const said = review.findings.map((f) => `${f.code} ${f.subject ?? f.message}`);
    expect(new Set(said).size).toBe(said.length);
  });
});
