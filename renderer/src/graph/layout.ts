import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { GraphNode, ServiceGraph } from '../../../shared/graph/types';
import type { Point } from './detours';
import { NOISE } from './elements';
import { islandLayout } from './islands';
import { namespaceBoxes, type Box } from './route';

cytoscape.use(fcose);

/**
 * Up to this many nodes a graph is laid out by force (fCoSE, namespaces as compound boxes), so that
 * workloads that talk sit near each other; above it, the island grid (linear, for big graphs).
 */
export const FORCE_LAYOUT_NODES = 150;

/** Room a node takes with its name below it (the name is drawn at 12 px, about 7 px a character). */
function footprint(n: GraphNode): { w: number; h: number } {
  return { w: Math.max(30, 6.5 * n.label.length + 8), h: 26 + 20 };
}

/** Math.random, seeded for the length of `f`: the same graph is laid out the same way every time. */
function seeded<T>(seed: number, f: () => T): T {
  const random = Math.random;
  let s = seed >>> 0;
  // mulberry32
  Math.random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    return f();
  } finally {
    Math.random = random;
  }
}

/** Room kept between two namespace boxes, or between a box and a node outside it. */
const GAP = 24;
/** Passes of the separation; each moves every overlapping pair apart once. */
const SEPARATION_PASSES = 60;

/**
 * fCoSE keeps a namespace's workloads together, not other things out of its box: with several
 * namespaces that talk across, boxes overlap and addresses land inside them. Each namespace (its box
 * as drawn, route.ts) and each other node is moved as one block away from every block it overlaps,
 * along the shorter way out, the bigger block the less, until none overlaps.
 */
function separate(pos: Map<string, Point>, nodes: readonly GraphNode[]): void {
  const blocks = new Map<string, { id: string; namespace: string; label: string }[]>();
  for (const n of nodes) {
    const block = n.kind === 'workload' && n.namespace ? `ns:${n.namespace}` : n.id;
    (blocks.get(block) ?? blocks.set(block, []).get(block)!).push({ id: n.id, namespace: block, label: n.label });
  }
  const list = [...blocks.values()];
  const boxes: Box[] = list.map((members) => namespaceBoxes(members, pos).get(members[0].namespace)!);
  const move = (i: number, dx: number, dy: number): void => {
    for (const m of list[i]) {
      const p = pos.get(m.id)!;
      pos.set(m.id, { x: p.x + dx, y: p.y + dy });
    }
    const b = boxes[i];
    boxes[i] = { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy };
  };
  for (let pass = 0; pass < SEPARATION_PASSES; pass++) {
    let moved = false;
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const ox = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + GAP;
        const oy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + GAP;
        if (ox <= 0 || oy <= 0) continue;
        moved = true;
        // j goes the way its centre lies from i's (right or down when they coincide), i the other way.
        const along = ox <= oy ? 'x' : 'y';
        const ci = along === 'x' ? a.x1 + a.x2 : a.y1 + a.y2;
        const cj = along === 'x' ? b.x1 + b.x2 : b.y1 + b.y2;
        const dir = cj >= ci ? 1 : -1;
        const [wi, wj] = [list[i].length, list[j].length];
        const by = along === 'x' ? ox : oy;
        const [di, dj] = [(-dir * by * wj) / (wi + wj), (dir * by * wi) / (wi + wj)];
        if (along === 'x') {
          move(i, di, 0);
          move(j, dj, 0);
        } else {
          move(i, 0, di);
          move(j, 0, dj);
        }
      }
    if (!moved) return;
  }
}

/**
 * Positions by force: fCoSE in a headless Cytoscape, namespaces as compound nodes, one edge per
 * pair of nodes that talk, each node as wide as its name; then no box over another or over a node
 * outside it. Deterministic (seeded).
 */
function forceLayout(graph: ServiceGraph): Map<string, Point> {
  const elements: cytoscape.ElementDefinition[] = [];
  // The nodes' own traffic (host, health, remote-node) is hidden by default: it does not shape the layout.
  const nodes = graph.nodes.filter((n) => !NOISE.has(n.id));
  const laid = new Set(nodes.map((n) => n.id));
  const namespaces = new Set(nodes.flatMap((n) => (n.kind === 'workload' && n.namespace ? [n.namespace] : [])));
  for (const ns of [...namespaces].sort()) elements.push({ group: 'nodes', data: { id: `ns:${ns}` } });
  for (const n of nodes) {
    const { w, h } = footprint(n);
    elements.push({
      group: 'nodes',
      data: { id: n.id, w, h, parent: n.kind === 'workload' && n.namespace ? `ns:${n.namespace}` : undefined },
    });
  }
  const pairs = new Set<string>();
  for (const e of graph.edges) {
    if (e.source === e.target || !laid.has(e.source) || !laid.has(e.target)) continue;
    const [a, b] = e.source < e.target ? [e.source, e.target] : [e.target, e.source];
    const id = `${a}\n${b}`;
    if (pairs.has(id)) continue;
    pairs.add(id);
    elements.push({ group: 'edges', data: { id, source: a, target: b } });
  }
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    elements,
    style: [
      { selector: 'node[w]', style: { width: 'data(w)', height: 'data(h)', shape: 'rectangle' } },
      // Room for the namespace's name above its box.
      { selector: ':parent', style: { padding: '24px' } },
    ],
  });
  seeded(0x5eed, () =>
    cy
      .layout({
        name: 'fcose',
        quality: 'proof',
        randomize: true,
        animate: false,
        fit: false,
        packComponents: false,
        nodeSeparation: 40,
        // Long enough for a port label between two names.
        idealEdgeLength: () => 50,
        nodeRepulsion: () => 2000,
        nestingFactor: 0.1,
        gravity: 1.0,
        gravityCompound: 2.0,
        gravityRangeCompound: 1.2,
        tile: true,
        tilingPaddingVertical: 30,
        tilingPaddingHorizontal: 40,
      } as cytoscape.LayoutOptions)
      .run(),
  );
  const out = new Map<string, Point>();
  cy.nodes()
    .filter((n) => !n.isParent())
    .forEach((n) => {
      const p = n.position();
      out.set(n.id(), { x: p.x, y: p.y });
    });
  cy.destroy();
  separate(out, nodes);
  for (const [id, p] of out) out.set(id, { x: Math.round(p.x), y: Math.round(p.y) });
  // The hidden ones in a row above the rest, out of its way when shown.
  const top = Math.min(0, ...[...out.values()].map((p) => p.y)) - 140;
  const left = Math.min(0, ...[...out.values()].map((p) => p.x));
  graph.nodes.filter((n) => !laid.has(n.id)).forEach((n, i) => out.set(n.id, { x: left + i * 140, y: top }));
  return out;
}

/**
 * Where each node is drawn: by force for a graph of readable size, else on the island grid; the
 * places a user dragged nodes to (a workspace) win over either.
 */
export function graphLayout(graph: ServiceGraph, saved?: Readonly<Record<string, Point>>): Map<string, Point> {
  const pos = graph.nodes.length <= FORCE_LAYOUT_NODES ? forceLayout(graph) : islandLayout(graph);
  for (const [id, p] of Object.entries(saved ?? {})) if (pos.has(id)) pos.set(id, { x: p.x, y: p.y });
  return pos;
}
