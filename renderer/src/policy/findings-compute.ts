// Coverage and lint for the findings list: what the worker runs, and the main thread for small graphs.
import type { Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { generate, type GenerateOptions } from '../../../shared/policy/generate';
import { lint } from '../../../shared/policy/lint';
import type { NetworkPolicy } from '../../../shared/policy/types';
import { verify } from '../../../shared/policy/verify';
import { findingItems, type FindingItem } from './finding-items';

export interface FindingsRequest {
  readonly id: number;
  /** The policies to check, or (cheaper to send) the options to generate them from in the worker. */
  readonly policies?: readonly NetworkPolicy[];
  readonly generate?: GenerateOptions;
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
  const policies = r.policies ?? generate(r.graph, r.selection, r.generate ?? { namespaces: r.namespaces }).policies.map((g) => g.policy);
  return findingItems(verify(policies, r.graph, r.selection, r.namespaces), lint(policies, { graph: r.graph }));
}
