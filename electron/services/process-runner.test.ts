import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standinEnv, STANDIN_BIN } from '../../shared/testing/standins';
import { fixture, hubbleFixture } from '../../shared/testing/fixtures';
import { loginShellPath, mergeSearchPath, ProcessRunner, RunError, stderrSummary } from './process-runner';

function runner(extra: Record<string, string> = {}, paths: Record<string, string> = {}) {
  const s = standinEnv(extra);
  return { ...s, r: new ProcessRunner({ binaryPaths: () => paths, env: s.env, searchPath: () => Promise.resolve(s.env.PATH ?? '') }) };
}

async function failure(p: Promise<unknown>): Promise<RunError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RunError) return e;
    throw e;
  }
  throw new Error('expected a RunError');
}

describe('ProcessRunner', () => {
  it('runs an allow-listed tool with an argument array, passed as is (no shell)', async () => {
    const { r, calls } = runner({ NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-10-flows.json') });
    const marker = path.join(tmpdir(), `netpol-no-shell-${process.pid}`);
    const out = await r.run('hubble', ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--server', `$(touch ${marker})`]);
    expect(out.stdout.trim().split('\n')).toHaveLength(10);
    expect(calls()).toEqual([
      { tool: 'hubble', args: ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--server', `$(touch ${marker})`] },
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('a missing binary is "not-installed", with how to install it', async () => {
    const r = new ProcessRunner({ binaryPaths: () => ({}), searchPath: () => Promise.resolve('/nonexistent') });
    const e = await failure(r.run('kubectl', ['version']));
    expect(e.kind).toBe('not-installed');
    expect(e.message).toBe('kubectl was not found on your PATH.');
    expect(e.details.hint).toMatch(/Install kubectl .*or set its path in Settings/);
    const wrongPath = new ProcessRunner({ binaryPaths: () => ({ hubble: '/opt/nothing/hubble' }) });
    expect((await failure(wrongPath.run('hubble', ['observe']))).message).toMatch(
      /set to \/opt\/nothing\/hubble in Settings, but no executable is there/,
    );
  });

  it('in the browser host, where Settings cannot change a tool path, the hint says what works instead', async () => {
    const r = new ProcessRunner({ binaryPaths: () => ({}), searchPath: () => Promise.resolve('/nonexistent'), host: 'browser' });
    const e = await failure(r.run('hubble', ['observe']));
    expect(e.kind).toBe('not-installed');
    expect(e.details.hint).not.toMatch(/set its path in Settings/);
    expect(e.details.hint).toMatch(
      /put it on the PATH of the shell that runs `npm start` \(or start with `npm start -- --hubble-path PATH`\)/,
    );
    expect(e.details.hint).toMatch(/the desktop app can also take its path in Settings\.$/);
    const given = new ProcessRunner({ binaryPaths: () => ({ kubectl: '/opt/nothing/kubectl' }), host: 'browser' });
    expect((await failure(given.run('kubectl', ['version']))).message).toBe(
      'kubectl is set to /opt/nothing/kubectl by --kubectl-path, but no executable is there.',
    );
  });

  it('uses the path configured in Settings', async () => {
    const { r, calls } = runner({}, { kubectl: path.join(STANDIN_BIN, 'kubectl') });
    expect((await r.run('kubectl', ['config', 'current-context'])).stdout).toBe('kind-staging\n');
    expect(calls()).toHaveLength(1);
  });

  it('a non-zero exit is "exited" with the code and the end of stderr', async () => {
    const { r } = runner({ NETPOL_STANDIN_MODE: 'fail' });
    const e = await failure(r.run('kubectl', ['get', 'pods']));
    expect(e.kind).toBe('exited');
    expect(e.details.code).toBe(3);
    expect(e.message).toMatch(/kubectl exited with code 3: Error: connection refused/);
  });

  it('a hung command is stopped at its timeout', async () => {
    const { r } = runner({ NETPOL_STANDIN_MODE: 'hang' });
    const t0 = Date.now();
    const e = await failure(r.run('hubble', ['observe'], { timeoutMs: 300 }));
    expect(e.kind).toBe('timed-out');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('streams lines with backpressure, and stops when cancelled mid-stream', async () => {
    const { r } = runner({ NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-tcp-flows.json'), NETPOL_STANDIN_DELAY_MS: '2' });
    const ac = new AbortController();
    const seen: string[] = [];
    let active = 0;
    let most = 0;
    const e = await failure(
      r.stream('hubble', ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--follow'], {
        signal: ac.signal,
        timeoutMs: 30_000,
        onLine: async (line) => {
          most = Math.max(most, ++active);
          seen.push(line);
          await new Promise((res) => setTimeout(res, 1));
          active--;
          if (seen.length === 50) ac.abort();
        },
      }),
    );
    expect(e.kind).toBe('cancelled');
    // One line at a time, however many lines a chunk of output holds.
    expect(most).toBe(1);
    expect(seen.length).toBeGreaterThanOrEqual(50);
    expect(seen.length).toBeLessThan(400);
    expect(JSON.parse(seen[0])).toHaveProperty('flow');
  });

  it('a slow handler sees every line, one at a time and in order, before the run counts as finished', async () => {
    const { r } = runner({ NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-tcp-flows.json') });
    const seen: string[] = [];
    let active = 0;
    let most = 0;
    await r.stream('hubble', ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb'], {
      timeoutMs: 30_000,
      onLine: async (line) => {
        most = Math.max(most, ++active);
        await new Promise((res) => setTimeout(res, 0));
        seen.push(line);
        active--;
      },
    });
    expect(most).toBe(1);
    expect(seen).toHaveLength(400);
  });

  it('copes with huge output: streams it all, and bounds what run() keeps', async () => {
    const { r } = runner({ NETPOL_STANDIN_MODE: 'huge', NETPOL_STANDIN_LINES: '100000' });
    let n = 0;
    await r.stream('hubble', ['observe'], { onLine: () => void n++, timeoutMs: 60_000 });
    expect(n).toBe(100_000);
    const e = await failure(r.run('hubble', ['observe'], { maxOutputBytes: 1_000_000 }));
    expect(e.kind).toBe('output-too-large');
  });

  it('kills every child on quit', async () => {
    const { r } = runner({ NETPOL_STANDIN_MODE: 'hang' });
    const running = failure(r.run('hubble', ['observe'], { timeoutMs: 60_000 }));
    await new Promise((res) => setTimeout(res, 200));
    r.killAll();
    expect((await running).kind).toBe('exited');
  });

  it('says what kubectl printed once: klog headers and repeats removed, its own sentence preferred over its log lines', () => {
    const recorded = readFileSync(fixture('kubectl-standin', 'unreachable-context.stderr'), 'utf8');
    expect(recorded.split('\n').filter(Boolean)).toHaveLength(8);
    expect(stderrSummary(recorded)).toBe('The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?');
    const onlyLogs = recorded.split('\n').slice(0, 7).join('\n');
    expect(stderrSummary(onlyLogs)).toBe(
      '"Unhandled Error" err="couldn\'t get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"',
    );
    expect(stderrSummary('a\nb\na\nc\nd\n', 2)).toBe('c\nd');
    expect(stderrSummary('x'.repeat(1000), 3, 100)).toMatch(/^…x{99}$/);
    expect(stderrSummary('  \n')).toBe('');
  });

  describe('the login shell PATH', () => {
    // A stand-in login shell: it counts how often it is asked, and prints what its profile would set.
    const shellSaying = (dir: string, printed: string | undefined): { shell: string; asked: () => number } => {
      const log = path.join(dir, 'asked');
      const shell = path.join(dir, 'login-shell');
      const say = printed === undefined ? 'exit 1' : `printf '__NETPOL_PATH__%s__NETPOL_PATH__' '${printed}'`;
      writeFileSync(shell, `#!/bin/sh\necho "$@" >> '${log}'\n${say}\n`, { mode: 0o755 });
      return { shell, asked: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0) };
    };

    it('is asked once for the same environment, and put after the folders this process was started with', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'netpol-login-'));
      const { shell, asked } = shellSaying(dir, '/opt/k8s/bin:/usr/bin');
      const env = { SHELL: shell, HOME: dir, PATH: '/home/u/tools:/usr/bin' };
      expect(await loginShellPath(env)).toBe('/home/u/tools:/opt/k8s/bin:/usr/bin');
      expect(await loginShellPath({ ...env })).toBe('/home/u/tools:/opt/k8s/bin:/usr/bin');
      expect(asked()).toBe(1);
      // Another home (another profile) is asked again.
      await loginShellPath({ ...env, HOME: path.join(dir, 'other') });
      expect(asked()).toBe(2);
    });

    it('falls back to this process PATH, unchanged, when the shell says nothing', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'netpol-login-'));
      const { shell, asked } = shellSaying(dir, undefined);
      expect(await loginShellPath({ SHELL: shell, HOME: dir, PATH: '/a:/b' })).toBe('/a:/b');
      expect(asked()).toBe(1);
    });
  });

  it.each([
    // Started from a terminal with a folder put first: it stays first, the login shell's order follows.
    ['/home/u/tools:/usr/bin:/bin', '/opt/k8s/bin:/usr/local/bin:/usr/bin:/bin', '/home/u/tools:/opt/k8s/bin:/usr/local/bin:/usr/bin:/bin'],
    // Launched from the dock: a bare PATH, the login shell's order wins.
    ['/usr/bin:/bin', '/opt/homebrew/bin:/usr/bin:/bin', '/opt/homebrew/bin:/usr/bin:/bin'],
    // The login shell could not be asked: this process's PATH as it is.
    ['/a:/b', undefined, '/a:/b'],
    ['', '/x:/x:/y', '/x:/y'],
  ])('search PATH of %s with the login shell saying %s: %s', (own, login, merged) => {
    expect(mergeSearchPath(own, login)).toBe(merged);
  });

  it('with no path set, runs the tool first on this PATH, even when the login shell PATH has another one first', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-path-'));
    const tool = (folder: string, name: string, says: string): void => {
      mkdirSync(path.join(dir, folder), { recursive: true });
      writeFileSync(path.join(dir, folder, name), `#!/bin/sh\necho ${says}\n`, { mode: 0o755 });
    };
    tool('mine', 'kubectl', 'the-kubectl-first-on-PATH');
    // What a login shell's profile puts first: a system-wide kubectl, and the only hubble.
    tool('system', 'kubectl', 'a-system-kubectl');
    tool('system', 'hubble', 'the-login-shell-hubble');
    // A stand-in login shell (SHELL), answering the runner's question as a profile that resets PATH would.
    tool('.', 'login-shell', `"__NETPOL_PATH__${path.join(dir, 'system')}:/usr/bin:/bin__NETPOL_PATH__"`);
    const env = { ...process.env, SHELL: path.join(dir, 'login-shell'), PATH: `${path.join(dir, 'mine')}:/usr/bin:/bin` };
    const r = new ProcessRunner({ binaryPaths: () => ({ kubectl: '' }), env });
    await expect(r.resolve('kubectl')).resolves.toBe(path.join(dir, 'mine', 'kubectl'));
    expect((await r.run('kubectl', ['version', '--client'])).stdout).toBe('the-kubectl-first-on-PATH\n');
    // A tool only the login shell knows (the app launched from the dock) is still found.
    expect((await r.run('hubble', ['version'])).stdout).toBe('the-login-shell-hubble\n');
  });
});
