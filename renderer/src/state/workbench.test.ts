import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { isKept } from '../../../shared/graph/selection';
import { ROOT } from '../../../shared/testing/fixtures';
import { graphElements, islandLayout } from '../graph/elements';
import { EMPTY_WORKBENCH, workbenchReducer } from './workbench';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');

describe('workbench state', () => {
  it('loads with dropped edges pruned and a default scope, and undoes/redoes every prune', () => {
    let s = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    expect(s.namespaces).toEqual(['bookinfo', 'jaeger']);
    const key = 'bookinfo/ratings->bookinfo/productpage:9080/TCP';
    s = workbenchReducer(s, { type: 'toggle-prune', edges: [key], reason: 'not in the design' });
    expect(isKept(s.selection, key)).toBe(false);
    expect(s.selection.pruned.get(key)?.reason).toBe('not in the design');
    s = workbenchReducer(s, { type: 'undo' });
    expect(isKept(s.selection, key)).toBe(true);
    s = workbenchReducer(s, { type: 'redo' });
    expect(isKept(s.selection, key)).toBe(false);
    s = workbenchReducer(s, { type: 'toggle-prune', edges: [key] });
    expect(isKept(s.selection, key)).toBe(true);
    expect(s.undo).toHaveLength(2);
    expect(s.redo).toHaveLength(0);
  });
});

describe('graph elements', () => {
  it('namespaces are compound nodes, workloads inside, edges labelled port/proto, noise hidden on request', () => {
    const els = graphElements(
      graph,
      { pruned: new Map([['bookinfo/reviews->bookinfo/ratings:9080/TCP', { by: 'user' }]]) },
      { hideNoise: true },
    );
    const nodes = els.filter((e) => e.group === 'nodes');
    expect(nodes.filter((n) => n.classes === 'namespace').map((n) => n.data.id)).toEqual(['ns:bookinfo', 'ns:jaeger', 'ns:kube-system']);
    expect(nodes.find((n) => n.data.id === 'bookinfo/details')?.data.parent).toBe('ns:bookinfo');
    expect(nodes.some((n) => n.data.id === 'entity:host')).toBe(false);
    const edge = els.find((e) => e.data.id === 'bookinfo/reviews->bookinfo/ratings:9080/TCP');
    expect(edge).toMatchObject({ group: 'edges', data: { label: '9080/TCP' }, classes: 'forwarded pruned' });
    expect(graphElements(graph, { pruned: new Map() }, { hideNoise: false }).some((e) => e.data.id === 'entity:host')).toBe(true);
  });

  it("highlights exactly the edges asked for (the diff's newly blocked flows)", () => {
    const key = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const els = graphElements(graph, { pruned: new Map() }, { hideNoise: true, highlight: new Set([key]) });
    expect(els.filter((e) => e.classes.includes('highlight')).map((e) => e.data.id)).toEqual([key]);
  });

  it('lays 2,000 workloads out by namespace without overlaps', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({
      id: `ns-${i % 50}/w${i}`,
      kind: 'workload' as const,
      label: `w${i}`,
      namespace: `ns-${i % 50}`,
    }));
    const big = { nodes, edges: [], namespaces: [...new Set(nodes.map((n) => n.namespace))], window: null, warnings: [] };
    const pos = islandLayout(big);
    const seen = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(seen.size).toBe(2000);
  });
});
