import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LIMITS, type ParserLimits } from '../../shared/flows/limits';
import { CaptureParser } from '../../shared/flows/parser';
import type { FlowRecord } from '../../shared/flows/types';
import { countsOf, type CaptureAnalysis } from '../../shared/graph/analysis';
import { GraphBuilder } from '../../shared/graph/builder';
import { isNamespaceName, NAMESPACE_NAME_RULE } from '../../shared/cluster/names';
import { RunError, type ProcessRunner } from './process-runner';

export type CaptureWindow =
  | { readonly kind: 'since'; readonly since: string }
  | { readonly kind: 'last'; readonly last: number }
  | { readonly kind: 'follow'; readonly seconds: number };

export interface LiveCaptureRequest {
  readonly namespace: string;
  readonly window: CaptureWindow;
  /** hubble relay address (host:port), when not the default. */
  readonly server?: string;
}

export interface LiveCaptureProgress {
  readonly records: number;
  readonly connections: number;
  readonly elapsedMs: number;
}

export interface LiveCaptureResult {
  readonly analysis: CaptureAnalysis;
  /** The raw capture, saved so the analysis can be reproduced offline. */
  readonly file: string;
  readonly stoppedByUser: boolean;
}

export interface LiveCapturePorts {
  readonly runner: ProcessRunner;
  /** Folder the raw captures are saved in. */
  readonly captureDir: string;
  readonly now?: () => number;
  /** The parser's limits (tests lower them); a line longer than `maxRecordChars` is not even held. */
  readonly limits?: ParserLimits;
}

/** Why a request cannot run, in words; undefined when it is fine. */
export function checkCaptureRequest(r: LiveCaptureRequest): string | undefined {
  if (!isNamespaceName(r.namespace)) return `"${r.namespace}" is not a namespace name (${NAMESPACE_NAME_RULE}).`;
  if (r.server !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]*:\d{1,5}$/.test(r.server))
    return `"${r.server}" is not a hubble relay address such as hubble-relay:4245.`;
  const w = r.window;
  if (w.kind === 'since' && !/^\d{1,6}[smhd]$/.test(w.since) && Number.isNaN(Date.parse(w.since)))
    return `"${w.since}" is not a duration such as 30m or a timestamp.`;
  if (w.kind === 'last' && !(Number.isInteger(w.last) && w.last > 0 && w.last <= 10_000_000))
    return 'The number of flows must be between 1 and 10,000,000.';
  if (w.kind === 'follow' && !(Number.isInteger(w.seconds) && w.seconds > 0 && w.seconds <= 7 * 86_400))
    return 'The capture must last between 1 second and 7 days.';
  return undefined;
}

/** `hubble observe` arguments for a request (after checkCaptureRequest). */
export function observeArgs(r: LiveCaptureRequest, extra: readonly string[] = []): string[] {
  const args = ['observe', '--namespace', r.namespace, '--output', 'jsonpb'];
  if (r.window.kind === 'since') args.push('--since', r.window.since);
  else if (r.window.kind === 'last') args.push('--last', String(r.window.last));
  else args.push('--follow');
  if (r.server) args.push('--server', r.server);
  return [...args, ...extra];
}

function writeLine(out: WriteStream, line: string): void | Promise<void> {
  if (!out.write(line + '\n')) return new Promise((resolve) => out.once('drain', () => resolve()));
}

/**
 * What the saved capture holds in place of a line too long to keep, so that its line numbers stay
 * those the analysis reports (reading it again counts it as one bad line, as the capture did).
 */
export function overlongPlaceholder(chars: number, max: number): string {
  return JSON.stringify({ netpol_studio_skipped_line: { characters: chars, reason: `longer than ${max} characters; not kept` } });
}

/**
 * Live capture with the user's hubble: flows stream into the same parser and graph builder as
 * files, the raw lines are saved, progress is reported, and stopping keeps what was captured.
 */
export class LiveCapture {
  private stopper: AbortController | undefined;
  private stoppedByUser = false;

  constructor(private readonly ports: LiveCapturePorts) {}

  get running(): boolean {
    return this.stopper !== undefined;
  }

  /** Ends the capture; the promise from start() then resolves with what was captured. */
  stop(): void {
    this.stoppedByUser = true;
    this.stopper?.abort();
  }

  async start(request: LiveCaptureRequest, onProgress: (p: LiveCaptureProgress) => void): Promise<LiveCaptureResult> {
    const problem = checkCaptureRequest(request);
    if (problem) throw new RunError('invalid-argument', 'hubble', problem);
    if (this.stopper) throw new RunError('invalid-argument', 'hubble', 'A capture is already running; stop it first.');
    const now = this.ports.now ?? Date.now;
    const started = now();
    await mkdir(this.ports.captureDir, { recursive: true });
    const file = path.join(
      this.ports.captureDir,
      `hubble-${request.namespace}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.jsonl`,
    );
    const out = createWriteStream(file, { mode: 0o600 });
    const builder = new GraphBuilder();
    const limits = this.ports.limits ?? DEFAULT_LIMITS;
    const parser = new CaptureParser(file, (ev) => builder.addEvent(ev), limits);
    const stopper = new AbortController();
    this.stopper = stopper;
    this.stoppedByUser = false;
    let lineNo = 0;
    let lastReport = 0;
    const report = (force = false): void => {
      const t = now();
      if (!force && t - lastReport < 250) return;
      lastReport = t;
      const s = parser.stats;
      onProgress({ records: s.records, connections: builder.partial().trackedConnections, elapsedMs: t - started });
    };
    const duration = request.window.kind === 'follow' ? request.window.seconds * 1000 : undefined;
    const timer = duration !== undefined ? setTimeout(() => stopper.abort(), duration) : undefined;
    try {
      await this.ports.runner.stream('hubble', observeArgs(request), {
        signal: stopper.signal,
        timeoutMs: (duration ?? 10 * 60_000) + 30_000,
        // Each line of hubble's JSON lines is read on its own: a bad one is counted and loses only itself.
        onLine: (line) => {
          if (!line.trim()) return;
          parser.pushLine(line, ++lineNo);
          report();
          return writeLine(out, line);
        },
        maxLineChars: limits.maxRecordChars,
        onOverlongLine: (chars) => {
          parser.skipOverlongLine(++lineNo, limits.maxRecordChars, 'characters');
          return writeLine(out, overlongPlaceholder(chars, limits.maxRecordChars));
        },
      });
    } catch (e) {
      // Stopping (by the user or at the end of the chosen duration) keeps what was captured.
      if (!(e instanceof RunError && e.kind === 'cancelled' && stopper.signal.aborted)) throw e;
    } finally {
      clearTimeout(timer);
      this.stopper = undefined;
      await new Promise<void>((resolve) => out.end(() => resolve()));
    }
    report(true);
    const stats = lineNo === 0 ? { ...parser.stats, format: 'hubble-jsonpb' as const } : parser.end();
    return { analysis: { file, graph: builder.build(stats.format, countsOf(stats)), stats }, file, stoppedByUser: this.stoppedByUser };
  }
}

/**
 * `hubble observe --verdict DROPPED --follow` (or `--verdict AUDIT`, what Cilium's policy audit mode
 * lets through): each such flow is handed over as a FlowRecord until stopped. Resolves when stopped;
 * rejects when hubble fails.
 */
export async function watchDrops(
  runner: ProcessRunner,
  request: Omit<LiveCaptureRequest, 'window'> & { readonly verdict?: 'DROPPED' | 'AUDIT' },
  signal: AbortSignal,
  onDrop: (r: FlowRecord) => void,
): Promise<void> {
  const { verdict = 'DROPPED', ...rest } = request;
  const full: LiveCaptureRequest = { ...rest, window: { kind: 'follow', seconds: 1 } };
  const problem = checkCaptureRequest(full);
  if (problem) throw new RunError('invalid-argument', 'hubble', problem);
  const parser = new CaptureParser(`hubble --verdict ${verdict}`, (ev) => {
    if (ev.kind === 'flow' && ev.record.verdict === verdict) onDrop(ev.record);
  });
  let n = 0;
  try {
    await runner.stream('hubble', observeArgs(full, ['--verdict', verdict]), {
      signal,
      timeoutMs: 7 * 86_400_000,
      onLine: (line) => {
        if (line.trim()) parser.pushLine(line, ++n);
      },
      maxLineChars: DEFAULT_LIMITS.maxRecordChars,
      onOverlongLine: () => parser.skipOverlongLine(++n, DEFAULT_LIMITS.maxRecordChars, 'characters'),
    });
  } catch (e) {
    if (!(e instanceof RunError && e.kind === 'cancelled' && signal.aborted)) throw e;
  }
}
