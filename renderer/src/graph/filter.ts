import { onlyDropped } from '../../../shared/graph/selection';
import type { GraphEdge, ServiceGraph } from '../../../shared/graph/types';

/** What the graph and the edge list show. Empty fields filter nothing. */
export interface GraphFilter {
  /** Only edges that start or end in this namespace. */
  readonly namespace: string;
  readonly verdict: '' | 'forwarded' | 'dropped' | 'audit';
  /** `9080`, `53/UDP`, `TCP` or `udp`: a port, a port and protocol, or a protocol. */
  readonly port: string;
}

export const NO_FILTER: GraphFilter = { namespace: '', verdict: '', port: '' };

export const isFiltering = (f: GraphFilter): boolean => f.namespace !== '' || f.verdict !== '' || f.port.trim() !== '';

/**
 * The verdict an edge is drawn with: dropped when it was only ever dropped (the same test that
 * starts such edges pruned), audit when a policy in audit mode saw it, else forwarded.
 */
export function edgeVerdict(e: GraphEdge): 'forwarded' | 'dropped' | 'audit' {
  return onlyDropped(e) ? 'dropped' : (e.evidence.verdicts.AUDIT ?? 0) > 0 ? 'audit' : 'forwarded';
}

/** Some of the edge's flow events were dropped, not all: it is drawn red-dashed, and the dropped filter shows it. */
export function partlyDropped(e: GraphEdge): boolean {
  return (e.evidence.verdicts.DROPPED ?? 0) > 0 && !onlyDropped(e);
}

/** A port filter that does not parse; the message says what is accepted. */
export function portFilterError(text: string): string | undefined {
  const t = text.trim();
  if (t === '' || /^\d{1,5}(\/(tcp|udp|sctp|icmp))?$/i.test(t) || /^(tcp|udp|sctp|icmp)$/i.test(t)) return undefined;
  return 'Use a port (9080), a port and protocol (53/UDP), or a protocol (TCP).';
}

/** The predicate for a filter; an unparsable port filter filters nothing (its error is shown instead). */
export function edgeMatcher(graph: ServiceGraph, f: GraphFilter): (e: GraphEdge) => boolean {
  const inNs = f.namespace
    ? new Set(graph.nodes.filter((n) => n.kind === 'workload' && n.namespace === f.namespace).map((n) => n.id))
    : null;
  const t = f.port.trim();
  let port: number | null = null;
  let proto: string | null = null;
  if (t && !portFilterError(t)) {
    const [a, b] = t.split('/');
    if (/^\d+$/.test(a)) {
      port = Number(a);
      proto = b ? b.toUpperCase() : null;
    } else proto = a.toUpperCase();
  }
  return (e) =>
    (!inNs || inNs.has(e.source) || inNs.has(e.target)) &&
    (!f.verdict || edgeVerdict(e) === f.verdict || (f.verdict === 'dropped' && partlyDropped(e))) &&
    (port === null || e.port === port) &&
    (proto === null || e.protocol === proto);
}
