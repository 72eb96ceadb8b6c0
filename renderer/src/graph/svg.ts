import type { Point } from './detours';
import { EDGE_COLOURS, edgeLook } from './styles';

/** An edge's line as the canvas draws it, in the graph's own coordinates. */
export interface EdgePath {
  /**
   * `straight`: one line. `bezier`: quadratic curves, as Cytoscape chains them through its control
   * points. `segments`: lines through its segment points (a route round a namespace), the corners
   * rounded by `radius`.
   */
  readonly curve: 'straight' | 'bezier' | 'segments';
  /** From where the line leaves the source to where it meets the target, the curve's points between. */
  readonly points: readonly Point[];
  readonly radius?: number;
}

/** What the SVG export draws: positions, paths and classes as Cytoscape has them now. */
export interface GraphSnapshot {
  readonly groups: readonly {
    readonly label: string;
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
  }[];
  readonly nodes: readonly {
    readonly id: string;
    readonly label: string;
    readonly x: number;
    readonly y: number;
    readonly classes: readonly string[];
  }[];
  readonly edges: readonly {
    readonly id: string;
    readonly label: string;
    readonly path: EdgePath;
    /** Where its label sits. */
    readonly mid: Point;
    readonly width: number;
    readonly classes: readonly string[];
  }[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (v: number): string => String(Math.round(v * 10) / 10);
const R = 13;

/** The stroke of an edge as the canvas draws it (styles.ts). */
function edgeColour(classes: readonly string[]): { stroke: string; dash: string } {
  const look = edgeLook(classes);
  const dash = look.dotted ? '2 3' : look.dash?.join(' ');
  return { stroke: look.colour, dash: dash ? ` stroke-dasharray="${dash}"` : '' };
}

function nodeShape(n: GraphSnapshot['nodes'][number]): string {
  const { x, y } = n;
  if (n.classes.includes('entity'))
    return `<polygon points="${n2(x)},${n2(y - R)} ${n2(x + R)},${n2(y)} ${n2(x)},${n2(y + R)} ${n2(x - R)},${n2(y)}" fill="#7c3aed"/>`;
  if (n.classes.includes('external')) {
    const pts = Array.from(
      { length: 6 },
      (_, i) => `${n2(x + R * Math.cos((Math.PI / 3) * i))},${n2(y + R * Math.sin((Math.PI / 3) * i))}`,
    );
    return `<polygon points="${pts.join(' ')}" fill="#0d9488"/>`;
  }
  return `<circle cx="${n2(x)}" cy="${n2(y)}" r="${R}" fill="#2563eb"/>`;
}

const pt = (p: Point): string => `${n2(p.x)},${n2(p.y)}`;
const towards = (from: Point, to: Point, by: number): Point => {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) / len) * by, y: from.y + ((to.y - from.y) / len) * by };
};

/** Arrowheads, in drawing units (the same for every edge width). */
const ARROW = 9;

/**
 * An edge's path data, drawn as the canvas draws it: Cytoscape's quadratic curves (each control
 * point's curve ends halfway to the next), or its segments with each corner rounded.
 */
export function edgePathData(path: EdgePath): string {
  const p = path.points;
  const out = [`M${pt(p[0])}`];
  if (path.curve === 'bezier')
    for (let i = 1; i < p.length - 1; i++) {
      const end = i === p.length - 2 ? p[i + 1] : { x: (p[i].x + p[i + 1].x) / 2, y: (p[i].y + p[i + 1].y) / 2 };
      out.push(`Q${pt(p[i])} ${pt(end)}`);
    }
  else if (path.curve === 'segments')
    for (let i = 1; i < p.length - 1; i++) {
      const r = Math.min(
        path.radius ?? 0,
        Math.hypot(p[i].x - p[i - 1].x, p[i].y - p[i - 1].y) / 2,
        Math.hypot(p[i + 1].x - p[i].x, p[i + 1].y - p[i].y) / 2,
      );
      out.push(r > 0 ? `L${pt(towards(p[i], p[i - 1], r))} Q${pt(p[i])} ${pt(towards(p[i], p[i + 1], r))}` : `L${pt(p[i])}`);
    }
  if (path.curve !== 'bezier' || p.length === 2) out.push(`L${pt(p[p.length - 1])}`);
  return out.join(' ');
}

/**
 * The graph as a standalone SVG (namespaces, nodes, edges with arrows, labels), from model positions,
 * each edge along the path the canvas draws (round namespace boxes and nodes in its way). Each node
 * and edge carries its id as its title. Edge labels are left out above `maxEdgeLabels` edges, where
 * they would only be ink.
 */
export function graphSvg(g: GraphSnapshot, opts: { maxEdgeLabels?: number } = {}): string {
  // A curve stays within its points, so they bound the drawing with the boxes and nodes.
  const bends = g.edges.flatMap((e) => e.path.points);
  const xs = [...g.groups.flatMap((b) => [b.x1, b.x2]), ...g.nodes.flatMap((n) => [n.x - R, n.x + R]), ...bends.map((p) => p.x)];
  const ys = [...g.groups.flatMap((b) => [b.y1 - 16, b.y2]), ...g.nodes.flatMap((n) => [n.y - R, n.y + R + 16]), ...bends.map((p) => p.y)];
  const pad = 20;
  // Loops, not Math.min(...xs): spreading 100,000 numbers overflows the stack.
  const lo = (v: number[]): number => v.reduce((a, b) => (b < a ? b : a), v[0] ?? 0);
  const hi = (v: number[]): number => v.reduce((a, b) => (b > a ? b : a), v[0] ?? 0);
  const minX = lo(xs) - pad;
  const minY = lo(ys) - pad;
  const w = hi(xs) + pad - minX;
  const h = hi(ys) + pad - minY;
  const labels = g.edges.length <= (opts.maxEdgeLabels ?? 2000);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n2(minX)} ${n2(minY)} ${n2(w)} ${n2(h)}" width="${n2(w)}" height="${n2(h)}" font-family="sans-serif">`,
    '<defs>',
    ...[
      ...new Set([EDGE_COLOURS.forwarded, EDGE_COLOURS.dropped, EDGE_COLOURS.audit, EDGE_COLOURS.pruned, EDGE_COLOURS.prunedDropped]),
    ].map(
      (c) =>
        // In the drawing's own units: an arrowhead keeps its size whatever the width of its edge.
        `<marker id="a${c.slice(1)}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="${ARROW}" markerHeight="${ARROW}" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`,
    ),
    '</defs>',
    `<rect x="${n2(minX)}" y="${n2(minY)}" width="${n2(w)}" height="${n2(h)}" fill="#ffffff"/>`,
  ];
  for (const b of g.groups) {
    out.push(
      `<g class="namespace"><rect x="${n2(b.x1)}" y="${n2(b.y1)}" width="${n2(b.x2 - b.x1)}" height="${n2(b.y2 - b.y1)}" rx="8" fill="#eef2f7" stroke="#c7d0db"/>` +
        `<text x="${n2((b.x1 + b.x2) / 2)}" y="${n2(b.y1 - 4)}" text-anchor="middle" font-size="11" font-weight="bold" fill="#52606d">${esc(b.label)}</text></g>`,
    );
  }
  for (const e of g.edges) {
    const { stroke, dash } = edgeColour(e.classes);
    out.push(
      `<g class="edge"><title>${esc(e.id)}</title><path d="${edgePathData(e.path)}" fill="none" stroke="${stroke}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#a${stroke.slice(1)})"/>` +
        (labels
          ? // On a white halo, as on screen, so that a line or a node's name under it does not garble it.
            `<text x="${n2(e.mid.x)}" y="${n2(e.mid.y - 4)}" text-anchor="middle" font-size="9" fill="#334155" stroke="#ffffff" stroke-width="3" stroke-opacity="0.85" paint-order="stroke">${esc(e.label)}</text>`
          : '') +
        '</g>',
    );
  }
  for (const n of g.nodes)
    out.push(
      `<g class="node"><title>${esc(n.id)}</title>${nodeShape(n)}<text x="${n2(n.x)}" y="${n2(n.y + R + 12)}" text-anchor="middle" font-size="11" fill="#1d2430">${esc(n.label)}</text></g>`,
    );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
