// Service frontends: the handed field case F04 (a ClusterIP reported as world with
// destination_service) and variants of the same kind of fault.
import { describe, expect, it } from 'vitest';
import { parseClusterSnapshot } from '../cluster/snapshot';
import { readFixture } from '../testing/fixtures';
import { generateCilium } from '../policy/cilium';
import { generate } from '../policy/generate';
import { analyzeText } from './analysis';
import { initialSelection } from './selection';
import { summarize } from './summary';
import { verifySet } from '../testing/verify-set';

const F04 = readFixture('field', 'F04-clusterip-world-destination-service.jsonl');
const snapshot = parseClusterSnapshot([JSON.parse(readFixture('field', 'F04-snapshot.json')) as unknown], 'F04-snapshot.json');
type Flow = Record<string, unknown> & { l4: { TCP: { source_port: number; destination_port: number } } };
const records = F04.trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as { flow: Flow });
const port = (f: Flow) => (f.l4.TCP.source_port === 80 || f.l4.TCP.source_port === 9200 ? f.l4.TCP.destination_port : f.l4.TCP.source_port);

/** F04's records of kibana's connection from `clientPort` (41000 seen translated, 41010 not), each as a line changed by `edit`. */
const client = (clientPort: number, edit: (text: string) => string = (t) => t): string[] =>
  records.filter((r) => port(r.flow) === clientPort).map((r) => edit(JSON.stringify(r)));

/** A record without destination_service: what a field-masked export (or an older Hubble) gives. */
const unnamed = (text: string): string => {
  const o = JSON.parse(text) as { flow: Flow };
  delete o.flow.destination_service;
  return JSON.stringify(o);
};

/** A record of kibana's as grafana's: another pod, app and address. */
const asGrafana = (text: string): string =>
  text
    .replaceAll('kibana-6c8d9f7b5-x2x2x', 'grafana-7d9c5b6f4-bq7wz')
    .replaceAll('app=kibana', 'app=grafana')
    .replaceAll('10.0.1.21', '10.0.1.22');

/** A record of the translated flow (to or from pod 10.0.3.15) moved to 203.0.113.10 outside the cluster, on `serverPort`; any other record as it is. */
const translatedOutside =
  (serverPort: number) =>
  (text: string): string => {
    if (!text.includes('10.0.3.15')) return text;
    const o = JSON.parse(text.replaceAll('10.0.3.15', '203.0.113.10').replaceAll('9200', String(serverPort))) as { flow: Flow };
    const world = { identity: 2, labels: ['reserved:world'] };
    if ((o.flow.IP as { source: string }).source === '203.0.113.10') o.flow.source = world;
    else o.flow.destination = world;
    return JSON.stringify(o);
  };

function graphOf(text: string, withSnapshot = false) {
  const a = analyzeText(text, 'capture.jsonl', withSnapshot ? { snapshot } : {});
  expect(a.stats.badLines).toBe(0);
  return a.graph;
}

describe('F04: a ClusterIP reported as world, with destination_service', () => {
  it('is one edge to the backend workload on its target port, never an ipBlock address', () => {
    const graph = graphOf(F04);
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
    expect(graph.nodes.filter((n) => n.kind !== 'workload')).toEqual([]);
    expect(graph.edges[0].evidence).toMatchObject({
      // SYN, PSH and a second SYN seen at kibana's node; the SYN-ACK only at the server's.
      flows: 4,
      replies: 1,
      connections: 2,
      service: { name: 'logging/elasticsearch-master', resolvedBy: 'translation' },
    });
    expect(graph.warnings.map((w) => w.code)).not.toContain('unresolved-service');
  });

  it('a client seen only before translation takes the backend other clients of the Service port reached', () => {
    // grafana's connection was never seen translated; kibana's was.
    const graph = graphOf([...client(41000), ...client(41010, asGrafana)].join('\n'));
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/grafana->logging/elasticsearch-master:9200/TCP', 'learned-backend'],
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'translation'],
    ]);
  });

  it('with nothing to resolve it, stays a Service edge with a warning that says what to do', () => {
    const graph = graphOf(client(41010).join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->service:logging/elasticsearch-master:80/TCP']);
    expect(graph.edges[0].evidence.service).toEqual({ name: 'logging/elasticsearch-master', resolvedBy: 'unresolved' });
    const w = graph.warnings.find((x) => x.code === 'unresolved-service');
    expect(w?.message).toMatch(/kubectl get svc,endpointslices,pods,namespaces -A -o json/);
    expect(graph.nodes.find((n) => n.id === 'service:logging/elasticsearch-master')).toMatchObject({
      kind: 'service',
      namespace: 'logging',
    });
  });

  it('a cluster snapshot resolves it to every backend of the Service port', () => {
    const graph = graphOf(client(41010).join('\n'), true);
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
    expect(graph.edges[0].evidence.service).toEqual({ name: 'logging/elasticsearch-master', resolvedBy: 'snapshot' });
    expect(graph.edges[0].evidence.samplePods.dst).toEqual(['elasticsearch-master-0', 'elasticsearch-master-1']);
  });

  it('a ClusterIP Hubble did not name (world, no destination_service) is resolved by the snapshot', () => {
    const text = client(41010, unnamed).join('\n');
    expect(graphOf(text).edges.map((e) => e.key)).toEqual(['logging/kibana->ip:10.96.200.135:80/TCP']);
    expect(graphOf(text, true).edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
  });

  it('a Service pointing outside the cluster keeps the external address it was translated to', () => {
    // A selector-less Service: the translated flow of the same client port goes to an address outside.
    const graph = graphOf(client(41000, translatedOutside(5432)).join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->ip:203.0.113.10:5432/TCP']);
    expect(graph.edges[0].evidence.service?.resolvedBy).toBe('translation');
  });

  it("a Service's other port is not folded into the port other connections reached", () => {
    // 41000 reached 9200 through port 80; 41020 went to the Service's port 9300 and was never seen translated.
    const other = client(41010, (t) => t.replaceAll('41010', '41020').replaceAll('"destination_port":80', '"destination_port":9300'));
    // Hubble also names the Service on the translated flow to the pod: a backend hint, for port 9200 only.
    const hinted = (t: string) => {
      const o = JSON.parse(t) as { flow: { IP: { destination: string }; destination_service?: unknown } };
      if (o.flow.IP.destination === '10.0.3.15') o.flow.destination_service = { name: 'elasticsearch-master', namespace: 'logging' };
      return JSON.stringify(o);
    };
    const graph = graphOf([...client(41000, hinted), ...other].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'logging/kibana->logging/elasticsearch-master:9200/TCP',
      'logging/kibana->service:logging/elasticsearch-master:9300/TCP',
    ]);
    // The snapshot knows port 9300: its own backend port, not 9200.
    expect(graphOf([...client(41000), ...other].join('\n'), true).edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'translation'],
      ['logging/kibana->logging/elasticsearch-master:9300/TCP', 'snapshot'],
    ]);
  });

  /** kibana:41000 to the Service at 09:00 (never seen translated), then the same client port to a redis pod, its time moved to `later`. */
  const serviceThenRedis = (later = 'T09:00:'): string[] => [
    ...client(41000).filter((t) => t.includes('10.96.200.135')),
    ...client(41000)
      .filter((t) => !t.includes('10.96.200.135'))
      .map((t) => t.replaceAll('T09:00:', later).replaceAll('elasticsearch-master', 'redis').replaceAll('9200', '6379')),
  ];

  it.each([
    ['twenty minutes', 'T09:20:'],
    ['two minutes', 'T09:02:'],
  ])('a client port used again %s later is another connection: no pairing across it', (_gap, later) => {
    const graph = graphOf(serviceThenRedis(later).join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'logging/kibana->logging/redis:6379/TCP',
      'logging/kibana->service:logging/elasticsearch-master:80/TCP',
    ]);
  });

  it('the same client port to a redis pod in the same second is a coincidence the snapshot rules out', () => {
    // Without a snapshot the capture cannot tell this from a translation; with one it can.
    const graph = graphOf(serviceThenRedis().join('\n'), true);
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'snapshot'],
      ['logging/kibana->logging/redis:6379/TCP', undefined],
    ]);
  });

  it('a NodePort frontend resolves through the snapshot to the Service port that owns it', () => {
    const nodePortSnapshot = parseClusterSnapshot(
      [
        JSON.parse(
          readFixture('field', 'F04-snapshot.json').replace('"port": 80,', '"nodePort": 30080,\n                        "port": 80,'),
        ) as unknown,
      ],
      'nodeport.json',
    );
    const text = records
      .filter((r) => port(r.flow) === 41010)
      .map((r) => JSON.stringify(r).replaceAll('"destination_port":80', '"destination_port":30080'))
      .join('\n');
    const a = analyzeText(text, 'x.jsonl', { snapshot: nodePortSnapshot });
    expect(a.graph.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
  });
});

const client41000 = client(41000, unnamed);

describe('a ClusterIP nothing names (world or a bare address, no destination_service)', () => {
  it("the tester's S3: paired with its translated flow, one edge to the backend and no private address left", () => {
    const graph = graphOf(readFixture('tester', 'svc-S3-no-dstsvc.jsonl'));
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
    expect(graph.nodes.filter((n) => n.kind !== 'workload')).toEqual([]);
    expect(graph.edges[0].evidence).toMatchObject({ connections: 2, service: { name: '10.96.200.135', resolvedBy: 'translation' } });
    expect(graph.warnings.map((w) => w.code)).not.toContain('private-address');
  });

  it("the tester's S3f: a frontend never seen translated stays an address, with the private-address warning", () => {
    const graph = graphOf(readFixture('tester', 'svc-S3f-only-frontend-nosvc.jsonl'));
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->ip:10.96.200.135:80/TCP']);
    expect(graph.warnings.find((w) => w.code === 'private-address')?.subjects).toEqual(['ip:10.96.200.135']);
  });

  it('a bare address (no reserved:world label) pairs the same way; a client the capture never saw translated learns the backend', () => {
    const bare = (t: string) => t.replace('"labels":["reserved:world"]', '"labels":[]');
    const graph = graphOf([...client41000.map(bare), ...client(41010, (t) => unnamed(asGrafana(t)))].join('\n'));
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/grafana->logging/elasticsearch-master:9200/TCP', 'learned-backend'],
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'translation'],
    ]);
    expect(graph.nodes.map((n) => n.id)).not.toContain('ip:10.96.200.135');
  });

  it('with a snapshot that does not know the address, the translation still pairs it', () => {
    const graph = graphOf(client41000.map((t) => t.replaceAll('10.96.200.135', '10.96.7.7')).join('\n'), true);
    expect(graph.edges.map((e) => [e.key, e.evidence.service])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', { name: '10.96.7.7', resolvedBy: 'translation' }],
    ]);
  });

  it('never pairs an address with another address: a flow translated to one outside the cluster keeps both', () => {
    expect(graphOf(client41000.map(translatedOutside(9200)).join('\n')).edges.map((e) => e.key)).toEqual([
      'logging/kibana->ip:10.96.200.135:80/TCP',
      'logging/kibana->ip:203.0.113.10:9200/TCP',
    ]);
  });

  it('never pairs two pods: a client port to one pod and another a moment later are two edges', () => {
    const twoPods = client41000.map((t) =>
      t.includes('10.96.200.135')
        ? t
            .replaceAll('10.96.200.135', '10.0.3.99')
            .replace(
              '"labels":["reserved:world"]',
              '"namespace":"logging","labels":["k8s:app=redis","k8s:io.kubernetes.pod.namespace=logging"],"pod_name":"redis-0"',
            )
        : t,
    );
    expect(graphOf(twoPods.join('\n')).edges.map((e) => e.key)).toEqual([
      'logging/kibana->logging/elasticsearch-master:9200/TCP',
      'logging/kibana->logging/redis:80/TCP',
    ]);
  });

  it('an address most of whose connections were never seen translated is not taken for a frontend', () => {
    // One of three connections to the address shares its client port with a pod flow: a coincidence.
    const others = [41010, 41020].map((p) =>
      JSON.stringify(JSON.parse(client41000[0]) as unknown)
        .replaceAll('41000', String(p))
        .replace('09:00:00.000Z', '09:00:30.000Z'),
    );
    const graph = graphOf([...client41000, ...others].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'logging/kibana->ip:10.96.200.135:80/TCP',
      'logging/kibana->logging/elasticsearch-master:9200/TCP',
    ]);
    expect(graph.warnings.map((w) => w.code)).toContain('private-address');
  });
});

describe('one translated flow, two frontends', () => {
  const SV2 = readFixture('tester', 'svc-SV2-port-shared-missing-translation.jsonl');

  it("the tester's SV2: a translated flow two Services claim is neither's, so beta is never resolved to alpha's backend", () => {
    const graph = graphOf(SV2);
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['shop/client->service:shop/alpha:80/TCP', 'unresolved'],
      ['shop/client->service:shop/beta:80/TCP', 'unresolved'],
      ['shop/client->shop/alpha:8080/TCP', undefined],
    ]);
    expect(graph.warnings.find((w) => w.code === 'unresolved-service')?.subjects).toEqual([
      'shop/client->service:shop/alpha:80/TCP',
      'shop/client->service:shop/beta:80/TCP',
    ]);
  });

  it("alpha still learns its backend from another connection seen translated; beta does not take alpha's", () => {
    const lines = SV2.trimEnd().split('\n');
    const again = lines.slice(0, 2).map((l) => l.replaceAll('41000', '41001').replaceAll('18:00:01.', '18:00:09.'));
    const graph = graphOf([...lines, ...again].join('\n'));
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['shop/client->service:shop/beta:80/TCP', 'unresolved'],
      ['shop/client->shop/alpha:8080/TCP', 'translation'],
    ]);
    expect(graph.edges[1].evidence.connections).toBe(2);
  });

  it('a named Service and an unnamed address claiming one flow: neither gets it', () => {
    const lines = SV2.trimEnd().split('\n');
    const beta = JSON.parse(lines[2]) as { flow: Flow };
    delete beta.flow.destination_service;
    const graph = graphOf([lines[0], lines[1], JSON.stringify(beta)].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'shop/client->ip:10.96.0.11:80/TCP',
      'shop/client->service:shop/alpha:80/TCP',
      'shop/client->shop/alpha:8080/TCP',
    ]);
  });
});

describe('a Service with two backends: each connection counted once, at the backend its translated flow reached', () => {
  // kibana:41000 reached elasticsearch-master-0, kibana:41001 opensearch-0 (another workload behind
  // the same Service); kibana:41002 was never seen translated (see fixtures/SOURCES.md).
  const TWO = readFixture('variants', 'svc-two-backends.jsonl');
  const lines = TWO.trimEnd().split('\n');
  const without = (port: number) => lines.filter((l) => !l.includes(`:${port},`) && !l.includes(`"source_port":${port}`)).join('\n');
  const ES = 'logging/kibana->logging/elasticsearch-master:9200/TCP';
  const OS = 'logging/kibana->logging/opensearch:9200/TCP';
  const SVC = 'logging/kibana->service:logging/elasticsearch-master:80/TCP';
  const row = (g: ReturnType<typeof graphOf>, key: string) => {
    const e = g.edges.find((x) => x.key === key)!;
    return { flows: e.evidence.flows, replies: e.evidence.replies, connections: e.evidence.connections, dst: e.evidence.samplePods.dst };
  };

  it('every connection seen translated: two edges, one connection each, the sums what was seen', () => {
    const a = analyzeText(without(41002), 'two.jsonl');
    expect(a.graph.edges.map((e) => [e.key, e.evidence.service])).toEqual([
      [ES, { name: 'logging/elasticsearch-master', resolvedBy: 'translation' }],
      [OS, { name: 'logging/elasticsearch-master', resolvedBy: 'translation' }],
    ]);
    // SYN and PSH before translation at kibana's node, the SYN again at the server's, the SYN-ACK.
    expect(row(a.graph, ES)).toEqual({ flows: 3, replies: 1, connections: 1, dst: ['elasticsearch-master-0'] });
    expect(row(a.graph, OS)).toEqual({ flows: 3, replies: 1, connections: 1, dst: ['opensearch-0'] });
    expect(summarize(a)).toMatchObject({ connections: 2, flows: 6 });
  });

  it('a connection never seen translated stays on the Service, counted once, listing both backends, and a warning says so', () => {
    const a = analyzeText(TWO, 'two.jsonl');
    expect(a.graph.edges.map((e) => e.key)).toEqual([ES, OS, SVC]);
    expect(row(a.graph, ES).connections + row(a.graph, OS).connections + row(a.graph, SVC).connections).toBe(3);
    expect(summarize(a).connections).toBe(3);
    expect(a.graph.edges.find((e) => e.key === SVC)!.evidence).toMatchObject({
      flows: 1,
      connections: 1,
      service: {
        name: 'logging/elasticsearch-master',
        resolvedBy: 'learned-backend',
        backends: [
          { node: 'logging/elasticsearch-master', port: 9200 },
          { node: 'logging/opensearch', port: 9200 },
        ],
      },
    });
    const codes = a.graph.warnings.map((w) => w.code);
    expect(codes).toContain('unattributed-service');
    expect(codes).not.toContain('unresolved-service');
    expect(a.graph.warnings.find((w) => w.code === 'unattributed-service')?.subjects).toEqual([SVC]);
  });

  it('another client only ever seen before translation: its connections go to neither backend alone', () => {
    const grafana = lines.filter((l) => l.includes('41002')).map(asGrafana);
    const g = graphOf([without(41002), ...grafana].join('\n'));
    expect(g.edges.map((e) => [e.key, e.evidence.connections, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/grafana->service:logging/elasticsearch-master:80/TCP', 1, 'learned-backend'],
      [ES, 1, 'translation'],
      [OS, 1, 'translation'],
    ]);
  });

  it('backends Hubble named on pod flows (destination_service) and no translated flow of the client: on the Service, once', () => {
    // The pod flows name the Service; their frontends are not in the capture. kibana:41002 addresses
    // the Service on 9200, the port the hints name (a hint says nothing about another Service port).
    const hinted = lines
      .filter((l) => !l.includes('10.96.200.135') || l.includes('41002'))
      .map((l) => {
        const o = JSON.parse(l) as { flow: Record<string, unknown> & { IP: { destination: string }; l4: { TCP: Record<string, number> } } };
        if (o.flow.IP.destination === '10.96.200.135') o.flow.l4.TCP.destination_port = 9200;
        else if (o.flow.IP.destination !== '10.0.1.21') o.flow.destination_service = { name: 'elasticsearch-master', namespace: 'logging' };
        return JSON.stringify(o);
      });
    const g = graphOf(hinted.join('\n'));
    const svc = g.edges.find((e) => e.key === 'logging/kibana->service:logging/elasticsearch-master:9200/TCP')!;
    expect(svc.evidence).toMatchObject({ connections: 1, service: { resolvedBy: 'learned-backend' } });
    expect(svc.evidence.service?.backends?.map((b) => b.node)).toEqual(['logging/elasticsearch-master', 'logging/opensearch']);
    // The pod flows themselves are their own connections, once each.
    expect(g.edges.reduce((n, e) => n + e.evidence.connections, 0)).toBe(3);
  });

  it('the same without destination_service: the address is a Service node, never an address an ipBlock would name', () => {
    const a = analyzeText(lines.map(unnamed).join('\n'), 'two.jsonl');
    expect(a.graph.edges.map((e) => e.key)).toEqual([ES, OS, 'logging/kibana->service:10.96.200.135:80/TCP']);
    expect(a.graph.nodes.find((n) => n.id === 'service:10.96.200.135')).toMatchObject({
      kind: 'service',
      label: '10.96.200.135 (Service)',
    });
    expect(a.graph.nodes.map((n) => n.id)).not.toContain('ip:10.96.200.135');
    const set = generate(a.graph, initialSelection(a.graph), { namespaces: ['logging'] });
    expect(JSON.stringify(set.policies.map((p) => p.policy))).not.toMatch(/ipBlock|10\.96\.200\.135/);
  });

  it('policies allow every backend the Service edge may have reached, and verify judges it by all of them', () => {
    const a = analyzeText(TWO, 'two.jsonl');
    const selection = initialSelection(a.graph);
    const set = generate(a.graph, selection, { namespaces: ['logging'] });
    const kibana = set.policies.find((p) => p.workload === 'logging/kibana')!;
    const egress = kibana.policy.spec.egress ?? [];
    expect(egress.map((r) => [r.to?.[0]?.podSelector?.matchLabels, r.ports?.map((p) => p.port)])).toEqual([
      [{ app: 'elasticsearch-master' }, [9200]],
      [{ app: 'opensearch' }, [9200]],
    ]);
    // The Service edge is behind both rules; the comment says its backend was not seen.
    expect(kibana.rules.every((r) => r.edges.includes(SVC))).toBe(true);
    expect(kibana.rules[0].comment).toMatch(/via Service logging\/elasticsearch-master \(not seen translated: any of its 2 backends\)/);
    const c = verifySet(set, a.graph, selection);
    expect(c.keptAllowed.map((f) => f.edge).sort()).toEqual([ES, OS, SVC]);
    expect([c.keptDenied, c.keptUndecided, c.unbackedRules]).toEqual([[], [], []]);
    // Pruned, the Service edge is judged blocked only when no backend rule lets it through.
    const cilium = generateCilium(a.graph, selection, { namespaces: ['logging'] });
    expect(cilium.warnings.map((w) => w.code)).not.toContain('unresolved-service');
  });

  it('a dropped connection on the Service edge starts pruned with it, and no rule comes from it alone', () => {
    const dropped = lines.map((l) => (l.includes('41002') ? l.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED"') : l));
    const g = graphOf(dropped.join('\n'));
    expect(initialSelection(g).pruned.has(SVC)).toBe(true);
  });

  it('the snapshot alone, two workloads behind the Service: on the Service, with both pods as its samples', () => {
    const doc = JSON.parse(readFixture('field', 'F04-snapshot.json')) as { items: Record<string, unknown>[] };
    const text = JSON.stringify(doc).replaceAll('elasticsearch-master-1', 'opensearch-0').replaceAll('10.0.3.16', '10.0.3.30');
    const two = JSON.parse(text) as {
      items: { kind: string; metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { name: string }[] } }[];
    };
    for (const it of two.items) {
      if (it.kind !== 'Pod' || it.metadata.name !== 'opensearch-0') continue;
      it.metadata.labels = { app: 'opensearch', 'controller-revision-hash': 'opensearch-5d8f7c6b9a' };
      it.metadata.ownerReferences![0].name = 'opensearch';
    }
    const twoSnapshot = parseClusterSnapshot([two], 'two.json');
    const g = analyzeText(lines.filter((l) => l.includes('41002')).join('\n'), 'x.jsonl', { snapshot: twoSnapshot }).graph;
    expect(g.edges.map((e) => [e.key, e.evidence.service?.resolvedBy, e.evidence.connections, e.evidence.samplePods.dst])).toEqual([
      [SVC, 'snapshot', 1, ['elasticsearch-master-0', 'opensearch-0']],
    ]);
    expect(g.nodes.filter((n) => n.kind === 'workload').map((n) => [n.id, n.samplePods])).toEqual([
      ['logging/elasticsearch-master', ['elasticsearch-master-0']],
      ['logging/kibana', ['kibana-6c8d9f7b5-x2x2x']],
      ['logging/opensearch', ['opensearch-0']],
    ]);
  });
});

describe('sample pods of a backend the cluster snapshot resolves', () => {
  it('the backend node lists every backend pod of the snapshot, not only the first', () => {
    const g = graphOf(client(41010).join('\n'), true);
    expect(g.nodes.find((n) => n.id === 'logging/elasticsearch-master')?.samplePods).toEqual([
      'elasticsearch-master-0',
      'elasticsearch-master-1',
    ]);
    expect(g.edges[0].evidence.samplePods.dst).toEqual(['elasticsearch-master-0', 'elasticsearch-master-1']);
  });

  it('an endpoint given by address alone is the pod the snapshot knows there: its workload, with the pod as sample', () => {
    const doc = JSON.parse(readFixture('field', 'F04-snapshot.json')) as {
      items: { kind: string; endpoints?: { targetRef?: unknown }[] }[];
    };
    for (const it of doc.items) for (const ep of it.kind === 'EndpointSlice' ? (it.endpoints ?? []) : []) delete ep.targetRef;
    const g = analyzeText(client(41010).join('\n'), 'x.jsonl', { snapshot: parseClusterSnapshot([doc], 'no-refs.json') }).graph;
    expect(g.edges.map((e) => [e.key, e.evidence.samplePods.dst])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', ['elasticsearch-master-0', 'elasticsearch-master-1']],
    ]);
    expect(g.nodes.map((n) => n.id)).not.toContain('ip:10.0.3.15');
  });

  it("a ClusterIP Hubble did not name, resolved by the snapshot alone: the backend pods are the edge's samples", () => {
    expect(
      graphOf(client(41010, unnamed).join('\n'), true).edges.map((e) => [e.evidence.service?.resolvedBy, e.evidence.samplePods.dst]),
    ).toEqual([['snapshot', ['elasticsearch-master-0', 'elasticsearch-master-1']]]);
  });

  it('a backend the translation shows keeps the pods seen: the snapshot adds none it did not reach', () => {
    const g = graphOf(client(41000).join('\n'), true);
    expect(g.edges.map((e) => [e.evidence.service?.resolvedBy, e.evidence.samplePods.dst])).toEqual([
      ['translation', ['elasticsearch-master-0']],
    ]);
  });
});
