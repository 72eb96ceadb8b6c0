import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures';
import { backendsOf, list, pod, service, slice } from '../testing/cluster-objects';
import { parseClusterSnapshot, SnapshotError } from './snapshot';

describe('F04 (cilium/cilium#21251): ClusterIP → named targetPort → pods through the EndpointSlice', () => {
  const snap = parseClusterSnapshot([JSON.parse(readFixture('field', 'F04-snapshot.json'))], 'F04-snapshot.json');

  it('resolves 10.96.200.135:80 to both elasticsearch pods on 9200, and 9300 to 9300', () => {
    const front = snap.serviceByFrontend('10.96.200.135', 80, 'TCP');
    expect(front?.service.name).toBe('elasticsearch-master');
    expect(front?.port).toEqual({ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' });
    expect(backendsOf(snap, 'elasticsearch-master', 'http')).toEqual(['elasticsearch-master-0:9200', 'elasticsearch-master-1:9200']);
    expect(backendsOf(snap, 'elasticsearch-master', 'transport')).toEqual(['elasticsearch-master-0:9300', 'elasticsearch-master-1:9300']);
  });

  it.each([
    ['10.96.200.135', 9200, 'TCP'],
    ['10.96.200.135', 80, 'UDP'],
    ['10.0.3.15', 9200, 'TCP'],
  ] as const)('%s:%i/%s is no Service frontend', (ip, port, protocol) => {
    expect(snap.serviceByFrontend(ip, port, protocol)).toBeUndefined();
  });

  it('gives labels, owners and workloads of the pods', () => {
    const kibana = snap.podByIp('10.0.1.21');
    expect(kibana?.name).toBe('kibana-6c8d9f7b5-x2x2x');
    expect(kibana?.labels).toEqual({ app: 'kibana', 'pod-template-hash': '6c8d9f7b5' });
    expect(kibana?.owner).toEqual({ kind: 'Deployment', name: 'kibana' });
    expect(snap.podsOfWorkload('logging', 'kibana').map((p) => p.name)).toEqual(['kibana-6c8d9f7b5-x2x2x']);
    expect(snap.podsOfWorkload('logging', 'elasticsearch-master').map((p) => p.ips)).toEqual([['10.0.3.15'], ['10.0.3.16']]);
    expect(snap.pod('logging', 'elasticsearch-master-1')?.owner).toEqual({ kind: 'StatefulSet', name: 'elasticsearch-master' });
  });
});

describe('the top-level owner of a pod', () => {
  it.each([
    [
      'Deployment (pod-template-hash label)',
      { owner: ['ReplicaSet', 'web-7f9c4d8b6'], labels: { 'pod-template-hash': '7f9c4d8b6' } },
      { kind: 'Deployment', name: 'web' },
    ],
    // A small uint32 hash encodes to fewer than 6 characters: only the label tells it is one.
    [
      'Deployment (a short hash only the label tells)',
      { owner: ['ReplicaSet', 'web-7f9c4'], labels: { 'pod-template-hash': '7f9c4' } },
      { kind: 'Deployment', name: 'web' },
    ],
    ['Deployment (no hash label: by the name)', { owner: ['ReplicaSet', 'nginx-86c57db685'] }, { kind: 'Deployment', name: 'nginx' }],
    ['a ReplicaSet of its own', { owner: ['ReplicaSet', 'legacy'] }, { kind: 'ReplicaSet', name: 'legacy' }],
    ['StatefulSet', { owner: ['StatefulSet', 'db'] }, { kind: 'StatefulSet', name: 'db' }],
    ["a CronJob's Job", { owner: ['Job', 'backup-28470060'] }, { kind: 'CronJob', name: 'backup' }],
    ['a Job of its own', { owner: ['Job', 'db-migrate'] }, { kind: 'Job', name: 'db-migrate' }],
    ['DaemonSet', { owner: ['DaemonSet', 'node-exporter'] }, { kind: 'DaemonSet', name: 'node-exporter' }],
    ['a mirror pod (owned by its Node)', { owner: ['Node', 'worker-1'] }, undefined],
    ['a bare pod', {}, undefined],
  ] as const)('%s', (_, spec, owner) => {
    const snap = parseClusterSnapshot([pod('p', spec)], 'test');
    expect(snap.pod('shop', 'p')?.owner).toEqual(owner);
  });

  it('finds the pods of a workload whatever kind owns them', () => {
    const snap = parseClusterSnapshot(
      [
        list(
          pod('api-1', { owner: ['ReplicaSet', 'api-5d8f7c9b4'] }),
          pod('api-2', { owner: ['ReplicaSet', 'api-6b7c8d9f5'] }),
          pod('solo'),
        ),
      ],
      'test',
    );
    expect(snap.podsOfWorkload('shop', 'api').map((p) => p.name)).toEqual(['api-1', 'api-2']);
    expect(snap.podsOfWorkload('shop', 'solo')).toEqual([]);
    expect(snap.podsOfWorkload('other', 'api')).toEqual([]);
  });
});

describe('addresses', () => {
  const dualStack = parseClusterSnapshot(
    [
      service('api', {
        clusterIP: 'fd00:10:96::a',
        clusterIPs: ['fd00:10:96::a', '10.96.0.10'],
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      }),
      slice('api', 'api-v6', [['fd00:10:244:1::5', 'api-a']], [{ name: 'http', port: 8080 }], 'IPv6'),
      slice('api', 'api-v4', [['10.244.1.5', 'api-a']], [{ name: 'http', port: 8080 }]),
      pod('api-a', { ips: ['10.244.1.5', 'fd00:10:244:1::5'] }),
      pod('node-agent', { ips: ['192.168.49.2'], hostNetwork: true }),
      pod('batch-done', { ips: ['10.244.1.9'], phase: 'Succeeded' }),
      pod('new-web', { ips: ['10.244.1.9'] }),
    ],
    'test',
  );

  it.each([
    ['fd00:10:96::a', 'api'],
    ['fd00:10:96:0:0:0:0:a', 'api'],
    ['FD00:10:96::A', 'api'],
    ['10.96.0.10', 'api'],
    ['fd00:10:96::b', undefined],
  ])('ClusterIP %s → %s', (ip, name) => {
    expect(dualStack.serviceByFrontend(ip, 80, 'TCP')?.service.name).toBe(name);
  });

  it('counts a dual-stack pod in an IPv4 and an IPv6 slice once', () => {
    expect(backendsOf(dualStack, 'api', 'http')).toEqual(['api-a:8080']);
  });

  it.each([
    ['10.244.1.5', 'api-a'],
    ['fd00:10:244:1:0::5', 'api-a'],
    ['192.168.49.2', undefined], // hostNetwork: the node's address
    ['10.244.1.9', 'new-web'], // the running pod, not the finished one that held the IP before
  ])('podByIp %s → %s', (ip, name) => {
    expect(dualStack.podByIp(ip)?.name).toBe(name);
  });

  it('takes LoadBalancer ingress and external IPs as frontends, and keeps the NodePort', () => {
    const snap = parseClusterSnapshot(
      [
        service(
          'edge',
          {
            type: 'LoadBalancer',
            clusterIP: '10.96.9.9',
            externalIPs: ['198.51.100.7'],
            ports: [{ port: 443, targetPort: 8443, nodePort: 31443 }],
          },
          { loadBalancer: { ingress: [{ ip: '203.0.113.10' }, { hostname: 'lb.example.com' }] } },
        ),
      ],
      'test',
    );
    expect(snap.services[0].externalIPs).toEqual(['198.51.100.7', '203.0.113.10']);
    expect(snap.serviceByFrontend('203.0.113.10', 443, 'TCP')?.port).toEqual({
      port: 443,
      targetPort: 8443,
      protocol: 'TCP',
      nodePort: 31443,
    });
  });
});

describe('named ports (F16)', () => {
  const snap = parseClusterSnapshot([JSON.parse(readFixture('field', 'F16-snapshot.json'))], 'F16-snapshot.json');
  const beta = snap.pod('default', 'beta-5f6d7c8b9-x7k2p');
  const alpha = snap.pod('default', 'alpha-7d9c5b6f4-bq7wz');

  it.each([
    ['beta', 'http-api', 'TCP', 8000],
    ['beta', 'http-api', 'UDP', undefined],
    ['beta', 'http', 'TCP', undefined],
    ['alpha', 'http-api', 'TCP', undefined],
  ] as const)('%s %s/%s → %s', (who, name, protocol, port) => {
    const p = who === 'beta' ? beta : alpha;
    expect(p).toBeDefined();
    if (p) expect(snap.namedPort(p, name, protocol)).toBe(port);
  });

  it('reads the ports of sidecars (init containers that keep running), not of other init containers', () => {
    const o = pod('p') as { spec: Record<string, unknown> };
    const initContainers = [
      { name: 'mesh', restartPolicy: 'Always', ports: [{ name: 'envoy-admin', containerPort: 15000 }] },
      { name: 'migrate', ports: [{ name: 'setup', containerPort: 9999 }] },
    ];
    const s = parseClusterSnapshot([{ ...o, spec: { ...o.spec, initContainers } }], 't');
    const p = s.pod('shop', 'p');
    expect(p && [s.namedPort(p, 'envoy-admin', 'TCP'), s.namedPort(p, 'setup', 'TCP')]).toEqual([15000, undefined]);
  });

  it('reads a container port without a protocol as TCP', () => {
    const s = parseClusterSnapshot(
      [
        pod('p', {
          ports: [
            { name: 'dns', containerPort: 53 },
            { name: 'dns', containerPort: 5353, protocol: 'UDP' },
          ],
        }),
      ],
      't',
    );
    const p = s.pod('shop', 'p');
    expect(p && [s.namedPort(p, 'dns', 'TCP'), s.namedPort(p, 'dns', 'UDP')]).toEqual([53, 5353]);
  });
});

describe('input it refuses or skips', () => {
  it('skips malformed objects and other kinds, keeping the rest', () => {
    const snap = parseClusterSnapshot(
      [
        null,
        'text',
        { kind: 'Pod' },
        { kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 'eighty' }, { port: 70000 }] } },
        { kind: 'Namespace', metadata: { name: 'shop' } },
        pod('ok'),
      ],
      'test',
    );
    expect(snap.pods.map((p) => p.name)).toEqual(['ok']);
    expect(snap.services.map((s) => [s.name, s.ports.length])).toEqual([['bad', 0]]);
  });

  it.each([[[]], [[list()]], [[{ kind: 'NetworkPolicy', metadata: { name: 'deny' } }]]])(
    'refuses %j: nothing a snapshot holds',
    (objects) => {
      const error = (() => {
        try {
          parseClusterSnapshot(objects, 'policies.yaml');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SnapshotError);
      expect(error).toMatchObject({ code: 'no-cluster-objects', source: 'policies.yaml' });
      expect((error as Error).message).toMatch(
        /^policies\.yaml: holds no Pod, Service.*kubectl get svc,endpointslices,pods,namespaces -A -o json > snapshot\.json/,
      );
    },
  );
});
