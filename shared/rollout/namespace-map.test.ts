import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../policy/yaml';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { generateFlavor } from '../policy/flavors';
import { mixed } from '../testing/mixed-capture';
import { mapEdgeKey, mapNodeId, mapPolicy, mapPolicySet, NamespaceMapError, namespaceMapText, parseNamespaceMap } from './namespace-map';

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

describe('mapPolicySet, mapNodeId, mapEdgeKey', () => {
  const { graph } = analyzeText(mixed, 'mixed.json');
  const shopMap = parseNamespaceMap(['shop=shop-staging']);

  it.each(['kubernetes', 'cilium', 'calico-staged'] as const)(
    'moves every %s policy and the refs of its rules, and keeps their provenance',
    (flavor) => {
      const set = generateFlavor(flavor, graph, initialSelection(graph), { namespaces: ['shop'] });
      const mapped = mapPolicySet(set, shopMap);
      expect(mapped.flavor).toBe(flavor);
      expect(mapped.policies.map((g) => g.policy.metadata.namespace)).toEqual(set.policies.map(() => 'shop-staging'));
      mapped.policies.forEach((g, i) => {
        expect(g.policy.kind).toBe(set.policies[i].policy.kind);
        expect(g.workload).toBe(set.policies[i].workload);
        expect(g.rules.map((r) => r.ref.policy)).toEqual(
          set.policies[i].rules.map((r) => r.ref.policy.replace(/^shop\//, 'shop-staging/')),
        );
        expect(g.rules.map((r) => r.edges)).toEqual(set.policies[i].rules.map((r) => r.edges));
      });
      expect(mapPolicySet(set, new Map())).toBe(set);
    },
  );

  it.each([
    ['shop/web', 'shop-staging/web'],
    ['shop/nginx[app=nginx]', 'shop-staging/nginx[app=nginx]'],
    ['service:shop/api', 'service:shop-staging/api'],
    ['service:10.96.0.10', 'service:10.96.0.10'],
    ['monitoring/prometheus', 'monitoring/prometheus'],
    ['entity:host', 'entity:host'],
    ['ip:2001:db8::1', 'ip:2001:db8::1'],
    ['net:public', 'net:public'],
  ])('node %s is %s', (id, mapped) => {
    expect(mapNodeId(id, shopMap)).toBe(mapped);
  });

  it('maps both ends of an edge key and keeps its port and protocol', () => {
    expect(mapEdgeKey('monitoring/prometheus->shop/api:9090/TCP', shopMap)).toBe('monitoring/prometheus->shop-staging/api:9090/TCP');
    expect(mapEdgeKey('shop/api->ip:2001:db8::1:443/TCP', shopMap)).toBe('shop-staging/api->ip:2001:db8::1:443/TCP');
    expect(mapEdgeKey('shop/web->shop/api:*/ICMPv4', shopMap)).toBe('shop-staging/web->shop-staging/api:*/ICMPv4');
  });
});
