import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { standinEnv } from '../../shared/testing/standins';
import { DEFAULT_LIMITS, type ParserLimits } from '../../shared/flows/limits';
import { CaptureError, type FlowRecord } from '../../shared/flows/types';
import { analyzeText } from '../../shared/graph/analysis';
import { allowDrop } from '../../shared/graph/drops';
import { initialSelection, isKept } from '../../shared/graph/selection';
import { generate } from '../../shared/policy/generate';
import { fixture, hubbleFixture } from '../../shared/testing/fixtures';
import { checkCaptureRequest, LiveCapture, overlongPlaceholder, watchDrops } from './live-capture';
import { ProcessRunner, RunError } from './process-runner';

function setup(extra: Record<string, string>, limits?: ParserLimits) {
  const s = standinEnv(extra);
  const runner = new ProcessRunner({ binaryPaths: () => ({}), env: s.env, searchPath: () => Promise.resolve(s.env.PATH ?? '') });
  const captureDir = mkdtempSync(path.join(tmpdir(), 'netpol-live-'));
  return { ...s, runner, live: new LiveCapture({ runner, captureDir, limits }) };
}

/** A capture for the stand-in to replay, written to a temporary file. */
function captureFile(lines: readonly string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-live-in-')), 'capture.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('LiveCapture (with the stand-in hubble)', () => {
  it('captures with --since into the same pipeline as files, saves the raw capture and reports progress', async () => {
    const capture = hubbleFixture('basic-sample-400-tcp-flows.json');
    const { live, calls } = setup({ NETPOL_STANDIN_CAPTURE: capture });
    const progress: number[] = [];
    const r = await live.start({ namespace: 'bookinfo', window: { kind: 'since', since: '30m' }, server: 'localhost:4245' }, (p) =>
      progress.push(p.records),
    );
    expect(calls()).toEqual([
      {
        tool: 'hubble',
        args: ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--since', '30m', '--server', 'localhost:4245'],
      },
    ]);
    expect(r.analysis.stats.records).toBe(400);
    expect(r.analysis.graph.edges).toHaveLength(11);
    expect(progress.at(-1)).toBe(400);
    expect(readFileSync(r.file, 'utf8')).toBe(readFileSync(capture, 'utf8'));
    expect(r.stoppedByUser).toBe(false);
  });

  it('--follow for a duration ends on time and keeps what arrived', async () => {
    const { live, calls } = setup({
      NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-udp-flows.json'),
      NETPOL_STANDIN_DELAY_MS: '1',
    });
    const t0 = Date.now();
    const r = await live.start({ namespace: 'bookinfo', window: { kind: 'follow', seconds: 1 } }, () => undefined);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--follow']);
    expect(r.analysis.stats.records).toBeGreaterThan(10);
    expect(r.analysis.stats.badLines).toBe(0);
  });

  it('stopping keeps what was captured', async () => {
    const { live } = setup({ NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-tcp-flows.json'), NETPOL_STANDIN_DELAY_MS: '2' });
    let records = 0;
    const running = live.start({ namespace: 'bookinfo', window: { kind: 'follow', seconds: 600 } }, (p) => void (records = p.records));
    // Stopped once some flows are in, however long the stand-in takes to start on a busy machine.
    await vi.waitFor(() => expect(records).toBeGreaterThan(0), { timeout: 30_000, interval: 20 });
    expect(live.running).toBe(true);
    live.stop();
    const r = await running;
    expect(r.stoppedByUser).toBe(true);
    expect(r.analysis.stats.records).toBeGreaterThan(0);
    expect(r.analysis.stats.records).toBeLessThan(400);
    expect(readFileSync(r.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(r.analysis.stats.records);
  });

  it('refuses bad requests before running anything, and reports hubble failures', async () => {
    expect(checkCaptureRequest({ namespace: '--all', window: { kind: 'last', last: 10 } })).toMatch(/not a namespace name/);
    expect(checkCaptureRequest({ namespace: 'a', window: { kind: 'since', since: '5 minutes; rm -rf /' } })).toMatch(/not a duration/);
    expect(checkCaptureRequest({ namespace: 'a', window: { kind: 'last', last: 10 }, server: '-x:1' })).toMatch(
      /not a hubble relay address/,
    );
    const { live, calls } = setup({ NETPOL_STANDIN_MODE: 'fail' });
    await expect(live.start({ namespace: 'Bad', window: { kind: 'last', last: 1 } }, () => undefined)).rejects.toBeInstanceOf(RunError);
    expect(calls()).toEqual([]);
    await expect(live.start({ namespace: 'bookinfo', window: { kind: 'last', last: 100 } }, () => undefined)).rejects.toThrow(
      /hubble exited with code 3/,
    );
  });
});

describe('bad lines from hubble', () => {
  const good = readFileSync(hubbleFixture('basic-sample-400-tcp-flows.json'), 'utf8').split('\n').filter(Boolean);
  const limits: ParserLimits = { ...DEFAULT_LIMITS, maxRecordChars: 100_000 };
  const overlong = '{"flow":{"pad":"' + 'x'.repeat(1_000_000) + '"}}';
  const bad: [number, string, RegExp][] = [
    [21, '{"flow":' + '{"a":'.repeat(200), /^nested deeper than 64 levels/],
    [32, '{"flow":{"time":"2024-05-01T10:00', /^invalid JSON: a string is not closed on this line/],
    [43, overlong, /^line is longer than 100000 characters; skipped$/],
    [54, '{', /^invalid JSON: the record starting at line 54 is not closed before line 55$/],
  ];
  const lines = good.slice(0, 60);
  for (const [no, line] of bad) lines.splice(no - 1, 0, line);

  it('each loses only itself, the saved capture keeps the line numbers, and reading it again agrees', async () => {
    const { live } = setup({ NETPOL_STANDIN_CAPTURE: captureFile(lines) }, limits);
    const r = await live.start({ namespace: 'bookinfo', window: { kind: 'last', last: 100 } }, () => undefined);
    const s = r.analysis.stats;
    expect(s.records).toBe(60);
    expect(s.badLines).toBe(4);
    expect(s.badSamples).toEqual(bad.map(([line, , reason]) => ({ line, reason: expect.stringMatching(reason) as unknown })));
    // The line too long to keep is saved as a marker in its place, so the numbers stay the same.
    const saved = readFileSync(r.file, 'utf8').split('\n').filter(Boolean);
    expect(saved).toEqual(lines.map((l) => (l === overlong ? overlongPlaceholder(overlong.length, 100_000) : l)));
    const again = analyzeText(saved.join('\n') + '\n', r.file);
    expect(again.stats.records).toBe(60);
    expect(again.stats.badSamples.map((b) => b.line)).toEqual(bad.map(([line]) => line));
  });

  it('a line over the limit is never held whole: without a handler it fails the run as output-too-large', async () => {
    const { runner } = setup({ NETPOL_STANDIN_CAPTURE: captureFile([good[0], overlong, good[1]]) });
    const seen: number[] = [];
    await runner.stream('hubble', ['observe', '--namespace', 'x', '--output', 'jsonpb'], {
      onLine: (l) => void seen.push(l.length),
      maxLineChars: 100_000,
      onOverlongLine: (chars) => void seen.push(-chars),
    });
    expect(seen).toEqual([good[0].length, -overlong.length, good[1].length]);
    const e = await runner
      .stream('hubble', ['observe', '--namespace', 'x', '--output', 'jsonpb'], { onLine: () => undefined, maxLineChars: 100_000 })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RunError);
    expect((e as RunError).kind).toBe('output-too-large');
  });

  it('output that is not a capture fails the capture with a CaptureError, and nothing escapes', async () => {
    const { live } = setup(
      { NETPOL_STANDIN_CAPTURE: captureFile(Array.from({ length: 20 }, (_, k) => `warning ${k}: not a flow`)) },
      {
        ...DEFAULT_LIMITS,
        detectLines: 5,
      },
    );
    const err = await live.start({ namespace: 'bookinfo', window: { kind: 'last', last: 100 } }, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as Error).message).toMatch(/no line is a Hubble flow/);
    expect(live.running).toBe(false);
  });
});

describe('watching drops', () => {
  it('streams DROPPED flows, and "allow this flow" gives the rule that was missing', async () => {
    const { runner, calls } = setup({ NETPOL_STANDIN_CAPTURE: fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl') });
    const ac = new AbortController();
    const drops: FlowRecord[] = [];
    await watchDrops(runner, { namespace: 'default' }, ac.signal, (d) => {
      drops.push(d);
      if (drops.length === 2) ac.abort();
    });
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'default', '--output', 'jsonpb', '--follow', '--verdict', 'DROPPED']);
    expect(drops.map((d) => `${d.verdict} ${d.dropReason}`)).toEqual(['DROPPED INVALID_SOURCE_IP', 'DROPPED POLICY_DENIED']);

    // xwing -> deathstar:80 was denied: allowing it adds the edge, keeps it, and the next generation has the rule.
    const api = { kind: 'workload' as const, namespace: 'default', name: 'deathstar', identity: { 'org.example/class': 'deathstar' } };
    const xwing = { kind: 'workload' as const, namespace: 'default', name: 'xwing', identity: { 'org.example/class': 'xwing' } };
    const drop: FlowRecord = { ...drops[1], src: xwing, dst: api };
    const empty = { nodes: [], edges: [], namespaces: [], window: null, warnings: [] };
    const { graph, selection, edgeKey } = allowDrop(empty, initialSelection(empty), drop);
    expect(edgeKey).toBe('default/xwing->default/deathstar:80/TCP');
    expect(isKept(selection, edgeKey)).toBe(true);
    const set = generate(graph, selection, { namespaces: ['default'] });
    const deathstar = set.policies.find((g) => g.policy.metadata.name === 'deathstar')!.policy;
    expect(deathstar.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'org.example/class': 'xwing' } } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });
});
