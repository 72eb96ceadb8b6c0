import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { readFixture } from '../testing/fixtures';
import { CaptureError } from './types';

const good = readFixture('hubble', 'cilium-hubble-otel', 'basic-sample-10-flows.json');
const goodLines = good.trimEnd().split('\n');

describe('format detection', () => {
  it('reads Hubble JSON lines', () => {
    const a = analyzeText(good, 'x.json');
    expect(a.stats.format).toBe('hubble-jsonpb');
    expect(a.stats.records).toBe(10);
    expect(a.stats.badLines).toBe(0);
  });

  it('reads a JSON array of wrapper objects, compact or pretty-printed', () => {
    const objs = goodLines.map((l) => JSON.parse(l) as unknown);
    for (const text of [JSON.stringify(objs), JSON.stringify(objs, null, 2)]) {
      const a = analyzeText(text, 'array.json');
      expect(a.stats.format).toBe('hubble-json-array');
      expect(a.stats.records).toBe(10);
      expect(a.stats.badLines).toBe(0);
    }
  });

  it('reads a JSON array of bare flow objects', () => {
    const flows = goodLines.map((l) => (JSON.parse(l) as { flow: unknown }).flow);
    const a = analyzeText(JSON.stringify(flows, null, 1), 'bare.json');
    expect(a.stats.records).toBe(10);
    expect(a.graph.edges.length).toBe(analyzeText(good, 'x').graph.edges.length);
  });

  it('counts node_status and lost_events lines, and warns about lost events', () => {
    const text = [
      '{"node_status":{"state_change":"NODE_CONNECTED","node_names":["n1"]},"time":"2021-06-16T16:52:13Z"}',
      ...goodLines,
      '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"7"},"node_name":"n1","time":"2021-06-16T16:52:14Z"}',
    ].join('\n');
    const a = analyzeText(text, 'x.json');
    expect(a.stats.nodeStatus).toBe(1);
    expect(a.stats.lostEvents).toBe(7);
    expect(a.stats.badLines).toBe(0);
    expect(a.graph.warnings.map((w) => w.code)).toContain('lost-events');
  });
});

describe('bad input', () => {
  it.each([
    ['empty', '', /the file is empty/],
    ['blank lines', '\n\n  \n', /the file is empty/],
    ['binary', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR', /binary/],
    ['YAML', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n', /YAML/],
    ['unrelated JSON', '{"hello": "world"}\n{"a": 1}\n', /no object in it is a Hubble flow/],
    ['prose', 'hello\nthis is not a capture\n', /no line is a Hubble flow/],
  ])('%s gets one clear error naming the accepted formats', (_name, text, message) => {
    let err: unknown;
    try {
      analyzeText(text, 'input.file');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^input\.file: .*Accepted formats: Hubble/);
  });

  it('keeps every good line around mixed-in garbage, with line numbers', () => {
    const lines = [...goodLines];
    lines.splice(3, 0, 'garbage here');
    lines.splice(7, 0, '{"flow": {"broken": ');
    lines.splice(9, 0, '{"unrelated": true}');
    const a = analyzeText(lines.join('\n') + '\n', 'mixed.json');
    expect(a.stats.records).toBe(10);
    expect(a.stats.badLines).toBe(3);
    expect(a.stats.badSamples.map((b) => b.line)).toEqual([4, 8, 10]);
    expect(a.stats.badSamples[0].reason).toMatch(/not JSON/);
    expect(a.stats.badSamples[1].reason).toMatch(/invalid JSON/);
    expect(a.stats.badSamples[2].reason).toMatch(/neither a Hubble flow nor a Calico/);
    expect(a.graph.warnings.find((w) => w.code === 'bad-lines')?.message).toMatch(/3 line\(s\).*line 4/);
  });

  it('reports a truncated last line and keeps the rest', () => {
    const cut = good.slice(0, good.length - 200);
    const a = analyzeText(cut, 'cut.json');
    expect(a.stats.records).toBe(9);
    expect(a.stats.truncatedLastLine).toBe(true);
    expect(a.stats.badSamples).toEqual([{ line: 10, reason: 'truncated last line (the capture was cut short?)' }]);
    expect(a.graph.warnings.map((w) => w.code)).toContain('truncated');
  });

  it('reports a pretty-printed record that never closes', () => {
    const objs = goodLines.map((l) => JSON.parse(l) as unknown);
    const text = JSON.stringify(objs, null, 2);
    const a = analyzeText(text.slice(0, text.length - 500), 'cut-array.json');
    expect(a.stats.records).toBe(9);
    expect(a.stats.truncatedLastLine).toBe(true);
    expect(a.stats.badSamples[0].reason).toMatch(/never ends/);
  });

  it('bounds deep nesting and long records', () => {
    const deep = '{"flow":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const a = analyzeText([goodLines[0], deep, goodLines[1]].join('\n'), 'deep.json');
    expect(a.stats.records).toBe(2);
    expect(a.stats.badLines).toBe(1);

    const nested = ['{', '"flow": ' + '{"a":'.repeat(100), '1' + '}'.repeat(100), '}', goodLines[2]].join('\n');
    const b = analyzeText([goodLines[0], nested].join('\n'), 'nested.json');
    expect(b.stats.badSamples[0].reason).toMatch(/nested deeper than 64/);
    expect(b.stats.records).toBe(2);
  });
});
