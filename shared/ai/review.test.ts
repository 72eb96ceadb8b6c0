import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { generate } from '../policy/generate';
import { verify } from '../policy/verify';
import { readFixture, ROOT } from '../testing/fixtures';
import { mixed } from '../testing/mixed-capture';
import { draftPolicySet, draftRules, withDraftRules } from './adopt';
import { buildDraftPayload } from './payload';
import { parseDraftReply } from './reply';
import { reviewDraft } from './review';

const { graph } = analyzeText(mixed, 'mixed.json');
const selection = initialSelection(graph);
const payload = buildDraftPayload(graph, selection, { namespaces: ['shop'] });
const review = (name: string, sel = selection) =>
  reviewDraft(parseDraftReply(readFixture('ai', 'replies', `${name}.md`), payload.tokens), graph, sel, ['shop']);
const codes = (name: string, severity = 'error') =>
  [
    ...new Set(
      review(name)
        .findings.filter((f) => f.severity === severity)
        .map((f) => f.code),
    ),
  ].sort();

describe('reviewing drafted policies against the mixed capture (namespace shop)', () => {
  it('passes a good draft: every kept edge allowed, nothing pruned or unobserved, every rule backed', () => {
    const r = review('good');
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.counts).toMatchObject({ policies: 4, keptDenied: 0, prunedAllowed: 0, unobservedAllowed: 0, unbackedRules: 0 });
    // The token came back as the address.
    expect(JSON.stringify(r.policies)).toContain('203.0.113.7/32');
  });

  it('a drafted policy named as a path (`../../x`) is an error, and never among the policies that can be taken', () => {
    const reply = readFixture('ai', 'replies', 'good.md').replace(/(\n\s+name: )([a-z0-9-]+)/, '$1../../../$2');
    const r = reviewDraft(parseDraftReply(reply, payload.tokens), graph, selection, ['shop']);
    const bad = r.findings.filter((f) => f.code === 'invalid-name');
    expect(bad.map((f) => [f.severity, f.subject])).toEqual([['error', expect.stringMatching(/^shop\/\.\.\/\.\.\/\.\.\//) as unknown]]);
    expect(r.policies.map((p) => p.metadata.name).some((n) => n.includes('/'))).toBe(false);
    expect(r.policies).toHaveLength(review('good').policies.length - 1);
    expect(r.verdict).toBe('errors');
  });

  it('fails an ipBlock for a pod, and says the pod traffic is blocked', () => {
    expect(codes('ipblock-pod')).toEqual(['ipblock-in-cluster', 'kept-denied']);
    const f = review('ipblock-pod').findings.find((x) => x.code === 'ipblock-in-cluster')!;
    expect(f.message).toContain('10.0.0.3/32');
    expect(f.fix).toMatch(/podSelector/);
  });

  it('fails a cross-namespace peer without namespaceSelector', () => {
    expect(codes('missing-namespace-selector')).toEqual(['kept-denied', 'missing-namespace-selector']);
    expect(review('missing-namespace-selector').findings.find((x) => x.code === 'kept-denied')!.subject).toBe(
      'monitoring/prometheus->shop/api:9090/TCP',
    );
  });

  it("flags podSelector: {} in a peer with lint's own severity, the one the policies tab shows once the draft is taken", () => {
    const r = review('empty-pod-selector');
    expect(r.verdict).toBe('warnings');
    expect(codes('empty-pod-selector', 'warning')).toContain('empty-selector');
    expect(r.tally.warning).toBe(r.findings.filter((f) => f.severity === 'warning').length);
  });

  it('fails a draft without DNS: the DNS edges are blocked and no-dns is named', () => {
    expect(codes('no-dns')).toEqual(['kept-denied']);
    expect(codes('no-dns', 'warning')).toContain('no-dns');
    const denied = review('no-dns')
      .findings.filter((f) => f.code === 'kept-denied')
      .map((f) => f.subject);
    expect(denied.sort()).toEqual([
      'shop/api->kube-system/kube-dns:53/UDP',
      'shop/web->kube-system/kube-dns:53/TCP',
      'shop/web->kube-system/kube-dns:53/UDP',
    ]);
  });

  it('reads the YAML out of prose and passes it, reporting the prose it ignored', () => {
    const r = review('prose');
    expect(r.verdict).toBe('pass');
    expect(r.policies).toHaveLength(4);
    expect(r.findings.map((f) => [f.severity, f.code])).toEqual([
      ['info', 'ignored'],
      ['info', 'ignored'],
    ]);
    expect(r.findings[0].message).toContain('Sure! Below are');
  });

  it('calls a refusal a refusal', () => {
    expect(codes('refusal')).toEqual(['refused']);
  });

  it('fails an egress rule that opens a connection outside the scope never observed (DNS over TCP for a workload that only used UDP)', () => {
    const udpOnly = ['      ports:', '        - protocol: UDP', '          port: 53', '    # shop/api -> shop/db:5432/TCP'].join('\n');
    const both = [
      '      ports:',
      '        - protocol: UDP',
      '          port: 53',
      '        - protocol: TCP',
      '          port: 53',
      '    # shop/api -> shop/db:5432/TCP',
    ].join('\n');
    const good = readFixture('ai', 'replies', 'good.md');
    expect(good).toContain(udpOnly);
    const r = reviewDraft(parseDraftReply(good.replace(udpOnly, both), payload.tokens), graph, selection, ['shop']);
    expect(r.verdict).toBe('errors');
    // The connection it opens, and the rule wider than what was seen (verify's verdict fails on both).
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.subject])).toEqual([
      ['unobserved-allowed', 'shop/api->kube-system/kube-dns:53/TCP'],
      ['wide-ports', 'shop/api egress[0]'],
    ]);
    expect(r.counts.unobservedAllowed).toBe(1);
    expect(r.tally.error).toBe(2);
  });

  it('fails a draft that allows an edge the user pruned', () => {
    const pruned = prune(selection, ['shop/web->shop/api:8080/TCP'], 'web should go through the gateway');
    const r = review('good', pruned);
    expect(r.verdict).toBe('errors');
    expect(r.findings.filter((f) => f.code === 'pruned-allowed').map((f) => f.subject)).toEqual(['shop/web->shop/api:8080/TCP']);
  });

  it('reports a rule no flow backs, and a document that does not parse', () => {
    const reply = readFixture('ai', 'replies', 'good.md').replace(
      '```yaml\n',
      '```yaml\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: extra, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: db}}}]\n      ports: [{protocol: TCP, port: 7000}]\n---\nkind: [unclosed\n---\n',
    );
    const r = reviewDraft(parseDraftReply(reply, payload.tokens), graph, selection, ['shop']);
    expect(r.findings.filter((f) => f.code === 'unbacked-rule').map((f) => f.subject)).toEqual(['shop/extra ingress[0]']);
    expect(r.findings.some((f) => f.code === 'yaml' && /document 2/.test(f.message))).toBe(true);
  });
});

describe('reviewing a draft for the sample capture (bookinfo, with node traffic)', () => {
  it('does not blame the draft for kept edges no NetworkPolicy can allow, but calls them errors as the policies tab does: they are blocked all the same', () => {
    const sample = analyzeText(readFileSync(path.join(ROOT, 'resources', 'sample-capture.jsonl'), 'utf8'), 'sample-capture.jsonl');
    const sel = initialSelection(sample.graph);
    const tokens = buildDraftPayload(sample.graph, sel, { namespaces: ['bookinfo'] }).tokens;
    const r = reviewDraft(parseDraftReply(readFixture('ai', 'replies', 'sample-good.md'), tokens), sample.graph, sel, ['bookinfo']);
    const inexpressible = r.findings.filter((f) => f.code === 'kept-inexpressible');
    // The pods' own node (host) gets in whatever the policies say; another node needs a rule none can write.
    expect(inexpressible.map((f) => f.subject).sort()).toEqual(['entity:remote-node->bookinfo/ratings:9080/TCP']);
    expect(inexpressible.every((f) => f.severity === 'error')).toBe(true);
    expect(inexpressible[0].message).toMatch(/no NetworkPolicy can allow it, the deterministic policies included: .*Use the Cilium flavor/);
    expect(r.findings.filter((f) => f.code === 'kept-denied')).toEqual([]);
    // The deterministic set blocks the same edges, for the same reason.
    const det = verify(
      generate(sample.graph, sel, { namespaces: ['bookinfo'] }).policies.map((g) => g.policy),
      sample.graph,
      sel,
      ['bookinfo'],
    );
    expect(det.keptDenied.map((f) => f.edge).sort()).toEqual(inexpressible.map((f) => f.subject).sort());
    expect(det.keptDenied.every((f) => f.inexpressible)).toBe(true);
  });
});

describe('taking a draft, or rules of it', () => {
  const draft = review('good').policies;
  const base = generate(graph, selection, { namespaces: ['shop'], defaultDeny: true });

  it('traces every drafted rule to the kept edges it allows', () => {
    const set = draftPolicySet(draft, graph, selection, base.options, 'test-model');
    const api = set.policies.find((g) => g.policy.metadata.name === 'api')!;
    expect(api.rules.map((r) => r.edges)).toEqual([
      ['monitoring/prometheus->shop/api:9090/TCP'],
      ['shop/web->shop/api:8080/TCP'],
      ['shop/api->kube-system/kube-dns:53/UDP'],
      ['shop/api->shop/db:5432/TCP'],
      ['shop/api->ip:203.0.113.7:443/TCP'],
    ]);
    expect(api.rules[0].comment).toMatch(/^drafted by test-model\nobserved: monitoring\/prometheus -> api:9090\/TCP/);
  });

  it('adds one drafted rule to the generated policy with the same selector, and the set still verifies', () => {
    const pruned = prune(selection, ['shop/web->shop/api:8080/TCP']);
    const generated = generate(graph, pruned, { namespaces: ['shop'], defaultDeny: true });
    const rule = (policy: string, direction: string, index: number) =>
      draftRules(draft).find((r) => r.ref.policy === policy && r.ref.direction === direction && r.ref.index === index)!.ref;
    const webEgress = rule('shop/web', 'egress', 1);
    const apiIngress = rule('shop/api', 'ingress', 1);
    // One end is not enough: the api still refuses the web's connection.
    const half = withDraftRules(generated, draft, [webEgress], graph, selection, 'test-model');
    expect(
      verify(
        half.policies.map((g) => g.policy),
        graph,
        selection,
        ['shop'],
      ).keptDenied.map((f) => f.edge),
    ).toEqual(['shop/web->shop/api:8080/TCP']);
    const merged = withDraftRules(generated, draft, [webEgress, apiIngress], graph, selection, 'test-model');
    const web = merged.policies.find((g) => g.policy.metadata.name === 'web')!;
    expect(web.policy.spec.egress).toHaveLength(2);
    expect(web.rules.at(-1)!.comment).toContain('taken from the draft by test-model');
    expect(web.rules.at(-1)!.edges).toEqual(['shop/web->shop/api:8080/TCP']);
    // With both ends taken, the merged set allows exactly the kept edges again.
    expect(
      verify(
        merged.policies.map((g) => g.policy),
        graph,
        selection,
        ['shop'],
      ).ok,
    ).toBe(true);
  });

  it('puts a rule whose selector no generated policy has into a new policy of its own direction', () => {
    const extra = {
      ...draft[2],
      metadata: { name: 'cache', namespace: 'shop' },
      spec: { ...draft[2].spec, podSelector: { matchLabels: { app: 'cache' } } },
    };
    const merged = withDraftRules(base, [extra], [{ policy: 'shop/cache', direction: 'ingress', index: 0 }], graph, selection, 'm');
    const added = merged.policies.at(-1)!;
    expect(added.policy.metadata.name).toBe('cache-drafted');
    expect(added.policy.spec.policyTypes).toEqual(['Ingress']);
    expect(added.rules[0].comment).toContain('no observed flow backs this rule');
    expect(() => withDraftRules(base, [extra], [{ policy: 'shop/cache', direction: 'egress', index: 3 }], graph, selection, 'm')).toThrow(
      /no rule shop\/cache egress\[3\]/,
    );
  });
});
