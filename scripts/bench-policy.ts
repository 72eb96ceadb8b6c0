// Benchmark part: generate plus verify on a synthetic graph of 1,000 workloads and 10,000 kept edges.
import { edgeKey } from '../shared/graph/keys';
import { initialSelection } from '../shared/graph/selection';
import type { EdgeEvidence, GraphEdge, GraphNode, ServiceGraph } from '../shared/graph/types';
import { generateCilium } from '../shared/policy/cilium';
import { generate } from '../shared/policy/generate';
import { verify } from '../shared/policy/verify';
import { syntheticTopology } from './generate-capture';
import { forwardedEvidence } from '../shared/testing/evidence';

const evidence: EdgeEvidence = forwardedEvidence(10, 2, 1_700_000_000_000, 1_700_000_360_000);

/** The service graph of the capture generator's topology, built directly (no capture file). */
export function syntheticGraph(workloads: number, edges: number): ServiceGraph {
  const topo = syntheticTopology({ lines: 0, workloads, edges });
  const nodes: GraphNode[] = topo.workloads.map((w) => ({
    id: `${w.ns}/${w.app}`,
    kind: 'workload',
    label: w.app,
    namespace: w.ns,
    identity: { app: w.app },
    labels: { app: w.app, version: 'v1' },
    samplePods: w.pods,
  }));
  const graphEdges: GraphEdge[] = topo.edges.map(([a, b]) => {
    const src = nodes[a];
    const dst = nodes[b];
    const port = topo.workloads[b].port;
    return { key: edgeKey(src.id, dst.id, 'TCP', port), source: src.id, target: dst.id, protocol: 'TCP', port, evidence };
  });
  const namespaces = [...new Set(nodes.map((n) => n.namespace!))].sort();
  return { nodes, edges: graphEdges, namespaces, window: null, warnings: [] };
}

/** Generate then verify (with the engine of the flavor) on the synthetic graph; times in ms. */
export function benchPolicy(
  flavor: 'kubernetes' | 'cilium' = 'kubernetes',
  workloads = 1000,
  edges = 10_000,
): { generateMs: number; verifyMs: number; policies: number; rules: number; ok: boolean } {
  const graph = syntheticGraph(workloads, edges);
  const selection = initialSelection(graph);
  const t0 = performance.now();
  const options = { namespaces: graph.namespaces, defaultDeny: true };
  const set = flavor === 'cilium' ? generateCilium(graph, selection, options) : generate(graph, selection, options);
  const t1 = performance.now();
  const c = verify(
    set.policies.map((g) => g.policy),
    graph,
    selection,
    graph.namespaces,
    { engine: flavor },
  );
  const t2 = performance.now();
  return {
    generateMs: t1 - t0,
    verifyMs: t2 - t1,
    policies: set.policies.length,
    rules: set.policies.reduce((n, g) => n + g.rules.length, 0),
    ok: c.ok,
  };
}
