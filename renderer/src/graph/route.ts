import type { Point } from './detours';

/** A rectangle in the graph's own coordinates. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * Around a namespace's workloads, what its compound box covers once drawn (styles.ts): half a
 * node and the padding on each side, the name above the box, the workload names below them.
 */
const SIDE = 13 + 18;
const TOP = 13 + 18 + 18;
const BOTTOM = 13 + 22 + 18;
/** How far a route keeps from a box it goes around. */
const CLEAR = 14;

/** The boxes the namespaces are drawn as, from their workloads' places and names. */
export function namespaceBoxes(
  members: Iterable<{ readonly id: string; readonly namespace: string; readonly label: string }>,
  positions: ReadonlyMap<string, Point>,
): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const m of members) {
    const p = positions.get(m.id);
    if (!p) continue;
    // A name wider than the node widens the box (names are drawn at 13 px, about 7 px a character).
    const half = Math.max(SIDE, 3.6 * m.label.length + 18);
    const b = boxes.get(m.namespace);
    boxes.set(m.namespace, {
      x1: Math.min(b?.x1 ?? Infinity, p.x - half),
      y1: Math.min(b?.y1 ?? Infinity, p.y - TOP),
      x2: Math.max(b?.x2 ?? -Infinity, p.x + half),
      y2: Math.max(b?.y2 ?? -Infinity, p.y + BOTTOM),
    });
  }
  return boxes;
}

/** Where the segment a→b runs inside the box, as [t0, t1] along it (Liang–Barsky), or undefined. */
function inside(a: Point, b: Point, box: Box): [number, number] | undefined {
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [
    [-dx, a.x - box.x1],
    [dx, box.x2 - a.x],
    [-dy, a.y - box.y1],
    [dy, box.y2 - a.y],
  ]) {
    if (p === 0) {
      if (q < 0) return undefined;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return undefined;
  }
  return t1 - t0 > 1e-6 ? [t0, t1] : undefined;
}

/** Segment points as Cytoscape's `segments` curve takes them: weights along source→target, distances across. */
export interface Route {
  readonly distances: readonly number[];
  readonly weights: readonly number[];
}

/**
 * Routes for edges whose straight line crosses a namespace box that holds neither of its ends: two
 * points per box, past the box's corners on the side that needs the shorter way round, so the edge
 * runs along the box instead of through it. Distances are along (-dy, dx) from the line (Cytoscape's
 * sign), measured from the nodes' centres. Edges that cross no foreign box get none.
 */
export function routes(
  edges: readonly { readonly key: string; readonly source: string; readonly target: string }[],
  positions: ReadonlyMap<string, Point>,
  /** The namespace box a node is drawn in, if any. */
  boxOf: (node: string) => string | undefined,
  boxes: ReadonlyMap<string, Box>,
): Map<string, Route> {
  const out = new Map<string, Route>();
  for (const e of edges) {
    const a = positions.get(e.source);
    const b = positions.get(e.target);
    if (!a || !b || e.source === e.target) continue;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 1) continue;
    const u = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    const n = { x: -u.y, y: u.x };
    const own = new Set([boxOf(e.source), boxOf(e.target)]);
    const points: { t: number; d: number }[] = [];
    for (const [ns, box] of boxes) {
      if (own.has(ns) || !inside(a, b, box)) continue;
      const corners = [
        { x: box.x1 - CLEAR, y: box.y1 - CLEAR },
        { x: box.x2 + CLEAR, y: box.y1 - CLEAR },
        { x: box.x2 + CLEAR, y: box.y2 + CLEAR },
        { x: box.x1 - CLEAR, y: box.y2 + CLEAR },
      ].map((c) => ({ t: ((c.x - a.x) * u.x + (c.y - a.y) * u.y) / len, d: (c.x - a.x) * n.x + (c.y - a.y) * n.y }));
      const plus = Math.max(...corners.map((c) => c.d));
      const minus = Math.min(...corners.map((c) => c.d));
      const d = plus <= -minus ? plus : minus;
      const ts = corners.map((c) => c.t);
      points.push({ t: Math.min(...ts), d }, { t: Math.max(...ts), d });
    }
    if (points.length === 0) continue;
    points.sort((p, q) => p.t - q.t);
    const kept = points.map((p) => ({ t: Math.min(0.97, Math.max(0.03, p.t)), d: p.d }));
    out.set(e.key, {
      distances: kept.map((p) => Math.round(p.d)),
      weights: kept.map((p) => Math.round(p.t * 1000) / 1000),
    });
  }
  return out;
}
