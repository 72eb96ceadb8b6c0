import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { CaptureParser, DEFAULT_LIMITS, type ParserLimits, type ParserStats } from '../flows/parser';
import { forEachLine } from '../flows/lines';
import { CaptureError } from '../flows/types';
import { countsOf, type CaptureAnalysis } from '../graph/analysis';
import { GraphBuilder } from '../graph/builder';
import type { FromWorker, ToWorker } from './protocol';

export interface ReadProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ReadProgress) => void;
  /** Parsing threads; 0 parses on this thread. Default: one per core for large files. */
  readonly workers?: number;
  /** Where the bundled worker lives; default `ingest-worker.mjs` beside this module. */
  readonly workerUrl?: URL;
  readonly limits?: ParserLimits;
}

const CHUNK_BYTES = 1 << 20;
const PARALLEL_MIN_BYTES = 16 << 20;
const IN_FLIGHT_PER_WORKER = 4;

/** The bundled worker beside this module (`.mjs` in the CLI bundle, `.js` in the app's main). */
function defaultWorkerUrl(): URL | undefined {
  for (const name of ['./ingest-worker.mjs', './ingest-worker.js']) {
    const url = new URL(name, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

function abortError(): Error {
  return new DOMException('The capture read was cancelled', 'AbortError');
}

/** Counts `\n` bytes (native memchr via indexOf). */
function countNewlines(b: Uint8Array): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let n = 0;
  let i = -1;
  while ((i = buf.indexOf(10, i + 1)) !== -1) n++;
  return n;
}

class WorkerPool {
  private readonly workers: Worker[];
  private readonly inFlight: number[];
  private readonly waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private next = 0;

  constructor(count: number, url: URL, init: ToWorker) {
    this.workers = Array.from({ length: count }, () => new Worker(url));
    this.inFlight = this.workers.map(() => 0);
    this.workers.forEach((w, i) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ack') {
          this.inFlight[i]--;
          this.waiters.splice(0).forEach((f) => f());
        } else if (m.type === 'error') this.fail(new Error(`parser thread failed: ${m.message}`));
      });
      w.on('error', (e) => this.fail(e));
      w.postMessage(init);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.waiters.splice(0).forEach((f) => f());
  }

  /** Sends a chunk to the next worker, waiting while every worker is busy (backpressure). */
  async send(bytes: Uint8Array, firstLine: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const i = this.inFlight.findIndex((n, k) => n < IN_FLIGHT_PER_WORKER && k === this.next % this.workers.length);
      const free = i >= 0 ? i : this.inFlight.findIndex((n) => n < IN_FLIGHT_PER_WORKER);
      if (free >= 0) {
        this.next++;
        this.inFlight[free]++;
        const msg: ToWorker = { type: 'chunk', bytes, firstLine };
        this.workers[free].postMessage(msg, [bytes.buffer as ArrayBuffer]);
        return;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async finish(): Promise<{ partials: Extract<FromWorker, { type: 'done' }>[] }> {
    const partials = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<Extract<FromWorker, { type: 'done' }>>((resolve, reject) => {
            w.on('message', (m: FromWorker) => {
              if (m.type === 'done') resolve(m);
              else if (m.type === 'error') reject(new Error(m.message));
            });
            w.on('error', reject);
            w.postMessage({ type: 'end' } satisfies ToWorker);
          }),
      ),
    );
    if (this.failure) throw this.failure;
    return { partials };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function mergeStats(into: ParserStats, from: ParserStats, keep: number): void {
  into.lines += from.lines;
  into.records += from.records;
  into.flows += from.flows;
  into.replies += from.replies;
  into.nodeStatus += from.nodeStatus;
  into.lostEventRecords += from.lostEventRecords;
  into.lostEvents += from.lostEvents;
  into.skipped += from.skipped;
  into.badLines += from.badLines;
  into.badSamples.push(...from.badSamples);
  into.badSamples.sort((a, b) => a.line - b.line);
  into.badSamples.splice(keep);
}

/**
 * Reads a capture file (plain or gzip) into a service graph with bounded memory: bytes stream
 * in, whole lines go to parser threads, and only the aggregated graph comes back.
 */
export async function analyzeFile(file: string, opts: ReadOptions = {}): Promise<CaptureAnalysis> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new CaptureError(file, 'is a folder, not a capture file. Pass a file.');
    size = st.size;
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`);
  }
  opts.signal?.throwIfAborted();

  const builder = new GraphBuilder();
  const parser = new CaptureParser(file, (ev) => {
    if (ev.kind === 'flow') builder.add(ev.record);
  }, limits);
  const decoder = new TextDecoder('utf-8');
  const maxLineBytes = limits.maxRecordChars * 2;

  const head = Buffer.alloc(2);
  const fh = await open(file, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gzip = size >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  let bytesDone = 0;
  raw.on('data', (b) => (bytesDone += b.length));
  const source: AsyncIterable<Buffer> = gzip ? raw.pipe(createGunzip()) : raw;

  const wantWorkers = opts.workers ?? (size >= PARALLEL_MIN_BYTES ? Math.min(2, availableParallelism()) : 0);
  const workerUrl = wantWorkers > 0 ? (opts.workerUrl ?? defaultWorkerUrl()) : undefined;
  let pool: WorkerPool | undefined;
  let carry: Buffer | undefined;
  let lineNo = 0;
  let overlong = false;

  const finishPool = async (): Promise<void> => {
    if (!pool) return;
    const { partials } = await pool.finish();
    for (const p of partials) {
      builder.merge(p.partial);
      mergeStats(parser.stats, p.stats, limits.keepBadLines);
    }
  };

  try {
    for await (const chunk of source) {
      if (opts.signal?.aborted) throw abortError();
      const last = chunk.lastIndexOf(10);
      if (last < 0) {
        carry = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
        if (carry.length > maxLineBytes) {
          // One endless line: skip it rather than hold it all in memory.
          overlong = true;
          carry = undefined;
        }
        opts.onProgress?.({ bytesDone, bytesTotal: size });
        continue;
      }
      let from = 0;
      if (overlong) {
        // The rest of the endless line ends at this chunk's first newline.
        parser.skipOverlongLine(++lineNo, maxLineBytes);
        overlong = false;
        from = chunk.indexOf(10) + 1;
      }
      // One copy: the carried partial line plus this chunk up to its last newline.
      const head = carry?.length ?? 0;
      const whole = new Uint8Array(head + last + 1 - from);
      if (carry) whole.set(carry, 0);
      whole.set(chunk.subarray(from, last + 1), head);
      carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
      if (pool) {
        const first = lineNo + 1;
        lineNo += countNewlines(whole);
        await pool.send(whole, first);
      } else {
        // Until the format is known (and while a multi-line record is open) parse on this thread.
        lineNo += forEachLine(decoder.decode(whole), lineNo + 1, (line, no) => parser.pushLine(line, no));
        const format = parser.stats.format;
        if (format && workerUrl && parser.canHandOff()) {
          pool = new WorkerPool(wantWorkers, workerUrl, { type: 'init', file, mode: parser.handOffMode(), format, limits });
        }
      }
      opts.onProgress?.({ bytesDone, bytesTotal: size });
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const gzipCut = code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR';
    if (!gzipCut || opts.signal?.aborted) {
      await pool?.close();
      raw.destroy();
      if (opts.signal?.aborted) throw abortError();
      if (e instanceof CaptureError) throw e;
      throw new CaptureError(file, `could not be read: ${(e as Error).message}`);
    }
    // A gzip stream cut short: keep what was read, and say so.
    parser.stats.truncatedLastLine = true;
  }
  try {
    await finishPool();
  } finally {
    await pool?.close();
    raw.destroy();
  }
  // The unterminated tail (if any) is the last line: parse it here, where truncation is judged.
  if (overlong) parser.skipOverlongLine(++lineNo, maxLineBytes);
  else if (carry) parser.pushLine(decoder.decode(carry).replace(/\r$/, ''), ++lineNo, false);
  const stats = parser.end();
  opts.onProgress?.({ bytesDone: size, bytesTotal: size });
  return { file, graph: builder.build(stats.format, countsOf(stats)), stats };
}
