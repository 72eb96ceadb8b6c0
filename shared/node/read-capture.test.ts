import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCapture } from '../../scripts/generate-capture';
import { DEFAULT_LIMITS } from '../flows/parser';
import { analyzeText } from '../graph/analysis';
import { fixture, hubbleFixture, ROOT } from '../testing/fixtures';
import { analyzeFile } from './read-capture';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-read-'));
const workerUrl = pathToFileURL(path.join(ROOT, 'out/cli/ingest-worker.mjs'));
const tcp = hubbleFixture('basic-sample-400-tcp-flows.json');

beforeAll(() => {
  // The worker runs as plain JavaScript: bundle it the way `npm run cli` does.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')]);
});

describe('analyzeFile', () => {
  it('reads a plain capture the same as the in-memory reader', async () => {
    const a = await analyzeFile(tcp);
    const b = analyzeText(readFileSync(tcp, 'utf8'), tcp);
    expect(a.graph).toEqual(b.graph);
    expect(a.stats.records).toBe(400);
  });

  it('reads gzip by content, whatever the file is called', async () => {
    const gz = path.join(dir, 'capture.json');
    writeFileSync(gz, gzipSync(readFileSync(tcp)));
    const a = await analyzeFile(gz);
    expect(a.stats.records).toBe(400);
    expect(a.graph.edges.length).toBe(11);
  });

  it('keeps what it read from a gzip file that was cut short, and says so', async () => {
    const whole = gzipSync(readFileSync(tcp));
    const cut = path.join(dir, 'cut.json.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const a = await analyzeFile(cut);
    expect(a.stats.records).toBeGreaterThan(100);
    expect(a.stats.records).toBeLessThan(400);
    expect(a.stats.truncatedLastLine).toBe(true);
    expect(a.graph.warnings.map((w) => w.code)).toContain('truncated');
  });

  it('reports progress up to the file size', async () => {
    const seen: number[] = [];
    await analyzeFile(tcp, { onProgress: (p) => seen.push(p.bytesDone / p.bytesTotal) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((x, i) => i === 0 || x >= seen[i - 1])).toBe(true);
  });

  it('gives a clear error for a missing file, a folder, and a file that is not a capture', async () => {
    await expect(analyzeFile(path.join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: cannot be read \(ENOENT\)/);
    await expect(analyzeFile(dir)).rejects.toThrow(/is a folder/);
    await expect(analyzeFile(fixture('SOURCES.md'))).rejects.toThrow(/SOURCES\.md: no line is a Hubble flow.*Accepted formats/);
    const png = path.join(dir, 'image.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    await expect(analyzeFile(png)).rejects.toThrow(/binary/);
  });

  it('skips a line over the size limit, reports its number, and keeps the lines around it', async () => {
    const lines = readFileSync(hubbleFixture('basic-sample-10-flows.json'), 'utf8').trimEnd().split('\n');
    const file = path.join(dir, 'long-line.json');
    writeFileSync(file, [lines[0], `{"flow":{"pad":"${'x'.repeat(50_000)}"}}`, ...lines.slice(1)].join('\n') + '\n');
    const a = await analyzeFile(file, { limits: { ...DEFAULT_LIMITS, maxRecordChars: 10_000 } });
    expect(a.stats.records).toBe(10);
    expect(a.stats.badSamples).toEqual([
      { line: 2, reason: expect.stringMatching(/^line is longer than 10000 characters; skipped$/) as unknown },
    ]);
  });

  describe('with worker threads on a generated capture', () => {
    const big = path.join(dir, 'big.jsonl');
    beforeAll(async () => {
      await writeCapture(big, { lines: 30_000, workloads: 120, edges: 600 });
      // A bad line and a truncated tail, to check they survive the hand-off between threads.
      const text = readFileSync(big, 'utf8').split('\n');
      text.splice(20_000, 0, 'not json at all');
      writeFileSync(big, text.join('\n').slice(0, -1) + '\n{"flow":{"time":"2026');
    });

    it('gives the same graph with 2 workers as on one thread', async () => {
      const inline = await analyzeFile(big, { workers: 0 });
      const parallel = await analyzeFile(big, { workers: 2, workerUrl });
      expect(parallel.graph).toEqual(inline.graph);
      expect(parallel.stats.records).toBe(inline.stats.records);
      expect(parallel.stats.records).toBe(30_000);
      expect(parallel.stats.badSamples).toEqual(inline.stats.badSamples);
      expect(inline.stats.badSamples.map((b) => b.line)).toEqual([20_001, 30_002]);
      expect(inline.stats.truncatedLastLine).toBe(true);
    });

    it('stops when cancelled', async () => {
      const ac = new AbortController();
      const run = analyzeFile(big, { workers: 2, workerUrl, signal: ac.signal, onProgress: () => ac.abort() });
      await expect(run).rejects.toThrow(/cancelled/);
    });
  });
});
