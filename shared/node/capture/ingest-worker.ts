// Worker thread: reads its own byte range of a capture file, parses the lines that start in it
// and aggregates them into a partial graph; only that aggregate goes back.
import { readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureParser } from '../../flows/parser';
import { GraphBuilder } from '../../graph/builder';
import { captureLines } from './capture-lines';
import type { FromWorker, RangeJob } from './worker-protocol';

const CHUNK = 1 << 20;
const PROGRESS_EVERY = 16 << 20;

function run(job: RangeJob, send: (m: FromWorker) => void): void {
  // A part of the file: connections it cannot settle alone go back to the main thread.
  const builder = new GraphBuilder({ part: true });
  const parser = new CaptureParser(job.file, (ev) => builder.addEvent(ev), job.limits, { mode: job.mode, format: job.format });
  const lines = captureLines(parser, job.limits);
  // The reader's own descriptor: the path is not opened again, so it cannot have become a device since.
  const fd = job.fd;
  const buf = Buffer.allocUnsafe(CHUNK);
  // The reader aligned the range to line starts: read exactly [start, end).
  let pos = job.start;
  let reported = 0;
  while (pos < job.end) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, job.end - pos), pos);
    if (n <= 0) break;
    lines.push(buf.subarray(0, n));
    pos += n;
    if (pos - job.start - reported >= PROGRESS_EVERY) {
      send({ type: 'progress', bytes: pos - job.start - reported });
      reported = pos - job.start;
    }
  }
  send({ type: 'progress', bytes: pos - job.start - reported });
  if (job.last) lines.end();
  // A record left open at the end of the range is reported here, not lost.
  parser.end();
  send({ type: 'done', partial: builder.partial(), stats: parser.stats, lines: lines.lineNo });
}

const port = parentPort;
if (!port) throw new Error('ingest-worker must run in a worker thread');
try {
  run(workerData as RangeJob, (m) => port.postMessage(m));
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error).message } satisfies FromWorker);
}
