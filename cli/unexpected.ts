// A failure nobody foresaw is a defect: the person gets one line, its own exit code and where the
// details were written; the stack trace goes to that file, never to the terminal.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOOL_VERSION } from '../shared/bundle/bundle';
import { writeFileAtomic } from '../shared/node/fs/atomic-write';

/** The exit code of an unexpected failure (BSD sysexits' EX_SOFTWARE), distinct from findings (1), unusable input or usage (2) and undecided (3). */
export const EXIT_INTERNAL = 70;

/** A thrown value as text: an Error with its stack, anything else as JSON. */
function describe(c: unknown): string {
  if (c instanceof Error) return c.stack ?? `${c.name}: ${c.message}`;
  return typeof c === 'string' ? c : (JSON.stringify(c) ?? typeof c);
}

function details(e: unknown, argv: readonly string[]): string {
  const lines = [
    `netpol-studio ${TOOL_VERSION}, node ${process.version} on ${process.platform}`,
    `command: netpol-studio ${argv.join(' ')}`,
    '',
  ];
  for (let c: unknown = e, depth = 0; c !== undefined && depth < 5; c = (c as { cause?: unknown }).cause, depth++)
    lines.push(depth === 0 ? '' : 'caused by:', describe(c));
  return lines.join('\n') + '\n';
}

/**
 * Says that something unexpected failed, in one line, and where its details (the stack trace) were
 * written: a file of its own under `dir` (the OS temp folder), readable by the user only.
 */
export async function reportUnexpected(e: unknown, argv: readonly string[], err: (s: string) => void, dir = tmpdir()): Promise<number> {
  const what = ((e instanceof Error ? e.message : describe(e)).split('\n')[0] || 'no message').slice(0, 300);
  const file = path.join(dir, `netpol-studio-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  try {
    await writeFileAtomic(file, details(e, argv), { mode: 0o600 });
    err(
      `netpol-studio: unexpected error: ${what}\nnetpol-studio: this is a bug; the details are in ${file} (please attach it to a report)\n`,
    );
  } catch (w) {
    err(
      `netpol-studio: unexpected error: ${what}\nnetpol-studio: this is a bug; its details could not be written to ${dir} (${(w as Error).message})\n`,
    );
  }
  return EXIT_INTERNAL;
}
