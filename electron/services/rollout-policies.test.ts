import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyzeText } from '../../shared/graph/analysis';
import { initialSelection } from '../../shared/graph/selection';
import { generateCilium } from '../../shared/policy/cilium';
import { generate } from '../../shared/policy/generate';
import { policyYaml } from '../../shared/policy/yaml';
import { ROOT } from '../../shared/testing/fixtures';
import { prepareRollout, sha256 } from './rollout-policies';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const k8s = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'] }).policies.map((g) => policyYaml(g));
const cilium = generateCilium(graph, initialSelection(graph), { namespaces: ['bookinfo'] }).policies.map((g) => policyYaml(g));
/** The Kubernetes flavor's policies as Calico staged ones: the same spec under Calico's kind. */
const staged = k8s.map((t) =>
  t
    .replace('apiVersion: networking.k8s.io/v1', 'apiVersion: projectcalico.org/v3')
    .replace('kind: NetworkPolicy', 'kind: StagedKubernetesNetworkPolicy'),
);

const target = { namespace: 'bookinfo-staging', namespaceMap: ['bookinfo=bookinfo-staging'], flavor: 'kubernetes' as const, policies: k8s };

describe('prepareRollout: the policies as main applies them', () => {
  it('maps each policy to the target namespace, keeps its comments, and hashes the file applied', () => {
    const p = prepareRollout(target);
    expect(p.policies.map((x) => x.name)).toEqual(['details', 'productpage', 'ratings', 'reviews']);
    expect(p.sourceNamespaces).toEqual(['bookinfo']);
    expect(p.mapPairs).toEqual(['bookinfo=bookinfo-staging']);
    const reviews = p.policies.find((x) => x.name === 'reviews')!;
    expect(reviews.sha256).toBe(sha256(reviews.content));
    expect(reviews.content).toMatch(/^# bookinfo\/reviews: least privilege/);
    expect(reviews.content).toMatch(/# observed: productpage -> reviews:9080\/TCP/);
    expect((parse(reviews.content) as { metadata: { namespace: string } }).metadata.namespace).toBe('bookinfo-staging');
    expect(reviews.content.replaceAll('bookinfo-staging', 'bookinfo')).toBe(k8s[k8s.findIndex((t) => t.includes('name: reviews'))]);
  });

  it('rewrites the namespaces a peer names by the map, and no other', () => {
    const api = `# payments/api
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
  namespace: payments
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
    # observed: api -> data/db:5432/TCP
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: data}}
          podSelector: {matchLabels: {app: db}}
    # observed: api -> kube-system/kube-dns:53/UDP
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports: [{protocol: UDP, port: 53}]
`;
    const p = prepareRollout({
      ...target,
      namespace: 'payments-staging',
      namespaceMap: ['payments=payments-staging', 'data=data-staging'],
      policies: [api],
    });
    const content = p.policies[0].content;
    expect(content).toContain('# observed: api -> data/db:5432/TCP');
    expect(content).toContain('# observed: api -> kube-system/kube-dns:53/UDP');
    const names = (
      parse(content) as { spec: { egress: { to: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[] } }
    ).spec.egress.map((r) => r.to[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    expect(names).toEqual(['data-staging', 'kube-system']);
    expect(parse(content)).toEqual(
      parse(api.replace('namespace: payments', 'namespace: payments-staging').replace('name: data}', 'name: data-staging}')),
    );
  });

  it('without a map, the policies go as they are (same bytes)', () => {
    const p = prepareRollout({ ...target, namespace: 'bookinfo', namespaceMap: [] });
    expect(p.policies.map((x) => x.content)).toEqual(k8s);
  });

  it('a policy without a namespace is the target namespace’s', () => {
    const p = prepareRollout({ ...target, namespaceMap: [], policies: [k8s[0].replace(/\n {2}namespace: bookinfo/, '')] });
    expect((parse(p.policies[0].content) as { metadata: { namespace: string } }).metadata.namespace).toBe('bookinfo-staging');
  });

  it('reads staged Calico policies and Cilium policies in their flavors, and each flavor’s kind only', () => {
    expect(prepareRollout({ ...target, flavor: 'calico-staged', policies: staged }).policies).toHaveLength(4);
    expect(prepareRollout({ ...target, flavor: 'cilium', policies: cilium }).policies.length).toBe(cilium.length);
    expect(() => prepareRollout({ ...target, flavor: 'kubernetes', policies: cilium })).toThrow(
      /policy 1: CiliumNetworkPolicy \(cilium.io\/v2\) is not what the kubernetes flavor applies \(NetworkPolicy, networking.k8s.io\/v1\)/,
    );
    expect(() => prepareRollout({ ...target, flavor: 'calico-staged', policies: k8s })).toThrow(
      /not what the calico-staged flavor applies/,
    );
  });

  it('a promotion of staged policies applies the NetworkPolicies they preview, comments kept', () => {
    const p = prepareRollout(
      { ...target, namespace: 'bookinfo', namespaceMap: [], flavor: 'calico-staged', policies: staged },
      { promote: true },
    );
    expect(p.flavor).toBe('kubernetes');
    expect(p.policies.map((x) => x.content)).toEqual(k8s);
  });

  it.each([
    ['two policies with one name', [k8s[0], k8s[0]], /Two policies are named details in bookinfo-staging: one would overwrite the other/],
    ['a name that is a path', [k8s[0].replace('name: details', 'name: ../../x')], /not a valid policy name|metadata.name/],
    ['a field of the wrong shape', [k8s[0].replace('port: 9080', 'port: [9080]')], /spec\.ingress\[0\]\.ports\[0\]\.port/],
    ['a document that is no object', ['- a\n- b\n'], /not a Kubernetes object/],
    ['nothing at all', ['# only a comment\n'], 'There are no NetworkPolicies to send.'],
  ])('refuses %s', (_what, policies, message) => {
    expect(() => prepareRollout({ ...target, policies })).toThrow(message);
  });

  it('refuses a policy the map does not take to the target, and says which map would', () => {
    expect(() => prepareRollout({ ...target, namespace: 'default', namespaceMap: [] })).toThrow(
      'details is for namespace bookinfo, not default: map bookinfo=default to roll it out there.',
    );
    expect(() => prepareRollout({ ...target, namespaceMap: ['bookinfo=other'] })).toThrow(/the map bookinfo=other does not take it there/);
    expect(() => prepareRollout({ ...target, namespaceMap: ['bookinfo'] })).toThrow(
      /The namespace map cannot be used: "bookinfo" is not FROM=TO/,
    );
  });
});
