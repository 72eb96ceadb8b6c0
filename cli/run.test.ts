import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, hubbleFixture, ROOT } from '../shared/testing/fixtures';
import { runCli } from './run';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('netpol-studio CLI', () => {
  it('summarize --json prints one object with the documented keys and real figures', async () => {
    const r = await cli('summarize', hubbleFixture('basic-sample-330-dns-flows.json'), '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<string, unknown>;
    for (const key of ['format', 'flows', 'badLines', 'window', 'namespaces', 'workloads', 'edges', 'warnings'])
      expect(s).toHaveProperty(key);
    expect(s).toMatchObject({
      format: 'hubble-jsonpb',
      // Both directions of every connection, each event once: 165 queries and 165 answers.
      flows: 330,
      records: 330,
      replies: 165,
      connections: 67,
      badLines: 0,
      namespaces: ['kube-system'],
      workloads: 2,
      edges: 1,
      window: { start: '2021-10-04T11:22:26.592Z', end: '2021-10-04T11:26:56.684Z' },
    });
  });

  it('summarize prints a readable table with the warnings', async () => {
    const r = await cli('summarize', hubbleFixture('basic-sample-400-tcp-flows.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^capture\s+.*basic-sample-400-tcp-flows\.json$/m);
    expect(r.out).toMatch(/^edges\s+11$/m);
    expect(r.out).toMatch(/! The capture covers 4 s, less than 24 hours/);
  });

  it('graph --json filters by namespace', async () => {
    const r = await cli('graph', hubbleFixture('basic-sample-400-tcp-flows.json'), '--namespace', 'jaeger', '--json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out) as { edges: { key: string }[]; namespaces: string[] };
    expect(g.edges.map((e) => e.key)).toEqual([
      'entity:host->jaeger/jaeger-default:14269/TCP',
      'kube-system/otelcol-hubble-collector->jaeger/jaeger-default:14250/TCP',
    ]);
    expect(g.namespaces).toEqual(['jaeger', 'kube-system']);
  });

  it.each([
    [['summarize'], /missing <capture>/],
    [['summarize', 'a', 'b'], /unexpected argument "b"/],
    [['summarize', 'x', '--bogus'], /unknown option --bogus\n/],
    [['generate', 'x', '-n'], /--namespace <value> needs a value/],
    [['graph', hubbleFixture('basic-sample-10-flows.json')], /add --json/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /missing command/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('Usage:');
    expect(r.out).toBe('');
    // A known command shows its own usage, not every command's.
    if (argv[0] === 'summarize' || argv[0] === 'graph') expect(r.err).not.toContain('netpol-studio bundle');
  });

  it('unusable input exits 2 with the reason on stderr', async () => {
    const r = await cli('summarize', fixture('SOURCES.md'), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/SOURCES\.md: no line is a Hubble flow or a Calico flow log\. Accepted formats:/);
    const missing = await cli('summarize', '/no/such/file.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/file\.json: cannot be read \(ENOENT\)/);
  });

  describe('as installed (the bundled bin)', () => {
    beforeAll(() => {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')]);
    });

    it('runs from bin/netpol-studio.mjs with the same output and exit codes', () => {
      const ok = spawnSync(
        process.execPath,
        [path.join(ROOT, 'bin/netpol-studio.mjs'), 'summarize', hubbleFixture('basic-sample-5-dns-flows.json'), '--json'],
        { encoding: 'utf8' },
      );
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ flows: 5, replies: 2, edges: 1 });
      const bad = spawnSync(process.execPath, [path.join(ROOT, 'bin/netpol-studio.mjs'), 'summarize', fixture('SOURCES.md')], {
        encoding: 'utf8',
      });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/Accepted formats/);
    });
  });
});
