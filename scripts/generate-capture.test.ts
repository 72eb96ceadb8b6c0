import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../shared/testing/fixtures';
import { GENERATE_USAGE, generateRequest } from './generate-capture';

describe("the capture generator's command line", () => {
  it.each([
    ['--help', ['--help']],
    ['-h', ['-h']],
    ['--help after a wrong flag', ['--nope', '--help']],
  ])('%s asks for the usage', (_, argv) => {
    expect(generateRequest(argv)).toEqual({ kind: 'help', text: GENERATE_USAGE });
  });

  it.each([
    [['--lines', '10'], /^--out FILE is required; usage: npm run gen/],
    [['--out', 'x.jsonl', '--nope'], /^unknown option --nope; usage:/],
    [['--out'], /^--out needs a value; usage:/],
    [['--out', 'x.jsonl', 'stray'], /^unexpected argument stray; usage:/],
    [['--out', 'x.jsonl', '--lines', '1e3'], /^--lines "1e3" is not a whole number above 0; usage:/],
    [['--out', 'x.jsonl', '--edges', '0'], /^--edges "0" is not a whole number above 0/],
  ])('%j is a wrong call, said in one line', (argv, message) => {
    const r = generateRequest(argv);
    expect(r.kind).toBe('wrong');
    expect((r as { text: string }).text).toMatch(message);
    expect((r as { text: string }).text).not.toContain('\n');
  });

  it('a right call: the file, the counts as numbers, the defaults for the rest', () => {
    expect(generateRequest(['--out', 'x.jsonl', '--lines', '500', '--namespaces', '3', '--gzip'])).toEqual({
      kind: 'run',
      out: 'x.jsonl',
      gzip: true,
      options: { lines: 500, workloads: 200, edges: 1000, namespaces: 3 },
    });
  });
});

describe('npm run gen, as a process (the bundled generator)', () => {
  const bin = path.join(ROOT, 'out/cli/generate-capture.mjs');
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
  });
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('--help prints the usage and exits 0', () => {
    const r = run('--help');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, GENERATE_USAGE, '']);
  });

  it('a wrong call exits 2 with one line and no stack trace', () => {
    const r = run('--bogus');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^generate-capture: unknown option --bogus; usage: .*\n$/);
  });

  it('writes the capture it is asked for', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-gen-')), 'c.jsonl');
    expect(run('--out', out, '--lines', '20', '--workloads', '4', '--edges', '3').status).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(20);
  });
});
