import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCapture } from '../../../scripts/generate-capture';
import { DEFAULT_LIMITS } from '../../flows/limits';
import { emptyStats, type ParserStats } from '../../flows/stats';
import { CaptureError } from '../../flows/types';
import { analyzeText } from '../../graph/analysis';
import { fixture, hubbleFixture, ROOT } from '../../testing/fixtures';
import { analyzeFile, mergeStats } from './read-capture';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-read-'));
const workerUrl = pathToFileURL(path.join(ROOT, 'out/cli/ingest-worker.mjs'));
const tcp = hubbleFixture('basic-sample-400-tcp-flows.json');
const NODE_UNAVAILABLE =
  '{"node_status":{"state_change":"NODE_UNAVAILABLE","node_names":["worker-2"],"message":"connection refused"},"time":"2024-05-01T10:00:00Z"}';

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

  describe('a damaged gzip file', () => {
    const plain = readFileSync(tcp);
    const whole = gzipSync(plain);
    const newlines = (b: Buffer) => b.toString('utf8').split('\n').length - 1;

    /** What zlib itself hands out before the damage, read apart from the reader under test. */
    async function gunzipUntilError(bytes: Buffer): Promise<Buffer> {
      const out: Buffer[] = [];
      try {
        for await (const chunk of Readable.from([bytes]).pipe(createGunzip())) out.push(chunk as Buffer);
      } catch {
        // the damage
      }
      return Buffer.concat(out);
    }

    const cases: [string, () => Buffer, RegExp][] = [
      [
        'cut short',
        () => whole.subarray(0, Math.floor(whole.length * 0.6)),
        /^the file ends before the gzip stream does: it was cut short$/,
      ],
      [
        'corrupted at 10%',
        () => {
          const bad = Buffer.from(whole);
          const at = Math.floor(whole.length * 0.1);
          for (let k = 0; k < 8; k++) bad[at + k] ^= 0xff;
          return bad;
        },
        /^the compressed data is corrupt \(zlib says ".+"\)$/,
      ],
    ];
    it.each(cases)('%s: keeps every line before the damage, and says where it stopped', async (name, damage, reason) => {
      const bytes = damage();
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json.gz`);
      writeFileSync(file, bytes);
      const before = await gunzipUntilError(bytes);
      // What came out before the damage is the capture's start, intact.
      expect(before.equals(plain.subarray(0, before.length))).toBe(true);
      const complete = newlines(before);
      expect(complete).toBeGreaterThan(5);
      expect(complete).toBeLessThan(400);

      const a = await analyzeFile(file);
      expect(a.stats.records).toBe(complete);
      expect(a.stats.badLines).toBe(before.length > 0 && before.at(-1) !== 10 ? 1 : 0);
      const d = a.stats.damaged!;
      expect(d).toEqual({
        afterLine: complete,
        compressedByte: expect.any(Number) as unknown,
        compressedSize: bytes.length,
        reason: expect.stringMatching(reason) as unknown,
      });
      // Near where the bytes were damaged (zlib reports it a block or so away), never past the end.
      expect(d.compressedByte).toBeLessThanOrEqual(bytes.length);
      expect(Math.abs(d.compressedByte - (name === 'cut short' ? bytes.length : whole.length * 0.1))).toBeLessThan(whole.length * 0.1);
      const codes = a.graph.warnings.map((w) => w.code);
      expect(codes).toContain('damaged-gzip');
      expect(codes).not.toContain('truncated');
      expect(a.graph.warnings.find((w) => w.code === 'damaged-gzip')?.message).toBe(
        `The gzip stream is damaged near byte ${d.compressedByte.toLocaleString('en-US')} of ${bytes.length.toLocaleString('en-US')} (${d.reason}): ` +
          `reading stopped after line ${complete}, and nothing after that point could be read. ` +
          'Decompress it with `gzip -dc FILE > out.jsonl` to see how much is recoverable, or capture again.',
      );
    });

    it('refuses, with where and why, when the damage comes before the first record', async () => {
      const bad = Buffer.from(whole);
      for (let k = 10; k < 20; k++) bad[k] ^= 0xff;
      const file = path.join(dir, 'damaged-head.json.gz');
      writeFileSync(file, bad);
      const err = await analyzeFile(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureError);
      expect((err as Error).message).toMatch(
        /damaged-head\.json\.gz: is a damaged gzip file \(near byte [\d,]+ of [\d,]+: the compressed data is corrupt .*\) and nothing before the damage could be read as a capture\. Decompress it with `gzip -dc`/,
      );
    });
  });

  describe('bytes after the gzip stream (what gzip -dc calls trailing garbage)', () => {
    const plain = readFileSync(tcp);
    const one = analyzeText(plain.toString('utf8'), tcp);

    it("the tester's dmg-trailing: every record is read, and the warning says from which byte data was ignored", async () => {
      const a = await analyzeFile(fixture('tester', 'dmg-trailing.jsonl.gz'));
      expect(a.stats).toMatchObject({ records: 8, badLines: 0, truncatedLastLine: false, trailingData: { offset: 634, size: 17 } });
      expect(a.stats.damaged).toBeUndefined();
      const w = a.graph.warnings.find((x) => x.code === 'gzip-trailing-data');
      expect(w?.message).toMatch(/^17 byte\(s\) after the end of the gzip stream, from byte 634, are no gzip data and were ignored/);
      expect(a.graph.warnings.map((x) => x.code)).not.toContain('damaged-gzip');
    });

    it.each([
      ['one member', [gzipSync(plain)]],
      ['two members, the file cut in two', [gzipSync(plain.subarray(0, 20_000)), gzipSync(plain.subarray(20_000))]],
    ])('%s, then garbage: the same graph as the plain file, whatever the read size', async (name, gz) => {
      const file = path.join(dir, `trailing-${name.replace(/\W+/g, '-')}.json.gz`);
      const whole = Buffer.concat(gz);
      writeFileSync(file, Buffer.concat([whole, Buffer.from('\n{"flow": not gzip at all}\n')]));
      for (const partBytes of [1000, 1 << 20]) {
        const a = await analyzeFile(file, { partBytes });
        expect(a.stats.records).toBe(400);
        expect(a.stats.trailingData).toEqual({ offset: whole.length, size: 27 });
        expect(a.graph.edges).toEqual(one.graph.edges);
      }
    });

    it('zero padding after the stream says nothing', async () => {
      const file = path.join(dir, 'zero-padded.json.gz');
      writeFileSync(file, Buffer.concat([gzipSync(plain), Buffer.alloc(512)]));
      const a = await analyzeFile(file);
      expect(a.stats.records).toBe(400);
      expect(a.graph.warnings.map((x) => x.code)).not.toContain('gzip-trailing-data');
    });
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

  it('refuses a device or a named pipe at once, instead of reading (or waiting for) it forever', async () => {
    await expect(analyzeFile('/dev/zero')).rejects.toThrow(
      '/dev/zero: is a character device, not a capture file: pass a regular file (a device or a pipe may never end).',
    );
    const fifo = path.join(dir, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(analyzeFile(fifo)).rejects.toThrow(/capture\.fifo: is a named pipe, not a capture file/);
  }, 5000);

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
      text.splice(25_000, 0, NODE_UNAVAILABLE);
      writeFileSync(big, text.join('\n').slice(0, -1) + '\n{"flow":{"time":"2026');
    });

    it('gives the same graph with 2 workers as on one thread', async () => {
      const inline = await analyzeFile(big, { workers: 0 });
      const parallel = await analyzeFile(big, { workers: 2, workerUrl });
      expect(parallel.graph).toEqual(inline.graph);
      expect(parallel.stats.records).toBe(inline.stats.records);
      // 30,000 flows and the node_status record.
      expect(parallel.stats.records).toBe(30_001);
      expect(parallel.stats.badSamples).toEqual(inline.stats.badSamples);
      expect(inline.stats.badSamples.map((b) => b.line)).toEqual([20_001, 30_003]);
      expect(parallel.stats.nodeStatus).toBe(1);
      expect(parallel.stats.nodesUnavailable).toEqual(inline.stats.nodesUnavailable);
      expect(inline.stats.truncatedLastLine).toBe(true);
    });

    it('stops when cancelled, on one thread too', async () => {
      const ac = new AbortController();
      await expect(analyzeFile(big, { workers: 0, signal: ac.signal, onProgress: () => ac.abort() })).rejects.toThrow(/cancelled/);
    });

    it('stops when cancelled', async () => {
      const ac = new AbortController();
      const run = analyzeFile(big, { workers: 2, workerUrl, signal: ac.signal, onProgress: () => ac.abort() });
      await expect(run).rejects.toThrow(/cancelled/);
    });
  });
});

describe('one thread, worker threads and gzip give the same graph, on every fixture', () => {
  const captures = [
    ...readdirSync(fixture('hubble', 'cilium-hubble-otel'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => hubbleFixture(f)),
    fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl'),
    fixture('hubble', 'derived', 'dropped-reviews-ratings.jsonl'),
    ...readdirSync(fixture('field'))
      .filter((f) => /\.jsonl?$/.test(f) && !f.includes('snapshot'))
      .map((f) => fixture('field', f)),
    ...readdirSync(fixture('variants'))
      .filter((f) => /\.jsonl?$/.test(f))
      .map((f) => fixture('variants', f)),
    ...readdirSync(fixture('tester'))
      .filter((f) => /\.jsonl?$/.test(f))
      .map((f) => fixture('tester', f)),
  ];
  it.each(captures.map((c) => [path.relative(fixture(), c), c]))('%s', async (_name, file) => {
    const one = await analyzeFile(file, { workers: 0 });
    const gz = path.join(dir, `${path.basename(file)}.gz`);
    writeFileSync(gz, gzipSync(readFileSync(file)));
    expect((await analyzeFile(gz)).graph).toEqual(one.graph);
    // Small parts split the file at many places, so that connections straddle the threads.
    for (const workers of [2, 3]) {
      for (const partBytes of [300, 4096]) {
        const split = await analyzeFile(file, { workers, workerUrl, partBytes });
        expect(split.graph, `${workers} workers, parts of ${partBytes} bytes`).toEqual(one.graph);
        expect(split.stats.records).toBe(one.stats.records);
      }
    }
  });
});

describe('a parser thread that fails', () => {
  it('does not lose the read: the file is read again on one thread, with the same graph', async () => {
    const failing = path.join(dir, 'failing-worker.mjs');
    // What a thread that ran out of its bounded heap looks like to the reader.
    writeFileSync(
      failing,
      "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'error', message: 'out of memory' });\n",
    );
    const file = hubbleFixture('basic-sample-400-tcp-flows.json');
    const one = await analyzeFile(file, { workers: 0 });
    const split = await analyzeFile(file, { workers: 2, workerUrl: pathToFileURL(failing), partBytes: 4096 });
    expect(split.graph).toEqual(one.graph);
    expect(split.stats.records).toBe(400);
  });
});

describe('mergeStats', () => {
  const stats = (patch: Partial<ParserStats>): ParserStats => Object.assign(emptyStats(), patch);
  const outage = (line: number) => ({ state: 'NODE_GONE', nodes: [`n${line}`], line });

  it.each([
    {
      name: "offsets a thread's line numbers and keeps the first ones",
      into: stats({ badLines: 1, badSamples: [{ line: 3, reason: 'a' }], nodesUnavailable: [outage(5)], nodesUnavailableEvents: 1 }),
      from: stats({
        badLines: 2,
        badSamples: [
          { line: 1, reason: 'b' },
          { line: 2, reason: 'c' },
        ],
        nodesUnavailable: [outage(1)],
        nodesUnavailableEvents: 1,
      }),
      want: { badLines: 3, bad: [3, 11], outages: [5, 11], events: 2, damaged: undefined },
    },
    {
      name: 'bounds the node reports but counts them all',
      into: stats({}),
      from: stats({ nodesUnavailable: Array.from({ length: 100 }, (_, k) => outage(k + 1)), nodesUnavailableEvents: 130 }),
      want: { badLines: 0, bad: [], outages: Array.from({ length: 100 }, (_, k) => k + 11), events: 130, damaged: undefined },
    },
    {
      name: "carries where a stream broke, in the reader's line numbers",
      into: stats({}),
      from: stats({ damaged: { afterLine: 7, compressedByte: 10, compressedSize: 20, reason: 'r' } }),
      want: { badLines: 0, bad: [], outages: [], events: 0, damaged: 17 },
    },
  ])('$name', ({ into, from, want }) => {
    mergeStats(into, from, 10, 2);
    expect({
      badLines: into.badLines,
      bad: into.badSamples.map((b) => b.line),
      outages: into.nodesUnavailable.map((n) => n.line),
      events: into.nodesUnavailableEvents,
      damaged: into.damaged?.afterLine,
    }).toEqual(want);
  });
});
