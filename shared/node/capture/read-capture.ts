import { existsSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_LIMITS, type ParserLimits } from '../../flows/limits';
import { CaptureParser } from '../../flows/parser';
import { KEEP_NODE_STATUS, type ParserStats } from '../../flows/stats';
import { CaptureError } from '../../flows/types';
import { countsOf, type CaptureAnalysis } from '../../graph/analysis';
import type { ClusterSnapshot } from '../../cluster/snapshot';
import { GraphBuilder, type GraphPartial } from '../../graph/builder';
import { captureLines } from './capture-lines';
import { GzipMembers } from './gzip-members';
import type { FromWorker, RangeJob } from './worker-protocol';
import { NotARegularFileError, openRegularFile } from '../fs/regular-file';

export interface ReadProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ReadProgress) => void;
  /** What the user calls the file (an upload's picked name), for messages and the summary; the path by default. */
  readonly name?: string;
  /** Parsing threads; 0 parses on this thread. Default: up to 2 for large uncompressed files. */
  readonly workers?: number;
  /** Where the bundled worker lives; default `ingest-worker.(m)js` beside this module. */
  readonly workerUrl?: URL;
  readonly limits?: ParserLimits;
  /** A cluster snapshot: labels for workloads whose records had none, and Service backends (see GraphBuilder.build). */
  readonly snapshot?: ClusterSnapshot;
  /**
   * Bytes read at a time, and the least a thread is handed (default 1 MiB). Tests make it small to
   * split small captures into parts, which must give the same graph as one thread.
   */
  readonly partBytes?: number;
}

const CHUNK_BYTES = 1 << 20;
const PARALLEL_MIN_BYTES = 16 << 20;
// Each parser thread's heap is bounded so that a big capture stays within a few hundred MB; a small young
// generation (8 MB) keeps the short-lived per-line garbage from piling up per thread (peak RSS on the
// 1M-line bench: 293 MB against 312 MB with 16 MB).
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

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

/** Adds a parser thread's stats to the reader's; its line numbers start after `lineOffset` lines. */
export function mergeStats(into: ParserStats, from: ParserStats, lineOffset: number, keep: number): void {
  into.lines += from.lines;
  into.records += from.records;
  into.nodeStatus += from.nodeStatus;
  into.nodesUnavailableEvents += from.nodesUnavailableEvents;
  into.nodesUnavailable.push(...from.nodesUnavailable.map((n) => ({ ...n, line: n.line + lineOffset })));
  into.nodesUnavailable.sort((a, b) => a.line - b.line);
  into.nodesUnavailable.splice(KEEP_NODE_STATUS);
  into.lostEventRecords += from.lostEventRecords;
  into.lostEvents += from.lostEvents;
  into.skipped += from.skipped;
  into.badLines += from.badLines;
  into.truncatedLastLine ||= from.truncatedLastLine;
  if (from.cutLineCounted) into.cutLineCounted = true;
  if (from.damaged && !into.damaged) into.damaged = { ...from.damaged, afterLine: from.damaged.afterLine + lineOffset };
  into.trailingData ??= from.trailingData;
  into.badSamples.push(...from.badSamples.map((b) => ({ line: b.line + lineOffset, reason: b.reason })));
  into.badSamples.sort((a, b) => a.line - b.line);
  into.badSamples.splice(keep);
}

/** What zlib's error means for the reader, in words. */
function gzipDamageReason(code: string | undefined, message: string): string {
  if (code === 'Z_BUF_ERROR') return 'the file ends before the gzip stream does: it was cut short';
  if (/incorrect data check|incorrect length check/.test(message)) {
    return 'its checksum does not match, so lines read before this point may be corrupt too';
  }
  return `the compressed data is corrupt (zlib says "${message}")`;
}

/** Moves `pos` to the start of the line it falls in, or the next line start (the byte after a `\n`). */
async function nextLineStart(fh: FileHandle, pos: number, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 * 1024);
  let p = pos - 1;
  while (p < size) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, p);
    if (bytesRead <= 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) return p + nl + 1;
    p += bytesRead;
  }
  return size;
}

interface WorkerResult {
  readonly partial: GraphPartial;
  readonly stats: ParserStats;
  readonly lines: number;
}

function runWorker(url: URL, job: RangeJob, onBytes: (n: number) => void, signal?: AbortSignal): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const w = new Worker(url, { workerData: job, resourceLimits: WORKER_LIMITS });
    // Rejected once the thread has stopped: it reads through the reader's descriptor, closed after this.
    const onAbort = (): void => void w.terminate().finally(() => reject(abortError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    w.on('message', (m: FromWorker) => {
      if (m.type === 'progress') onBytes(m.bytes);
      else if (m.type === 'done') {
        done();
        resolve(m);
        void w.terminate();
      } else {
        done();
        reject(new Error(`parser thread failed: ${m.message}`));
      }
    });
    w.on('error', (e) => {
      done();
      reject(e);
    });
  });
}

/** The bytes of an open file from its start, a chunk at a time, by positional reads (the handle stays open). */
async function* chunksOf(fh: FileHandle, chunkBytes: number, onRead: (n: number) => void): AsyncGenerator<Buffer, void> {
  for (let pos = 0; ;) {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead } = await fh.read(buf, 0, chunkBytes, pos);
    if (bytesRead <= 0) return;
    pos += bytesRead;
    onRead(bytesRead);
    yield bytesRead === chunkBytes ? buf : buf.subarray(0, bytesRead);
  }
}

/**
 * Reads a capture file (plain or gzip) into a service graph with bounded memory. The start is
 * parsed here until the format is known; the rest of a large plain file is split into line-aligned
 * byte ranges that worker threads read and parse themselves, returning only aggregated graphs.
 */
export async function analyzeFile(file: string, opts: ReadOptions = {}): Promise<CaptureAnalysis> {
  // Messages name the file as the user knows it; reads use its path.
  const shown = opts.name ?? file;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  // Only a regular file: a device (/dev/zero) never ends and a named pipe blocks its reader, out of
  // reach of Cancel. The check is made on the opened handle, and every read below uses that handle.
  let fh: FileHandle;
  let size: number;
  try {
    fh = await openRegularFile(file);
    size = (await fh.stat()).size;
  } catch (e) {
    if (e instanceof NotARegularFileError)
      throw new CaptureError(
        shown,
        e.what === 'a folder'
          ? 'is a folder, not a capture file. Pass a file.'
          : `is ${e.what}, not a capture file: pass a regular file (a device or a pipe may never end).`,
      );
    throw new CaptureError(shown, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`);
  }
  if (opts.signal?.aborted) {
    await fh.close();
    throw abortError();
  }

  const head = Buffer.alloc(2);
  await fh.read(head, 0, 2, 0);
  const gzip = size >= 2 && head[0] === 0x1f && head[1] === 0x8b;

  const builder = new GraphBuilder();
  const parser = new CaptureParser(shown, (ev) => builder.addEvent(ev), limits);
  const lines = captureLines(parser, limits);

  const workers = gzip ? 0 : (opts.workers ?? (size >= PARALLEL_MIN_BYTES ? Math.min(2, availableParallelism()) : 0));
  const workerUrl = workers > 0 ? (opts.workerUrl ?? defaultWorkerUrl()) : undefined;
  const chunkBytes = opts.partBytes ?? CHUNK_BYTES;
  let bytesRead = 0;
  const raw = chunksOf(fh, chunkBytes, (n) => (bytesRead += n));
  // Member by member, as `gzip -dc` reads it: bytes after the last member are reported, not fatal.
  const members = gzip ? new GzipMembers(size) : undefined;
  const source: AsyncIterable<Buffer> = members ? members.read(raw) : raw;
  let handOffAt: number | undefined;

  // A read that ends early (cancelled, unreadable) closes its file handle here; a finished one below.
  try {
    try {
      for await (const chunk of source) {
        if (opts.signal?.aborted) throw abortError();
        lines.push(chunk);
        opts.onProgress?.({ bytesDone: bytesRead, bytesTotal: size });
        // Once the format is known and no multi-line record is open, hand the rest to threads.
        if (workerUrl && parser.stats.format && parser.canHandOff() && size - lines.consumed >= chunkBytes * workers) {
          handOffAt = lines.consumed;
          break;
        }
      }
      if (handOffAt === undefined) lines.end();
      if (members?.trailing) parser.stats.trailingData = members.trailing;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (opts.signal?.aborted) throw abortError();
      if (e instanceof CaptureError) throw e;
      if (code !== 'Z_DATA_ERROR' && code !== 'Z_BUF_ERROR') throw new CaptureError(shown, `could not be read: ${(e as Error).message}`);
      // A gzip stream damaged or cut short: keep every line before the damage, and say where it stopped.
      const afterLine = lines.lineNo;
      // The compressed bytes zlib consumed before the failing block: the damage is near there.
      const damaged = {
        afterLine,
        compressedByte: Math.min(size, members?.position ?? 0),
        compressedSize: size,
        reason: gzipDamageReason(code, (e as Error).message),
      };
      lines.end();
      parser.stats.truncatedLastLine = true;
      parser.stats.damaged = damaged;
      if (!parser.stats.format) {
        const near = `near byte ${damaged.compressedByte.toLocaleString('en-US')} of ${size.toLocaleString('en-US')}`;
        throw new CaptureError(
          shown,
          `is a damaged gzip file (${near}: ${damaged.reason}) and nothing before the damage could be read as a capture. ` +
            'Decompress it with `gzip -dc` to see what is recoverable, or capture again.',
        );
      }
    } finally {
      await raw.return(undefined);
    }
  } catch (e) {
    await fh.close();
    throw e;
  }

  try {
    if (handOffAt !== undefined && workerUrl) {
      if (opts.signal?.aborted) throw abortError();
      const mode = parser.handOffMode();
      const format = parser.stats.format!;
      const bounds = [handOffAt];
      for (let k = 1; k < workers; k++) {
        const guess = handOffAt + Math.floor(((size - handOffAt) * k) / workers);
        bounds.push(Math.max(bounds[k - 1], await nextLineStart(fh, guess, size)));
      }
      bounds.push(size);
      let done = handOffAt;
      const ranges = bounds.slice(0, -1).map((start, k) =>
        runWorker(
          workerUrl,
          { file: shown, fd: fh.fd, start, end: bounds[k + 1], last: k === workers - 1, mode, format, limits },
          (n) => {
            done += n;
            opts.onProgress?.({ bytesDone: done, bytesTotal: size });
          },
          opts.signal,
        ),
      );
      let results: WorkerResult[];
      try {
        results = await Promise.all(ranges);
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        // A thread that ran out of its bounded heap (an unusual capture) must not lose the read:
        // read it again on this thread, where only the tracker's own caps bound it.
        await Promise.allSettled(ranges);
        return analyzeFile(file, { ...opts, workers: 0 });
      }
      let lineOffset = lines.lineNo;
      for (const r of results) {
        builder.merge(r.partial);
        mergeStats(parser.stats, r.stats, lineOffset, limits.keepBadLines);
        lineOffset += r.lines;
      }
    }
  } finally {
    await fh.close();
  }
  const stats = parser.end();
  opts.onProgress?.({ bytesDone: size, bytesTotal: size });
  return {
    file,
    ...(opts.name ? { name: opts.name } : {}),
    graph: builder.build(stats.format, countsOf(stats), { snapshot: opts.snapshot }),
    stats,
  };
}
