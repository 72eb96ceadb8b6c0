import type { FlowRecord } from '../flows/types';
import { GraphBuilder } from './builder';
import { restore, type Selection } from './selection';
import type { ServiceGraph } from './types';

/**
 * "Allow this flow": puts the edge a dropped flow needs into the graph (adding its nodes when they
 * are new) and keeps it, so that generating again yields the rule that was missing.
 */
export function allowDrop(
  graph: ServiceGraph,
  selection: Selection,
  drop: FlowRecord,
): { graph: ServiceGraph; selection: Selection; edgeKey: string } {
  const b = new GraphBuilder();
  b.add(drop);
  const mini = b.build(graph.format, { badLines: 0, lostEvents: 0, truncatedLastLine: false });
  const edge = mini.edges[0];
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const byId = <T extends { id: string }>(a: T, c: T): number => (a.id < c.id ? -1 : a.id > c.id ? 1 : 0);
  const nodes = [...graph.nodes, ...mini.nodes.filter((n) => !nodeIds.has(n.id))].sort(byId);
  const has = graph.edges.some((e) => e.key === edge.key);
  const edges = has ? graph.edges : [...graph.edges, edge].sort((a, c) => (a.key < c.key ? -1 : a.key > c.key ? 1 : 0));
  const namespaces = [...new Set([...graph.namespaces, ...mini.namespaces])].sort();
  return { graph: { ...graph, nodes, edges, namespaces }, selection: restore(selection, [edge.key]), edgeKey: edge.key };
}
