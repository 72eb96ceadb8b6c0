import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { ROOT } from '../testing/fixtures';
import { diffMarkdown, diffPolicies, diffText } from './diff';
import { generate } from './generate';
import type { NetworkPolicy } from './types';
import { parsePolicies, policySetYaml } from './yaml';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const sel = initialSelection(graph);
const gen = (s = sel) => generate(graph, s, { namespaces: ['bookinfo'], defaultDeny: true });
const policies = (s = sel) => gen(s).policies.map((g) => g.policy);

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
