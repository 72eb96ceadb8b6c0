import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { ROOT } from '../testing/fixtures';
import { diffMarkdown, diffPolicies, diffText } from './diff';
import { generate } from './generate';
import { normalisedYaml } from './normalise';
import type { NetworkPolicy, NetworkPolicyIngressRule } from './types';
import { parsePolicies, policySetYaml } from './yaml';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const sel = initialSelection(graph);
const gen = (s = sel) => generate(graph, s, { namespaces: ['bookinfo'], defaultDeny: true });
const policies = (s = sel) => gen(s).policies.map((g) => g.policy);

/** `v` with every mapping's keys in reverse order, as another tool (or `kubectl get -o json`) might write it. */
const reversedKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversedKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reversedKeys(x)]),
        )
      : v;

/** A policy with `n` ingress rules, 7 lines of YAML each; `port(i)` gives rule i's port. */
const bigPolicy = (n: number, port: (i: number) => number): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'big', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'big' } },
    policyTypes: ['Ingress'],
    ingress: Array.from({ length: n }, (_, i): NetworkPolicyIngressRule => ({
      from: [{ podSelector: { matchLabels: { app: `client-${i}` } } }],
      ports: [{ protocol: 'TCP', port: port(i) }],
    })),
  },
});

describe('diffPolicies', () => {
  it('ignores key order and comments', () => {
    const yaml = policySetYaml(gen());
    const reordered = parsePolicies(yaml).policies.map(
      (p) => JSON.parse(JSON.stringify({ spec: p.spec, metadata: p.metadata, kind: p.kind, apiVersion: p.apiVersion })) as NetworkPolicy,
    );
    const d = diffPolicies(policies(), reordered, graph);
    expect(d.policies).toEqual([]);
    expect(d.unchanged).toBe(5);
    expect(d.newlyBlocked).toEqual([]);
  });

  it("an order-only change at any depth is no change (the old side is read in the new side's key order)", () => {
    const d = diffPolicies(
      policies().map((p) => reversedKeys(p) as NetworkPolicy),
      policies(),
      graph,
    );
    expect(d.policies).toEqual([]);
    expect(d.unchanged).toBe(5);
  });

  it("hunks follow the new file's key order, also when the old file orders keys otherwise", () => {
    const after = policies().find((p) => p.metadata.name === 'details')!;
    const before = reversedKeys({
      ...after,
      spec: { ...after.spec, ingress: [{ ...after.spec.ingress![0], ports: [{ protocol: 'TCP', port: 9081 }] }] },
    });
    const d = diffPolicies([before as NetworkPolicy], [after]);
    expect(d.policies[0].diff).toEqual([
      '               app: productpage',
      '       ports:',
      '         - protocol: TCP',
      '-          port: 9081',
      '+          port: 9080',
      '   egress: []',
    ]);
  });

  it('a key only the old side has shows where the old file had it', () => {
    const after = policies().find((p) => p.metadata.name === 'details')!;
    const { ingress, ...spec } = after.spec;
    const d = diffPolicies([after], [{ ...after, spec: { ...spec, policyTypes: ['Egress'] } }]);
    expect(ingress).toHaveLength(1);
    expect(d.policies[0].diff).toEqual([
      '     matchLabels:',
      '       app: details',
      '   policyTypes:',
      '-    - Ingress',
      '     - Egress',
      '-  ingress:',
      '-    - from:',
      '-        - podSelector:',
      '-            matchLabels:',
      '-              app: productpage',
      '-      ports:',
      '-        - protocol: TCP',
      '-          port: 9080',
      '   egress: []',
    ]);
  });

  it('a 3,000-line policy pair diffs in hunks (jsdiff, not a table of 3,000 × 3,000)', () => {
    const before = bigPolicy(430, (i) => 8000 + i);
    const after = bigPolicy(430, (i) => (i % 50 === 7 ? 9000 + i : 8000 + i));
    expect(normalisedYaml(before).split('\n').length).toBeGreaterThan(3000);
    const d = diffPolicies([reversedKeys(before) as NetworkPolicy], [after]);
    const changed = d.policies[0].diff;
    expect(changed.filter((l) => l[0] === '-')).toEqual(Array.from({ length: 9 }, (_, k) => `-          port: ${8000 + 7 + 50 * k}`));
    expect(changed.filter((l) => l[0] === '+')).toEqual(Array.from({ length: 9 }, (_, k) => `+          port: ${9000 + 7 + 50 * k}`));
    expect(changed.filter((l) => l === '@@')).toHaveLength(8);
  });

  it('a pruned edge shows as a changed policy and a newly blocked observed flow', () => {
    const key = 'bookinfo/ratings->bookinfo/productpage:9080/TCP';
    const d = diffPolicies(policies(), policies(prune(sel, [key])), graph);
    expect(d.policies.map((p) => `${p.change} ${p.policy}`)).toEqual(['changed bookinfo/productpage', 'changed bookinfo/ratings']);
    expect(d.policies[0].diff.filter((l) => l.startsWith('-'))).toContain('-              app: ratings');
    expect(d.newlyBlocked?.map((f) => f.edge)).toEqual([key]);
    expect(d.newlyAllowed).toEqual([]);
    expect(d.openedUnobserved).toEqual([]);
    expect(diffText(d)).toMatch(/^observed flows newly BLOCKED: 1\n {2}bookinfo\/ratings -> bookinfo\/productpage:9080\/TCP/);
    expect(diffMarkdown(d)).toContain('| bookinfo/ratings | bookinfo/productpage | 9080/TCP |');
  });

  it('removing every policy opens unobserved connections, and says which', () => {
    const d = diffPolicies(policies(), [], graph);
    expect(d.policies.every((p) => p.change === 'removed')).toBe(true);
    expect(d.newlyBlocked).toEqual([]);
    expect(d.openedUnobserved?.length).toBeGreaterThan(0);
    expect(d.openedUnobserved?.[0].explanation).toMatch(/is allowed/);
  });
});
