import { describe, expect, it } from 'vitest';
import { mergedKeyOrder, normalisedSetYaml, normalisedYaml } from './normalise';
import type { NetworkPolicy } from './types';

/** The shape our generator writes. */
const generated: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } }, podSelector: { matchLabels: { app: 'web' } } },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ],
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  },
};

/** The same policy as `kubectl get -o json` returns it: Go struct order, sorted maps, server-set fields. */
const fromCluster = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: {
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"networking.k8s.io/v1"}' },
    creationTimestamp: '2026-01-01T00:00:00Z',
    generation: 3,
    labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    name: 'api',
    namespace: 'shop',
    resourceVersion: '4711',
    uid: '0b5e6a2c-0000-4000-8000-000000000000',
  },
  spec: {
    egress: [{ ports: [{ port: 5432, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
    ingress: [
      {
        from: [
          { podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ],
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress', 'Egress'],
  },
  status: {},
} as unknown as NetworkPolicy;

const topKeys = (yaml: string, indent: string): string[] =>
  yaml
    .split('\n')
    .filter((l) => l.startsWith(indent) && /^[a-zA-Z]/.test(l.slice(indent.length)))
    .map((l) => l.slice(indent.length).split(':')[0]);

describe('normalisedYaml', () => {
  it("keeps the file's own key order (the generator's: apiVersion, kind, metadata, spec → podSelector, policyTypes, ingress, egress)", () => {
    const yaml = normalisedYaml(generated);
    expect(topKeys(yaml, '')).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(topKeys(yaml, '  ')).toEqual(['name', 'namespace', 'labels', 'podSelector', 'policyTypes', 'ingress', 'egress']);
    expect(yaml).toContain('    - from:\n        - namespaceSelector:');
  });

  it('leaves out server-set metadata and status, and defaults the namespace', () => {
    const yaml = normalisedYaml(fromCluster);
    expect(yaml).not.toMatch(/annotations|last-applied|creationTimestamp|generation|managedFields|resourceVersion|uid|status/);
    expect(topKeys(yaml, '  ').slice(0, 3)).toEqual(['labels', 'name', 'namespace']);
    const noNamespace = { ...generated, metadata: { name: 'api', labels: generated.metadata.labels } };
    expect(normalisedYaml(noNamespace)).toContain('  name: api\n  namespace: default\n');
  });

  it('a key named status below the top level is content, not server state', () => {
    const p = { ...generated, spec: { ...generated.spec, podSelector: { matchLabels: { status: 'active' } } } };
    expect(normalisedYaml(p)).toContain('status: active');
  });

  it("in the new side's order, the cluster's copy of a generated policy prints the same text", () => {
    expect(normalisedYaml(fromCluster, generated)).toBe(normalisedYaml(generated));
  });
});

describe('mergedKeyOrder', () => {
  it.each([
    ['same order', ['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']],
    ['the new order wins', ['c', 'b', 'a'], ['a', 'b', 'c'], ['a', 'b', 'c']],
    ['an old-only key stays after the key it followed', ['a', 'x', 'b'], ['b', 'a'], ['b', 'a', 'x']],
    ['an old-only key that led stays first', ['x', 'y', 'a'], ['a', 'b'], ['x', 'y', 'a', 'b']],
    ['new-only keys keep their place', ['a'], ['n', 'a', 'm'], ['n', 'a', 'm']],
    ['nothing in common', ['x', 'y'], ['a'], ['x', 'y', 'a']],
  ])('%s', (_name, old, next, want) => expect(mergedKeyOrder(old, next)).toEqual(want));
});

describe('normalisedSetYaml', () => {
  it('sorts by namespace/name and writes each old policy in the order of its namesake', () => {
    const other: NetworkPolicy = { ...generated, metadata: { name: 'aaa', namespace: 'shop' } };
    expect(normalisedSetYaml([fromCluster, other], [generated])).toBe(`${normalisedYaml(other)}---\n${normalisedYaml(generated)}`);
  });
});
