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
  it('the generated set fails only where NetworkPolicy cannot reach (the nodes), and names each such edge; policies that still allow a pruned edge add it, pointing at the edge', () => {
    const selection = initialSelection(graph);
    const policies = generate(graph, selection, { namespaces: scope, defaultDeny: true }).policies.map((g) => g.policy);
    const coverage = verify(policies, graph, selection, scope);
    const clean = findingItems(coverage, lint(policies, { graph }));
    expect(coverage.verdict.status).toBe('fail');
    const errors = clean.filter((i) => i.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.edge).toMatch(/^entity:(host|remote-node)->/);
      expect(e.text).toMatch(/^Kept flow blocked: .*Use the Cilium flavor/);
    }

    const edge = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const pruned = prune(selection, [edge]);
    const stale = findingItems(verify(policies, graph, pruned, scope), lint(policies, { graph }));
    // It says which rules still allow it.
    expect(stale.find((i) => i.edge === edge)?.text).toMatch(
      /^Pruned flow still allowed: bookinfo\/reviews->bookinfo\/ratings:9080\/TCP: .* is allowed: egress allowed by bookinfo\/reviews egress\[\d\]; ingress allowed by bookinfo\/ratings ingress\[\d\]/,
    );
    // Rules backed only by the pruned edge are now unbacked: notes that lead to their policy.
    expect(stale.some((i) => i.severity === 'warning' && i.policy === 'bookinfo/ratings')).toBe(true);
  });
});
