import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { ROOT } from '../../../shared/testing/fixtures';
import { initialSelection } from '../../../shared/graph/selection';
import type { GraphEdge } from '../../../shared/graph/types';
import { edgeMatcher, edgeVerdict, NO_FILTER, portFilterError } from './filter';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const keys = (f: Partial<typeof NO_FILTER>): string[] => graph.edges.filter(edgeMatcher(graph, { ...NO_FILTER, ...f })).map((e) => e.key);

describe('graph filter', () => {
  it('no filter keeps every edge', () => {
    expect(keys({})).toHaveLength(graph.edges.length);
  });

  it('namespace keeps edges with an end in it, including those crossing its border', () => {
    const k = keys({ namespace: 'kube-system' });
    expect(k.length).toBeGreaterThan(0);
    expect(k.every((x) => x.includes('kube-system/'))).toBe(true);
    expect(k).toContain('bookinfo/productpage->kube-system/kube-dns:53/UDP');
  });

  it('port, port/protocol and protocol, case-insensitively', () => {
    expect(keys({ port: '53' }).every((x) => x.endsWith(':53/UDP') || x.endsWith(':53/TCP'))).toBe(true);
    expect(keys({ port: '53' }).length).toBeGreaterThan(0);
    expect(keys({ port: '9080/tcp' }).every((x) => x.endsWith(':9080/TCP'))).toBe(true);
    expect(keys({ port: 'udp' }).every((x) => x.endsWith('/UDP'))).toBe(true);
    expect(keys({ port: '9080/UDP' })).toEqual([]);
  });

  it('verdict and combinations narrow together', () => {
    const forwarded = keys({ verdict: 'forwarded' });
    expect(forwarded.length).toBeGreaterThan(0);
    expect(keys({ verdict: 'forwarded', namespace: 'jaeger' }).every((x) => forwarded.includes(x) && x.includes('jaeger/'))).toBe(true);
  });

  it('a port filter that does not parse says what is accepted, and filters nothing', () => {
    expect(portFilterError('80-90')).toMatch(/Use a port \(9080\)/);
    expect(portFilterError(' 53/udp ')).toBeUndefined();
    expect(keys({ port: 'http' })).toHaveLength(graph.edges.length);
  });
});

describe('edge verdicts', () => {
  const edge = (verdicts: Record<string, number>, flows: number) =>
    ({ key: 'a->b:1/TCP', source: 'a', target: 'b', protocol: 'TCP', port: 1, evidence: { flows, verdicts } }) as unknown as GraphEdge;

  it('is dropped exactly when the edge starts pruned as dropped', () => {
    const cases = [
      edge({ DROPPED: 3 }, 3),
      edge({ DROPPED: 3, FORWARDED: 1 }, 4),
      edge({ DROPPED: 3, AUDIT: 1 }, 4),
      edge({ AUDIT: 2 }, 2),
      edge({ FORWARDED: 5 }, 5),
    ];
    expect(cases.map(edgeVerdict)).toEqual(['dropped', 'forwarded', 'audit', 'audit', 'forwarded']);
    const pruned = initialSelection({ edges: cases.map((e, i) => ({ ...e, key: `k${i}` })) }).pruned;
    expect(cases.map((_, i) => pruned.has(`k${i}`))).toEqual(cases.map((e) => edgeVerdict(e) === 'dropped'));
  });
});
