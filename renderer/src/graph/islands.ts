import type { GraphNode, ServiceGraph } from '../../../shared/graph/types';
import type { Point } from './detours';

/**
 * Positions without a force layout: namespaces are islands on a grid, their workloads on a grid
 * inside; entities and external addresses form a block to the left. Linear in the graph size.
 */
export function islandLayout(
  graph: ServiceGraph,
  /** Where the user put nodes (a workspace): these win over the computed places. */
  saved?: Readonly<Record<string, { x: number; y: number }>>,
): Map<string, Point> {
  const pos = computeIslands(graph);
  for (const [id, p] of Object.entries(saved ?? {})) if (pos.has(id)) pos.set(id, { x: p.x, y: p.y });
  return pos;
}

function computeIslands(graph: ServiceGraph): Map<string, { x: number; y: number }> {
  const pos = new Map<string, { x: number; y: number }>();
  // Room between neighbours for a port label on the edge joining them and for their own labels.
  const spacing = 120;
  const byNs = new Map<string, GraphNode[]>();
  const outside: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (n.kind === 'workload' && n.namespace) (byNs.get(n.namespace) ?? byNs.set(n.namespace, []).get(n.namespace)!).push(n);
    else outside.push(n);
  }
  // Entities first, then external addresses, in a square block: one column of hundreds of
  // addresses would make the graph a tall tower with every edge fanning into it.
  outside.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'entity' ? -1 : 1));
  const outCols = Math.max(1, Math.ceil(Math.sqrt(outside.length)));
  outside.forEach((n, i) => pos.set(n.id, { x: -spacing * (outCols + 1) + (i % outCols) * spacing, y: Math.floor(i / outCols) * spacing }));
  const namespaces = [...byNs.keys()].sort();
  const perRow = Math.max(1, Math.ceil(Math.sqrt(namespaces.length)));
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  namespaces.forEach((ns, i) => {
    if (i > 0 && i % perRow === 0) {
      x = 0;
      y += rowHeight + spacing;
      rowHeight = 0;
    }
    const members = byNs.get(ns)!;
    const cols = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((n, j) => pos.set(n.id, { x: x + (j % cols) * spacing, y: y + Math.floor(j / cols) * spacing }));
    const rows = Math.ceil(members.length / cols);
    x += cols * spacing + spacing;
    rowHeight = Math.max(rowHeight, rows * spacing);
  });
  return pos;
}
