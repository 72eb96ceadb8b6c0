import type { DraftRun } from '../../../shared/ai/run';
import type { AiRunRecord, AiTake, WorkspacePayload } from '../../../shared/api/contract';
import type { FlowRecord } from '../../../shared/flows/types';
import { allowDrop } from '../../../shared/graph/drops';
import {
  initialSelection,
  isKept,
  parseSelection,
  prune,
  restore,
  serializeSelection,
  type Selection,
} from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { runFromRecord, runRecord } from './ai-runs';

export type Flavor = WorkspacePayload['options']['flavor'];
type Positions = Readonly<Record<string, { readonly x: number; readonly y: number }>>;

/**
 * What the user is working on, all of it kept in a workspace: the graph, what is pruned (with
 * undo/redo) and what is selected, the generation's options, where nodes were dragged, the AI runs.
 */
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
  readonly portRanges: boolean;
  readonly flavor: Flavor;
  /** The reason typed in the edge inspector for the next prune: the prune that takes it uses it up. */
  readonly reason: string;
  /** Where the user dragged nodes to (a workspace's positions, then every drag since). */
  readonly moved: Positions;
  /** Kept as the workspace brought them (the UI has no editor for them yet). */
  readonly notes: string;
  /** Every AI run, as the workspace keeps them (the newest 200). */
  readonly aiRuns: readonly AiRunRecord[];
  /** The newest run, with its review (restored runs are reviewed again against the graph). */
  readonly aiRun: DraftRun | undefined;
  /** The AI draft, or some of its rules, taken instead of the deterministic policies. */
  readonly aiTaken: AiTake | undefined;
}

export type WorkbenchAction =
  | { readonly type: 'load'; readonly graph: ServiceGraph }
  | { readonly type: 'select'; readonly edges: readonly string[] }
  /** Selects one node (its edges in and out, its policy, in the inspector). */
  | { readonly type: 'select-node'; readonly node: string }
  /** The reason being typed for the next prune. */
  | { readonly type: 'reason'; readonly text: string }
  /** Prunes the selected edges with the reason typed (used up), or restores them when all of them are pruned already. */
  | { readonly type: 'toggle-prune' }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  | { readonly type: 'scope'; readonly namespaces: readonly string[] }
  | { readonly type: 'default-deny'; readonly on: boolean }
  | { readonly type: 'port-ranges'; readonly on: boolean }
  | { readonly type: 'flavor'; readonly flavor: Flavor }
  /**
   * Prunes these edges (kept ones only), as one undoable step: "all edges of a node", "keep only a
   * namespace". With `typedReason`, the reason typed in the edge inspector (if any) goes before `reason`, and is used up.
   */
  | { readonly type: 'prune-edges'; readonly edges: readonly string[]; readonly reason?: string; readonly typedReason?: boolean }
  /** "Allow this flow": a drop seen in staging becomes a kept edge (undoable). */
  | { readonly type: 'allow-drop'; readonly drop: FlowRecord }
  /** Nodes the user dragged, where they were dropped. */
  | { readonly type: 'moved'; readonly positions: Positions }
  /** A draft came back from the model (or failed): it is the newest run, and kept. */
  | { readonly type: 'ai-run'; readonly run: DraftRun }
  /** The AI draft or some of its rules taken, or (undefined) the deterministic policies again. */
  | { readonly type: 'ai-take'; readonly take: AiTake | undefined }
  /**
   * A saved workspace on the same graph: its pruning (with reasons), options, positions, notes and
   * AI runs (the newest reviewed again against the graph); history starts afresh.
   */
  | { readonly type: 'restore'; readonly graph: ServiceGraph; readonly workspace: WorkspacePayload };

export const EMPTY_WORKBENCH: Workbench = {
  graph: null,
  selection: { pruned: new Map() },
  undo: [],
  redo: [],
  selected: [],
  selectedNode: null,
  namespaces: [],
  defaultDeny: true,
  portRanges: false,
  flavor: 'kubernetes',
  reason: '',
  moved: {},
  notes: '',
  aiRuns: [],
  aiRun: undefined,
  aiTaken: undefined,
};

/** How many AI runs a workspace keeps. */
const AI_RUNS = 200;

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

/** The workspace as it stands: what autosave and "Save workspace" write, and what `restore` reads back. */
export function workspaceOf(
  s: Pick<Workbench, 'selection' | 'namespaces' | 'defaultDeny' | 'portRanges' | 'flavor' | 'notes' | 'moved' | 'aiRuns' | 'aiTaken'>,
): WorkspacePayload {
  return {
    selection: serializeSelection(s.selection),
    options: { namespaces: [...s.namespaces], defaultDeny: s.defaultDeny, portRanges: s.portRanges, flavor: s.flavor },
    notes: s.notes,
    positions: Object.keys(s.moved).length > 0 ? { ...s.moved } : undefined,
    aiRuns: s.aiRuns.length > 0 ? [...s.aiRuns] : undefined,
    aiTaken: s.aiTaken,
  };
}

/** A new selection as one undoable step (redo is forgotten). */
const step = (s: Workbench, selection: Selection): Workbench => ({
  ...s,
  selection,
  undo: [...s.undo, s.selection].slice(-HISTORY),
  redo: [],
});

/** The one place the workbench changes: a pure function of the state and what the user did. */
export function workbenchReducer(s: Workbench, a: WorkbenchAction): Workbench {
  switch (a.type) {
    case 'load':
      return { ...EMPTY_WORKBENCH, graph: a.graph, selection: initialSelection(a.graph), namespaces: defaultScope(a.graph) };
    case 'select':
      return { ...s, selected: [...a.edges], selectedNode: null };
    case 'select-node':
      return { ...s, selected: [], selectedNode: a.node };
    case 'restore': {
      const ws = a.workspace;
      // Pruned edges the graph no longer has are dropped; namespaces likewise.
      const known = new Set(a.graph.edges.map((e) => e.key));
      const selection = { pruned: new Map([...parseSelection(ws.selection).pruned].filter(([k]) => known.has(k))) };
      const last = ws.aiRuns?.at(-1);
      return {
        ...EMPTY_WORKBENCH,
        graph: a.graph,
        selection,
        namespaces: ws.options.namespaces.filter((ns) => a.graph.namespaces.includes(ns)),
        defaultDeny: ws.options.defaultDeny,
        portRanges: ws.options.portRanges,
        flavor: ws.options.flavor,
        moved: { ...ws.positions },
        notes: ws.notes,
        aiRuns: ws.aiRuns ?? [],
        aiRun: last ? runFromRecord(last, a.graph, selection) : undefined,
        aiTaken: ws.aiTaken,
      };
    }
    case 'reason':
      return { ...s, reason: a.text };
    case 'toggle-prune': {
      const used = s.reason === '' ? s : { ...s, reason: '' };
      if (s.selected.length === 0) return used;
      const allPruned = s.selected.every((k) => !isKept(s.selection, k));
      return step(used, allPruned ? restore(s.selection, s.selected) : prune(s.selection, s.selected, s.reason.trim() || undefined));
    }
    case 'prune-edges': {
      const typed = a.typedReason ? s.reason.trim() : '';
      const used = a.typedReason && s.reason !== '' ? { ...s, reason: '' } : s;
      const kept = a.edges.filter((k) => isKept(s.selection, k));
      return kept.length === 0 ? used : step(used, prune(s.selection, kept, typed || a.reason));
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
    case 'port-ranges':
      return { ...s, portRanges: a.on };
    case 'flavor':
      return { ...s, flavor: a.flavor };
    case 'allow-drop': {
      if (!s.graph) return s;
      const r = allowDrop(s.graph, s.selection, a.drop);
      return { ...step(s, r.selection), graph: r.graph, selected: [r.edgeKey], selectedNode: null };
    }
    case 'moved':
      return { ...s, moved: { ...s.moved, ...a.positions } };
    case 'ai-run':
      return { ...s, aiRun: a.run, aiRuns: [...s.aiRuns, runRecord(a.run)].slice(-AI_RUNS) };
    case 'ai-take':
      return { ...s, aiTaken: a.take };
  }
}
