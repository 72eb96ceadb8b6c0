import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edgeKey } from '../graph/keys';
import { initialSelection, prune } from '../graph/selection';
import type { EdgeEvidence, GraphEdge, GraphNode, ServiceGraph } from '../graph/types';
import { generate } from './generate';
import { verify } from './verify';

const evidence: EdgeEvidence = {
  flows: 1,
  replies: 0,
  connections: 1,
  connectionsCapped: false,
  firstSeen: 0,
  lastSeen: 0,
  verdicts: { FORWARDED: 1 },
  dropReasons: {},
  samplePods: { src: [], dst: [] },
  dnsNames: [],
  l7: { dns: [], http: [] },
  direction: { basis: { handshake: 2 }, uncertain: 0 },
  attribution: { enforced: [], pending: [], pendingActions: {}, matchTypes: {} },
};

/** Random service graphs: workloads in a few namespaces (some sharing names), external addresses, edges on random ports. */
const graphs = fc
  .record({
    workloads: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('web', 'api', 'db', 'cache', 'auth', 'queue')), {
      minLength: 2,
      maxLength: 10,
      selector: ([ns, n]) => `${ns}/${n}`,
    }),
    externals: fc.uniqueArray(fc.ipV4(), { maxLength: 2 }),
    edges: fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom<'TCP' | 'UDP'>('TCP', 'UDP'),
        fc.constantFrom(53, 80, 81, 82, 443, 444, 1029, 8080, 8081),
      ),
      { minLength: 1, maxLength: 25 },
    ),
    prunedMask: fc.array(fc.boolean(), { maxLength: 25 }),
    scopeMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  })
  .map(({ workloads, externals, edges, prunedMask, scopeMask }) => {
    const nodes: GraphNode[] = [
      ...workloads.map(([ns, name]) => ({
        id: `${ns}/${name}`,
        kind: 'workload' as const,
        label: name,
        namespace: ns,
        identity: { app: name },
        labels: { app: name, tier: ns },
      })),
      ...externals.map((ip) => ({ id: `ip:${ip}`, kind: 'external' as const, label: ip, ip })),
    ];
    const byKey = new Map<string, GraphEdge>();
    for (const [s, t, protocol, port] of edges) {
      const src = nodes[s % nodes.length];
      const dst = nodes[t % nodes.length];
      if (src.kind !== 'workload' && dst.kind !== 'workload') continue;
      const key = edgeKey(src.id, dst.id, protocol, port);
      byKey.set(key, { key, source: src.id, target: dst.id, protocol, port, evidence });
    }
    const graph: ServiceGraph = { nodes, edges: [...byKey.values()], namespaces: ['a', 'b', 'c'], window: null, warnings: [] };
    const pruned = graph.edges.filter((_, i) => prunedMask[i]).map((e) => e.key);
    const scope = ['a', 'b', 'c'].filter((_, i) => scopeMask[i]);
    return { graph, pruned, scope: scope.length > 0 ? scope : ['a'] };
  });

/** Generates for a random case and checks, with evaluate, that exactly the kept edges are allowed. */
function allowsExactlyTheKeptEdges(options: { defaultDeny?: boolean; portRanges?: boolean }) {
  return fc.property(graphs, ({ graph, pruned, scope }) => {
    const selection = prune(initialSelection(graph), pruned);
    const set = generate(graph, selection, { namespaces: scope, ...options });
    const c = verify(
      set.policies.map((g) => g.policy),
      graph,
      selection,
      scope,
    );
    expect(c.keptDenied).toEqual([]);
    expect(c.prunedAllowed).toEqual([]);
    expect(c.unobservedAllowed).toEqual([]);
    expect(c.unbackedRules).toEqual([]);
    expect(c.widePorts).toEqual([]);
    expect(c.ok).toBe(true);
  });
}

describe('generated policies allow exactly the kept edges (property)', () => {
  it('for random graphs and selections, as judged by evaluate', () => {
    fc.assert(allowsExactlyTheKeptEdges({ defaultDeny: true }), { numRuns: 300, seed: 20261127 });
  });

  it('with port ranges on, still exactly the kept edges', () => {
    fc.assert(allowsExactlyTheKeptEdges({ portRanges: true }), { numRuns: 200, seed: 7 });
  });
});
