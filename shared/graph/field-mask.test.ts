// Records an exporter's field mask or a runtime thinned out: no ports, no L4 at all, runtime-only
// labels, and two workloads that carry the same labels. Each must be said, never turned into a rule
// that opens more than was seen.
import { describe, expect, it } from 'vitest';
import { analyzeText } from './analysis';
import { initialSelection } from './selection';
import { generateCilium } from '../policy/cilium';
import { generate } from '../policy/generate';
import { aggregatedCalicoRecord } from '../testing/calico-records';
import { readFixture } from '../testing/fixtures';
import { api, db, ep, flow, web } from '../testing/mixed-capture';
import { verifySet } from '../testing/verify-set';

function withoutPorts(line: string): string {
  const o = JSON.parse(line) as { flow: { l4: Record<string, Record<string, number>> } };
  for (const proto of Object.keys(o.flow.l4)) o.flow.l4[proto] = {};
  return JSON.stringify(o);
}

function withoutL4(line: string): string {
  const o = JSON.parse(line) as { flow: Record<string, unknown> };
  delete o.flow.l4;
  return JSON.stringify(o);
}

const PODS = { web: [web, '10.0.0.1'], api: [api, '10.0.0.2'], db: [db, '10.0.0.3'] } as const;

/** A Hubble flow at `t` from one of web, api and db to another, each on its own address. */
function between(t: string, from: keyof typeof PODS, to: keyof typeof PODS, proto: 'TCP' | 'UDP', sport: number, dport: number): string {
  const [[src, srcIp], [dst, dstIp]] = [PODS[from], PODS[to]];
  return flow({ t, src, dst, srcIp, dstIp, proto, sport, dport });
}

const webToApi = between('2026-11-01T09:00:00Z', 'web', 'api', 'TCP', 41000, 8080);
const apiToDb = between('2026-11-01T09:00:01Z', 'api', 'db', 'TCP', 41001, 5432);

describe('a field mask that drops the ports', () => {
  const a = analyzeText([withoutPorts(webToApi), apiToDb].join('\n'), 'masked.jsonl');
  const graph = a.graph;

  it('keeps the edge with its port unknown and warns about it', () => {
    expect(graph.edges.map((e) => e.key).sort()).toEqual(['shop/api->shop/db:5432/TCP', 'shop/web->shop/api:unknown/TCP']);
    expect(graph.warnings.find((w) => w.code === 'unknown-port')?.subjects).toEqual(['shop/web->shop/api:unknown/TCP']);
  });

  it('never becomes a rule for every port, and verify says the kept edge stays blocked', () => {
    const selection = initialSelection(graph);
    const set = generate(graph, selection, { namespaces: ['shop'] });
    for (const g of set.policies) {
      for (const rule of [...(g.policy.spec.ingress ?? []), ...(g.policy.spec.egress ?? [])]) {
        // A rule without ports allows every port: only the DNS-free test data here, so none may exist.
        expect(rule.ports, `${g.policy.metadata.name}: ${JSON.stringify(rule)}`).toBeDefined();
      }
    }
    const c = verifySet(set, graph, selection);
    expect(c.keptDenied.map((f) => f.edge)).toEqual(['shop/web->shop/api:unknown/TCP']);
    expect(c.keptDenied[0].explanation).toMatch(/port/);
    expect(c.keptAllowed.map((f) => f.edge)).toEqual(['shop/api->shop/db:5432/TCP']);
  });
});

describe('port-less TCP and UDP never make a reverse edge', () => {
  // F02's connection (toolbox:52380 -> web:80: SYN, SYN-ACK, data both ways, FIN packets whose
  // is_reply is wrong), with the ports taken out as a field mask or an exporter leaves them out.
  const F02 = readFixture('field', 'F02-wrong-is-reply-at-fin.jsonl').trimEnd().split('\n');
  type Flow = { l4: Record<string, Record<string, unknown>>; [k: string]: unknown };
  const edit = (lines: readonly string[], f: (flow: Flow, i: number) => void): string =>
    lines
      .map((l, i) => {
        const o = JSON.parse(l) as { flow: Flow };
        f(o.flow, i);
        return JSON.stringify(o);
      })
      .join('\n');
  const noPorts = (f: Flow) => {
    delete f.l4.TCP.source_port;
    delete f.l4.TCP.destination_port;
  };
  const TOOLBOX_WEB = 'default/toolbox->default/web:unknown/TCP';
  const graphOf = (text: string) => {
    const a = analyzeText(text, 'portless.jsonl');
    expect(a.stats.badLines).toBe(0);
    return a.graph;
  };

  it('flags kept, ports dropped: one edge, settled by the handshake, every event counted once', () => {
    const graph = graphOf(edit(F02, noPorts));
    expect(graph.edges.map((e) => e.key)).toEqual([TOOLBOX_WEB]);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 7, replies: 4, direction: { basis: { handshake: 1 }, uncertain: 0 } });
  });

  it.each([
    ['`l4` with an empty TCP object (no ports, no flags)', (f: Flow) => (f.l4.TCP = {})],
    ['no ports, no flags, no reply flag', (f: Flow) => ((f.l4.TCP = {}), delete f.is_reply)],
    ['no ports, no reply flag, no observation point', (f: Flow) => ((f.l4.TCP = {}), delete f.is_reply, delete f.trace_observation_point)],
    ['no addresses either: the pods are the ends', (f: Flow) => ((f.l4.TCP = {}), delete f.IP)],
    [
      // web is named only by its pod (its one label is a pod-name label), toolbox by app=toolbox.
      'no addresses, and no pod name where the labels name the workload: the workload is that end',
      (f: Flow) => {
        f.l4.TCP = {};
        delete f.IP;
        for (const end of [f.source, f.destination] as Record<string, unknown>[]) if (end.pod_name === 'toolbox') delete end.pod_name;
      },
    ],
  ])('%s: one edge, the first sender its client, and the doubt said', (_, change) => {
    const graph = graphOf(edit(F02, change));
    expect(graph.edges.map((e) => e.key)).toEqual([TOOLBOX_WEB]);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 7, replies: 4, connections: 1 });
    expect(graph.edges[0].evidence.direction.uncertain).toBe(1);
    expect(graph.warnings.find((w) => w.code === 'uncertain-direction')?.subjects).toEqual([TOOLBOX_WEB]);
  });

  it('in any order of its lines, still one edge', () => {
    const lines = edit(F02, (f) => (f.l4.TCP = {})).split('\n');
    for (let k = 0; k < lines.length; k++) {
      expect(graphOf([...lines.slice(k), ...lines.slice(0, k)].join('\n')).edges).toHaveLength(1);
    }
  });

  it('reply flags that agree settle it, whichever packet comes first', () => {
    // The server's data first (is_reply true, right), the client's after.
    const reordered = [F02[3], F02[2], F02[1]];
    const graph = graphOf(edit(reordered, (f) => (f.l4.TCP = {})));
    expect(graph.edges.map((e) => [e.key, e.evidence.direction])).toEqual([[TOOLBOX_WEB, { basis: { 'reply-flag': 1 }, uncertain: 0 }]]);
  });

  it('UDP without ports: one edge per pair of ends, never the reverse', () => {
    const udp = [
      between('2026-11-01T09:00:00Z', 'web', 'api', 'UDP', 41000, 9999),
      between('2026-11-01T09:00:00.1Z', 'api', 'web', 'UDP', 9999, 41000),
      between('2026-11-01T09:00:00.2Z', 'web', 'api', 'UDP', 41000, 9999),
    ].map(withoutPorts);
    // Each packet says it is a request (is_reply false): the flags disagree, the first sender decides.
    const graph = graphOf(udp.join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/web->shop/api:unknown/UDP']);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 3, replies: 1 });
  });

  it('two clients of one server: two edges to the server, none from it', () => {
    const other = edit(F02, (f) => {
      f.l4.TCP = {};
      const text = JSON.stringify(f).replaceAll('10.244.0.30', '10.244.0.31').replaceAll('toolbox', 'debug');
      Object.assign(f, JSON.parse(text));
    });
    const graph = graphOf([edit(F02, noPorts), other].join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual(['default/debug->default/web:unknown/TCP', TOOLBOX_WEB]);
  });

  it('no rule names a port, and none is a rule for every port', () => {
    const graph = graphOf(edit(F02, (f) => (f.l4.TCP = {})));
    const set = generate(graph, initialSelection(graph), { namespaces: ['default'] });
    for (const g of set.policies) {
      for (const rule of [...(g.policy.spec.ingress ?? []), ...(g.policy.spec.egress ?? [])]) expect(rule.ports).toBeDefined();
    }
    expect(set.warnings.find((w) => w.code === 'unknown-port')?.subjects).toEqual([TOOLBOX_WEB]);
  });
});

describe('the advice for a missing port fits the tool that wrote the capture', () => {
  const calico = JSON.stringify(aggregatedCalicoRecord({ dest_port: null }));
  /** Every sentence the tool says about the port-less edge: the graph warning, both generators and verify. */
  function advice(text: string, file: string): string[] {
    const graph = analyzeText(text, file).graph;
    const selection = initialSelection(graph);
    const set = generate(graph, selection, { namespaces: ['shop'] });
    const c = verifySet(set, graph, selection);
    return [
      graph.warnings.find((w) => w.code === 'unknown-port')!.message,
      set.warnings.find((w) => w.code === 'unknown-port')!.message,
      generateCilium(graph, selection, { namespaces: ['shop'] }).warnings.find((w) => w.code === 'unknown-port')!.message,
      c.keptDenied.find((f) => f.edge.includes(':unknown/'))!.explanation!,
    ];
  }

  it("Hubble: the field mask, never Calico's aggregation", () => {
    for (const m of advice([withoutPorts(webToApi), apiToDb].join('\n'), 'masked.jsonl')) {
      expect(m).toMatch(/Hubble records carried no ports/);
      expect(m).toMatch(/field mask/);
      expect(m).not.toMatch(/Calico|aggregation/);
    }
  });

  it('Calico: the flow-log aggregation, never a Hubble field mask', () => {
    for (const m of advice(calico + '\n', 'flows.log')) {
      expect(m).toMatch(/Calico's flow-log aggregation/);
      expect(m).not.toMatch(/Hubble|field mask/);
    }
  });
});

describe('a field mask that drops l4 altogether', () => {
  it('leaves the record out, counts it, and says so', () => {
    const a = analyzeText([withoutL4(webToApi), apiToDb].join('\n'), 'masked.jsonl');
    expect(a.stats.skipped).toBe(1);
    expect(a.graph.edges.map((e) => e.key)).toEqual(['shop/api->shop/db:5432/TCP']);
    expect(a.graph.warnings.find((w) => w.code === 'skipped-records')?.message).toMatch(/^1 record\(s\) named no L4 protocol/);
  });

  it('still gives the window: a capture of records without L4 is not one without timestamps', () => {
    const a = analyzeText([withoutL4(webToApi), withoutL4(apiToDb)].join('\n'), 'masked.jsonl');
    expect(a.graph.edges).toEqual([]);
    expect(a.graph.window).toEqual({ start: Date.parse('2026-11-01T09:00:00Z'), end: Date.parse('2026-11-01T09:00:01Z') });
    // Hubble's advice: the field mask.
    expect(a.graph.warnings.find((w) => w.code === 'skipped-records')?.message).toMatch(/field mask that drops `l4`/);
  });

  it('says nothing when every record has one', () => {
    const a = analyzeText([webToApi, apiToDb].join('\n'), 'whole.jsonl');
    expect(a.stats.skipped).toBe(0);
    expect(a.graph.warnings.map((w) => w.code)).not.toContain('skipped-records');
  });
});

describe('labels no selector can use', () => {
  it('container: labels from the runtime are not taken as pod labels', () => {
    const runtime = {
      namespace: 'shop',
      labels: ['container:io.kubernetes.container.name=worker', 'k8s:io.kubernetes.pod.namespace=shop'],
      pod_name: 'worker-6f7d9c5b8d-x7k2p',
    };
    const line = flow({
      t: '2026-11-01T09:00:00Z',
      src: runtime,
      dst: api,
      srcIp: '10.0.0.9',
      dstIp: '10.0.0.2',
      proto: 'TCP',
      sport: 41000,
      dport: 8080,
    });
    const graph = analyzeText(line, 'c.jsonl').graph;
    const worker = graph.nodes.find((n) => n.label === 'worker')!;
    expect(worker.identity ?? {}).toEqual({});
    expect(worker.unlabelled).toBe('none');
    expect(graph.warnings.find((w) => w.code === 'unlabelled-workloads')?.subjects).toContain(worker.id);
  });

  it('two workloads with the same labels are warned about: one policy would select both', () => {
    // Named by their owners (no app label), selected by the same tier label.
    const a1 = ep('shop', 'frontend', 'web-6f7d9c5b8d-x7k2p', 'tier');
    const a2 = ep('shop', 'frontend', 'web-canary-7c8d9f6b5d-b8m2q', 'tier');
    const lines = [
      flow({ t: '2026-11-01T09:00:00Z', src: a1, dst: db, srcIp: '10.0.0.1', dstIp: '10.0.0.3', proto: 'TCP', sport: 41000, dport: 5432 }),
      flow({ t: '2026-11-01T09:00:01Z', src: a2, dst: db, srcIp: '10.0.0.4', dstIp: '10.0.0.3', proto: 'TCP', sport: 41001, dport: 5432 }),
    ];
    const graph = analyzeText(lines.join('\n'), 's.jsonl').graph;
    const w = graph.warnings.find((x) => x.code === 'shared-selector');
    expect(w?.subjects?.length).toBe(2);
    expect(w?.subjects).toEqual(['shop/web', 'shop/web-canary']);
    expect(w?.message).toContain('tier=frontend');
    // Different labels: no warning.
    const other = analyzeText(lines[0], 'one.jsonl').graph;
    expect(other.warnings.map((x) => x.code)).not.toContain('shared-selector');
  });
});

describe('the fixture of port-less TCP (used by the one-thread/worker test)', () => {
  it('variants/f02-no-ports.jsonl: one edge, its port unknown, settled by the handshake', () => {
    const graph = analyzeText(readFixture('variants', 'f02-no-ports.jsonl'), 'f02-no-ports.jsonl').graph;
    expect(graph.edges.map((e) => [e.key, e.evidence.flows, e.evidence.direction])).toEqual([
      ['default/toolbox->default/web:unknown/TCP', 7, { basis: { handshake: 1 }, uncertain: 0 }],
    ]);
  });
});
