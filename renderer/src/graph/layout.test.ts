import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import type { ServiceGraph } from '../../../shared/graph/types';
import { ROOT } from '../../../shared/testing/fixtures';
import { NOISE } from './elements';
import { generateLines } from '../../../scripts/generate-capture';
import { FORCE_LAYOUT_NODES, graphLayout } from './layout';
import { islandLayout } from './islands';
import { namespaceBoxes, type Box } from './route';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const dist = (a: { x: number; y: number }, b: { x: number; y: number }): number => Math.hypot(a.x - b.x, a.y - b.y);

describe('graphLayout', () => {
  it('a small graph by force: workloads that talk sit nearer each other than those that do not, each namespace apart', () => {
    const pos = graphLayout(graph);
    const shown = graph.nodes.filter((n) => !NOISE.has(n.id));
    const talk = new Set(graph.edges.flatMap((e) => [`${e.source}|${e.target}`, `${e.target}|${e.source}`]));
    const near: number[] = [];
    const far: number[] = [];
    for (const a of shown)
      for (const b of shown) if (a.id < b.id) (talk.has(`${a.id}|${b.id}`) ? near : far).push(dist(pos.get(a.id)!, pos.get(b.id)!));
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(near)).toBeLessThan(mean(far));
    // The namespaces' workloads do not interleave: each namespace's bounds hold none of another's.
    const bounds = new Map<string, { x1: number; y1: number; x2: number; y2: number }>();
    for (const n of shown.filter((x) => x.kind === 'workload')) {
      const p = pos.get(n.id)!;
      const b = bounds.get(n.namespace!) ?? { x1: p.x, y1: p.y, x2: p.x, y2: p.y };
      bounds.set(n.namespace!, { x1: Math.min(b.x1, p.x), y1: Math.min(b.y1, p.y), x2: Math.max(b.x2, p.x), y2: Math.max(b.y2, p.y) });
    }
    for (const n of shown.filter((x) => x.kind === 'workload')) {
      const p = pos.get(n.id)!;
      for (const [ns, b] of bounds) if (ns !== n.namespace) expect(p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2).toBe(false);
    }
  });

  // Namespaces that call each other across pull their boxes together: fCoSE alone let them overlap,
  // and left addresses and other namespaces' workloads inside them.
  it.each([
    [4, 40],
    [6, 40],
    [6, 80],
  ])('%i namespaces that talk across, %i workloads: no box overlaps another, and no other node is inside one', (namespaces, workloads) => {
    const text = [...generateLines({ lines: 6000, workloads, edges: Math.round(workloads * 2.2), namespaces })].join('\n');
    const team = analyzeText(text, 'team').graph;
    expect(team.nodes.length).toBeLessThanOrEqual(FORCE_LAYOUT_NODES);
    const pos = graphLayout(team);
    const shown = team.nodes.filter((n) => !NOISE.has(n.id));
    const boxes = namespaceBoxes(
      shown.flatMap((n) => (n.kind === 'workload' && n.namespace ? [{ id: n.id, namespace: n.namespace, label: n.label }] : [])),
      pos,
    );
    expect(boxes.size).toBe(namespaces + 1);
    const overlap = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    const all = [...boxes];
    for (const [i, [a, ra]] of all.entries()) for (const [b, rb] of all.slice(i + 1)) expect(overlap(ra, rb), `${a} over ${b}`).toBe(false);
    for (const n of shown) {
      const p = pos.get(n.id)!;
      for (const [ns, r] of boxes)
        if (ns !== (n.kind === 'workload' ? n.namespace : undefined))
          expect(p.x > r.x1 && p.x < r.x2 && p.y > r.y1 && p.y < r.y2, `${n.id} inside ${ns}`).toBe(false);
    }
  });

  it('is the same every time (seeded), and a dragged node keeps its place', () => {
    expect([...graphLayout(graph)]).toEqual([...graphLayout(graph)]);
    const moved = graphLayout(graph, { 'bookinfo/details': { x: -500, y: 42 }, 'gone/x': { x: 1, y: 1 } });
    expect(moved.get('bookinfo/details')).toEqual({ x: -500, y: 42 });
    expect(moved.has('gone/x')).toBe(false);
  });

  it(`a graph of more than ${FORCE_LAYOUT_NODES} nodes keeps the island grid (linear time)`, () => {
    const nodes = Array.from({ length: FORCE_LAYOUT_NODES + 1 }, (_, i) => ({
      id: `ns/w${i}`,
      kind: 'workload',
      namespace: 'ns',
      label: `w${i}`,
    }));
    const big = { nodes, edges: [], namespaces: ['ns'], warnings: [], window: null } as unknown as ServiceGraph;
    expect(graphLayout(big)).toEqual(islandLayout(big));
  });
});
