import { describe, expect, it } from 'vitest';
import {
  installedName,
  ownerFromAggregatedName,
  ownerFromControllerName,
  ownerFromPodName,
  parseCiliumLabels,
  workloadIdentity,
} from './identity';

describe('ownerFromPodName: the workload behind a generated pod name, never a hash', () => {
  it.each([
    // Deployment: <name>-<ReplicaSet hash>-<5 chars>
    ['nginx-86c57db685-h6792', 'nginx'],
    ['web-59bbf86d94-646hr', 'web'],
    ['reviews-v1-545db77b95-j2n72', 'reviews-v1'],
    ['kibana-6c8d9f7b5-x2x2x', 'kibana'],
    ['coredns-5d8f7c9b4-x7k2p', 'coredns'],
    // Kubernetes before 1.11 used a decimal hash
    ['frontend-3322722759-7vdwh', 'frontend'],
    // StatefulSet: <name>-<ordinal>
    ['elasticsearch-master-0', 'elasticsearch-master'],
    ['redis-12', 'redis'],
    // DaemonSet and Job: <name>-<5 chars>
    ['cilium-x7k2p', 'cilium'],
    ['db-migrate-bq7wz', 'db-migrate'],
    // A CronJob's Job pod: <name>-<schedule in minutes>-<5 chars>
    ['backup-28470060-x7k2p', 'backup'],
    // Bare pods and words that only look like suffixes (vowels never appear in generated ones)
    ['toolbox', 'toolbox'],
    ['proxy-https-v2', 'proxy-https-v2'],
    ['proxy-https', 'proxy-https'],
    ['web-proxy', 'web-proxy'],
    ['api-v2', 'api-v2'],
  ])('%s → %s', (pod, owner) => {
    expect(ownerFromPodName(pod)).toBe(owner);
  });
});

describe('ownerFromControllerName and ownerFromAggregatedName', () => {
  it.each([
    ['nginx-86c57db685', 'ReplicaSet', 'nginx'],
    ['backup-28470060', 'Job', 'backup'],
    ['db-migrate', 'Job', 'db-migrate'],
    ['web', 'StatefulSet', 'web'],
    ['api', 'Deployment', 'api'],
  ])('%s (%s) → %s', (name, kind, owner) => {
    expect(ownerFromControllerName(name, kind)).toBe(owner);
  });

  it.each([
    ['nginx-86c57db685-*', 'nginx'],
    ['frontend-7d9c5b6f4-*', 'frontend'],
    ['access-6b687c8dcb-*', 'access'],
    ['web-*', 'web'],
    ['rails-81531*', 'rails'],
    ['backup-28470060-*', 'backup'],
  ])('%s → %s', (aggr, owner) => {
    expect(ownerFromAggregatedName(aggr)).toBe(owner);
  });
});

describe('workloadIdentity', () => {
  it.each([
    [{ 'app.kubernetes.io/name': 'checkout', app: 'x' }, 'checkout', { 'app.kubernetes.io/name': 'checkout' }],
    [{ app: 'web', version: 'v1' }, 'web', { app: 'web' }],
    [{ 'k8s-app': 'kube-dns' }, 'kube-dns', { 'k8s-app': 'kube-dns' }],
    [{ run: 'nginx' }, 'nginx', { run: 'nginx' }],
  ])('names %j by its identity label', (labels, name, identity) => {
    expect(workloadIdentity(labels, undefined, 'nginx-86c57db685-h6792')).toEqual({ name, identity });
  });

  it.each([
    [
      'two Helm releases of one chart are two workloads, named as Helm names them',
      { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'orders-db', 'app.kubernetes.io/component': 'primary' },
      'orders-db-postgresql',
      { 'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'orders-db', 'app.kubernetes.io/component': 'primary' },
    ],
    [
      'an instance that holds the name is the name',
      {
        'app.kubernetes.io/name': 'jaeger-default',
        'app.kubernetes.io/instance': 'jaeger-default',
        'app.kubernetes.io/component': 'all-in-one',
      },
      'jaeger-default',
      {
        'app.kubernetes.io/name': 'jaeger-default',
        'app.kubernetes.io/instance': 'jaeger-default',
        'app.kubernetes.io/component': 'all-in-one',
      },
    ],
    [
      'a name that holds the instance stays the name',
      { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders', app: 'x' },
      'orders-api',
      { 'app.kubernetes.io/name': 'orders-api', 'app.kubernetes.io/instance': 'orders' },
    ],
    [
      'a component without an instance joins the selector, not the name',
      { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/component': 'broker' },
      'kafka',
      { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/component': 'broker' },
    ],
    ['an instance label without a name label names nothing', { app: 'web', 'app.kubernetes.io/instance': 'prod' }, 'web', { app: 'web' }],
  ])('app.kubernetes.io/name with instance and component: %s', (_name, labels, name, identity) => {
    expect(workloadIdentity(labels, undefined, 'x-0')).toEqual({ name, identity });
  });

  it.each([
    ['postgresql', 'orders-db', undefined, 'orders-db-postgresql'],
    ['postgresql', 'my-postgresql', undefined, 'my-postgresql'],
    ['redis', 'shop', undefined, 'shop-redis'],
    ['otelcol-hubble-collector', 'kube-system.otelcol-hubble', 'kube-system', 'otelcol-hubble-collector'],
    ['checkout', undefined, undefined, 'checkout'],
  ])('installedName(%s, %s, %s) → %s', (name, instance, namespace, want) => {
    expect(installedName(name, instance, namespace)).toBe(want);
  });

  it('without an identity label: every stable label, named after the owner', () => {
    expect(workloadIdentity({ pod: 'web' }, undefined, 'web-59bbf86d94-646hr')).toEqual({ name: 'web', identity: { pod: 'web' } });
  });

  it('says why a workload cannot be selected: no labels in the record, or none on the pod', () => {
    expect(workloadIdentity({}, undefined, 'nginx-86c57db685-h6792', false)).toEqual({
      name: 'nginx',
      identity: {},
      unlabelled: 'not-captured',
    });
    expect(workloadIdentity({}, undefined, 'toolbox', true)).toEqual({ name: 'toolbox', identity: {}, unlabelled: 'none' });
  });

  it('keeps hash, job and Cilium labels out of the selector', () => {
    const parsed = parseCiliumLabels([
      'k8s:pod-template-hash=86c57db685',
      'k8s:controller-revision-hash=web-6b9c7f8d7',
      'k8s:batch.kubernetes.io/job-name=backup-28470060',
      'k8s:io.cilium.k8s.policy.serviceaccount=default',
      'k8s:io.kubernetes.pod.namespace=shop',
      'k8s:tier=db',
    ]);
    expect(parsed.pod).toEqual({ tier: 'db' });
    expect(parsed.namespace).toBe('shop');
  });

  it("an API server on the pod's own node is that node (host), on another node the API server; either order of labels", () => {
    for (const labels of [
      ['reserved:host', 'reserved:kube-apiserver'],
      ['reserved:kube-apiserver', 'reserved:host'],
    ])
      expect(parseCiliumLabels(labels).entity).toBe('host');
    for (const labels of [
      ['reserved:remote-node', 'reserved:kube-apiserver'],
      ['reserved:kube-apiserver', 'reserved:remote-node'],
    ])
      expect(parseCiliumLabels(labels).entity).toBe('kube-apiserver');
  });
});
