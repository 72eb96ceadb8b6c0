import type { ServiceGraph } from './types';

/** Keeps the edges with at least one end in the given namespaces, and the nodes they touch. */
export function filterByNamespaces(graph: ServiceGraph, namespaces: readonly string[]): ServiceGraph {
  if (namespaces.length === 0) return graph;
  const wanted = new Set(namespaces);
  const nsOf = new Map(graph.nodes.map((n) => [n.id, n.namespace]));
  const inScope = (id: string): boolean => wanted.has(nsOf.get(id) ?? '');
  const edges = graph.edges.filter((e) => inScope(e.source) || inScope(e.target));
  const used = new Set(edges.flatMap((e) => [e.source, e.target]));
  const nodes = graph.nodes.filter((n) => used.has(n.id) || (n.namespace !== undefined && wanted.has(n.namespace)));
  const namespacesLeft = [...new Set(nodes.flatMap((n) => (n.namespace ? [n.namespace] : [])))].sort();
  const keep = new Set([...nodes.map((n) => n.id), ...edges.map((e) => e.key)]);
  const warnings = graph.warnings
    .map((w) => (w.subjects ? { ...w, subjects: w.subjects.filter((s) => keep.has(s)) } : w))
    .filter((w) => !w.subjects || w.subjects.length > 0);
  return { ...graph, nodes, edges, namespaces: namespacesLeft, warnings };
}
