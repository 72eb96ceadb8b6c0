import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { readFixture } from '../testing/fixtures';

const doc = (name: string) => readFixture('calico', 'tigera-docs', name);

describe('Calico Enterprise flow logs', () => {
  it('reads the documented pretty-printed JSON record (host-forwarded traffic)', () => {
    const a = analyzeText(doc('ex_01_b80e197672.json'), 'ex_01.json');
    expect(a.stats.format).toBe('calico-enterprise-json');
    expect(a.graph.edges.map((e) => e.key)).toEqual([
      'client-pods-namespace/client-pods->maintenance-server-namespace/maintenance-server:22/TCP',
    ]);
    expect(a.graph.edges[0].evidence.verdicts).toEqual({ FORWARDED: 1 });
  });

  it('reads network-to-network records as external addresses', () => {
    const a = analyzeText(doc('ex_02_057adc09ff.json'), 'ex_02.json');
    expect(a.graph.edges.map((e) => e.key)).toEqual(['ip:34.0.113.100->ip:66.11.155.1:30080/TCP']);
  });

  it('flags the published record with a trailing comma as bad, with its line, and keeps the good ones', () => {
    const text = [doc('ex_01_b80e197672.json'), doc('ex_06_87e232adae.json'), doc('ex_02_057adc09ff.json')].join('\n');
    const a = analyzeText(text, 'mixed.json');
    expect(a.stats.records).toBe(2);
    expect(a.stats.badLines).toBe(1);
    const firstLines = doc('ex_01_b80e197672.json').split('\n').length;
    expect(a.stats.badSamples[0].line).toBe(firstLines + 1);
    expect(a.stats.badSamples[0].reason).toMatch(/invalid JSON/);
  });

  it('uses labels, not hashes, to name workloads (JSON lines)', () => {
    const fixed = doc('ex_06_87e232adae.json').replace(/,(\s*\])/g, '$1');
    const line = JSON.stringify(JSON.parse(fixed));
    const a = analyzeText(
      `${line}\n${line.replace('"reporter": "dst"', '"reporter": "src"').replace('"reporter":"dst"', '"reporter":"src"')}\n`,
      'flows.log',
    );
    expect(a.stats.format).toBe('calico-enterprise-json');
    const [e] = a.graph.edges;
    expect(e.key).toBe('policy-demo/access->policy-demo/nginx:80/TCP');
    // Reported by both ends: one flow, not two.
    expect(e.evidence.flows).toBe(1);
    expect(a.graph.nodes.find((n) => n.id === 'policy-demo/access')?.identity).toEqual({ app: 'access' });
  });
});

describe('Calico text format', () => {
  it('reads the documented example line after its header', () => {
    const text = doc('ex_04_28b7877c5e.txt') + '\n' + doc('ex_05_7fb50632c9.txt') + '\n';
    const a = analyzeText(text, 'flows.txt');
    expect(a.stats.format).toBe('calico-text');
    expect(a.stats.badLines).toBe(0);
    expect(a.graph.edges.map((e) => e.key)).toEqual(['dev/rails->dev/memcached:3000/TCP']);
    expect(a.graph.edges[0].evidence.flows).toBe(3);
    expect(a.graph.window).toEqual({ start: 1528842851000, end: 1528842851000 });
  });

  it('counts a line with the wrong number of fields as bad', () => {
    const a = analyzeText(doc('ex_05_7fb50632c9.txt').trimEnd() + '\n1528842551 1528842851 wep dev\n', 'flows.txt');
    expect(a.stats.badSamples).toEqual([{ line: 2, reason: 'expected 24 space-delimited fields, found 4' }]);
  });
});

describe('Calico OSS Goldmane / Whisker', () => {
  it('reads Goldmane Flow protojson (Key nested)', () => {
    const flow = {
      Key: {
        source_name: 'checkout-7d9f8c6b5-*',
        source_namespace: 'shop',
        source_type: 'WorkloadEndpoint',
        dest_name: 'payments-5c4b3a2f1-*',
        dest_namespace: 'shop',
        dest_type: 'WorkloadEndpoint',
        dest_port: 8443,
        proto: 'tcp',
        reporter: 'Src',
        action: 'Allow',
      },
      start_time: 1700000000,
      end_time: 1700000015,
      source_labels: ['app=checkout', 'pod-template-hash=7d9f8c6b5'],
      dest_labels: ['app=payments'],
      num_connections_started: 4,
    };
    const a = analyzeText(JSON.stringify(flow) + '\n', 'goldmane.json');
    expect(a.stats.format).toBe('calico-goldmane-json');
    expect(a.graph.edges.map((e) => [e.key, e.evidence.flows])).toEqual([['shop/checkout->shop/payments:8443/TCP', 4]]);
  });

  it('reads the flat Whisker API flow, with labels as a string', () => {
    const flow = {
      start_time: '2025-03-01T10:00:00Z',
      end_time: '2025-03-01T10:00:15Z',
      action: 'Deny',
      source_name: 'web-*',
      source_namespace: 'shop',
      source_labels: 'app=web | team=a',
      dest_name: 'db-*',
      dest_namespace: 'data',
      dest_labels: 'app=db',
      protocol: 'tcp',
      dest_port: 5432,
      reporter: 'Dst',
      policies: { enforced: [], pending: [] },
    };
    const a = analyzeText(JSON.stringify(flow) + '\n', 'whisker.json');
    expect(a.graph.edges.map((e) => e.key)).toEqual(['shop/web->data/db:5432/TCP']);
    expect(a.graph.edges[0].evidence.verdicts).toEqual({ DROPPED: 1 });
  });
});
