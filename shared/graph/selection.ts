import type { GraphEdge, ServiceGraph } from './types';

export type PruneOrigin = 'user' | 'dropped';

export interface PrunedEdge {
  readonly reason?: string;
  readonly by: PruneOrigin;
}

/** Which edges are kept: every edge not in `pruned`. Immutable; each change returns a new one. */
export interface Selection {
  readonly pruned: ReadonlyMap<string, PrunedEdge>;
}

/** The serialised form kept in a workspace file. */
export interface SelectionFile {
  readonly version: 1;
  readonly pruned: readonly { readonly edge: string; readonly by: PruneOrigin; readonly reason?: string }[];
}

/** True when every event on the edge was dropped: nothing in the cluster allowed it. */
export function onlyDropped(e: GraphEdge): boolean {
  const v = e.evidence.verdicts;
  const dropped = v.DROPPED ?? 0;
  return dropped > 0 && dropped >= e.evidence.flows && !v.FORWARDED && !v.REDIRECTED && !v.AUDIT;
}

/** The starting selection for a graph: edges that were only ever dropped start pruned. */
export function initialSelection(graph: Pick<ServiceGraph, 'edges'>): Selection {
  const pruned = new Map<string, PrunedEdge>();
  for (const e of graph.edges) {
    if (onlyDropped(e)) pruned.set(e.key, { by: 'dropped', reason: 'dropped by the cluster when captured' });
  }
  return { pruned };
}

export function isKept(sel: Selection, edgeKey: string): boolean {
  return !sel.pruned.has(edgeKey);
}

export function prune(sel: Selection, edgeKeys: readonly string[], reason?: string): Selection {
  const pruned = new Map(sel.pruned);
  for (const k of edgeKeys) pruned.set(k, reason ? { by: 'user', reason } : { by: 'user' });
  return { pruned };
}

export function restore(sel: Selection, edgeKeys: readonly string[]): Selection {
  const pruned = new Map(sel.pruned);
  for (const k of edgeKeys) pruned.delete(k);
  return { pruned };
}

/** The selection as a workspace file and the IPC payloads hold it (a fresh array, so callers may keep it). */
export function serializeSelection(sel: Selection): { version: 1; pruned: SelectionFile['pruned'][number][] } {
  return {
    version: 1,
    pruned: [...sel.pruned.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([edge, p]) => (p.reason ? { edge, by: p.by, reason: p.reason } : { edge, by: p.by })),
  };
}

/** Reads a serialised selection; throws with a message that says what is wrong. */
export function parseSelection(data: unknown): Selection {
  const f = data as { version?: unknown; pruned?: unknown } | null;
  if (!f || typeof f !== 'object' || f.version !== 1 || !Array.isArray(f.pruned)) {
    throw new Error('not a selection: expected {"version": 1, "pruned": [...]}');
  }
  const pruned = new Map<string, PrunedEdge>();
  (f.pruned as unknown[]).forEach((entry, i) => {
    const p = entry as { edge?: unknown; by?: unknown; reason?: unknown } | null;
    if (!p || typeof p.edge !== 'string' || (p.by !== 'user' && p.by !== 'dropped')) {
      throw new Error(`selection entry ${i} needs "edge" (a string) and "by" ("user" or "dropped")`);
    }
    pruned.set(p.edge, typeof p.reason === 'string' && p.reason ? { by: p.by, reason: p.reason } : { by: p.by });
  });
  return { pruned };
}
