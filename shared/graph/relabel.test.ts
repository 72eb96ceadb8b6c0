// Workloads whose records carried no labels: named and selected from a cluster snapshot when one is
// given (Calico's documented flow-log example has pod names and no labels), else unselectable.
import { describe, expect, it } from 'vitest';
import { parseClusterSnapshot } from '../cluster/snapshot';
import { generate } from '../policy/generate';
import { verify } from '../policy/verify';
import { list, pod } from '../testing/cluster-objects';
import { readFixture } from '../testing/fixtures';
import { analyzeText } from './analysis';
import { initialSelection } from './selection';

const doc = readFixture('calico', 'tigera-docs', 'ex_01_b80e197672.json');
const namespaces = ['client-pods-namespace', 'maintenance-server-namespace'];

function coverage(withSnapshot: boolean) {
  const snapshot = parseClusterSnapshot(
    [
      list(
        pod('client-pods-gkh45', {
          ns: namespaces[0],
          labels: { app: 'client', 'pod-template-hash': 'gkh45' },
          owner: ['DaemonSet', 'client-pods'],
        }),
        pod('maintenance-server-gkh45', {
          ns: namespaces[1],
          labels: { app: 'maintenance', tier: 'ops' },
          owner: ['DaemonSet', 'maintenance-server'],
        }),
      ),
    ],
    'snapshot.json',
  );
  const { graph } = analyzeText(doc, 'flows.json', withSnapshot ? { snapshot } : {});
  const selection = initialSelection(graph);
  const set = generate(graph, selection, { namespaces, defaultDeny: true });
  return {
    graph,
    set,
    coverage: verify(
      set.policies.map((p) => p.policy),
      graph,
      selection,
      namespaces,
    ),
  };
}

describe("Calico's documented example: pod names, no labels", () => {
  it('without a snapshot: unselectable, said precisely, and verify counts the flow as blocked', () => {
    const { graph, set, coverage: c } = coverage(false);
    expect(graph.nodes.map((n) => [n.id, n.unlabelled])).toEqual([
      ['client-pods-namespace/client-pods', 'not-captured'],
      ['maintenance-server-namespace/maintenance-server', 'not-captured'],
    ]);
    expect(graph.warnings.find((w) => w.code === 'unlabelled-workloads')?.message).toMatch(
      /records that carried no labels.*cluster snapshot/,
    );
    // Only the two default-deny policies: generation does not pretend the flow is covered.
    expect(set.policies.map((p) => p.policy.metadata.name)).toEqual(['default-deny', 'default-deny']);
    expect(c.keptAllowed).toEqual([]);
    expect(c.keptDenied.map((f) => f.edge)).toEqual([
      'client-pods-namespace/client-pods->maintenance-server-namespace/maintenance-server:22/TCP',
    ]);
    expect(c.ok).toBe(false);
  });

  it('with a snapshot: the pods get their labels and names, a rule allows the flow, and verify passes', () => {
    const { graph, set, coverage: c } = coverage(true);
    expect(graph.nodes.map((n) => [n.id, n.identity, n.identitySource])).toEqual([
      ['client-pods-namespace/client', { app: 'client' }, 'snapshot'],
      ['maintenance-server-namespace/maintenance', { app: 'maintenance' }, 'snapshot'],
    ]);
    expect(graph.edges.map((e) => e.key)).toEqual(['client-pods-namespace/client->maintenance-server-namespace/maintenance:22/TCP']);
    expect(set.policies).toHaveLength(4);
    expect(c.keptDenied).toEqual([]);
    expect(c.keptAllowed).toHaveLength(1);
    expect(graph.warnings.map((w) => w.code)).not.toContain('unlabelled-workloads');
  });

  it('a pod that carries no labels at all is said to have none, not to be captured again', () => {
    const bare = `{"flow":{"time":"2025-01-01T00:00:00Z","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":40000,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"shop","labels":["k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"debug"},"destination":{"namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"web-59bbf86d94-646hr"},"is_reply":false}}`;
    const { graph } = analyzeText(bare, 'x.json');
    expect(graph.nodes.find((n) => n.id === 'shop/debug')?.unlabelled).toBe('none');
    const w = graph.warnings.find((x) => x.code === 'unlabelled-workloads');
    expect(w?.message).toMatch(/no labels a policy could select/);
    expect(w?.message).not.toMatch(/capture again/);
  });
});
