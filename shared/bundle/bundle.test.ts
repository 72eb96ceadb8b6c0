import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { summarize } from '../graph/summary';
import { generateCilium } from '../policy/cilium';
import { generate } from '../policy/generate';
import { ROOT } from '../testing/fixtures';
import { buildBundle, TOOL_VERSION } from './bundle';

const analysis = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample-capture.jsonl');
const { graph } = analysis;
const selection = initialSelection(graph);
const options = { namespaces: ['bookinfo', 'jaeger'], defaultDeny: true };
const bundle = (set: Parameters<typeof buildBundle>[0]['set']) =>
  buildBundle({ summary: summarize(analysis), graph, selection, set, captureSha256: '0'.repeat(64), toolVersion: TOOL_VERSION });
const file = (files: { path: string; content: string }[], p: string): string => files.find((f) => f.path === p)!.content;

describe('buildBundle', () => {
  it('takes CiliumNetworkPolicies: one YAML each, judged and linted as Cilium enforces them, the flavor in the report and the manifest', async () => {
    const files = await bundle(generateCilium(graph, selection, options));
    const policies = files.filter((f) => f.path.startsWith('policies/'));
    expect(policies.map((f) => f.path)).toContain('policies/bookinfo/productpage.yaml');
    for (const f of policies) expect(parse(f.content)).toMatchObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' });
    expect(parse(file(files, 'kustomization.yaml'))).toMatchObject({ resources: policies.map((f) => f.path) });
    const manifest = JSON.parse(file(files, 'bundle.json')) as Record<string, unknown>;
    // The Cilium flavor names the nodes' entities: every kept edge allowed, nothing to fix.
    expect(manifest).toMatchObject({ flavor: 'cilium', coverage: { ok: true, keptDenied: 0 }, lint: { errors: 0 } });
    const report = file(files, 'REPORT.md');
    expect(report).toMatch(/^# CiliumNetworkPolicy bundle report/);
    expect(report).toContain('**Pass:** Every kept edge is allowed');
  });

  it('NetworkPolicies as before: the flavor named, another node blocked (its own node gets in)', async () => {
    const files = await bundle(generate(graph, selection, options));
    for (const f of files.filter((x) => x.path.startsWith('policies/')))
      expect(parse(f.content)).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' });
    expect(JSON.parse(file(files, 'bundle.json'))).toMatchObject({ flavor: 'kubernetes', coverage: { ok: false, keptDenied: 1 } });
    expect(file(files, 'REPORT.md')).toMatch(/^# NetworkPolicy bundle report/);
  });

  it('REPORT.md says DNS once, whichever checks saw it, and only for workloads a policy selects', async () => {
    for (const set of [generate(graph, selection, options), generateCilium(graph, selection, options)]) {
      const report = file(await bundle(set), 'REPORT.md');
      const dnsLines = report.split('\n').filter((l) => /DNS/.test(l) && l.startsWith('- '));
      expect(dnsLines).toEqual([
        expect.stringMatching(/^- These workloads get an egress policy but no DNS lookup .*\(bookinfo\/reviews\)$/) as unknown,
      ]);
      // kube-system is not locked down: otelcol cannot lose DNS to these policies.
      expect(report).not.toContain('otelcol-hubble-collector (');
    }
  });
});
