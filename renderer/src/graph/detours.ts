/** A position in the graph's own coordinates. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** How close a straight edge may pass a node's centre (half a node, 13 px, and some air). */
const CLEARANCE = 26;
/**
 * A node's label sits below it (styles.ts: text-valign bottom): three points along its middle,
 * each to be passed at this distance, so that a detour does not run through the text instead.
 */
const LABEL_POINTS: readonly [number, number][] = [
  [-22, 24],
  [0, 24],
  [22, 24],
];
const LABEL_CLEARANCE = 12;
/** Between the edges of one pair that all bend: they fan out instead of lying on each other. */
const FAN_STEP = 16;
/** Above this many edge-node tests the graph is drawn straight (big graphs use haystack edges anyway). */
const MAX_TESTS = 2_000_000;

/**
 * Bends for edges whose straight line would run through another node: per edge key, the distance
 * of one control point from the midpoint of the line, perpendicular to it, as Cytoscape's
 * `unbundled-bezier` takes it (positive is to the left of source→target in screen coordinates,
 * i.e. along (-dy, dx)). The bend is the smallest that clears every node in the way on the side
 * that needs less; edges of one pair of nodes bend to the same side, fanned out. Other edges get
 * none and keep Cytoscape's own bezier.
 */
export function detours(
  edges: readonly { readonly key: string; readonly source: string; readonly target: string }[],
  positions: ReadonlyMap<string, Point>,
  nodes: readonly string[],
): Map<string, number> {
  const out = new Map<string, number>();
  if (edges.length * nodes.length * (1 + LABEL_POINTS.length) > MAX_TESTS) return out;
  const obstacles = nodes.flatMap((id) => {
    const p = positions.get(id);
    if (!p) return [];
    return [
      { id, p, clear: CLEARANCE },
      ...LABEL_POINTS.map(([dx, dy]) => ({ id, p: { x: p.x + dx, y: p.y + dy }, clear: LABEL_CLEARANCE })),
    ];
  });
  // One decision per pair of nodes (either direction), in the orientation of the smaller id.
  const pairs = new Map<string, { a: string; b: string; keys: string[] }>();
  for (const e of edges) {
    if (e.source === e.target) continue;
    const [a, b] = e.source < e.target ? [e.source, e.target] : [e.target, e.source];
    const id = `${a}\n${b}`;
    (pairs.get(id) ?? pairs.set(id, { a, b, keys: [] }).get(id)!).keys.push(e.key);
  }
  const sourceOf = new Map(edges.map((e) => [e.key, e.source]));
  for (const { a, b, keys } of pairs.values()) {
    const pa = positions.get(a);
    const pb = positions.get(b);
    if (!pa || !pb) continue;
    const dx = pb.x - pa.x;
    const dy = pb.y - pa.y;
    const len = Math.hypot(dx, dy);
    if (len < 1) continue;
    const ux = dx / len;
    const uy = dy / len;
    const [nx, ny] = [-uy, ux];
    // No bend wider than the line is long (plus some): past that a curve is no clearer than the line.
    const cap = len + 60;
    const reach = CLEARANCE + cap / 2;
    const [minX, maxX] = [Math.min(pa.x, pb.x) - reach, Math.max(pa.x, pb.x) + reach];
    const [minY, maxY] = [Math.min(pa.y, pb.y) - reach, Math.max(pa.y, pb.y) + reach];
    // Each obstacle along the line, as where it is (t along, s across) and how far to keep from it.
    const near: { k: number; s: number; clear: number }[] = [];
    let blocked = false;
    for (const { id, p, clear } of obstacles) {
      if (id === a || id === b || p.x < minX || p.x > maxX || p.y < minY || p.y > maxY) continue;
      const t = ((p.x - pa.x) * ux + (p.y - pa.y) * uy) / len;
      if (t <= 0.02 || t >= 0.98) continue;
      const s = (p.x - pa.x) * nx + (p.y - pa.y) * ny;
      near.push({ k: 2 * t * (1 - t), s, clear });
      if (Math.abs(s) < clear) blocked = true;
    }
    if (!blocked) continue;
    const need = (side: 1 | -1): number => bendFor(near.map((o) => ({ k: o.k, s: side * o.s, clear: o.clear })));
    const [plus, minus] = [need(1), need(-1)];
    const d = plus <= minus ? Math.min(plus, cap) : -Math.min(minus, cap);
    [...keys].sort().forEach((key, i) => {
      const canonical = d + Math.sign(d) * i * FAN_STEP;
      // Cytoscape measures from each edge's own source: the reverse direction has the opposite normal.
      out.set(key, Math.round((sourceOf.get(key) === a ? canonical : -canonical) * 10) / 10);
    });
  }
  return out;
}

/**
 * The smallest bend d ≥ 0 (towards +s) whose curve, offset d·k at each obstacle, passes every
 * obstacle at its clearance, over it or short of it: the first d outside every forbidden interval.
 */
function bendFor(obstacles: readonly { k: number; s: number; clear: number }[]): number {
  const forbidden = obstacles.map((o) => [(o.s - o.clear) / o.k, (o.s + o.clear) / o.k] as const).sort((x, y) => x[0] - y[0]);
  let d = 0;
  for (let moved = true; moved;) {
    moved = false;
    for (const [lo, hi] of forbidden)
      if (lo < d + 1e-9 && d < hi) {
        d = hi;
        moved = true;
      }
  }
  return d;
}
