// Workloads whose records carried no labels: named and selected from a cluster snapshot when one is
// given (Calico's documented flow-log example has pod names and no labels), else unselectable.
import { describe, expect, it } from 'vitest';
import { parseClusterSnapshot } from '../cluster/snapshot';
import { generate } from '../policy/generate';
import { aggregatedCalicoRecord } from '../testing/calico-records';
import { list, pod } from '../testing/cluster-objects';
import { readFixture } from '../testing/fixtures';
import { analyzeText } from './analysis';
import { initialSelection } from './selection';
import { verifySet } from '../testing/verify-set';

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
    coverage: verifySet(set, graph, selection),
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

describe('workloads of one name, and one workload seen with and without labels', () => {
  const flow = (srcPod: string, srcLabels: string[] | null, port: number, t: string) =>
    JSON.stringify({
      flow: {
        time: t,
        verdict: 'FORWARDED',
        IP: { source: srcPod.startsWith('nginx-86') ? '10.0.0.5' : '10.0.0.6', destination: '10.0.0.9' },
        l4: { TCP: { source_port: port, destination_port: 8080, flags: { SYN: true } } },
        source: srcLabels
          ? {
              identity: 30000 + port,
              namespace: 'default',
              labels: [...srcLabels, 'k8s:io.kubernetes.pod.namespace=default'],
              pod_name: srcPod,
            }
          : { identity: 2, namespace: 'default', labels: ['reserved:world'], pod_name: srcPod },
        destination: {
          identity: 40000,
          namespace: 'default',
          labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=default'],
          pod_name: 'api-7d9c5b6f4-bq7wz',
        },
        is_reply: false,
      },
    });

  it('a `kubectl run nginx` pod and a Deployment nginx stay two workloads, each with its own selector and policy', () => {
    const text = [
      flow('nginx', ['k8s:run=nginx'], 40001, '2025-01-01T00:00:00Z'),
      flow('nginx-86c57db685-h6792', ['k8s:app=nginx'], 40002, '2025-01-01T00:00:01Z'),
    ].join('\n');
    const { graph } = analyzeText(text, 'x.json');
    expect(graph.nodes.filter((n) => n.label.startsWith('nginx')).map((n) => [n.id, n.identity])).toEqual([
      ['default/nginx[app=nginx]', { app: 'nginx' }],
      ['default/nginx[run=nginx]', { run: 'nginx' }],
    ]);
    const selection = initialSelection(graph);
    const set = generate(graph, selection, { namespaces: ['default'] });
    const c = verifySet(set, graph, selection);
    expect(c.keptDenied).toEqual([]);
    expect(c.keptAllowed).toHaveLength(2);
    const api = set.policies.find((p) => p.policy.metadata.name === 'api')!.policy;
    expect(api.spec.ingress?.map((r) => r.from?.[0].podSelector?.matchLabels)).toEqual([{ app: 'nginx' }, { run: 'nginx' }]);
  });

  it('a pod reported first without its labels (identity still resolving) and then with them is one labelled workload, in either order', () => {
    const lines = [
      flow('web-59bbf86d94-646hr', null, 40003, '2025-01-01T00:00:00Z'),
      flow('web-7d9c5b6f4-bq7wz', ['k8s:app=web'], 40004, '2025-01-01T00:00:01Z'),
    ];
    const forward = analyzeText(lines.join('\n'), 'x.json').graph;
    const backward = analyzeText([...lines].reverse().join('\n'), 'x.json').graph;
    expect(forward).toEqual(backward);
    expect(forward.nodes.find((n) => n.label === 'web')).toMatchObject({ id: 'default/web', identity: { app: 'web' } });
    expect(forward.nodes.filter((n) => n.unlabelled)).toEqual([]);
  });
});

describe('aggregated records name no pod: the snapshot gives the samples', () => {
  it("a workload known by Calico's aggregated name takes its labels and its pods from the snapshot", () => {
    const line = JSON.stringify(aggregatedCalicoRecord({ source_labels: '-', dest_labels: '-' }));
    const snapshot = parseClusterSnapshot(
      [
        list(
          pod('web-59bbf86d94-x2x2x', {
            ns: 'shop',
            labels: { app: 'web', 'pod-template-hash': '59bbf86d94' },
            owner: ['ReplicaSet', 'web-59bbf86d94'],
          }),
          pod('api-6c8d9f7b5-aaaaa', {
            ns: 'shop',
            labels: { app: 'api', 'pod-template-hash': '6c8d9f7b5' },
            owner: ['ReplicaSet', 'api-6c8d9f7b5'],
          }),
          pod('api-6c8d9f7b5-bbbbb', {
            ns: 'shop',
            labels: { app: 'api', 'pod-template-hash': '6c8d9f7b5' },
            owner: ['ReplicaSet', 'api-6c8d9f7b5'],
          }),
        ),
      ],
      'snapshot.json',
    );
    const { graph } = analyzeText(line + '\n', 'flows.log', { snapshot });
    expect(graph.nodes.map((n) => [n.id, n.identity, n.samplePods])).toEqual([
      ['shop/api', { app: 'api' }, ['api-6c8d9f7b5-aaaaa', 'api-6c8d9f7b5-bbbbb']],
      ['shop/web', { app: 'web' }, ['web-59bbf86d94-x2x2x']],
    ]);
  });
});
