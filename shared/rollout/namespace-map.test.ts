import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../policy/yaml';
import { mapPolicy, NamespaceMapError, namespaceMapText, parseNamespaceMap } from './namespace-map';

const map = parseNamespaceMap(['payments=payments-staging', 'data=data-staging']);

describe('parseNamespaceMap', () => {
  it('reads FROM=TO pairs, in order', () => {
    expect(namespaceMapText(map)).toBe('payments=payments-staging, data=data-staging');
  });
  it.each([
    [['payments'], /not FROM=TO/],
    [['Payments=x'], /not a namespace name/],
    [['a=b', 'a=c'], /mapped twice/],
    [['a=c', 'b=c'], /both mapped to c/],
    [['a=a'], /to itself/],
  ])('refuses %j', (pairs, message) => {
    expect(() => parseNamespaceMap(pairs)).toThrow(NamespaceMapError);
    expect(() => parseNamespaceMap(pairs)).toThrow(message);
  });
});

describe('mapPolicy', () => {
  it('moves a NetworkPolicy and the namespaces its peers name, and leaves the others', () => {
    const { policies } = parsePolicies(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: payments}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: data}}
          podSelector: {matchLabels: {app: etl}}
        - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [data, monitoring]}]}
  egress:
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
        - namespaceSelector: {matchLabels: {team: data}}
`);
    const p = mapPolicy(policies[0], map);
    expect(p.metadata.namespace).toBe('payments-staging');
    const from = p.spec.ingress![0].from!;
    expect(from[0]).toEqual({ podSelector: { matchLabels: { app: 'web' } } });
    expect(from[1].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'data-staging' } });
    expect(from[2].namespaceSelector!.matchExpressions![0].values).toEqual(['data-staging', 'monitoring']);
    const to = p.spec.egress![0].to!;
    expect(to[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } });
    // Another label that happens to hold a namespace's name is not a namespace reference.
    expect(to[1].namespaceSelector).toEqual({ matchLabels: { team: 'data' } });
    // The input is not changed.
    expect(policies[0].metadata.namespace).toBe('payments');
  });

  it("moves a CiliumNetworkPolicy and its selectors' namespace labels, prefixed or not", () => {
    const { cilium } = parsePolicies(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: payments}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
    - fromEndpoints:
        - {matchLabels: {app: etl, k8s:io.kubernetes.pod.namespace: data}}
        - {matchLabels: {app: web}}
  egress:
    - toEndpoints:
        - {matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}
        - {matchLabels: {any:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: payments}}
`);
    const p = mapPolicy(cilium[0], map);
    expect(p.metadata.namespace).toBe('payments-staging');
    expect(p.spec!.ingress![0].fromEndpoints).toEqual([
      { matchLabels: { app: 'etl', 'k8s:io.kubernetes.pod.namespace': 'data-staging' } },
      { matchLabels: { app: 'web' } },
    ]);
    expect(p.spec!.egress![0].toEndpoints).toEqual([
      { matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } },
      { matchLabels: { 'any:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'payments-staging' } },
    ]);
  });

  it('an empty map changes nothing', () => {
    const { policies } = parsePolicies(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: payments}\nspec: {podSelector: {}}\n',
    );
    expect(mapPolicy(policies[0], new Map())).toBe(policies[0]);
  });
});
