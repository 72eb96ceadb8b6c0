import { describe, expect, it, vi } from 'vitest';
import { analyzeText, countsOf } from '../graph/analysis';
import { graphWarnings } from '../graph/warnings';
import { readFixture } from '../testing/fixtures';
import { HubbleDecoder } from './hubble';
import { forEachLine } from './lines';
import { DEFAULT_LIMITS, type ParserLimits } from './limits';
import { CaptureParser } from './parser';
import { CaptureError, type CaptureEvent } from './types';

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

  it("keeps a bad line's reason on one line, whatever line breaks the parser quotes from it", () => {
    // JSON allows a lone CR as whitespace; V8's message quotes it back ('..."\r"oops"\r: }}"').
    const text = `[\n${goodLines[0]},\n{"flow": {"time": "2021-11-10T10:40:56Z",\r"oops"\r: }}\n]\n`;
    const a = analyzeText(text, 'cr.json');
    expect(a.stats.badLines).toBe(1);
    expect(a.stats.badSamples[0].reason).toMatch(/^invalid JSON: /);
    expect(a.stats.badSamples[0].reason).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(a.graph.warnings.find((w) => w.code === 'bad-lines')?.message).not.toMatch(/[\r\n]/);
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

const fifty = readFixture('hubble', 'cilium-hubble-otel', 'basic-sample-400-tcp-flows.json').split('\n').slice(0, 50);
const SMALL: ParserLimits = { ...DEFAULT_LIMITS, maxRecordChars: 10_000 };
type Preset = ConstructorParameters<typeof CaptureParser>[3];

/** Reads `text` with the parser alone (no graph), the way the file reader feeds it. */
function read(text: string, limits: ParserLimits = SMALL, preset?: Preset) {
  const events: CaptureEvent[] = [];
  const parser = new CaptureParser('t.json', (e) => events.push(e), limits, preset);
  forEachLine(text, (line, no, nl) => parser.pushLine(line, no, nl));
  const stats = parser.end();
  return { stats, flows: events.filter((e) => e.kind === 'flow').length, parser };
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
const pretty = (line: string) => JSON.stringify(JSON.parse(line), null, 2);

describe('a record that never closes loses only its own line (JSON lines)', () => {
  const cases: [string, string, RegExp][] = [
    ['nested too deep', '{"flow":' + '{"a":'.repeat(200), /^nested deeper than 64 levels; skipped$/],
    ['longer than the limit', '{"flow":{"pad":"' + 'x'.repeat(20_000), /^line is longer than 10000 characters; skipped$/],
    ['an unclosed string', '{"flow":{"time":"2024-05-01T10:00', /^invalid JSON: a string is not closed on this line/],
    ['an unclosed brace', '{"flow":{"time":"2024-05-01T10:00:00Z"', /^invalid JSON: the record is not closed on this line \(2 bracket/],
  ];
  const presets: [string, Preset][] = [
    ['recognised from the content', undefined],
    ['preset, as a parser thread gets it', { mode: 'json', format: 'hubble-jsonpb' }],
  ];
  describe.each(presets)('%s', (_how, preset) => {
    it.each(cases)('%s', (_name, bad, reason) => {
      for (const at of [0, 20, 50]) {
        const lines = [...fifty];
        lines.splice(at, 0, bad);
        const { stats, flows, parser } = read(lines.join('\n') + '\n', SMALL, preset);
        expect(flows).toBe(50);
        expect(stats.records).toBe(50);
        expect(stats.badLines).toBe(1);
        expect(stats.badSamples).toEqual([{ line: at + 1, reason: expect.stringMatching(reason) as unknown }]);
        expect(stats.truncatedLastLine).toBe(false);
        expect(stats.format).toBe('hubble-jsonpb');
        expect(parser.canHandOff()).toBe(true);
      }
    });
  });

  it('a lone opening brace is ended by the next record line (or the end of the input)', () => {
    for (const [at, reason] of [
      [0, 'invalid JSON: the record starting at line 1 is not closed before line 2'],
      [20, 'invalid JSON: the record starting at line 21 is not closed before line 22'],
      [50, 'truncated: the record starting at line 51 never ends (the file was cut short?)'],
    ] as const) {
      const lines = [...fifty];
      lines.splice(at, 0, '{');
      const { stats, flows } = read(lines.join('\n') + '\n');
      expect([flows, stats.badLines]).toEqual([50, 1]);
      expect(stats.badSamples).toEqual([{ line: at + 1, reason }]);
    }
  });

  it('treats array brackets and commas as punctuation, one element per line', () => {
    const lines = ['[', ...fifty.map((l) => l + ','), ']'];
    lines.splice(11, 0, '{"flow":' + '{"a":'.repeat(200) + ',');
    const { stats, flows, parser } = read(lines.join('\n'));
    expect(stats.format).toBe('hubble-json-array');
    expect([flows, stats.badLines, stats.badSamples[0].line]).toEqual([50, 1, 12]);
    expect([parser.canHandOff(), parser.handOffMode()]).toEqual([true, 'json']);
  });

  it('still reads a whole pretty-printed record among JSON lines', () => {
    const lines = [...fifty.slice(0, 10), pretty(fifty[10]), ...fifty.slice(11)];
    const { stats, flows } = read(lines.join('\n') + '\n', DEFAULT_LIMITS);
    expect([flows, stats.badLines]).toEqual([50, 0]);
  });

  it('catches a RangeError from JSON.parse as a bad line', () => {
    const deep = '{"flow":' + '{"a":'.repeat(100) + '1' + '}'.repeat(101);
    const parse = JSON.parse.bind(JSON);
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((text: string) => {
      if (text === deep) throw new RangeError('Maximum call stack size exceeded');
      return parse(text) as unknown;
    });
    try {
      const { stats, flows } = read([fifty[0], deep, fifty[1]].join('\n'), { ...DEFAULT_LIMITS, maxDepth: 1000 });
      expect(flows).toBe(2);
      expect(stats.badSamples).toEqual([{ line: 2, reason: 'nested too deep to read (Maximum call stack size exceeded); skipped' }]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a record that never closes ends at the next record (pretty-printed JSON)', () => {
  const records = fifty.slice(0, 12).map(pretty);
  const cases: [string, (record: string) => string, RegExp][] = [
    ['cut in the middle of a string', (r) => r.slice(0, r.indexOf('"time": "') + 15), /^invalid JSON: a string on line \d+ is not closed$/],
    [
      'cut between fields',
      (r) => r.split('\n').slice(0, 6).join('\n'),
      /^invalid JSON: the record starting at line \d+ is not closed before line \d+$/,
    ],
    ['nested too deep', () => '{\n  "flow": ' + '{"a":'.repeat(200), /^nested deeper than 64 levels; skipped$/],
    ['too long', () => '{\n  "flow": {\n    "pad": "' + 'x'.repeat(20_000) + '",', /^record is longer than 10000 characters; skipped$/],
    // Broken on its one line, before any line deeper than its brace: the next record's bare `{` still ends it.
    ['one line nested too deep', () => '{"flow": ' + '['.repeat(200), /^nested deeper than 64 levels; skipped$/],
    ['one line with a string never closed', () => '{"flow": {"time": "2021-11-10', /^invalid JSON: a string on line \d+ is not closed$/],
  ];
  it.each(cases)('%s: in an array and in concatenated records', (_name, breakIt, reason) => {
    const broken = [...records];
    broken[5] = breakIt(broken[5]);
    const firstLine = 1 + broken.slice(0, 5).join('\n').split('\n').length;
    for (const [text, start] of [
      [broken.join('\n'), firstLine],
      ['[\n' + broken.map((r) => indent(r, '  ')).join(',\n') + '\n]\n', firstLine + 1],
    ] as const) {
      const { stats, flows, parser } = read(text);
      expect(flows).toBe(11);
      expect(stats.badLines).toBe(1);
      expect(stats.badSamples).toEqual([{ line: start, reason: expect.stringMatching(reason) as unknown }]);
      expect(parser.canHandOff()).toBe(false);
    }
  });

  it('a line the reader could not hold loses the record it was in, and only that one', () => {
    const before = records.slice(0, 5).join('\n').split('\n').length;
    for (const [text, start] of [
      [records.join('\n'), before + 1],
      ['[\n' + records.map((r) => indent(r, '  ')).join(',\n') + '\n]', before + 2],
    ] as const) {
      const events: CaptureEvent[] = [];
      const parser = new CaptureParser('t.json', (e) => events.push(e), SMALL);
      // The record's fifth line (`"IP": {`) never reaches the parser: its brace cannot be counted.
      text.split('\n').forEach((line, k) => (k + 1 === start + 4 ? parser.skipOverlongLine(k + 1, 20_000) : parser.pushLine(line, k + 1)));
      const stats = parser.end();
      expect([events.length, stats.badLines, stats.truncatedLastLine]).toEqual([11, 1, false]);
      expect(stats.badSamples).toEqual([{ line: start, reason: `line ${start + 4} of the record is longer than 20000 bytes; skipped` }]);
    }
  });

  it.each([0, 5])('a broken string inside record %i, which closes, loses that record only', (k) => {
    const lines = records.join('\n').split('\n');
    const start = records.slice(0, k).join('\n').split('\n').length - (k === 0 ? 1 : 0);
    const at = lines.findIndex((l, i) => i >= start && l.includes('"time"'));
    lines[at] = lines[at].replace(/",$/, '');
    const { stats, flows } = read(lines.join('\n'));
    expect(stats.format).toBe('hubble-jsonpb');
    expect([flows, stats.badLines, stats.truncatedLastLine]).toEqual([11, 1, false]);
    expect(stats.badSamples).toEqual([{ line: start + 1, reason: `invalid JSON: a string on line ${at + 1} is not closed` }]);
  });
});

describe('node status', () => {
  const status = (state: string, node: string, extra = '') =>
    `{"node_status":{"state_change":"${state}","node_names":["${node}"]${extra}},"time":"2024-05-01T10:00:00Z"}`;

  it('keeps the nodes Hubble could not reach, with their lines, and warns', () => {
    const text = [
      fifty[0],
      '{"node_status":{"state_change":"NODE_UNAVAILABLE","node_names":["worker-2"],"message":"connection refused"},"time":"2024-05-01T10:00:00Z"}',
      status('NODE_CONNECTED', 'worker-1'),
      fifty[1],
      status('NODE_GONE', 'worker-3'),
    ].join('\n');
    const { stats, flows } = read(text);
    expect(flows).toBe(2);
    expect(stats.nodeStatus).toBe(3);
    expect(stats.nodesUnavailableEvents).toBe(2);
    expect(stats.nodesUnavailable).toEqual([
      { state: 'NODE_UNAVAILABLE', nodes: ['worker-2'], message: 'connection refused', line: 2 },
      { state: 'NODE_GONE', nodes: ['worker-3'], line: 5 },
    ]);
    const warning = graphWarnings({ nodes: [], edges: [], window: null }, new Set(), countsOf(stats)).find(
      (w) => w.code === 'nodes-unavailable',
    );
    expect(warning?.message).toBe(
      'Hubble could not reach node(s) worker-2, worker-3 during the capture (NODE_UNAVAILABLE at line 2: connection refused, and 1 more such report(s)): ' +
        'their flows are missing, so edges through them may be absent. Capture again when every node is connected (`hubble list nodes`).',
    );
  });

  it('collects what the decoder reports, whatever the state', () => {
    const reported: CaptureEvent = { kind: 'node-status', time: 0, status: { state: 'NODE_ERROR', nodes: ['a', 'b'], message: 'boom' } };
    const decode = vi.spyOn(HubbleDecoder.prototype, 'decode').mockReturnValueOnce(reported);
    try {
      const { stats } = read([status('NODE_ERROR', 'a'), fifty[0]].join('\n'));
      expect(stats.nodesUnavailable).toEqual([{ state: 'NODE_ERROR', nodes: ['a', 'b'], message: 'boom', line: 1 }]);
      expect([stats.nodeStatus, stats.nodesUnavailableEvents, stats.records]).toEqual([1, 1, 2]);
    } finally {
      decode.mockRestore();
    }
  });

  it('keeps the first 100 and counts them all', () => {
    const lines = Array.from({ length: 150 }, (_, k) => status('NODE_ERROR', `n${k}`));
    const { stats } = read([fifty[0], ...lines].join('\n'));
    expect(stats.nodesUnavailableEvents).toBe(150);
    expect(stats.nodesUnavailable).toHaveLength(100);
    expect(stats.nodesUnavailable[99]).toEqual({ state: 'NODE_ERROR', nodes: ['n99'], line: 101 });
  });

  it('says nothing when every node stayed connected', () => {
    const { stats } = read([fifty[0], status('NODE_CONNECTED', 'worker-1')].join('\n'));
    expect([stats.nodeStatus, stats.nodesUnavailableEvents, stats.nodesUnavailable]).toEqual([1, 0, []]);
    expect(graphWarnings({ nodes: [], edges: [], window: null }, new Set(), countsOf(stats)).map((w) => w.code)).not.toContain(
      'nodes-unavailable',
    );
  });
});
