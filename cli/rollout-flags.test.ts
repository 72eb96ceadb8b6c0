// The flags of the rollout loop on generate and bundle: Calico's staged flavor through the README's
// generate → verify → lint → diff sequence, and target namespaces.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, ROOT } from '../shared/testing/fixtures';
import { parsePolicies } from '../shared/policy/yaml';
import { runCaptured as cli } from './test-support';

const sample = path.join(ROOT, 'resources/sample-capture.jsonl');
const dir = mkdtempSync(path.join(tmpdir(), 'netpol-rollout-flags-'));

describe('--flavor calico-staged', () => {
  it('generate → verify → lint → diff work on StagedKubernetesNetworkPolicies as on the NetworkPolicies they become', async () => {
    const staged = path.join(dir, 'staged');
    const plain = path.join(dir, 'plain');
    expect((await cli('generate', sample, '-n', 'bookinfo', '--flavor', 'calico-staged', '-o', staged)).code).toBe(0);
    expect((await cli('generate', sample, '-n', 'bookinfo', '-o', plain)).code).toBe(0);
    const file = readFileSync(path.join(staged, 'bookinfo', 'details.yaml'), 'utf8');
    expect(file).toMatch(
      /^# bookinfo\/details: least privilege for bookinfo\/details.*\n\napiVersion: projectcalico.org\/v3\nkind: StagedKubernetesNetworkPolicy\n/,
    );
    expect(parsePolicies(file).staged).toHaveLength(1);

    const v = await cli('verify', sample, '--policies', staged);
    const vPlain = await cli('verify', sample, '--policies', plain);
    // The node and the other nodes reach three workloads no NetworkPolicy can name: the same failure in both flavors.
    expect(v.code).toBe(1);
    expect(v.out).toBe(vPlain.out);
    expect(v.out).toMatch(/kept edges allowed: 8 of 9/);

    const l = await cli('lint', staged, '--capture', sample);
    expect(l.code).toBe(0);
    expect(l.out).toMatch(/4 policies, 0 error\(s\), 1 warning\(s\)/);

    const d = await cli('diff', plain, staged, '--capture', sample);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/observed flows newly BLOCKED: 0\nobserved flows newly allowed: 0\nunobserved connections opened: 0/);
    expect(d.out).toMatch(/policies: 4 added, 4 removed, 0 changed, 0 unchanged/);
    expect(d.out).toContain('--- added: bookinfo/details (StagedKubernetesNetworkPolicy)');
  });
});

describe('--target-namespace FROM=TO', () => {
  it('generate writes the policies of FROM for TO, namespace selectors included, and leaves other namespaces as they are', async () => {
    const r = await cli('generate', sample, '-n', 'bookinfo', '--target-namespace', 'bookinfo=bookinfo-staging', '--flavor', 'cilium');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/namespace: bookinfo$/m);
    expect(r.out).toMatch(/namespace: bookinfo-staging$/m);
    expect(r.out).toContain('k8s:io.kubernetes.pod.namespace: bookinfo-staging');
    expect(r.out).toContain('k8s:io.kubernetes.pod.namespace: kube-system');
    const out = path.join(dir, 'mapped');
    expect((await cli('generate', sample, '-n', 'bookinfo', '--target-namespace', 'bookinfo=bookinfo-staging', '-o', out)).code).toBe(0);
    expect(readdirSync(out)).toEqual(['bookinfo-staging']);
  });

  it.each([
    [['bookinfo'], '"bookinfo" is not FROM=TO (for example payments=payments-staging)'],
    [['bookinfo=Staging'], '"Staging" in "bookinfo=Staging" is not a namespace name'],
    [['bookinfo=a', 'bookinfo=b'], 'bookinfo is mapped twice (to a and to b)'],
  ])('a pair that cannot be used (%j) exits 2 with one line', async (pairs, message) => {
    for (const command of ['generate', 'bundle']) {
      const r = await cli(command, sample, '-n', 'bookinfo', ...pairs.flatMap((p) => ['--target-namespace', p]), '-o', path.join(dir, 'x'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^netpol-studio: --target-namespace: ${message.replace(/[()]/g, '\\$&')}[^\n]*\n$`));
    }
  });

  it('refuses a map that would write two policies as one (exit 2), before writing anything', async () => {
    // Calico's policy-demo twice: as itself, and as namespace "copy" with the same workloads.
    const text = readFileSync(fixture('calico/derived/staged-soak/original.jsonl'), 'utf8');
    const both = path.join(dir, 'two-namespaces.jsonl');
    writeFileSync(both, text + text.replaceAll('"policy-demo"', '"copy"'));
    const out = path.join(dir, 'collide');
    expect((await cli('generate', both, '-n', 'policy-demo,copy', '-o', '-')).out).toContain('name: access\n  namespace: copy');
    const r = await cli('generate', both, '-n', 'policy-demo,copy', '--target-namespace', 'policy-demo=copy', '-o', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^netpol-studio: --target-namespace would write two policies as copy\/access: map onto a namespace that is not also in scope \(--namespace\)\n$/,
    );
    expect(() => readdirSync(out)).toThrow();
  });

  it('bundle writes the mapped, staged policies and records the map; coverage is judged on the captured namespace', async () => {
    const out = path.join(dir, 'bundle');
    const r = await cli(
      'bundle',
      sample,
      '-n',
      'bookinfo',
      '--flavor',
      'calico-staged',
      '--target-namespace',
      'bookinfo=bookinfo-staging',
      '-o',
      out,
    );
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(out, 'policies'))).toEqual(['bookinfo-staging']);
    const policy = parsePolicies(readFileSync(path.join(out, 'policies/bookinfo-staging/reviews.yaml'), 'utf8'));
    expect(policy.staged.map((p) => p.metadata.namespace)).toEqual(['bookinfo-staging']);
    const report = readFileSync(path.join(out, 'REPORT.md'), 'utf8');
    expect(report).toMatch(/^# StagedKubernetesNetworkPolicy bundle report/);
    expect(report).toContain('- Target namespaces: bookinfo=bookinfo-staging (the policies are written for the targets;');
    expect(report).toContain('### `bookinfo-staging/reviews`');
    // The coverage of the set as generated for bookinfo, the captured namespace: the same as without the map.
    expect(report).toContain('**Fail:** 1 kept edge blocked');
    const manifest = JSON.parse(readFileSync(path.join(out, 'bundle.json'), 'utf8')) as { flavor: string; namespaceMap: unknown };
    expect(manifest.flavor).toBe('calico-staged');
    expect(manifest.namespaceMap).toEqual({ bookinfo: 'bookinfo-staging' });
    expect(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8')).toContain('  - policies/bookinfo-staging/reviews.yaml');
  });
});
