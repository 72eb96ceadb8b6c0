import { selectorMatch } from './engine/model';
import type { LabelSelector } from './types';

/** Kubernetes label-selector semantics on known labels: matchLabels and matchExpressions all hold (an empty selector matches all). The engine's three-valued match (engine/model.ts) with every label known. */
export function selectorMatches(sel: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  return selectorMatch(sel, labels).match === 'yes';
}

/** True for `{}` (or a selector with no requirements): it selects everything. */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}
