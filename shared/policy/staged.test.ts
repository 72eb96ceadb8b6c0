// Calico's staged flavor: the generated StagedKubernetesNetworkPolicy is the Kubernetes policy under
// Calico's apiVersion and kind, it reads back, and verify, lint and diff judge it as that NetworkPolicy.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { mixed } from '../testing/mixed-capture';
import { verifySet } from '../testing/verify-set';
import { diffPolicies } from './diff';
import { generateFlavor } from './flavors';
import { generate } from './generate';
import { lint } from './lint';
import { enforcedOf, stagedOf, stagedSet, type StagedKubernetesNetworkPolicy } from './staged';
import { parsePolicies, policySetYaml } from './yaml';

const { graph } = analyzeText(mixed, 'mixed.json');
const kept = initialSelection(graph);
const shop = ['shop'];
const kubernetes = generate(graph, kept, { namespaces: shop });
const staged = stagedSet(kubernetes);

// Calico's own sample (docs.tigera.io, "Staged Kubernetes network policy"), with the Set action written out.
const CALICO_SAMPLE = `apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  stagedAction: Set
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - from:
        - ipBlock:
            cidr: 172.17.0.0/16
            except:
              - 172.17.1.0/24
        - namespaceSelector:
            matchLabels:
              project: myproject
        - podSelector:
            matchLabels:
              role: frontend
      ports:
        - protocol: TCP
          port: 6379
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 5978
`;

describe('the calico-staged flavor', () => {
  it('writes each Kubernetes policy as a StagedKubernetesNetworkPolicy with the same metadata, spec and rule comments', () => {
    expect(generateFlavor('calico-staged', graph, kept, { namespaces: shop })).toEqual(staged);
    expect(staged.flavor).toBe('calico-staged');
    expect(staged.policies.map((g) => g.policy.kind)).toEqual(kubernetes.policies.map(() => 'StagedKubernetesNetworkPolicy'));
    staged.policies.forEach((g, i) => {
      expect(g.policy.apiVersion).toBe('projectcalico.org/v3');
      expect(g.policy.metadata).toEqual(kubernetes.policies[i].policy.metadata);
      expect(g.policy.spec).toEqual(kubernetes.policies[i].policy.spec);
      expect(g.rules).toEqual(kubernetes.policies[i].rules);
    });
    const yaml = policySetYaml(staged);
    expect(yaml).toContain('apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\n');
    // The rule comments are where the Kubernetes flavor has them, and nothing else differs.
    expect(yaml.replaceAll('apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy', 'K')).toBe(
      policySetYaml(kubernetes).replaceAll('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy', 'K'),
    );
  });

  it('reads back what it writes, and Calico sample YAML, as staged policies', () => {
    const back = parsePolicies(policySetYaml(staged));
    expect(back.problems).toEqual([]);
    expect(back.policies).toEqual([]);
    expect(back.staged).toEqual(staged.policies.map((g) => g.policy));
    const sample = parsePolicies(CALICO_SAMPLE);
    expect(sample.problems).toEqual([]);
    expect(sample.staged.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/test-network-policy']);
    expect(enforcedOf(sample.staged[0])).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: sample.staged[0].metadata,
      spec: { podSelector: { matchLabels: { role: 'db' } }, ...pick(sample.staged[0].spec, ['policyTypes', 'ingress', 'egress']) },
    });
  });

  it.each([
    [
      'a staged deletion, which allows nothing',
      CALICO_SAMPLE.replace('stagedAction: Set', 'stagedAction: Delete'),
      'staged-delete',
      /stagedAction Delete/,
    ],
    [
      'an unknown stagedAction',
      CALICO_SAMPLE.replace('stagedAction: Set', 'stagedAction: Apply'),
      'invalid',
      /spec.stagedAction: expected one of Set, Delete/,
    ],
    ['a wrong NetworkPolicy field', CALICO_SAMPLE.replace('port: 6379', 'port: [6379]'), 'invalid', /spec.ingress\[0\].ports\[0\].port/],
    [
      'another apiVersion',
      CALICO_SAMPLE.replace('projectcalico.org/v3', 'crd.projectcalico.org/v1'),
      'other-version',
      /apiVersion crd.projectcalico.org\/v1 is not read/,
    ],
  ])('does not take %s', (_what, text, code, message) => {
    const r = parsePolicies(text);
    expect(r.staged).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual([code]);
    expect(r.problems[0].message).toMatch(message);
  });

  it('verify judges a staged set as the NetworkPolicies it becomes: the same findings, rule for rule', () => {
    const sel = prune(kept, ['shop/web->shop/api:8080/TCP'], 'test');
    const asStaged = verifySet(staged, graph, sel);
    const asKubernetes = verifySet(kubernetes, graph, sel);
    expect(asStaged.engine).toBe('kubernetes');
    // Policies generated with the edge kept still allow it once it is pruned: both fail the same way.
    expect(asStaged.verdict).toEqual(asKubernetes.verdict);
    expect(asStaged.verdict.status).toBe('fail');
    expect(asStaged.prunedAllowed.map((f) => [f.edge, f.ingress])).toEqual(asKubernetes.prunedAllowed.map((f) => [f.edge, f.ingress]));
    expect(asStaged.keptAllowed.map((f) => f.edge)).toEqual(asKubernetes.keptAllowed.map((f) => f.edge));
  });

  it('lint sees the enforced form: a mistake in a staged policy is found as in a NetworkPolicy', () => {
    const served = staged.policies.find((g) => (g.policy.spec.ingress?.length ?? 0) > 0)!.policy;
    expect(lint([enforcedOf(served)], { graph })).toEqual([]);
    // policyTypes without Ingress while ingress rules are written: Kubernetes ignores them.
    const broken: StagedKubernetesNetworkPolicy = { ...served, spec: { ...served.spec, policyTypes: ['Egress'] } };
    expect(lint([enforcedOf(broken)], { graph }).map((f) => [f.code, f.policy])).toEqual([
      ['dead-section', `shop/${served.metadata.name}`],
    ]);
  });

  it('diff: a staged policy and the NetworkPolicy of the same name are two objects that allow the same flows', () => {
    const k = kubernetes.policies.map((g) => g.policy);
    const s = staged.policies.map((g) => g.policy);
    const d = diffPolicies(k, s, graph);
    expect(d.policies.filter((p) => p.change === 'added').map((p) => p.policy)).toEqual(
      s.map((p) => `${p.metadata.namespace}/${p.metadata.name} (StagedKubernetesNetworkPolicy)`),
    );
    expect(d.policies.filter((p) => p.change === 'removed')).toHaveLength(k.length);
    expect([d.newlyBlocked, d.newlyAllowed, d.openedUnobserved, d.newlyUndecided]).toEqual([[], [], [], []]);
    // And stagedOf undoes enforcedOf.
    expect(s.map((p) => stagedOf(enforcedOf(p)))).toEqual(s);
  });
});

function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k))) as Partial<T>;
}
