// Coverage and lint for the findings list: what the worker runs, and the main thread for small graphs.
import type { Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { lint } from '../../../shared/policy/lint';
import type { NetworkPolicy } from '../../../shared/policy/types';
import { verify } from '../../../shared/policy/verify';
import { findingItems, type FindingItem } from './finding-items';

export interface FindingsRequest {
  readonly id: number;
  readonly policies: readonly NetworkPolicy[];
  /** Sent when it changed; the worker keeps the last one. */
  readonly graph?: ServiceGraph;
  readonly selection: Selection;
  readonly namespaces: readonly string[];
}

export interface FindingsReply {
  readonly id: number;
  readonly items?: FindingItem[];
  readonly error?: string;
}

export function computeFindings(r: Omit<FindingsRequest, 'id' | 'graph'> & { readonly graph: ServiceGraph }): FindingItem[] {
  return findingItems(verify(r.policies, r.graph, r.selection, r.namespaces), lint(r.policies, { graph: r.graph }));
}
