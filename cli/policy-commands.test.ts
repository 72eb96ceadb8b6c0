import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/testing/fixtures';
import { parsePolicies } from '../shared/policy/yaml';
import { runCli } from './run';

const sample = path.join(ROOT, 'resources/sample-capture.jsonl');
const dir = mkdtempSync(path.join(tmpdir(), 'netpol-cli-'));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('generate and verify from the command line', () => {
  it('generate -o - prints the policies as YAML, warnings on stderr', async () => {
    const r = await cli('generate', sample, '--namespace', 'bookinfo', '--default-deny', '-o', '-');
    expect(r.code).toBe(0);
    const { policies, problems } = parsePolicies(r.out);
    expect(problems).toEqual([]);
    expect(policies.map((p) => p.metadata.name)).toEqual(['default-deny', 'details', 'productpage', 'ratings', 'reviews']);
    expect(r.out).toContain('# observed: productpage -> details:9080/TCP, 188 flows, 2021-11-10 10:40–10:41 UTC');
    expect(r.err).toMatch(/warning: Flows with remote-node get no rule/);
    expect(r.err).not.toMatch(/Flows with host/);
  });

  it('generate --flavor cilium prints CiliumNetworkPolicies', async () => {
    const r = await cli('generate', sample, '-n', 'bookinfo', '--flavor', 'cilium');
    expect(r.code).toBe(0);
    expect(r.out).toContain('kind: CiliumNetworkPolicy');
    expect(r.out).toContain('k8s:io.kubernetes.pod.namespace: bookinfo');
  });

  it('generate -o DIR writes one file per policy; verify passes on them (exit 0)', async () => {
    const out = path.join(dir, 'policies');
    expect((await cli('generate', sample, '-n', 'bookinfo', '-o', out)).code).toBe(0);
    expect(readdirSync(path.join(out, 'bookinfo')).sort()).toEqual(['details.yaml', 'productpage.yaml', 'ratings.yaml', 'reviews.yaml']);
    const v = await cli('verify', sample, '--policies', out);
    // Another node reaches ratings: no NetworkPolicy can allow that, so it is a failure, not a pass. The
    // pods' own node reaches two workloads: Kubernetes lets it through whatever the policies say.
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/kept edges allowed: 8 of 9/);
    expect([...v.out.matchAll(/BLOCKED (\S+)/g)].map((m) => m[1])).toEqual(['entity:remote-node->bookinfo/ratings:9080/TCP']);
    expect(v.out).toMatch(/Use the Cilium flavor \(fromEntities: remote-node\)\.\n/);
    expect(v.out).toMatch(/result: FAIL: 1 kept edge blocked/);
  });

  it('a policy document that cannot be read leaves verify undecided (exit 3) and lint failing (exit 1), never a pass', async () => {
    // F16 with its snapshot passes; the same policies beside a document with a wrong field cannot.
    const f16 = path.join(ROOT, 'fixtures/field/F16-named-port-verify');
    const args = [path.join(f16, 'capture.jsonl'), '--snapshot', path.join(f16, 'snapshot.json')];
    expect((await cli('verify', ...args, '--policies', path.join(f16, 'policies'))).code).toBe(0);
    const both = path.join(dir, 'partly-read');
    mkdirSync(both, { recursive: true });
    for (const f of readdirSync(path.join(f16, 'policies'))) writeFileSync(path.join(both, f), readFileSync(path.join(f16, 'policies', f)));
    writeFileSync(
      path.join(both, 'broken.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-b, namespace: beta}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: {bad: 1}}]}]\n',
    );
    const partly = await cli('verify', ...args, '--policies', both);
    expect(partly.err).toMatch(/broken\.yaml: document 1/);
    expect(partly.out).toMatch(/result: UNDECIDED: .*1 policy document could not be read/);
    expect(partly.code).toBe(3);
    const l = await cli('lint', both);
    expect(l.out).toMatch(/1 document\(s\) that could not be read/);
    expect(l.code).toBe(1);
  });

  it('verify exits 1 and names the blocked flow when a rule is missing', async () => {
    const out = path.join(dir, 'broken');
    await cli('generate', sample, '-n', 'bookinfo', '-o', out);
    const file = path.join(out, 'bookinfo', 'details.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('app: productpage', 'app: nobody'));
    const v = await cli('verify', sample, '--policies', out);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/BLOCKED bookinfo\/productpage->bookinfo\/details:9080\/TCP/);
    expect(v.out).toMatch(/rules with no observed flow behind them: 1\n {2}bookinfo\/details ingress\[0\]/);
    const json = JSON.parse((await cli('verify', sample, '--policies', out, '--json')).out) as { keptDenied: { edge: string }[] };
    expect(json.keptDenied.map((f) => f.edge).filter((e) => !e.startsWith('entity:'))).toEqual([
      'bookinfo/productpage->bookinfo/details:9080/TCP',
    ]);
  });

  it('a prune file takes edges out of the generation, and verify then expects them denied', async () => {
    const pruneFile = path.join(dir, 'prune.txt');
    writeFileSync(pruneFile, '# not needed\nbookinfo/ratings->bookinfo/productpage:9080/TCP\nno/such->edge:1/TCP\n');
    const r = await cli('generate', sample, '-n', 'bookinfo', '--prune', pruneFile);
    expect(r.out).not.toContain('observed: ratings -> productpage');
    expect(r.err).toMatch(/prune\.txt:3: no edge "no\/such->edge:1\/TCP" in the capture; ignored/);
    const policiesFile = path.join(dir, 'pruned.yaml');
    writeFileSync(policiesFile, r.out);
    const v = await cli('verify', sample, '--policies', policiesFile, '--prune', pruneFile);
    expect(v.out).toMatch(/pruned edges denied: 1 of 1/);
    expect(v.out).not.toMatch(/STILL ALLOWED/);
  });

  it.each([
    [['generate', sample], /needs at least one --namespace/],
    [['generate', sample, '-n', 'bookinfo', '--flavour', 'x'], /unknown option --flavour/],
    [['generate', sample, '-n', 'bookinfo', '--prune', '/no/such/file'], /cannot read the prune file \/no\/such\/file \(ENOENT\)/],
    [['verify', sample], /needs --policies PATH/],
    [['generate', sample, '-n', 'bookinfo', '--flavor', 'calico'], /--flavor must be kubernetes, cilium, calico-staged, not "calico"/],
    [['generate', sample, '-n', 'bookinfo', '--cidr', '10.0.0.300/8'], /--cidr "10.0.0.300\/8" is not a CIDR/],
    [['verify', sample, '--policies', '/no/such/dir'], /cannot read \/no\/such\/dir \(ENOENT\)/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('lint from the command line', () => {
  it('generated policies lint clean (exit 0); a broken one exits 1 with the fix', async () => {
    const out = path.join(dir, 'lint');
    await cli('generate', sample, '-n', 'bookinfo', '-o', out);
    const ok = await cli('lint', out, '--capture', sample);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/4 policies, 0 error\(s\), 1 warning\(s\)/);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {pod-template-hash: abc}}\n  ingress: [{from: [{podSelector: {}}]}]\n',
    );
    const r = await cli('lint', bad);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error: shop\/web spec.podSelector: selects on "pod-template-hash".*\n {2}fix: Select on a stable label/);
  });

  it('a name or namespace that is not a Kubernetes name is an error (invalid-name), as a path would be', async () => {
    const bad = path.join(dir, 'names.yaml');
    writeFileSync(
      bad,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ../../../x, namespace: shop}\nspec: {podSelector: {}}\n---\n' +
        'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: ../etc}\nspec: {endpointSelector: {}}\n',
    );
    const r = await cli('lint', bad, '--json');
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out) as { code: string; policy: string; where: string; severity: string }[];
    expect(findings.filter((f) => f.code === 'invalid-name').map((f) => `${f.severity} ${f.policy} ${f.where}`)).toEqual([
      'error shop/../../../x metadata.name',
      'error ../etc/web metadata.namespace',
    ]);
  });
});

describe('diff from the command line', () => {
  it('prints the newly blocked flow first, in text, json and md', async () => {
    const a = path.join(dir, 'diff-a');
    const b = path.join(dir, 'diff-b');
    const pruneFile = path.join(dir, 'diff-prune.txt');
    writeFileSync(pruneFile, 'bookinfo/productpage->bookinfo/details:9080/TCP\n');
    await cli('generate', sample, '-n', 'bookinfo', '-o', a);
    await cli('generate', sample, '-n', 'bookinfo', '--prune', pruneFile, '-o', b);
    const text = await cli('diff', a, b, '--capture', sample);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^observed flows newly BLOCKED: 1\n {2}bookinfo\/productpage -> bookinfo\/details:9080\/TCP/);
    expect(text.out).toMatch(/policies: 0 added, 0 removed, 2 changed, 2 unchanged/);
    const json = JSON.parse((await cli('diff', a, b, '--capture', sample, '--format', 'json')).out) as { newlyBlocked: unknown[] };
    expect(json.newlyBlocked).toHaveLength(1);
    expect((await cli('diff', a, b, '--format', 'md')).out).toMatch(/^# Policy diff/);
    expect((await cli('diff', a, b, '--format', 'xml')).code).toBe(2);
  });
});

describe('bundle from the command line', () => {
  it('writes the bundle folder; the manifest hashes match; lint passes on its policies; no clobber without --force', async () => {
    const out = path.join(dir, 'bundle');
    const r = await cli('bundle', sample, '-n', 'bookinfo', '--default-deny', '-o', out);
    expect(r.code).toBe(0);
    const files = (readdirSync(out, { recursive: true }) as string[]).filter((f) => f.includes('.')).sort();
    expect(files).toEqual([
      'REPORT.md',
      'bundle.json',
      'capture-summary.json',
      'connectivity.csv',
      'kustomization.yaml',
      'policies/bookinfo/default-deny.yaml',
      'policies/bookinfo/details.yaml',
      'policies/bookinfo/productpage.yaml',
      'policies/bookinfo/ratings.yaml',
      'policies/bookinfo/reviews.yaml',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'bundle.json'), 'utf8')) as {
      files: { path: string; sha256: string }[];
      capture: { sha256: string };
    };
    const { createHash } = await import('node:crypto');
    for (const f of manifest.files)
      expect(
        createHash('sha256')
          .update(readFileSync(path.join(out, f.path)))
          .digest('hex'),
      ).toBe(f.sha256);
    expect(manifest.capture.sha256).toBe(createHash('sha256').update(readFileSync(sample)).digest('hex'));
    expect(readFileSync(path.join(out, 'REPORT.md'), 'utf8')).toMatch(
      /\| egress\[2\] \| productpage -> kube-system\/kube-dns:53\/UDP, 323 flows/,
    );
    expect(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')).toContain('  - policies/bookinfo/productpage.yaml');
    expect((await cli('lint', path.join(out, 'policies'), '--capture', sample)).code).toBe(0);

    const again = await cli('bundle', sample, '-n', 'bookinfo', '-o', out);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists; pass --force to replace it\n$/);
    expect((await cli('bundle', sample, '-n', 'bookinfo', '-o', out, '--force')).code).toBe(0);
    expect(readdirSync(path.join(out, 'policies/bookinfo'))).not.toContain('default-deny.yaml');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });

  it('--force replaces only a bundle it wrote: a folder holding anything else is refused (exit 2) and left as it was', async () => {
    const out = path.join(dir, 'mine');
    mkdirSync(path.join(out, 'policies'), { recursive: true });
    writeFileSync(path.join(out, 'policies', 'hand-written.yaml'), 'kind: NetworkPolicy\n');
    const r = await cli('bundle', sample, '-n', 'bookinfo', '-o', out, '--force');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `netpol-studio: ${out} was not replaced: it holds no bundle.json, so it is not a bundle netpol-studio wrote. ` +
        'Only a bundle netpol-studio wrote, holding nothing else, is replaced; choose a new folder, or move this one away.\n',
    );
    expect(readdirSync(out, { recursive: true })).toEqual(['policies', path.join('policies', 'hand-written.yaml')]);
  });

  it('writes a .zip with the same files, byte-identical on a second run', async () => {
    const a = path.join(dir, 'a.zip');
    const b = path.join(dir, 'b.zip');
    expect((await cli('bundle', sample, '-n', 'bookinfo', '-o', a)).code).toBe(0);
    expect((await cli('bundle', sample, '-n', 'bookinfo', '-o', b)).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const { unzipSync } = await import('fflate');
    expect(Object.keys(unzipSync(readFileSync(a))).sort()).toContain('policies/bookinfo/productpage.yaml');
  });
});

describe('connlist from the command line', () => {
  it('prints netpol-analyzer output for a folder of manifests', async () => {
    const input = path.join(ROOT, 'fixtures/netpol-analyzer/tests/onlineboutique');
    const r = await cli('connlist', input);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      readFileSync(path.join(ROOT, 'fixtures/netpol-analyzer/test_outputs/connlist/onlineboutique_connlist_output.txt'), 'utf8').trimEnd() +
        '\n',
    );
    const json = JSON.parse((await cli('connlist', input, '--format', 'json')).out) as { src: string }[];
    expect(json[0].src).toBe('0.0.0.0-255.255.255.255[External]');
    expect((await cli('connlist', input, '--format', 'dot')).code).toBe(2);
    expect((await cli('connlist', '/no/such/dir')).err).toMatch(/cannot read \/no\/such\/dir \(ENOENT\)/);
  });
});

describe('a capture that lost flows', () => {
  it('verify never passes on it (undecided, exit 3), and generate, verify and lint say what is missing on stderr', async () => {
    // The sample, gzipped and cut in half: what the rest held was never read.
    const whole = gzipSync(readFileSync(sample));
    const cut = path.join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = path.join(dir, 'cut-policies');
    const g = await cli('generate', cut, '-n', 'bookinfo', '--flavor', 'cilium', '-o', out);
    expect(g.code).toBe(0);
    expect(g.err).toMatch(/warning: .*cut\.jsonl\.gz: flows are missing \(damaged-gzip\)/);
    const v = await cli('verify', cut, '--policies', out);
    expect(v.err).toMatch(/flows are missing \(damaged-gzip\)/);
    // The cut-off last line is the damage itself: said once, not again as a bad line.
    expect(v.out).toMatch(/result: UNDECIDED: the capture lost data \(damaged-gzip\): flows it lost are not checked/);
    expect(v.code).toBe(3);
    const l = await cli('lint', out, '--capture', cut);
    expect(l.err).toMatch(/flows are missing \(damaged-gzip\)/);
    // The whole capture, with the same policies generated from it, passes.
    const whole2 = path.join(dir, 'whole-policies');
    expect((await cli('generate', sample, '-n', 'bookinfo', '--flavor', 'cilium', '-o', whole2)).code).toBe(0);
    expect((await cli('verify', sample, '--policies', whole2)).code).toBe(0);
  });
});
