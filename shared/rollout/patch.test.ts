// The patch for a missing rule: the generator's rule, on the policy that selects the workload, or a
// new policy that restricts only that direction; applying it allows the flow and nothing else changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import type { PolicyDocument } from '../policy/documents';
import { generate } from '../policy/generate';
import { readFixture, ROOT } from '../testing/fixtures';
import { mapPolicy, parseNamespaceMap } from './namespace-map';
import { applyPatch, flavorOf, patchRuleYaml } from './patch';
import { analyzeSoak } from './soak';

const sample = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample').graph;
const selection = prune(initialSelection(sample), ['entity:remote-node->bookinfo/ratings:9080/TCP'], 'not needed');
const map = parseNamespaceMap(['bookinfo=bookinfo-staging']);
const flows = analyzeText(readFixture('hubble/derived/audit-soak/flows.jsonl'), 'flows').graph;
const JOB = 'bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP';

describe('patches', () => {
  it('with a default deny, the job no policy selects gets a new policy restricting only its egress, and ratings an ingress rule', () => {
    const policies: PolicyDocument[] = generate(sample, selection, { namespaces: ['bookinfo'], defaultDeny: true }).policies.map((g) =>
      mapPolicy(g.policy, map),
    );
    const input = { flows, policies, appliedAt: Date.parse('2021-11-10T12:00:00Z'), selection, namespaceMap: map };
    const job = analyzeSoak(input).flows.find((f) => f.edge === JOB)!;
    expect(job.class).toBe('missing-rule');
    const [ingress, egress] = job.patch!.rules;
    expect([ingress.policy, ingress.direction, egress.policy, egress.direction]).toEqual([
      'bookinfo-staging/ratings',
      'ingress',
      'bookinfo-staging/ratings-export',
      'egress',
    ]);
    expect(ingress.newPolicy).toBeUndefined();
    expect(egress.newPolicy).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'ratings-export', namespace: 'bookinfo-staging', labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
      spec: {
        podSelector: { matchLabels: { app: 'ratings-export' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'ratings' } } }], ports: [{ protocol: 'TCP', port: 9080 }] }],
      },
    });
    const fixed = applyPatch(policies, job.patch!);
    expect(fixed).toHaveLength(policies.length + 1);
    expect(policies).toHaveLength(5); // not changed in place
    expect(analyzeSoak({ ...input, policies: fixed }).flows.find((f) => f.edge === JOB)?.rollout).toBe('allowed');
    // Applied twice, the second time the new policy is there: the rule goes into it.
    expect(applyPatch(fixed, { rules: [egress] }).find((p) => p.metadata.name === 'ratings-export')!.spec).toMatchObject({
      egress: [{}, {}],
    });
  });

  it('prints a rule as YAML to paste under its direction, with the observed line above it', () => {
    const policies = generate(sample, selection, { namespaces: ['bookinfo'] }).policies.map((g) => mapPolicy(g.policy, map));
    const rule = analyzeSoak({ flows, policies, appliedAt: Date.parse('2021-11-10T12:00:00Z') }).flows.find((f) => f.edge === JOB)!.patch!
      .rules[0];
    expect(patchRuleYaml(rule)).toBe(
      [
        'ingress:',
        '  # observed: ratings-export -> ratings:9080/TCP, 18 flows, 2021-11-11 02:00–02:03 UTC',
        '  - from:',
        '      - podSelector:',
        '          matchLabels:',
        '            app: ratings-export',
        '    ports:',
        '      - protocol: TCP',
        '        port: 9080',
        '',
      ].join('\n'),
    );
  });

  it("replaces a Cilium policy's deny-all `{}` placeholder, and keeps a NetworkPolicy's allow-all `{}`", () => {
    const cnp: PolicyDocument = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'a', namespace: 'x' },
      spec: { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{}] },
    };
    const np: PolicyDocument = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'a', namespace: 'x' },
      spec: { podSelector: { matchLabels: { app: 'a' } }, ingress: [{}] },
    };
    const rule = { fromEndpoints: [{ matchLabels: { app: 'b' } }] };
    const [c, n] = applyPatch([cnp, np], {
      rules: [
        { policy: 'x/a', kind: 'CiliumNetworkPolicy', direction: 'ingress', rule, comment: '' },
        { policy: 'x/a', kind: 'NetworkPolicy', direction: 'ingress', rule: { from: [] }, comment: '' },
      ],
    });
    expect(c.spec).toEqual({ endpointSelector: { matchLabels: { app: 'a' } }, ingress: [rule] });
    expect(n.spec).toEqual({ podSelector: { matchLabels: { app: 'a' } }, ingress: [{}, { from: [] }] });
    expect([flavorOf([np]), flavorOf([np, cnp])]).toEqual(['kubernetes', 'cilium']);
  });
});
