import type { ConnlistModel } from './connlist/model';
import { selectorMatches } from './selectors';
import type { NetworkPolicy } from './types';

export interface SelectorOverlap {
  readonly policy: string;
  /** Workloads (`ns/name[Kind]`) the policy's podSelector selects in the cluster. */
  readonly matches: readonly string[];
}

/** For each policy, the workloads its podSelector selects in a cluster snapshot: more than one is worth a look. */
export function selectorOverlaps(policies: readonly NetworkPolicy[], cluster: ConnlistModel): SelectorOverlap[] {
  return policies.map((p) => {
    const ns = p.metadata.namespace ?? 'default';
    const matches = cluster.workloads
      .filter((w) => w.namespace === ns && selectorMatches(p.spec.podSelector, w.labels))
      .map((w) => `${w.namespace}/${w.name}[${w.workloadKind}]`)
      .sort();
    return { policy: `${ns}/${p.metadata.name}`, matches };
  });
}
