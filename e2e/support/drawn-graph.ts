/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (page.evaluate bodies run in the page, so this file sees DOM types.)
import type { Page } from 'playwright-core';
import type { Rect } from './app-page';

interface Point {
  readonly x: number;
  readonly y: number;
}

/** The graph as the SVG export draws it, in the graph's own coordinates. */
export interface DrawnGraph {
  /** Namespace boxes by name. */
  readonly boxes: ReadonlyMap<string, Rect>;
  /** Node centres by node id. */
  readonly nodes: ReadonlyMap<string, Point>;
  /** Points along each edge's line as drawn, every 2 units, by edge key. */
  readonly edges: ReadonlyMap<string, readonly Point[]>;
}

/**
 * Reads an exported SVG with the browser's own SVG geometry (getPointAtLength, getBBox), so that
 * the test does not parse path data the way the code under test writes it.
 */
export async function readDrawnGraph(page: Page, svg: string): Promise<DrawnGraph> {
  const read = await page.evaluate((text) => {
    const host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden';
    host.innerHTML = text;
    document.body.append(host);
    try {
      const title = (g: Element): string => g.querySelector(':scope > title')?.textContent ?? '';
      const boxes = [...host.querySelectorAll('g.namespace')].map((g) => {
        const r = g.querySelector('rect')!.getBBox();
        return [g.querySelector('text')!.textContent ?? '', { x1: r.x, y1: r.y, x2: r.x + r.width, y2: r.y + r.height }] as const;
      });
      const nodes = [...host.querySelectorAll('g.node')].map((g) => {
        const b = g.querySelector<SVGGraphicsElement>('circle, polygon')!.getBBox();
        return [title(g), { x: b.x + b.width / 2, y: b.y + b.height / 2 }] as const;
      });
      const edges = [...host.querySelectorAll('g.edge')].map((g) => {
        const path = g.querySelector('path')!;
        const length = path.getTotalLength();
        const points: { x: number; y: number }[] = [];
        for (let at = 0; at < length; at += 2) {
          const p = path.getPointAtLength(at);
          points.push({ x: p.x, y: p.y });
        }
        const end = path.getPointAtLength(length);
        points.push({ x: end.x, y: end.y });
        return [title(g), points] as const;
      });
      return { boxes, nodes, edges };
    } finally {
      host.remove();
    }
  }, svg);
  return { boxes: new Map(read.boxes), nodes: new Map(read.nodes), edges: new Map(read.edges) };
}

/** Whether a point lies strictly inside a rectangle, `margin` in from its sides. */
export const insideRect = (p: Point, r: Rect, margin = 0): boolean =>
  p.x > r.x1 + margin && p.x < r.x2 - margin && p.y > r.y1 + margin && p.y < r.y2 - margin;

/** Whether the straight segment a→b enters the rectangle. */
export function segmentEnters(a: Point, b: Point, r: Rect): boolean {
  for (let i = 0; i <= 200; i++) if (insideRect({ x: a.x + ((b.x - a.x) * i) / 200, y: a.y + ((b.y - a.y) * i) / 200 }, r)) return true;
  return false;
}
