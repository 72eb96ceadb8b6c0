import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { initialSelection, prune } from '../../../shared/graph/selection';
import { generate } from '../../../shared/policy/generate';
import { lint } from '../../../shared/policy/lint';
import { verify } from '../../../shared/policy/verify';
import { ROOT } from '../../../shared/testing/fixtures';
import { coverageGroups, type FindingGroup } from './finding-groups';

const sample = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample').graph;
// The sample plus reviews calling the API server: an entity no NetworkPolicy can select (traffic from a
// pod's own node needs no rule, so the sample's host edges pass).
const template = sample.edges.find((e) => e.key === 'entity:host->bookinfo/reviews:9080/TCP')!;
const graph = {
  ...sample,
  nodes: [
    ...sample.nodes,
    { id: 'entity:kube-apiserver', kind: 'entity' as const, label: 'kube-apiserver', entity: 'kube-apiserver' as const },
  ],
  edges: [
    ...sample.edges,
    {
      ...template,
      key: 'bookinfo/reviews->entity:kube-apiserver:6443/TCP',
      source: 'bookinfo/reviews',
      target: 'entity:kube-apiserver',
      port: 6443,
    },
  ],
};
const scope = ['bookinfo', 'jaeger'];
const entries = (g: FindingGroup | undefined) => g?.parts.flatMap((p) => p.entries) ?? [];

describe('coverageGroups', () => {
  const selection = initialSelection(graph);
  const policies = generate(graph, selection, { namespaces: scope, defaultDeny: true }).policies.map((g) => g.policy);

  it('the generated set fails only where NetworkPolicy cannot reach (the API server, other nodes): one error line, each reason once above its edges', () => {
    const coverage = verify(policies, graph, selection, scope);
    const groups = coverageGroups(coverage, lint(policies, { graph }));
    expect(coverage.verdict.status).toBe('fail');
    expect(groups.map((g) => [g.key, g.severity])).toEqual([
      ['kept-inexpressible', 'error'],
      ['lint:no-dns', 'warning'],
    ]);
    const [blocked] = groups;
    expect(blocked.title).toBe('2 kept edges no NetworkPolicy can allow');
    expect(blocked.count).toBe(2);
    // Two reasons (the other nodes, the API server), each said once, above the edges it explains.
    expect(blocked.parts.map((p) => p.reason?.match(/cannot select (entity:[\w-]+)/)?.[1]).sort()).toEqual([
      'entity:kube-apiserver',
      'entity:remote-node',
    ]);
    expect(blocked.parts.flatMap((p) => p.entries.map((e) => e.edge)).sort()).toEqual([
      'bookinfo/reviews->entity:kube-apiserver:6443/TCP',
      'entity:remote-node->bookinfo/ratings:9080/TCP',
    ]);
    // An entry is its edge; the whole explanation is its tooltip.
    for (const e of entries(blocked)) {
      expect(e.text).toBe(e.edge);
      expect(e.full).toMatch(/is blocked: .*Use the Cilium flavor/);
    }
    // One workload, one line; its policy is where to fix it; the fix said once.
    expect(entries(groups[1])).toEqual([expect.objectContaining({ workload: 'bookinfo/reviews', policy: 'bookinfo/reviews' })]);
    expect(groups[1].detail).toMatch(/^Allow egress to the cluster DNS/);
  });

  it('a pruned edge the policies still allow is an error that leads to the edge; rules it alone backed lead to their policy', () => {
    const edge = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const pruned = prune(selection, [edge]);
    const groups = coverageGroups(verify(policies, graph, pruned, scope), lint(policies, { graph }));
    const stale = groups.find((g) => g.key === 'pruned-allowed');
    expect(stale).toMatchObject({ severity: 'error', title: '1 pruned edge still allowed', count: 1 });
    expect(entries(stale)).toEqual([expect.objectContaining({ edge, text: expect.stringMatching(new RegExp(`^${edge}`)) as unknown })]);
    expect(entries(groups.find((g) => g.key === 'unbacked-rules')).map((e) => e.policy)).toContain('bookinfo/ratings');
    // Errors before warnings.
    const ranks = groups.map((g) => (g.severity === 'error' ? 0 : 1));
    expect(ranks).toEqual([...ranks].sort());
  });
});
