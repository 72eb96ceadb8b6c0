import { describe, expect, it } from 'vitest';
import type { Point } from './detours';
import type { Box } from './route';
import { graphSvg, type GraphSnapshot } from './svg';

/** Points along an SVG path of M, L and Q commands (as graphSvg writes them), every few units. */
function trace(d: string): Point[] {
  const out: Point[] = [];
  let at: Point = { x: 0, y: 0 };
  const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
  for (const [, cmd, args] of d.matchAll(/([MLQ])([^MLQ]*)/g)) {
    const pts = args
      .trim()
      .split(/\s+/)
      .map((p) => p.split(',').map(Number))
      .map(([x, y]) => ({ x, y }));
    if (cmd === 'M') at = pts[0];
    for (let i = 0; i <= 50 && cmd !== 'M'; i++) {
      const t = i / 50;
      out.push(cmd === 'L' ? lerp(at, pts[0], t) : lerp(lerp(at, pts[0], t), lerp(pts[0], pts[1], t), t));
    }
    at = pts.at(-1)!;
    if (cmd === 'M') out.push(at);
  }
  return out;
}

const inside = (p: Point, b: Box): boolean => p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2;
const pathOf = (svg: string, id: string): string => {
  const m = new RegExp(`<title>${id}</title><path d="([^"]+)"`).exec(svg);
  if (!m) throw new Error(`no path for ${id}`);
  return m[1];
};

describe('graph SVG export', () => {
  const snapshot: GraphSnapshot = {
    groups: [{ label: 'shop', x1: 0, y1: 0, x2: 300, y2: 120 }],
    nodes: [
      { id: 'shop/web', label: 'web', x: 40, y: 40, classes: ['workload'] },
      { id: 'shop/db', label: 'db <primary>', x: 240, y: 40, classes: ['workload'] },
      { id: 'entity:world', label: 'world', x: -100, y: 40, classes: ['entity'] },
    ],
    edges: [
      {
        id: 'shop/web->shop/db:5432/TCP',
        label: '5432/TCP',
        path: {
          curve: 'straight',
          points: [
            { x: 53, y: 40 },
            { x: 227, y: 40 },
          ],
        },
        mid: { x: 140, y: 40 },
        width: 3,
        classes: ['forwarded'],
      },
      {
        id: 'entity:world->shop/web:80/TCP',
        label: '80/TCP',
        path: {
          curve: 'straight',
          points: [
            { x: -87, y: 40 },
            { x: 27, y: 40 },
          ],
        },
        mid: { x: -30, y: 40 },
        width: 1,
        classes: ['dropped', 'pruned'],
      },
    ],
  };

  it('draws namespaces, nodes and edges with labels, escaped, in a viewBox that holds them all', () => {
    const svg = graphSvg(snapshot);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-133 ')).toBe(true);
    expect(svg.match(/<g class="node">/g)).toHaveLength(3);
    expect(svg.match(/<g class="edge">/g)).toHaveLength(2);
    expect(svg).toContain('>db &lt;primary&gt;</text>');
    // The label where Cytoscape puts it, a little above the line.
    expect(svg).toContain(
      '<text x="140" y="36" text-anchor="middle" font-size="9" fill="#334155" stroke="#ffffff" stroke-width="3" stroke-opacity="0.85" paint-order="stroke">5432/TCP</text>',
    );
    // Dropped and pruned, as the canvas draws it: the red of dropped flows, dashed, with its arrow.
    expect(svg).toMatch(/stroke="#dc2626" stroke-width="1" stroke-dasharray="6 3" marker-end="url\(#adc2626\)"/);
    // From where the canvas starts the line to where its arrow meets the target.
    expect(pathOf(svg, 'shop/web-&gt;shop/db:5432/TCP')).toBe('M53,40 L227,40');
  });

  it('arrowheads keep one size whatever the width of their edge: sized in drawing units, one marker per colour', () => {
    const svg = graphSvg({ ...snapshot, edges: snapshot.edges.map((e, i) => ({ ...e, width: i === 0 ? 1 : 8 })) });
    const markers = svg.match(/<marker [^>]*>/g) ?? [];
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect(m).toMatch(/markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9"/);
    const ids = markers.map((m) => /id="([^"]+)"/.exec(m)![1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('names every node and edge by its id, as a title a viewer shows on hover', () => {
    const svg = graphSvg(snapshot);
    expect(svg).toContain('<g class="node"><title>shop/web</title>');
    expect(svg).toContain('<g class="edge"><title>entity:world-&gt;shop/web:80/TCP</title>');
  });

  it('draws an edge with some dropped flows red and dashed, as the canvas does', () => {
    const svg = graphSvg({ ...snapshot, edges: [{ ...snapshot.edges[0], classes: ['forwarded', 'some-dropped'] }] });
    expect(svg).toMatch(/stroke="#dc2626" stroke-width="3" stroke-dasharray="10 4" marker-end="url\(#adc2626\)"/);
  });

  it('leaves edge labels out when there are too many to read', () => {
    expect(graphSvg(snapshot, { maxEdgeLabels: 1 })).not.toContain('>5432/TCP</text>');
  });

  // An address on the left, a workload in "shop" on the right, namespace "mid" between them: the
  // canvas routes the edge over mid's box (route.ts), and the export must draw that route.
  const mid: Box = { x1: 100, y1: -40, x2: 200, y2: 40 };
  const routed: GraphSnapshot = {
    groups: [{ label: 'mid', ...mid }],
    nodes: [
      { id: 'ip:1.2.3.4', label: '1.2.3.4', x: 0, y: 0, classes: ['external'] },
      { id: 'mid/a', label: 'a', x: 150, y: 0, classes: ['workload'] },
      { id: 'shop/web', label: 'web', x: 300, y: 0, classes: ['workload'] },
    ],
    edges: [
      {
        id: 'ip:1.2.3.4->shop/web:443/TCP',
        label: '443/TCP',
        path: {
          curve: 'segments',
          points: [
            { x: 13, y: -3 },
            { x: 86, y: -64 },
            { x: 214, y: -64 },
            { x: 287, y: -3 },
          ],
          radius: 18,
        },
        mid: { x: 150, y: -64 },
        width: 2,
        classes: ['forwarded', 'routed'],
      },
    ],
  };

  it('draws an edge routed round a namespace box along its route, never straight through the box', () => {
    const d = pathOf(graphSvg(routed), 'ip:1.2.3.4-&gt;shop/web:443/TCP');
    const points = trace(d);
    // A straight line between its ends would cross the box.
    expect(inside({ x: 150, y: -3 }, mid)).toBe(true);
    expect(points.filter((p) => inside(p, mid))).toEqual([]);
    // It starts and ends where the canvas does, and runs above the box between.
    expect(points[0]).toEqual({ x: 13, y: -3 });
    expect(points.at(-1)).toEqual({ x: 287, y: -3 });
    expect(Math.min(...points.filter((p) => p.x > 110 && p.x < 190).map((p) => -p.y))).toBeGreaterThan(60);
    // The corners rounded as the canvas rounds them, not cut sharp.
    expect(d).toMatch(/^M13,-3 L[\d.]+,-[\d.]+ Q86,-64 [\d.]+,-64 L[\d.]+,-64 Q214,-64 [\d.]+,-[\d.]+ L287,-3$/);
  });

  it('draws a bent edge as the quadratic curve Cytoscape draws through its control point', () => {
    const bent: GraphSnapshot = {
      ...routed,
      edges: [
        {
          ...routed.edges[0],
          path: {
            curve: 'bezier',
            points: [
              { x: 13, y: 0 },
              { x: 150, y: -120 },
              { x: 287, y: 0 },
            ],
          },
          classes: ['forwarded', 'detour'],
        },
      ],
    };
    const d = pathOf(graphSvg(bent), 'ip:1.2.3.4-&gt;shop/web:443/TCP');
    expect(d).toBe('M13,0 Q150,-120 287,0');
    // Halfway along, a quadratic curve is halfway to its control point: above the box.
    expect(Math.min(...trace(d).map((p) => p.y))).toBeCloseTo(-60, 0);
    expect(trace(d).filter((p) => inside(p, mid))).toEqual([]);
  });

  it('holds a route that runs outside every box and node in its viewBox', () => {
    const svg = graphSvg(routed);
    const [minX, minY] = /viewBox="(\S+) (\S+)/.exec(svg)!.slice(1).map(Number);
    // Boxes reach up to y = -56 with their names; the route to -64.
    expect(minY).toBeLessThanOrEqual(-64);
    expect(minX).toBeLessThanOrEqual(-13);
  });
});
