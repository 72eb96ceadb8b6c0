import { EDGE_COLOURS, edgeLook } from './styles';

/** What the SVG export draws: positions and classes as Cytoscape has them now. */
export interface GraphSnapshot {
  readonly groups: readonly {
    readonly label: string;
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
  }[];
  readonly nodes: readonly { readonly label: string; readonly x: number; readonly y: number; readonly classes: readonly string[] }[];
  readonly edges: readonly {
    readonly label: string;
    readonly x1: number;
    readonly y1: number;
    readonly x2: number;
    readonly y2: number;
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

/**
 * The graph as a standalone SVG (namespaces, nodes, edges with arrows, labels), from model positions.
 * Edge labels are left out above `maxEdgeLabels` edges, where they would only be ink.
 */
export function graphSvg(g: GraphSnapshot, opts: { maxEdgeLabels?: number } = {}): string {
  const xs = [...g.groups.flatMap((b) => [b.x1, b.x2]), ...g.nodes.flatMap((n) => [n.x - R, n.x + R])];
  const ys = [...g.groups.flatMap((b) => [b.y1 - 16, b.y2]), ...g.nodes.flatMap((n) => [n.y - R, n.y + R + 16])];
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
    ...[EDGE_COLOURS.forwarded, EDGE_COLOURS.dropped, EDGE_COLOURS.audit, EDGE_COLOURS.pruned, EDGE_COLOURS.prunedDropped].map(
      (c) =>
        `<marker id="a${c.slice(1)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`,
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
    const dx = e.x2 - e.x1;
    const dy = e.y2 - e.y1;
    const len = Math.hypot(dx, dy) || 1;
    // From circle edge to circle edge, so the arrow head is visible.
    const [x1, y1, x2, y2] = [e.x1 + (dx / len) * R, e.y1 + (dy / len) * R, e.x2 - (dx / len) * R, e.y2 - (dy / len) * R];
    out.push(
      `<g class="edge"><line x1="${n2(x1)}" y1="${n2(y1)}" x2="${n2(x2)}" y2="${n2(y2)}" stroke="${stroke}" stroke-width="${n2(e.width)}"${dash} marker-end="url(#a${stroke.slice(1)})"/>` +
        (labels
          ? `<text x="${n2((x1 + x2) / 2)}" y="${n2((y1 + y2) / 2 - 3)}" text-anchor="middle" font-size="9" fill="#334155">${esc(e.label)}</text>`
          : '') +
        '</g>',
    );
  }
  for (const n of g.nodes)
    out.push(
      `<g class="node">${nodeShape(n)}<text x="${n2(n.x)}" y="${n2(n.y + R + 12)}" text-anchor="middle" font-size="11" fill="#1d2430">${esc(n.label)}</text></g>`,
    );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
