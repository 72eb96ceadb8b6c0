import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { initialSelection, prune } from '../../../shared/graph/selection';
import { generate } from '../../../shared/policy/generate';
import { lint } from '../../../shared/policy/lint';
import { verify } from '../../../shared/policy/verify';
import { ROOT } from '../../../shared/testing/fixtures';
import { findingItems } from './finding-items';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const scope = ['bookinfo', 'jaeger'];

describe('findings list', () => {
  it('the generated set has no problems; policies that still allow a pruned edge make it the first finding, pointing at the edge', () => {
    const selection = initialSelection(graph);
    const policies = generate(graph, selection, { namespaces: scope, defaultDeny: true }).policies.map((g) => g.policy);
    const clean = findingItems(verify(policies, graph, selection, scope), lint(policies, { graph }));
    expect(clean.filter((i) => i.severity === 'error')).toEqual([]);

    const edge = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const pruned = prune(selection, [edge]);
    const stale = findingItems(verify(policies, graph, pruned, scope), lint(policies, { graph }));
    expect(stale[0]).toEqual({ severity: 'error', edge, text: `Pruned flow still allowed: ${edge}` });
    // Rules backed only by the pruned edge are now unbacked: notes that lead to their policy.
    expect(stale.some((i) => i.severity === 'warning' && i.policy === 'bookinfo/ratings')).toBe(true);
  });
});
