import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { textLines } from '../../shared/flows/lines';

/** The only programs the app ever runs. */
export type ToolName = 'hubble' | 'kubectl';
export const TOOLS: readonly ToolName[] = ['hubble', 'kubectl'];

export type RunErrorKind = 'not-installed' | 'exited' | 'timed-out' | 'cancelled' | 'invalid-argument' | 'output-too-large';

const INSTALL: Record<ToolName, string> = {
  hubble:
    'Install the Hubble CLI (https://docs.cilium.io/en/stable/observability/hubble/setup/), make sure `hubble status` works in a terminal',
  kubectl: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/), make sure `kubectl version --client` works in a terminal',
};

/**
 * What to do when a tool is not found. The desktop app takes its path in Settings; the browser host
 * refuses that change from the page (it has no confirmation dialog), so there the hint names what
 * works: the PATH of the shell that runs `npm start`, the start flag, or the desktop app.
 */
export function installHint(tool: ToolName, host: 'desktop' | 'browser' = 'desktop'): string {
  return host === 'desktop'
    ? `${INSTALL[tool]}, or set its path in Settings.`
    : `${INSTALL[tool]}, then put it on the PATH of the shell that runs \`npm start\` (or start with \`npm start -- --${tool}-path PATH\`) and start again; the desktop app can also take its path in Settings.`;
}

/** A failed run, as a value the UI can show: what happened and what to do. */
export class RunError extends Error {
  constructor(
    readonly kind: RunErrorKind,
    readonly tool: ToolName,
    message: string,
    readonly details: { readonly code?: number | null; readonly stderrTail?: string; readonly hint?: string } = {},
  ) {
    super(message);
    this.name = 'RunError';
  }
}

export interface RunnerPorts {
  /** Paths set in Settings (empty: look the tool up on PATH). */
  readonly binaryPaths: () => Partial<Record<ToolName, string>>;
  /** The PATH to search; by default the user's login-shell PATH (GUI launches do not inherit it). */
  readonly searchPath?: () => Promise<string>;
  readonly env?: NodeJS.ProcessEnv;
  /** Which host runs the app: its hints say how a tool's path is set there (default: the desktop app). */
  readonly host?: 'desktop' | 'browser';
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Written to the child's stdin, then closed. */
  readonly input?: string;
  /** run(): the most stdout kept, in bytes. */
  readonly maxOutputBytes?: number;
}

export interface StreamOptions extends RunOptions {
  /** Called per stdout line; a returned promise pauses the child's output until it settles (backpressure). */
  readonly onLine: (line: string) => void | Promise<void>;
  /** The longest line handed over, in characters; a longer one is dropped without being held (default 64 Mi). */
  readonly maxLineChars?: number;
  /**
   * Called in a dropped line's place, with its length. Without it, such a line fails the run as
   * `output-too-large`.
   */
  readonly onOverlongLine?: (chars: number) => void | Promise<void>;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

const STDERR_TAIL = 4000;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
const DEFAULT_MAX_LINE_CHARS = 64 * 1024 * 1024;
const KILL_GRACE_MS = 2000;

/** klog's line header (`E1129 10:57:33.535954   13635 memcache.go:265] `): severity, date, time, thread, source line. */
const KLOG_HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\s\]]+:\d+\] /;

/**
 * What a tool said on stderr, short enough to show a person: each distinct line once, klog headers
 * (timestamps that make repeats look different) removed, and the tool's own sentences in place of
 * its log lines when it printed both; the last `maxLines` of them, at most `maxChars` long.
 */
export function stderrSummary(stderr: string, maxLines = 3, maxChars = 600): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const plain = lines.filter((l) => !KLOG_HEADER.test(l));
  const chosen = [...new Set((plain.length > 0 ? plain : lines).map((l) => l.replace(KLOG_HEADER, '')))].slice(-maxLines);
  const text = chosen.join('\n');
  return text.length > maxChars ? `…${text.slice(-(maxChars - 1))}` : text;
}

/**
 * The login shell's PATH, asked once per shell and environment it is asked with (what its profile
 * prints depends on HOME and the PATH it starts from; neither changes while the app runs).
 */
const loginPaths = new Map<string, Promise<string | undefined>>();

function askLoginShell(shell: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve) => {
    const marker = '__NETPOL_PATH__';
    let out = '';
    const child = spawn(shell, ['-ilc', `printf '${marker}%s${marker}' "$PATH"`], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env,
      timeout: timeoutMs,
    });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', () => resolve(new RegExp(`${marker}(.*)${marker}`).exec(out)?.[1] || undefined));
  });
}

/**
 * The PATH to look tools up on. Directories this process was started with that the login shell does
 * not list come first: someone put them there on purpose (`PATH=~/tools:$PATH npm start`, a
 * wrapper), and a login shell's profile resets PATH, so appending them after it would let a
 * system-wide kubectl shadow the one the user chose. Then the login shell's PATH, in its order: a
 * GUI app launched from the dock inherits almost none of it.
 */
export function mergeSearchPath(processPath: string, loginShell: string | undefined): string {
  const own = processPath.split(path.delimiter).filter(Boolean);
  const login = (loginShell ?? '').split(path.delimiter).filter(Boolean);
  const known = new Set(login);
  return [...new Set([...own.filter((d) => !known.has(d)), ...login, ...own])].join(path.delimiter);
}

/** The PATH tools are looked up on: the login shell's (asked once, with a timeout) merged with this process's. */
export async function loginShellPath(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<string> {
  if (process.platform === 'win32') return env.PATH ?? '';
  const shell = env.SHELL && path.isAbsolute(env.SHELL) ? env.SHELL : '/bin/sh';
  const key = [shell, env.HOME ?? '', env.PATH ?? ''].join('\0');
  let asked = loginPaths.get(key);
  if (!asked) loginPaths.set(key, (asked = askLoginShell(shell, env, timeoutMs)));
  return mergeSearchPath(env.PATH ?? '', await asked);
}

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one way the app runs external programs: allow-listed tools only, argument arrays (never a
 * shell), a timeout, cancellation, line streaming with backpressure, and typed errors. Children
 * are tracked so that they die with the app.
 */
export class ProcessRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly ports: RunnerPorts) {}

  /** Where the tool would be run from, or a not-installed error with install hints. */
  async resolve(tool: ToolName): Promise<string> {
    if (!TOOLS.includes(tool)) throw new RunError('invalid-argument', tool, `${String(tool)} is not a tool this app runs`);
    const configured = this.ports.binaryPaths()[tool];
    if (configured) {
      if (await executable(configured)) return configured;
      const where = this.ports.host === 'browser' ? `by --${tool}-path` : 'in Settings';
      throw new RunError('not-installed', tool, `${tool} is set to ${configured} ${where}, but no executable is there.`, {
        hint: installHint(tool, this.ports.host),
      });
    }
    const searchPath = await (this.ports.searchPath ?? (() => loginShellPath(this.ports.env)))();
    const names = process.platform === 'win32' ? [`${tool}.exe`, `${tool}.cmd`] : [tool];
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
      for (const name of names) {
        const candidate = path.join(dir, name);
        if (await executable(candidate)) return candidate;
      }
    }
    throw new RunError('not-installed', tool, `${tool} was not found on your PATH.`, { hint: installHint(tool, this.ports.host) });
  }

  /** Runs to completion and returns its output. */
  async run(tool: ToolName, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const chunks: Buffer[] = [];
    let size = 0;
    const stderr = await this.exec(tool, args, opts, (child, fail) => {
      child.stdout?.on('data', (d: Buffer) => {
        size += d.length;
        if (size > max)
          fail(new RunError('output-too-large', tool, `${tool} printed more than ${Math.round(max / 1e6)} MB; narrow the request.`));
        else chunks.push(d);
      });
    });
    return { stdout: Buffer.concat(chunks).toString('utf8'), stderr };
  }

  /**
   * Runs and hands stdout over line by line; resolves with stderr when the program ends. A line is
   * held only up to `maxLineChars`, and a handler that throws fails the run (it never escapes).
   */
  async stream(tool: ToolName, args: readonly string[], opts: StreamOptions): Promise<RunResult> {
    const maxLine = opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    const stderr = await this.exec(tool, args, opts, (child, fail) => {
      let failed = false;
      const stdout = child.stdout!;
      stdout.setEncoding('utf8');
      // The run fails with the handler's error; lines still buffered are not handed over after it.
      const stop = (e: unknown): void => {
        if (failed) return;
        failed = true;
        fail(e instanceof Error ? e : new Error(String(e)));
      };
      // While a handler's promise is pending, stdout is paused and every further line (one chunk
      // holds many) waits its turn behind it: a handler sees one line at a time, in order.
      let pending: Promise<void> | null = null;
      const wait = (p: Promise<void>): void => {
        stdout.pause();
        const next: Promise<void> = p.then(() => {
          if (pending !== next) return;
          pending = null;
          stdout.resume();
        }, stop);
        pending = next;
      };
      const hand = (call: () => void | Promise<void>): void => {
        if (failed) return;
        if (pending) {
          wait(pending.then(() => (failed ? undefined : call())));
          return;
        }
        let r: void | Promise<void>;
        try {
          r = call();
        } catch (e) {
          stop(e);
          return;
        }
        if (r instanceof Promise) wait(r);
      };
      const lines = textLines((line) => hand(() => opts.onLine(line)), {
        limit: {
          maxLength: maxLine,
          onOverlong: (_lineNo, chars) => {
            if (opts.onOverlongLine) hand(() => opts.onOverlongLine?.(chars));
            else if (!failed) stop(new RunError('output-too-large', tool, `${tool} printed a line longer than ${maxLine} characters.`));
          },
        },
      });
      stdout.on('data', (text: string) => lines.push(text));
      stdout.on('end', () => lines.end());
      return () => pending ?? Promise.resolve();
    });
    return { stdout: '', stderr };
  }

  /** Ends every running child (on app quit). */
  killAll(): void {
    for (const c of this.children) c.kill('SIGKILL');
    this.children.clear();
  }

  private async exec(
    tool: ToolName,
    args: readonly string[],
    opts: RunOptions,
    wire: (child: ChildProcess, fail: (e: Error) => void) => (() => Promise<void>) | void,
  ): Promise<string> {
    if (args.some((a) => typeof a !== 'string' || a.includes('\0')))
      throw new RunError('invalid-argument', tool, 'arguments must be plain strings');
    if (opts.signal?.aborted) throw new RunError('cancelled', tool, `${tool} was cancelled before it started.`);
    const bin = await this.resolve(tool);
    return new Promise<string>((resolve, reject) => {
      const child = spawn(bin, [...args], {
        shell: false,
        windowsHide: true,
        env: this.ports.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.children.add(child);
      let stderr = '';
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
          killTimer.unref();
          reject(err);
        } else resolve(stderr);
      };
      const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(
        () =>
          finish(
            new RunError(
              'timed-out',
              tool,
              `${tool} ${args[0] ?? ''} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
            ),
          ),
        timeoutMs,
      );
      const onAbort = (): void => finish(new RunError('cancelled', tool, `${tool} was cancelled.`));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
      });
      child.on('error', (e: NodeJS.ErrnoException) =>
        finish(
          e.code === 'ENOENT' || e.code === 'EACCES'
            ? new RunError('not-installed', tool, `${tool} could not be started (${e.code}).`, { hint: installHint(tool, this.ports.host) })
            : new RunError('exited', tool, `${tool} could not be started: ${e.message}`),
        ),
      );
      child.on('close', (code) => {
        this.children.delete(child);
        if (killTimer) clearTimeout(killTimer);
        // A clean exit counts once every line read has been handled (a handler may still be at work).
        if (code === 0) void (drained ? drained() : Promise.resolve()).then(() => finish(undefined));
        else {
          const tail = stderrSummary(stderr);
          finish(
            new RunError('exited', tool, `${tool} exited with code ${code ?? 'unknown'}${tail ? `: ${tail}` : ''}`, {
              code,
              stderrTail: stderr,
            }),
          );
        }
      });
      child.stdin?.on('error', () => undefined);
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
      const drained = wire(child, (e) => finish(e));
    });
  }
}
