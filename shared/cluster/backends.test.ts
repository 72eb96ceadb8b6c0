import { describe, expect, it } from 'vitest';
import { backendsOf, pod, service, slice, type PodSpec } from '../testing/cluster-objects';
import { readFixture } from '../testing/fixtures';
import { parseClusterSnapshot } from './snapshot';

describe('backends of a Service port', () => {
  const web = (name: string, ip: string | undefined, more: PodSpec = {}): unknown =>
    pod(name, { ips: ip ? [ip] : [], labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080 }], ...more });

  it('falls back to the selector with a numeric targetPort: running, scheduled pods only', () => {
    const snap = parseClusterSnapshot(
      [
        service('web', { clusterIP: '10.96.0.10', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }),
        web('web-b', '10.0.0.2'),
        web('web-a', '10.0.0.1'),
        web('web-done', '10.0.0.3', { phase: 'Succeeded' }),
        web('web-pending', undefined),
        pod('db', { ips: ['10.0.0.4'], labels: { app: 'db' } }),
      ],
      'test',
    );
    expect(backendsOf(snap, 'web')).toEqual(['web-a:8080', 'web-b:8080']);
  });

  it('falls back to the selector with a named targetPort resolved on each pod (pods without it left out)', () => {
    const snap = parseClusterSnapshot(
      [
        service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }),
        web('web-a', '10.0.0.1'),
        pod('web-old', { ips: ['10.0.0.2'], labels: { app: 'web' }, ports: [{ name: 'web', containerPort: 80 }] }),
      ],
      'test',
    );
    expect(backendsOf(snap, 'web')).toEqual(['web-a:8080']);
  });

  it('gives address backends for a selector-less Service with hand-written EndpointSlice addresses', () => {
    const snap = parseClusterSnapshot(
      [
        service('legacy-db', { clusterIP: '10.96.7.7', ports: [{ name: 'pg', port: 5432 }] }),
        slice('legacy-db', 'legacy-db-1', [['192.168.10.21'], ['192.168.10.5'], ['192.168.10.21']], [{ name: 'pg', port: 5432 }]),
      ],
      'test',
    );
    expect(backendsOf(snap, 'legacy-db', 'pg')).toEqual(['192.168.10.5:5432', '192.168.10.21:5432']);
  });

  it('reads v1 Endpoints, ready and not-ready, when there is no EndpointSlice', () => {
    const endpoints = {
      kind: 'Endpoints',
      metadata: { name: 'api', namespace: 'shop' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'api-a' } }],
          notReadyAddresses: [{ ip: '10.0.0.9' }],
          ports: [{ name: 'grpc', port: 9090 }],
        },
      ],
    };
    const snap = parseClusterSnapshot(
      [service('api', { ports: [{ name: 'grpc', port: 90, targetPort: 'grpc' }] }), endpoints, pod('api-a')],
      'test',
    );
    expect(backendsOf(snap, 'api', 'grpc')).toEqual(['api-a:9090', '10.0.0.9:9090']);
  });

  it('has none for an ExternalName Service', () => {
    const snap = parseClusterSnapshot(
      [service('mail', { type: 'ExternalName', externalName: 'smtp.example.com', selector: { app: 'web' } }), web('w', '10.0.0.1')],
      'test',
    );
    expect(snap.service('shop', 'mail')).toMatchObject({ type: 'ExternalName', externalName: 'smtp.example.com', clusterIPs: [] });
    expect(snap.backends(snap.services[0], { port: 25, targetPort: 25, protocol: 'TCP' })).toEqual([]);
  });

  it('resolves a headless Service (clusterIP: None) to backends but not as a frontend', () => {
    const snap = parseClusterSnapshot(
      [
        service('db-headless', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432 }] }),
        slice('db-headless', 'db-headless-x1', [['10.0.0.5', 'db-0']], [{ name: 'pg', port: 5432 }]),
        pod('db-0', { ips: ['10.0.0.5'], owner: ['StatefulSet', 'db'] }),
      ],
      'test',
    );
    expect(snap.service('shop', 'db-headless')?.clusterIPs).toEqual([]);
    expect(backendsOf(snap, 'db-headless', 'pg')).toEqual(['db-0:5432']);
  });

  it('picks the EndpointSlice port by name in a multi-port Service, whatever the order', () => {
    const ports = [
      { name: 'metrics', port: 9102, protocol: 'TCP' },
      { name: 'http', port: 8080, protocol: 'TCP' },
    ];
    const snap = parseClusterSnapshot(
      [
        service('shopfront', {
          clusterIP: '10.96.3.3',
          ports: [
            { name: 'http', port: 80, targetPort: 'http' },
            { name: 'metrics', port: 9102, targetPort: 'metrics' },
          ],
        }),
        slice('shopfront', 'shopfront-a', [['10.0.0.1', 'sf-a']], ports),
        // A pod without a `metrics` port is put in a slice of its own that lists only `http`.
        slice('shopfront', 'shopfront-b', [['10.0.0.2', 'sf-b']], [{ name: 'http', port: 8081, protocol: 'TCP' }]),
        pod('sf-a'),
        pod('sf-b'),
      ],
      'test',
    );
    expect(backendsOf(snap, 'shopfront', 'http')).toEqual(['sf-a:8080', 'sf-b:8081']);
    expect(backendsOf(snap, 'shopfront', 'metrics')).toEqual(['sf-a:9102']);
    expect(snap.serviceByFrontend('10.96.3.3', 9102, 'TCP')?.port.name).toBe('metrics');
  });

  it('answers again from the same frozen list', () => {
    const snap = parseClusterSnapshot([JSON.parse(readFixture('field', 'F04-snapshot.json'))], 'F04');
    const [svc] = snap.services;
    expect(snap.backends(svc, svc.ports[0])).toBe(snap.backends(svc, svc.ports[0]));
    expect(Object.isFrozen(snap.backends(svc, svc.ports[0]))).toBe(true);
  });
});
