import type { FlowRecord } from '../../../shared/flows/types';
import { allowDrop } from '../../../shared/graph/drops';
import { initialSelection, isKept, prune, restore, type Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';

/** What the user is working on: the graph, what is pruned (with undo/redo), and what is selected. */
export interface Workbench {
  readonly graph: ServiceGraph | null;
  readonly selection: Selection;
  readonly undo: readonly Selection[];
  readonly redo: readonly Selection[];
  /** Selected edge keys. */
  readonly selected: readonly string[];
  /** The selected node (its id), when a node is selected instead of edges. */
  readonly selectedNode: string | null;
  readonly namespaces: readonly string[];
  readonly defaultDeny: boolean;
}

export type WorkbenchAction =
  | { readonly type: 'load'; readonly graph: ServiceGraph }
  | { readonly type: 'select'; readonly edges: readonly string[] }
  /** Selects one node (its edges in and out, its policy, in the inspector). */
  | { readonly type: 'select-node'; readonly node: string }
  /** Prunes the selected edges, or restores them when all of them are pruned already. */
  | { readonly type: 'toggle-prune'; readonly edges: readonly string[]; readonly reason?: string }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  | { readonly type: 'scope'; readonly namespaces: readonly string[] }
  | { readonly type: 'default-deny'; readonly on: boolean }
  /** Prunes these edges (kept ones only), as one undoable step: "all edges of a node", "keep only a namespace". */
  | { readonly type: 'prune-edges'; readonly edges: readonly string[]; readonly reason?: string }
  /** "Allow this flow": a drop seen in staging becomes a kept edge (undoable). */
  | { readonly type: 'allow-drop'; readonly drop: FlowRecord }
  /** A saved workspace on the same graph: its pruning (with reasons), scope and default deny; history starts afresh. */
  | {
      readonly type: 'restore';
      readonly graph: ServiceGraph;
      readonly selection: Selection;
      readonly namespaces: readonly string[];
      readonly defaultDeny: boolean;
    };

export const EMPTY_WORKBENCH: Workbench = {
  graph: null,
  selection: { pruned: new Map() },
  undo: [],
  redo: [],
  selected: [],
  selectedNode: null,
  namespaces: [],
  defaultDeny: true,
};

/** Namespaces worth locking down by default: those with workloads, except the cluster's own. */
export function defaultScope(graph: ServiceGraph): string[] {
  const system = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
  return graph.namespaces.filter((ns) => !system.has(ns) && graph.nodes.some((n) => n.kind === 'workload' && n.namespace === ns));
}

const HISTORY = 200;

/** Every edge from or to a node: "prune all edges of this node". */
export function edgesOfNode(graph: ServiceGraph, node: string): string[] {
  return graph.edges.filter((e) => e.source === node || e.target === node).map((e) => e.key);
}

/** Namespace of a node id (`ns/name` for workloads), or undefined for entities and addresses. */
export function namespaceOf(graph: ServiceGraph, node: string): string | undefined {
  const n = graph.nodes.find((x) => x.id === node);
  return n?.kind === 'workload' ? n.namespace : undefined;
}

/**
 * "Keep only this namespace": the edges that neither start nor end in it. Edges that cross its
 * border (its DNS lookups, callers from elsewhere) stay: they are its traffic too.
 */
export function edgesOutsideNamespace(graph: ServiceGraph, namespace: string): string[] {
  const inside = new Set(graph.nodes.filter((n) => n.kind === 'workload' && n.namespace === namespace).map((n) => n.id));
  return graph.edges.filter((e) => !inside.has(e.source) && !inside.has(e.target)).map((e) => e.key);
}

export function workbenchReducer(s: Workbench, a: WorkbenchAction): Workbench {
  switch (a.type) {
    case 'load':
      return { ...EMPTY_WORKBENCH, graph: a.graph, selection: initialSelection(a.graph), namespaces: defaultScope(a.graph) };
    case 'select':
      return { ...s, selected: [...a.edges], selectedNode: null };
    case 'select-node':
      return { ...s, selected: [], selectedNode: a.node };
    case 'restore': {
      // Pruned edges the graph no longer has are dropped; namespaces likewise.
      const known = new Set(a.graph.edges.map((e) => e.key));
      const pruned = new Map([...a.selection.pruned].filter(([k]) => known.has(k)));
      return {
        ...EMPTY_WORKBENCH,
        graph: a.graph,
        selection: { pruned },
        namespaces: a.namespaces.filter((ns) => a.graph.namespaces.includes(ns)),
        defaultDeny: a.defaultDeny,
      };
    }
    case 'toggle-prune': {
      if (a.edges.length === 0) return s;
      const allPruned = a.edges.every((k) => !isKept(s.selection, k));
      const next = allPruned ? restore(s.selection, a.edges) : prune(s.selection, a.edges, a.reason);
      return { ...s, selection: next, undo: [...s.undo, s.selection].slice(-HISTORY), redo: [] };
    }
    case 'prune-edges': {
      const kept = a.edges.filter((k) => isKept(s.selection, k));
      if (kept.length === 0) return s;
      return { ...s, selection: prune(s.selection, kept, a.reason), undo: [...s.undo, s.selection].slice(-HISTORY), redo: [] };
    }
    case 'undo': {
      const prev = s.undo.at(-1);
      return prev ? { ...s, selection: prev, undo: s.undo.slice(0, -1), redo: [...s.redo, s.selection] } : s;
    }
    case 'redo': {
      const next = s.redo.at(-1);
      return next ? { ...s, selection: next, redo: s.redo.slice(0, -1), undo: [...s.undo, s.selection] } : s;
    }
    case 'scope':
      return { ...s, namespaces: [...a.namespaces] };
    case 'default-deny':
      return { ...s, defaultDeny: a.on };
    case 'allow-drop': {
      if (!s.graph) return s;
      const r = allowDrop(s.graph, s.selection, a.drop);
      return {
        ...s,
        graph: r.graph,
        selection: r.selection,
        selected: [r.edgeKey],
        selectedNode: null,
        undo: [...s.undo, s.selection].slice(-HISTORY),
        redo: [],
      };
    }
  }
}
