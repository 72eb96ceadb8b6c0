// An edge to a Service whose backends are known, but not which of them each of its connections
// reached (see resolveServices), stands for one edge per backend wherever policies are written or
// judged: a NetworkPolicy sees traffic after the Service is translated, to any of its backends.
import type { GraphEdge } from './types';

/**
 * The edges a policy must allow for `e`: `e` itself, or, for an edge to a Service that lists its
 * backends (evidence.service.backends), one per backend (its node and target port), each keeping
 * `e`'s key and evidence, so that rules, verdicts and selections stay tied to the one observed edge.
 */
export function backendEdges(e: GraphEdge): GraphEdge[] {
  const backends = e.evidence.service?.backends;
  if (!backends || backends.length === 0) return [e];
  return backends.map((b) => ({ ...e, target: b.node, port: b.port }));
}

/** True for an edge to a Service that nothing resolved to any backend: no rule can allow it. */
export function isUnresolvedService(e: GraphEdge): boolean {
  return e.target.startsWith('service:') && !(e.evidence.service?.backends?.length ?? 0);
}
