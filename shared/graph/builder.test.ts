import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_PORT_MIN } from '../flows/direction';
import { fixture, hubbleFixture } from '../testing/fixtures';
import { analyzeText } from './analysis';
import { initialSelection, isKept, parseSelection, prune, restore, serializeSelection } from './selection';
import { summarize } from './summary';
import { observedLine } from '../policy/generate';
import { buildDraftPayload } from '../ai/payload';
import { flow, world } from '../testing/mixed-capture';

const hubbleDir = fixture('hubble', 'cilium-hubble-otel');
const captures = readdirSync(hubbleDir).filter((f) => f.endsWith('.json'));
const analyze = (name: string) => analyzeText(readFileSync(hubbleFixture(name), 'utf8'), name);
/** The lines of bookinfo's 400-flow capture that are replies. */
const bookinfoReplies = (): string[] =>
  readFileSync(hubbleFixture('basic-sample-400-tcp-flows.json'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"is_reply":true'));

describe('real Hubble captures', () => {
  it.each(captures)('%s: every edge goes to a server port, never an ephemeral one', (name) => {
    const { graph, stats } = analyze(name);
    expect(stats.badLines).toBe(0);
    expect(graph.edges.length).toBeGreaterThan(0);
    for (const e of graph.edges) {
      if (e.port !== null) expect(e.port, e.key).toBeLessThan(EPHEMERAL_PORT_MIN);
    }
  });

  it('bookinfo on kind (400 TCP flows): the expected edges', () => {
    const { graph } = analyze('basic-sample-400-tcp-flows.json');
    expect(graph.edges.map((e) => e.key)).toEqual([
      'bookinfo/productpage->bookinfo/details:9080/TCP',
      'bookinfo/productpage->bookinfo/reviews:9080/TCP',
      'bookinfo/ratings->bookinfo/productpage:9080/TCP',
      'bookinfo/reviews->bookinfo/ratings:9080/TCP',
      'entity:host->bookinfo/productpage:9080/TCP',
      'entity:host->bookinfo/reviews:9080/TCP',
      'entity:host->jaeger/jaeger-default:14269/TCP',
      'entity:remote-node->bookinfo/ratings:9080/TCP',
      'entity:remote-node->entity:health:4240/TCP',
      'kube-system/otelcol-hubble-collector->entity:host:4244/TCP',
      'kube-system/otelcol-hubble-collector->jaeger/jaeger-default:14250/TCP',
    ]);
    expect(graph.namespaces).toEqual(['bookinfo', 'jaeger', 'kube-system']);
    // Pods that Cilium briefly reported as "world" are mapped back to their workload, not to an IP.
    expect(graph.nodes.filter((n) => n.kind === 'external')).toEqual([]);
    const details = graph.edges[0].evidence;
    // Flows count both directions of the connections, each event once: 82 requests and 32 replies.
    expect(details.flows).toBe(114);
    expect(details.replies).toBe(32);
    // 12 client address and port pairs: 9 opened by a handshake in the capture, 3 whose start was
    // before it, settled because 9080 is details' server port in the others.
    expect(details.connections).toBe(12);
    expect(details.direction).toEqual({ basis: { handshake: 9, 'known-port': 3 }, uncertain: 0 });
    expect(details.samplePods.dst).toEqual(['details-v1-79f774bdb9-m4j4k']);
  });

  it('DNS capture: node-local-dns → kube-dns on 53/TCP, with the queries', () => {
    const { graph } = analyze('basic-sample-330-dns-flows.json');
    expect(graph.edges).toHaveLength(1);
    const [e] = graph.edges;
    expect(e.key).toBe('kube-system/node-local-dns->kube-system/kube-dns:53/TCP');
    expect(e.evidence).toMatchObject({ flows: 330, replies: 165, connections: 67 });
    expect(e.evidence.l7.dns.length).toBeGreaterThan(0);
  });

  it('HTTP capture: L7 methods and paths are summarised', () => {
    const { graph } = analyze('basic-sample-348-http-flows.json');
    const paths = graph.edges.flatMap((e) => e.evidence.l7.http.map((h) => `${h.method} ${h.path}`));
    expect(paths).toContain('GET /metrics');
  });

  it('a capture of replies only yields the same server-port edges as the full capture', () => {
    const full = analyze('basic-sample-400-tcp-flows.json').graph;
    const repliesOnly = bookinfoReplies();
    expect(repliesOnly).toHaveLength(132);
    const { graph, stats } = analyzeText(repliesOnly.join('\n'), 'replies.json');
    expect(stats.records).toBe(132);
    const fullKeys = new Set(full.edges.map((e) => e.key));
    for (const e of graph.edges) {
      expect(fullKeys.has(e.key), e.key).toBe(true);
      // One count everywhere: an edge seen only through replies has as many flows as replies.
      expect(e.evidence.flows, e.key).toBe(e.evidence.replies);
      expect(e.evidence.flows, e.key).toBeGreaterThan(0);
    }
  });

  it('one flow count everywhere: an edge seen only through replies shows the same number in every view', () => {
    const a = analyzeText(bookinfoReplies().join('\n'), 'replies.json');
    const e = a.graph.edges.find((x) => x.key === 'bookinfo/productpage->bookinfo/details:9080/TCP')!;
    expect(e.evidence.flows).toBeGreaterThan(0);
    const nodes = new Map(a.graph.nodes.map((n) => [n.id, n]));
    expect(observedLine(e, nodes, 'bookinfo')).toContain(`, ${e.evidence.flows} flows,`);
    const selection = initialSelection(a.graph);
    const payload = buildDraftPayload(a.graph, selection, { namespaces: ['bookinfo'] });
    const row = payload.table.split('\n').find((l) => l.includes('details') && l.includes('9080/TCP'))!;
    expect(row.split('|').map((c) => c.trim())).toContain(String(e.evidence.flows));
    expect(summarize(a).flows).toBe(a.graph.edges.reduce((n, x) => n + x.evidence.flows, 0));
  });

  it('summarize gives the headline figures', () => {
    const s = summarize(analyze('basic-sample-400-tcp-flows.json'));
    expect(s).toMatchObject({ format: 'hubble-jsonpb', records: 400, replies: 136, badLines: 0, workloads: 6, edges: 11, lostEvents: 0 });
    expect(s.window).toEqual({ start: '2021-11-10T10:40:56.465Z', end: '2021-11-10T10:41:00.353Z', durationMs: 3888 });
    // reviews-v1, -v2 and -v3 are three Deployments under one selector (app=reviews): v1 gets v2's and v3's egress to ratings.
    expect(s.warnings.map((w) => w.code)).toEqual(['no-dns', 'shared-selector', 'short-window']);
    expect(s.warnings[1].message).toMatch(
      /^bookinfo\/reviews gathers the pods of 3 workloads \(reviews-v1, reviews-v2, reviews-v3\) under one selector \(app=reviews\)/,
    );
  });
});

const flowLine = (o: { dir: 'EGRESS' | 'INGRESS'; reply?: boolean; t: string; sport?: number }) =>
  JSON.stringify({
    flow: {
      time: o.t,
      verdict: 'FORWARDED',
      IP: o.reply ? { source: '10.0.0.2', destination: '10.0.0.1' } : { source: '10.0.0.1', destination: '10.0.0.2' },
      l4: {
        TCP: o.reply
          ? { source_port: 8080, destination_port: o.sport ?? 40000 }
          : { source_port: o.sport ?? 40000, destination_port: 8080 },
      },
      source: o.reply ? { namespace: 'shop', labels: ['k8s:app=api'] } : { namespace: 'shop', labels: ['k8s:app=web'] },
      destination: o.reply ? { namespace: 'shop', labels: ['k8s:app=web'] } : { namespace: 'shop', labels: ['k8s:app=api'] },
      is_reply: o.reply ?? false,
      traffic_direction: o.dir,
    },
  });

describe('counting', () => {
  it('an event seen at both the client and the server counts once', () => {
    const lines = [];
    for (let i = 0; i < 3; i++) {
      const t = `2024-01-01T00:00:0${i}Z`;
      lines.push(flowLine({ dir: 'EGRESS', t }), flowLine({ dir: 'INGRESS', t }));
    }
    lines.push(flowLine({ dir: 'EGRESS', reply: true, t: '2024-01-01T00:00:05Z' }));
    const { graph, stats } = analyzeText(lines.join('\n'), 'x.json');
    expect(stats.records).toBe(7);
    expect(graph.edges).toHaveLength(1);
    expect(graph.edges[0].key).toBe('shop/web->shop/api:8080/TCP');
    expect(graph.edges[0].evidence).toMatchObject({ flows: 4, replies: 1, connections: 1, verdicts: { FORWARDED: 4 } });
  });

  it('learns DNS names for world addresses from DNS answers in the same capture', () => {
    const web = { namespace: 'shop', labels: ['k8s:app=web'] };
    const dns = flow({
      t: '2024-01-01T00:00:00Z',
      src: { namespace: 'kube-system', labels: ['k8s:k8s-app=kube-dns'] },
      dst: web,
      srcIp: '10.0.0.10',
      dstIp: '10.0.0.1',
      proto: 'UDP',
      sport: 53,
      dport: 41000,
      reply: true,
      l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['54.187.174.169'] } },
    });
    const out = flow({
      t: '2024-01-01T00:00:01Z',
      src: web,
      dst: world,
      srcIp: '10.0.0.1',
      dstIp: '54.187.174.169',
      proto: 'TCP',
      sport: 41001,
      dport: 443,
    });
    const { graph } = analyzeText([dns, out].join('\n'), 'x.json');
    const ext = graph.nodes.find((n) => n.kind === 'external');
    expect(ext).toMatchObject({ id: 'ip:54.187.174.169', ip: '54.187.174.169', label: 'api.stripe.com', dnsNames: ['api.stripe.com'] });
    const e = graph.edges.find((x) => x.target === 'ip:54.187.174.169');
    expect(e?.evidence.dnsNames).toEqual(['api.stripe.com']);
    expect(graph.edges.find((x) => x.port === 53)?.key).toBe('shop/web->kube-system/kube-dns:53/UDP');
    // web did DNS, so there is no DNS warning.
    expect(graph.warnings.map((w) => w.code)).not.toContain('no-dns');
  });
});

describe('dropped flows and selection', () => {
  const text = readFileSync(fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl'), 'utf8');

  it('dropped flows are flagged and start pruned', () => {
    const { graph } = analyzeText(text, 'drops.jsonl');
    const edge = graph.edges.find((e) => e.key === 'default/xwing->default/deathstar:80/TCP');
    expect(edge?.evidence.verdicts).toEqual({ DROPPED: 1 });
    expect(edge?.evidence.dropReasons).toEqual({ POLICY_DENIED: 1 });
    expect(graph.warnings.find((w) => w.code === 'dropped-flows')?.subjects).toContain(edge?.key);
    const sel = initialSelection(graph);
    expect(isKept(sel, edge!.key)).toBe(false);
    expect(sel.pruned.get(edge!.key)?.by).toBe('dropped');
  });

  it('prune, restore and serialise round-trip', () => {
    const { graph } = analyze('basic-sample-400-tcp-flows.json');
    let sel = initialSelection(graph);
    expect(sel.pruned.size).toBe(0);
    sel = prune(sel, [graph.edges[1].key, graph.edges[0].key], 'not needed');
    const file = serializeSelection(sel);
    expect(file.pruned.map((p) => p.edge)).toEqual([graph.edges[0].key, graph.edges[1].key]);
    const back = parseSelection(JSON.parse(JSON.stringify(file)));
    expect(back.pruned.get(graph.edges[0].key)).toEqual({ by: 'user', reason: 'not needed' });
    expect(restore(back, [graph.edges[0].key]).pruned.size).toBe(1);
    expect(() => parseSelection({ version: 2 })).toThrow(/expected \{"version": 1/);
  });
});
