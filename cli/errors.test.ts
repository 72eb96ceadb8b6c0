import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { enospc, erofs, faults } from '../shared/testing/faulty-fs';
import { ROOT } from '../shared/testing/fixtures';
import { runCli } from './run';

// Writes pass through to the real file system unless a test makes them fail (a full disk, a read-only one).
vi.mock('node:fs/promises', async (real) => (await import('../shared/testing/faulty-fs')).faultyFs(real));
afterEach(() => faults.reset());

const sample = path.join(ROOT, 'resources/sample-capture.jsonl');

async function cli(argv: string[], o: { tempDir?: string; out?: (s: string) => void } = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: o.out ?? ((s) => (out += s)), err: (s) => (err += s), tempDir: o.tempDir });
  return { code, out, err };
}

/** No line of what the user reads is a stack frame. */
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('no stack trace ever reaches a user', () => {
  it('lint on a YAML bomb: one line that says what it is, exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-errors-'));
    const bomb = path.join(dir, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `l${i}: &l${i} [${Array(9)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(bomb, levels.join('\n') + '\n');
    const r = await cli(['lint', bomb]);
    expect(r.code).toBe(2);
    noStack(r.err);
    expect(r.err).toMatch(/^netpol-studio: .*bomb\.yaml: document 1, line 1: refused: its anchors and aliases .* "billion laughs" file/);
  });

  it('generate -o /dev/null: one line, exit 2', async () => {
    const r = await cli(['generate', sample, '-n', 'bookinfo', '-o', '/dev/null']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l.startsWith('netpol-studio:'))).toEqual([
      'netpol-studio: -o /dev/null is a character device, not a folder: give a folder (made if missing), or -o - for stdout',
    ]);
    noStack(r.err);
  });

  it('a full disk (ENOSPC) while writing: one line, exit 2, nothing half-written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-errors-'));
    faults.failWrite = enospc();
    const r = await cli(['generate', sample, '-n', 'bookinfo', '-o', path.join(dir, 'policies')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l.startsWith('netpol-studio:'))).toEqual([
      `netpol-studio: ${path.join(dir, 'policies')}: no space is left on the device: nothing was left half-written; free some space and run again`,
    ]);
    noStack(r.err);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a read-only file system (EROFS): one line naming the place, exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-errors-'));
    faults.failOpenForWrite = erofs;
    const r = await cli(['bundle', sample, '-n', 'bookinfo', '-o', path.join(dir, 'b.zip')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter((l) => l.startsWith('netpol-studio:'))).toEqual([
      `netpol-studio: ${path.join(dir, 'b.zip')}: the file system is read-only: write somewhere else`,
    ]);
    noStack(r.err);
  });

  it('an unexpected failure: its own exit code, one line, and where the details (the stack) were written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-errors-'));
    const r = await cli(['summarize', sample], {
      tempDir: dir,
      out: () => {
        throw new TypeError('Cannot read properties of undefined (reading "edges")');
      },
    });
    expect(r.code).toBe(70);
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toBe('netpol-studio: unexpected error: Cannot read properties of undefined (reading "edges")');
    const file = /the details are in (\S+) \(please attach it to a report\)$/.exec(lines[1])?.[1];
    expect(lines).toHaveLength(2);
    noStack(r.err);
    expect(file && path.dirname(file)).toBe(dir);
    expect(existsSync(file!)).toBe(true);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(file!, 'utf8')).toMatch(
      /command: netpol-studio summarize .*\n[\s\S]*TypeError: Cannot read properties[\s\S]*\n\s+at /,
    );
  });
});
