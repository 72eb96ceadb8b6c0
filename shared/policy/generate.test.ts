import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import type { ServiceGraph } from '../graph/types';
import { fixture, hubbleFixture } from '../testing/fixtures';
import { generateCilium } from './cilium';
import type { CiliumNetworkPolicy } from './cilium-types';
import { isObjectName } from '../cluster/names';
import { generate, policyName } from './generate';
import type { NetworkPolicy } from './types';
import { uncoverable } from './verify';
import { mixed } from '../testing/mixed-capture';
import { parsePolicies, policySetYaml } from './yaml';
import { verifySet } from '../testing/verify-set';

const EPHEMERAL = 32768;

const allPeers = (p: NetworkPolicy) => [
  ...(p.spec.ingress ?? []).flatMap((r) => r.from ?? []),
  ...(p.spec.egress ?? []).flatMap((r) => r.to ?? []),
];
const allPorts = (p: NetworkPolicy | CiliumNetworkPolicy): { port?: number | string }[] =>
  p.kind === 'NetworkPolicy'
    ? [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])].flatMap((r) => r.ports ?? [])
    : [...(p.spec?.ingress ?? []), ...(p.spec?.egress ?? [])].flatMap((r) => (r.toPorts ?? []).flatMap((tp) => tp.ports ?? []));

describe('generate on a capture with replies, DNS, a drop, a cross-namespace caller and a world address', () => {
  const { graph } = analyzeText(mixed, 'mixed.json');
  const selection = initialSelection(graph);
  const set = generate(graph, selection, { namespaces: ['shop'], defaultDeny: true });
  const byName = new Map(set.policies.map((g) => [g.policy.metadata.name, g.policy]));

  it('writes one policy per workload plus the default deny, with both policy types', () => {
    expect([...byName.keys()]).toEqual(['default-deny', 'api', 'db', 'web']);
    expect(byName.get('api')?.spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(byName.get('api')?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('no ephemeral port, no ipBlock for a pod, no empty selector in a peer', () => {
    for (const p of byName.values()) {
      for (const port of allPorts(p)) expect(Number(port.port)).toBeLessThan(EPHEMERAL);
      for (const peer of allPeers(p)) {
        if (peer.ipBlock) expect(peer.ipBlock.cidr).toBe('203.0.113.7/32');
        for (const sel of [peer.podSelector, peer.namespaceSelector])
          if (sel) expect(Object.keys(sel.matchLabels ?? {}).length).toBeGreaterThan(0);
      }
    }
  });

  it('cross-namespace peers carry namespaceSelector and podSelector in one entry; DNS egress is allowed as observed', () => {
    const api = byName.get('api')!;
    expect(api.spec.ingress).toContainEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { app: 'prometheus' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 9090 }],
    });
    expect(api.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [{ protocol: 'UDP', port: 53 }],
    });
    expect(byName.get('web')?.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'TCP', port: 53 },
        { protocol: 'UDP', port: 53 },
      ],
    });
  });

  it('a user-given CIDR that covers an external address is used instead of its /32', () => {
    const withCidr = generate(graph, selection, { namespaces: ['shop'], cidrs: ['203.0.113.0/24'] });
    const api = withCidr.policies.find((g) => g.policy.metadata.name === 'api')!.policy;
    expect(api.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  });

  it('the dropped flow starts pruned and gets no rule', () => {
    const web = byName.get('web')!;
    expect(JSON.stringify(web.spec.egress)).not.toContain('"db"');
  });

  it('verify: kept flows allowed, the pruned flow and unobserved pairs denied, every rule backed', () => {
    const c = verifySet(set, graph, selection);
    // A kept edge is blocked only where no generated rule can name an end, and verify says why.
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    for (const f of c.keptDenied) {
      const edge = graph.edges.find((e) => e.key === f.edge)!;
      expect(uncoverable(edge, nodes), f.edge).toBeDefined();
      expect(f.explanation).toContain(uncoverable(edge, nodes));
    }
    const unlabelled = graph.warnings.find((w) => w.code === 'unlabelled-workloads');
    if (c.keptDenied.length > 0) expect(unlabelled?.subjects?.length).toBeGreaterThan(0);
    expect(c.prunedAllowed).toEqual([]);
    expect(c.unobservedAllowed).toEqual([]);
    expect(c.unbackedRules).toEqual([]);
    expect(c.prunedDenied.map((f) => f.edge)).toEqual(['shop/web->shop/db:5432/TCP']);
    expect(c.keptAllowed.find((f) => f.edge === 'shop/web->shop/api:8080/TCP')?.ingress).toEqual({
      policy: 'shop/api',
      direction: 'ingress',
      index: 1,
    });
    expect(c.ok).toBe(true);
  });

  it('YAML: a comment above each rule naming the flow, and the same bytes every time', () => {
    const yaml = policySetYaml(set);
    expect(yaml).toContain('    # observed: monitoring/prometheus -> api:9090/TCP, 1 flow, 2026-11-01 09:00–09:00 UTC\n    - from:');
    expect(yaml).toContain('# observed: api -> 203.0.113.7 (payments.example.com):443/TCP, 2 flows');
    const shuffled: ServiceGraph = { ...graph, edges: [...graph.edges].reverse(), nodes: [...graph.nodes].reverse() };
    expect(policySetYaml(generate(shuffled, selection, { namespaces: ['shop'], defaultDeny: true }))).toBe(yaml);
    const back = parsePolicies(yaml);
    expect(back.problems).toEqual([]);
    expect(back.policies).toEqual(set.policies.map((g) => g.policy));
  });

  it('pruning an edge takes its rule out, and verify then finds it denied', () => {
    const key = 'monitoring/prometheus->shop/api:9090/TCP';
    const sel = prune(selection, [key], 'scraper moves to a sidecar');
    const next = generate(graph, sel, { namespaces: ['shop'] });
    expect(JSON.stringify(next.policies.find((g) => g.policy.metadata.name === 'api')?.policy.spec.ingress)).not.toContain('prometheus');
    const c = verifySet(next, graph, sel);
    expect(c.prunedDenied.map((f) => f.edge)).toContain(key);
    expect(c.ok).toBe(true);
  });

  it('warns where NetworkPolicy cannot follow', () => {
    const { graph: g } = analyzeText(readFileSync(hubbleFixture('basic-sample-400-tcp-flows.json'), 'utf8'), 'x');
    const s = generate(g, initialSelection(g), { namespaces: ['bookinfo'] });
    expect(s.warnings.map((w) => w.code)).toEqual(['entity-peer', 'no-dns']);
    expect(s.warnings[0].message).toMatch(/remote-node get no rule: NetworkPolicy cannot name other nodes/);
    // The pods' own node (kubelet probes) needs no rule and gets no warning: Kubernetes lets it in.
    const fromNode = g.edges.filter((e) => e.source === 'entity:host' && e.target.startsWith('bookinfo/')).map((e) => e.key);
    expect(fromNode.length).toBeGreaterThan(0);
    for (const k of fromNode) expect(s.warnings.flatMap((w) => w.subjects)).not.toContain(k);
    expect(verifySet(s, g, initialSelection(g)).keptAllowed.map((f) => f.edge)).toEqual(expect.arrayContaining(fromNode));
  });

  it('the Cilium flavor warns of the same lost DNS: its policies restrict egress too', () => {
    const { graph: g } = analyzeText(readFileSync(hubbleFixture('basic-sample-400-tcp-flows.json'), 'utf8'), 'x');
    const k = generate(g, initialSelection(g), { namespaces: ['bookinfo'] }).warnings.find((w) => w.code === 'no-dns')!;
    const c = generateCilium(g, initialSelection(g), { namespaces: ['bookinfo'] }).warnings.find((w) => w.code === 'no-dns');
    expect(c?.subjects).toEqual(k.subjects);
    expect(c?.subjects).toEqual(['bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews']);
  });
});

describe('real captures: generate, then verify passes except where no rule can', () => {
  const dir = fixture('hubble', 'cilium-hubble-otel');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it.each(files.flatMap((f) => (['kubernetes', 'cilium'] as const).map((flavor) => [f, flavor] as const)))('%s (%s)', (name, flavor) => {
    const { graph } = analyzeText(readFileSync(`${dir}/${name}`, 'utf8'), name);
    const selection = initialSelection(graph);
    const namespaces = graph.namespaces.filter((ns) => graph.nodes.some((n) => n.namespace === ns && n.kind === 'workload'));
    const options = { namespaces, defaultDeny: true };
    const set = flavor === 'cilium' ? generateCilium(graph, selection, options) : generate(graph, selection, options);
    const c = verifySet(set, graph, selection, { engine: flavor });
    expect(c.engine).toBe(flavor);
    // A kept edge is blocked only where the flavor cannot name an end, and verify says why; it is
    // undecided only where its direction is uncertain.
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    for (const f of c.keptDenied) {
      const edge = graph.edges.find((e) => e.key === f.edge)!;
      expect(uncoverable(edge, nodes, flavor), f.edge).toBeDefined();
      expect(f.explanation).toContain(uncoverable(edge, nodes, flavor));
    }
    // Undecided only where the direction is uncertain or an end's address is not in the capture.
    for (const f of c.keptUndecided) {
      const edge = graph.edges.find((e) => e.key === f.edge)!;
      const opaque = [edge.source, edge.target].some((id) => nodes.get(id)?.kind !== 'workload' && !nodes.get(id)?.ip);
      expect(edge.evidence.direction.uncertain > 0 || opaque, f.edge).toBe(true);
    }
    expect(c.prunedAllowed).toEqual([]);
    expect(c.unobservedAllowed).toEqual([]);
    expect(c.unbackedRules).toEqual([]);
    expect(c.verdict.status).toBe(c.keptDenied.length > 0 ? 'fail' : c.keptUndecided.length > 0 ? 'undecided' : 'pass');
    for (const g of set.policies) for (const port of allPorts(g.policy)) expect(Number(port.port)).toBeLessThan(EPHEMERAL);
  });
});

describe('policy names', () => {
  it.each(['reviews', 'a..b', 'a.-b', 'x-.y', '-lead-', 'Shop_Front', '..', '.', '', 'a'.repeat(80), `${'a'.repeat(62)}.b`])(
    'a workload label %j gives a name Kubernetes accepts',
    (label) => expect(isObjectName(policyName(label))).toBe(true),
  );
});
