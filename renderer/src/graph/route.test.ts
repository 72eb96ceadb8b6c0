import { describe, expect, it } from 'vitest';
import type { Point } from './detours';
import { namespaceBoxes, routes, type Box } from './route';

/** The polyline Cytoscape draws from a route (its segment points, from the nodes' centres). */
function polyline(a: Point, b: Point, r: { distances: readonly number[]; weights: readonly number[] }): Point[] {
  const len = Math.hypot(b.x - a.x, b.y - a.y);
  const u = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
  const n = { x: -u.y, y: u.x };
  return [
    a,
    ...r.weights.map((w, i) => ({ x: a.x + u.x * w * len + n.x * r.distances[i], y: a.y + u.y * w * len + n.y * r.distances[i] })),
    b,
  ];
}

/** Whether the segment p→q enters the box (sampled finely). */
function crosses(p: Point, q: Point, box: Box): boolean {
  for (let i = 0; i <= 200; i++) {
    const x = p.x + ((q.x - p.x) * i) / 200;
    const y = p.y + ((q.y - p.y) * i) / 200;
    if (x > box.x1 && x < box.x2 && y > box.y1 && y < box.y2) return true;
  }
  return false;
}

describe('routes around namespace boxes', () => {
  // An address on the left, a workload in "shop" on the right, namespace "mid" in between.
  const positions = new Map<string, Point>([
    ['ip:1.2.3.4', { x: 0, y: 0 }],
    ['shop/web', { x: 600, y: 10 }],
    ['mid/a', { x: 300, y: -20 }],
    ['mid/b', { x: 300, y: 40 }],
  ]);
  const members = [
    { id: 'shop/web', namespace: 'shop', label: 'web' },
    { id: 'mid/a', namespace: 'mid', label: 'a' },
    { id: 'mid/b', namespace: 'mid', label: 'b' },
  ];
  const boxes = namespaceBoxes(members, positions);
  const nsOf = (id: string): string | undefined => members.find((m) => m.id === id)?.namespace;

  it.each([
    ['address to workload', 'ip:1.2.3.4', 'shop/web'],
    ['workload to address', 'shop/web', 'ip:1.2.3.4'],
  ])('%s: the edge goes round the namespace it does not belong to', (_what, source, target) => {
    const key = `${source}->${target}:443/TCP`;
    const r = routes([{ key, source, target }], positions, nsOf, boxes).get(key);
    expect(r).toBeDefined();
    const pts = polyline(positions.get(source)!, positions.get(target)!, r!);
    const mid = boxes.get('mid')!;
    expect(crosses(positions.get(source)!, positions.get(target)!, mid)).toBe(true);
    for (let i = 0; i + 1 < pts.length; i++) expect(crosses(pts[i], pts[i + 1], mid)).toBe(false);
  });

  it('an edge that crosses no foreign box, or only its own, is left straight', () => {
    const edges = [
      { key: 'mid/a->mid/b:80/TCP', source: 'mid/a', target: 'mid/b' },
      { key: 'mid/a->shop/web:80/TCP', source: 'mid/a', target: 'shop/web' },
    ];
    expect(routes(edges, positions, nsOf, boxes).size).toBe(0);
  });
});
