// Service frontends: the handed field case F04 (a ClusterIP reported as world with
// destination_service) and variants of the same kind of fault.
import { describe, expect, it } from 'vitest';
import { parseClusterSnapshot } from '../cluster/snapshot';
import { readFixture } from '../testing/fixtures';
import { analyzeText } from './analysis';

const F04 = readFixture('field', 'F04-clusterip-world-destination-service.jsonl');
const snapshot = parseClusterSnapshot([JSON.parse(readFixture('field', 'F04-snapshot.json')) as unknown], 'F04-snapshot.json');
type Flow = Record<string, unknown> & { l4: { TCP: { source_port: number; destination_port: number } } };
const records = F04.trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as { flow: Flow });
const only = (pred: (f: Flow) => boolean) =>
  records
    .filter((r) => pred(r.flow))
    .map((r) => JSON.stringify(r))
    .join('\n');
const port = (f: Flow) => (f.l4.TCP.source_port === 80 || f.l4.TCP.source_port === 9200 ? f.l4.TCP.destination_port : f.l4.TCP.source_port);

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
    const grafana = records
      .filter((r) => port(r.flow) === 41010)
      .map((r) =>
        JSON.stringify(r)
          .replaceAll('kibana-6c8d9f7b5-x2x2x', 'grafana-7d9c5b6f4-bq7wz')
          .replaceAll('app=kibana', 'app=grafana')
          .replaceAll('10.0.1.21', '10.0.1.22'),
      );
    const graph = graphOf([...records.filter((r) => port(r.flow) === 41000).map((r) => JSON.stringify(r)), ...grafana].join('\n'));
    expect(graph.edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/grafana->logging/elasticsearch-master:9200/TCP', 'learned-backend'],
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'translation'],
    ]);
  });

  it('with nothing to resolve it, stays a Service edge with a warning that says what to do', () => {
    const graph = graphOf(only((f) => port(f) === 41010));
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->service:logging/elasticsearch-master:80/TCP']);
    expect(graph.edges[0].evidence.service).toEqual({ name: 'logging/elasticsearch-master', resolvedBy: 'unresolved' });
    const w = graph.warnings.find((x) => x.code === 'unresolved-service');
    expect(w?.message).toMatch(/kubectl get svc,endpointslices,pods -A -o json/);
    expect(graph.nodes.find((n) => n.id === 'service:logging/elasticsearch-master')).toMatchObject({
      kind: 'service',
      namespace: 'logging',
    });
  });

  it('a cluster snapshot resolves it to every backend of the Service port', () => {
    const graph = graphOf(
      only((f) => port(f) === 41010),
      true,
    );
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
    expect(graph.edges[0].evidence.service).toEqual({ name: 'logging/elasticsearch-master', resolvedBy: 'snapshot' });
    expect(graph.edges[0].evidence.samplePods.dst).toEqual(['elasticsearch-master-0', 'elasticsearch-master-1']);
  });

  it('a ClusterIP Hubble did not name (world, no destination_service) is resolved by the snapshot', () => {
    const unnamed = records
      .filter((r) => port(r.flow) === 41010)
      .map((r) => {
        const flow = { ...r.flow };
        delete flow.destination_service;
        return JSON.stringify({ flow });
      })
      .join('\n');
    expect(graphOf(unnamed).edges.map((e) => e.key)).toEqual(['logging/kibana->ip:10.96.200.135:80/TCP']);
    expect(graphOf(unnamed, true).edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
  });

  it('a Service pointing outside the cluster keeps the external address it was translated to', () => {
    // A selector-less Service: the translated flow of the same client port goes to an address outside.
    const outside = records
      .filter((r) => port(r.flow) === 41000)
      .map((r) => {
        const text = JSON.stringify(r);
        if (!text.includes('10.0.3.15')) return text;
        const flow = JSON.parse(text.replaceAll('10.0.3.15', '203.0.113.10').replaceAll('9200', '5432')) as {
          flow: Record<string, unknown>;
        };
        const world = { identity: 2, labels: ['reserved:world'] };
        if ((flow.flow.IP as { source: string }).source === '203.0.113.10') flow.flow.source = world;
        else flow.flow.destination = world;
        return JSON.stringify(flow);
      })
      .join('\n');
    const graph = graphOf(outside);
    expect(graph.edges.map((e) => e.key)).toEqual(['logging/kibana->ip:203.0.113.10:5432/TCP']);
    expect(graph.edges[0].evidence.service?.resolvedBy).toBe('translation');
  });

  /** A copy of F04's records for kibana's 41000 connection, changed by `f`. */
  const variant = (f: (text: string) => string) =>
    records
      .filter((r) => port(r.flow) === 41000)
      .map((r) => f(JSON.stringify(r)))
      .join('\n');

  it("a Service's other port is not folded into the port other connections reached", () => {
    // 41000 reached 9200 through port 80; 41020 went to the Service's port 9300 and was never seen translated.
    const other = records
      .filter((r) => port(r.flow) === 41010)
      .map((r) => JSON.stringify(r).replaceAll('41010', '41020').replaceAll('"destination_port":80', '"destination_port":9300'));
    // Hubble also names the Service on the translated flow to the pod: a backend hint, for port 9200 only.
    const hinted = (t: string) => {
      const o = JSON.parse(t) as { flow: { IP: { destination: string }; destination_service?: unknown } };
      if (o.flow.IP.destination === '10.0.3.15') o.flow.destination_service = { name: 'elasticsearch-master', namespace: 'logging' };
      return JSON.stringify(o);
    };
    const graph = graphOf([variant(hinted), ...other].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'logging/kibana->logging/elasticsearch-master:9200/TCP',
      'logging/kibana->service:logging/elasticsearch-master:9300/TCP',
    ]);
    // The snapshot knows port 9300: its own backend port, not 9200.
    expect(graphOf([variant((t) => t), ...other].join('\n'), true).edges.map((e) => [e.key, e.evidence.service?.resolvedBy])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', 'translation'],
      ['logging/kibana->logging/elasticsearch-master:9300/TCP', 'snapshot'],
    ]);
  });

  it.each([
    ['twenty minutes', 'T09:20:'],
    ['two minutes', 'T09:02:'],
  ])('a client port used again %s later is another connection: no pairing across it', (_gap, later) => {
    // kibana:41000 to the Service at 09:00 (never seen translated), and 41000 to a redis pod later.
    const early = records
      .filter((r) => port(r.flow) === 41000 && JSON.stringify(r).includes('10.96.200.135'))
      .map((r) => JSON.stringify(r));
    const redis = records
      .filter((r) => port(r.flow) === 41000 && !JSON.stringify(r).includes('10.96.200.135'))
      .map((r) => JSON.stringify(r).replaceAll('T09:00:', later).replaceAll('elasticsearch-master', 'redis').replaceAll('9200', '6379'));
    const graph = graphOf([...early, ...redis].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'logging/kibana->logging/redis:6379/TCP',
      'logging/kibana->service:logging/elasticsearch-master:80/TCP',
    ]);
  });

  it('the same client port to a redis pod in the same second is a coincidence the snapshot rules out', () => {
    const early = records
      .filter((r) => port(r.flow) === 41000 && JSON.stringify(r).includes('10.96.200.135'))
      .map((r) => JSON.stringify(r));
    const redis = records
      .filter((r) => port(r.flow) === 41000 && !JSON.stringify(r).includes('10.96.200.135'))
      .map((r) => JSON.stringify(r).replaceAll('elasticsearch-master', 'redis').replaceAll('9200', '6379'));
    // Without a snapshot the capture cannot tell this from a translation; with one it can.
    const graph = graphOf([...early, ...redis].join('\n'), true);
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
