import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { initialSelection } from '../../../shared/graph/selection';
import { generate } from '../../../shared/policy/generate';
import { lint } from '../../../shared/policy/lint';
import { verify } from '../../../shared/policy/verify';
import { ROOT } from '../../../shared/testing/fixtures';
import { firstSightWarnings } from './capture-warnings';
import { coverageGroups, type FindingGroup } from './finding-groups';
import { reviewGroups } from './review-groups';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const scope = ['bookinfo', 'jaeger'];
const keys = new Set(graph.edges.map((e) => e.key));
const isEdge = (s: string): boolean => keys.has(s);
const selection = initialSelection(graph);
const set = generate(graph, selection, { namespaces: scope, defaultDeny: true });
const policies = set.policies.map((g) => g.policy);
const notes = firstSightWarnings(graph.warnings).notes;
const lintFindings = lint(policies, { graph });
const checked = coverageGroups(verify(policies, graph, selection, scope), lintFindings);
const dnsLint = lintFindings.filter((f) => f.code === 'no-dns');
const policied = new Set(set.policies.flatMap((g) => (g.workload ? [g.workload] : [])));
const entries = (g: FindingGroup | undefined) => g?.parts.flatMap((p) => p.entries) ?? [];

describe('reviewGroups', () => {
  it("says each thing once, errors first: another node's blocked edge, one DNS line, the short window", () => {
    const groups = reviewGroups(checked, set.warnings, notes, isEdge, policied, dnsLint);
    expect(groups.map((g) => [g.key, g.severity, g.title])).toEqual([
      ['kept-inexpressible', 'error', '1 kept edge no NetworkPolicy can allow'],
      ['dns', 'warning', '1 workload with no DNS lookup seen'],
      [
        'capture:short-window',
        'info',
        'The capture covers 35 s, less than 24 hours: nightly jobs, backups and batch traffic may be missing.',
      ],
    ]);
    // Nothing twice: no entry, reason or detail appears in two places.
    const said = groups.flatMap((g) => [
      g.title,
      g.detail ?? '',
      ...g.parts.flatMap((p) => [p.reason ?? '', ...p.entries.map((e) => e.text)]),
    ]);
    const nonEmpty = said.filter((x) => x !== '');
    expect(new Set(nonEmpty).size).toBe(nonEmpty.length);
  });

  it('DNS is one group whichever check saw it: the capture, the generation and lint; lint leads to the policy to fix', () => {
    const dns = reviewGroups(checked, set.warnings, notes, isEdge, policied, dnsLint).find((g) => g.key === 'dns')!;
    expect(entries(dns).map((e) => [e.workload, e.policy])).toEqual([['bookinfo/reviews', 'bookinfo/reviews']]);
    // What it means (the generation's warning), then how to fix it (lint's fix), once.
    expect(dns.detail).toMatch(/^These workloads get an egress policy but no DNS lookup.*Allow egress to the cluster DNS/);
    // From the capture alone (a flavor whose checks say nothing of DNS): still one line.
    const alone = reviewGroups([], [], notes, isEdge, policied).find((g) => g.key === 'dns')!;
    expect(entries(alone).map((e) => e.workload)).toEqual(['bookinfo/reviews']);
    expect(alone.detail).toMatch(/^These workloads get an egress policy but no DNS lookup/);
  });

  it('a workload no policy selects cannot lose DNS to the policies: the capture saw otelcol look nothing up, but kube-system is not locked down', () => {
    const capture = notes.find((n) => n.code === 'no-dns')!;
    expect(capture.subjects).toContain('kube-system/otelcol-hubble-collector');
    const groups = reviewGroups(checked, set.warnings, notes, isEdge, policied, dnsLint);
    expect(entries(groups.find((g) => g.key === 'dns')).map((e) => e.workload)).not.toContain('kube-system/otelcol-hubble-collector');
    // With nothing in scope, no policy selects anyone: no DNS finding at all.
    expect(reviewGroups([], [], notes, isEdge, new Set()).some((g) => g.key === 'dns')).toBe(false);
  });

  it("a generation warning no finding covers is its own group, each warning's reason once above its edges", () => {
    // The sample plus reviews calling its node's kubelet port: two entities that get no rule, two reasons.
    const toNode = graph.edges.find((e) => e.key === 'entity:host->bookinfo/reviews:9080/TCP')!;
    const more = {
      ...graph,
      edges: [
        ...graph.edges,
        { ...toNode, key: 'bookinfo/reviews->entity:host:10250/TCP', source: 'bookinfo/reviews', target: 'entity:host', port: 10250 },
      ],
    };
    const entity = generate(more, initialSelection(more), { namespaces: scope }).warnings.filter((w) => w.code === 'entity-peer');
    expect(entity.length).toBe(2);
    const groups = reviewGroups([], entity, [], (k) => more.edges.some((e) => e.key === k), policied);
    expect(groups.map((g) => [g.key, g.title])).toEqual([
      ['generation:entity-peer', '2 edges with the nodes or other entities get no rule'],
    ]);
    expect(groups[0].parts.map((p) => [p.reason?.slice(0, 24), p.entries.length])).toEqual([
      ['Flows with host get no r', 1],
      ['Flows with remote-node g', 1],
    ]);
    expect(entries(groups[0]).every((e) => e.edge === e.text)).toBe(true);
  });
});
