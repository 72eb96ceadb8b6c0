import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** A file with one NetworkPolicy (a default deny in shop). */
function onePolicy(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-cli-')), 'deny.yaml');
  writeFileSync(
    file,
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n',
  );
  return file;
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
    [['generate', 'x', '-n', 'shop,Search'], /--namespace "Search" is not a namespace name \(a namespace name is a DNS-1123 label/],
    [['generate', 'x', '-n', ' , '], /--namespace names no namespace, so generate would have nothing in scope/],
    [['graph', 'x', '-n', 'a_b', '--json'], /--namespace "a_b" is not a namespace name/],
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

  it('a comma-separated --namespace list is split: the same policies as the flag repeated', async () => {
    const capture = hubbleFixture('basic-sample-400-tcp-flows.json');
    const listed = await cli('generate', capture, '-n', 'bookinfo,jaeger');
    const repeated = await cli('generate', capture, '--namespace', 'bookinfo', '--namespace', 'jaeger');
    expect(listed.code).toBe(0);
    expect(listed.out).toBe(repeated.out);
    expect(listed.out).toMatch(/^ {2}namespace: bookinfo$/m);
    expect(listed.out).toMatch(/^ {2}namespace: jaeger$/m);
  });

  it.each([
    [['generate', '-n', 'shopp']],
    [['generate', '-n', 'shop,search', '--prune', '/dev/null']],
    [['bundle', '-n', 'shopp', '-o', '/nonexistent/never-written']],
    [['graph', '-n', 'shopp', '--json']],
    [['verify', '-n', 'shopp', '--policies', onePolicy()]],
  ])('no namespace in scope that the capture has: exit 2 with the command usage, nothing written (%j)', async (argv) => {
    const [command, ...rest] = argv;
    const r = await cli(command, hubbleFixture('basic-sample-400-tcp-flows.json'), ...rest);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/no namespace in scope appears in the capture \(.*; the capture has bookinfo, jaeger, kube-system\)/);
    expect(r.err).toContain(`Usage:\n  netpol-studio ${command} `);
  });

  it('a namespace absent from the capture still gets its default deny when asked for one', async () => {
    const r = await cli('generate', hubbleFixture('basic-sample-400-tcp-flows.json'), '-n', 'shop', '--default-deny');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/name: default-deny\n {2}namespace: shop/);
    expect(r.err).toMatch(/namespace\(s\) shop do not appear in the capture .*they get only a default deny/);
  });

  it.each([
    [['generate', '--help'], 'generate'],
    [['generate', 'x', '-n', 'shop', '-h'], 'generate'],
    [['summarize', '--bogus', '--help'], 'summarize'],
    [['help', 'verify'], 'verify'],
    [['draft', '-h'], 'draft'],
  ])('%j prints the usage of that command on stdout and exits 0', async (argv, command) => {
    const r = await cli(...argv);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(new RegExp(`^Usage:\n {2}netpol-studio ${command} `));
    expect(r.out).not.toContain('netpol-studio connlist');
  });

  it.each([['--help'], ['-h'], ['help']])('%s alone prints every command', async (flag) => {
    const r = await cli(flag);
    expect(r.code).toBe(0);
    expect(r.out).toContain('netpol-studio connlist');
    expect(r.out).toContain('-n shop,search');
  });

  it('unusable input exits 2 with the reason on stderr', async () => {
    const r = await cli('summarize', fixture('SOURCES.md'), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/SOURCES\.md: no line is a Hubble flow or a Calico flow log\. Accepted formats:/);
    const missing = await cli('summarize', '/no/such/file.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/file\.json: cannot be read \(ENOENT\)/);
    const device = await cli('summarize', '/dev/zero');
    expect(device).toMatchObject({ code: 2, out: '' });
    expect(device.err).toBe(
      'netpol-studio: /dev/zero: is a character device, not a capture file: pass a regular file (a device or a pipe may never end).\n',
    );
  });

  it('a capture without flows is unusable input: exit 2 with the reason, after the summary of what was read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-cli-empty-'));
    const statusOnly = path.join(dir, 'status-only.json');
    writeFileSync(statusOnly, '{"node_status":{"state_change":"NODE_CONNECTED","node_names":["n1"]},"time":"2021-11-10T10:40:56Z"}\n');
    const badOnly = path.join(dir, 'bad-only.json');
    // Read as Hubble (the second line says so), yet no line holds a flow.
    writeFileSync(badOnly, '{"flow": not json\n{"flow":{"time":"2021-11-10T10:40:56Z"}}\n');
    const s = await cli('summarize', statusOnly);
    expect(s.code).toBe(2);
    expect(s.out).toMatch(/^flows\s+0 flow events/m);
    expect(s.err).toBe(
      `netpol-studio: ${statusOnly}: holds no flows to build a graph from (1 record(s) read). Capture while the workloads talk (hubble observe -o jsonpb --follow), or check that this is the capture you meant.\n`,
    );
    const json = await cli('summarize', badOnly, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({ flows: 0, badLines: 2 });
    expect(json.err).toMatch(/holds no flows to build a graph from \(0 record\(s\) read, 2 bad line\(s\)\)/);
    for (const argv of [
      ['graph', statusOnly, '--json'],
      ['generate', statusOnly, '-n', 'shop', '--default-deny'],
      ['verify', badOnly, '--policies', onePolicy()],
      ['bundle', statusOnly, '-n', 'shop', '-o', path.join(dir, 'bundle')],
      ['lint', onePolicy(), '--capture', badOnly],
    ]) {
      const r = await cli(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toMatch(/holds no flows to build a graph from/);
      expect(r.out).toBe('');
    }
  });

  it('summarize keeps every row on its line when a bad line quotes line breaks and escapes', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-cli-cr-')), 'cr.json');
    const good = readFileSync(hubbleFixture('basic-sample-10-flows.json'), 'utf8');
    writeFileSync(file, `${good}{"flow": {"time": "2021-11-10T10:40:56Z",\r"oops"\u001b[2J\r: }}\n`);
    const r = await cli('summarize', file);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\r');
    expect(r.out).not.toContain('\u001b');
    const rows = r.out.split('\n');
    expect(rows.filter((l) => /^bad lines\s/.test(l))).toEqual([
      expect.stringMatching(/^bad lines\s+1 \(first: line 11, invalid JSON: .*\)$/),
    ]);
    // Each row starts with its name; each warning with "!".
    for (const row of rows.filter((l) => l !== '' && l !== 'warnings:')) expect(row).toMatch(/^([a-z ]+\s{2}|\s+! )/);
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
