import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { ROOT } from '../../../shared/testing/fixtures';
import { detours, type Point } from './detours';
import { islandLayout } from './islands';

/** Where Cytoscape draws an edge (unbundled-bezier, one control point at the middle, from the nodes' centres). */
function curve(a: Point, b: Point, bend: number | undefined): Point[] {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const c = { x: (a.x + b.x) / 2 + (-(b.y - a.y) / len) * (bend ?? 0), y: (a.y + b.y) / 2 + ((b.x - a.x) / len) * (bend ?? 0) };
  return Array.from({ length: 201 }, (_, i) => {
    const u = i / 200;
    const [p, q, r] = [(1 - u) ** 2, 2 * u * (1 - u), u ** 2];
    return { x: p * a.x + q * c.x + r * b.x, y: p * a.y + q * c.y + r * b.y };
  });
}

const closest = (pts: Point[], p: Point): number => Math.min(...pts.map((q) => Math.hypot(q.x - p.x, q.y - p.y)));

describe('detours', () => {
  const pos = new Map<string, Point>([
    ['a', { x: 0, y: 0 }],
    ['m', { x: 110, y: 0 }],
    ['b', { x: 220, y: 0 }],
    ['c', { x: 110, y: 110 }],
  ]);

  it('bends an edge around a node on its line, to the side away from that node’s label (labels hang below)', () => {
    const bends = detours([{ key: 'a->b', source: 'a', target: 'b' }], pos, [...pos.keys()]);
    // Positive is along (-dy, dx): downwards for a left-to-right edge; it goes up, over the node.
    expect(bends.get('a->b')).toBeLessThan(0);
    const drawn = curve(pos.get('a')!, pos.get('b')!, bends.get('a->b'));
    expect(closest(drawn, pos.get('m')!)).toBeGreaterThanOrEqual(25.9);
    expect(closest(drawn, { x: 110, y: 24 })).toBeGreaterThanOrEqual(11.9);
  });

  it('leaves edges with nothing in the way to Cytoscape', () => {
    expect(detours([{ key: 'a->c', source: 'a', target: 'c' }], pos, [...pos.keys()]).size).toBe(0);
    // A node that is not drawn (hidden noise) is not in the way.
    expect(detours([{ key: 'a->b', source: 'a', target: 'b' }], pos, ['a', 'b']).size).toBe(0);
  });

  it('edges of one pair, either way, bend to the same side, fanned out rather than on top of each other', () => {
    const bends = detours(
      [
        { key: 'a->b:80', source: 'a', target: 'b' },
        { key: 'a->b:443', source: 'a', target: 'b' },
        { key: 'b->a:53', source: 'b', target: 'a' },
      ],
      pos,
      [...pos.keys()],
    );
    const [x, y, back] = [bends.get('a->b:443')!, bends.get('a->b:80')!, bends.get('b->a:53')!];
    // In a->b's own orientation: all on one side (the reverse edge's normal is the opposite one), all different.
    const sides = [x, y, -back];
    expect(sides.every((d) => Math.sign(d) === Math.sign(x))).toBe(true);
    expect(new Set(sides.map((d) => Math.abs(d))).size).toBe(3);
  });

  it('on the sample capture’s layout, no drawn edge runs through a node other than its own two', () => {
    const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
    const layout = islandLayout(graph);
    const ids = graph.nodes.map((n) => n.id);
    const bends = detours(graph.edges, layout, ids);
    expect(bends.size).toBeGreaterThan(0);
    for (const e of graph.edges) {
      const drawn = curve(layout.get(e.source)!, layout.get(e.target)!, bends.get(e.key));
      for (const id of ids)
        if (id !== e.source && id !== e.target) expect(closest(drawn, layout.get(id)!), `${e.key} passes ${id}`).toBeGreaterThan(25);
    }
  });
});
