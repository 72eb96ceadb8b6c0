// `netpol-studio soak` on the recorded rollouts: generate for staging, soak, add the rule, soak again.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fixture, ROOT } from '../shared/testing/fixtures';
import { applyPatch, type SoakReport } from '../shared/rollout/soak';
import { parsePolicies } from '../shared/policy/yaml';
import type { PolicyDocument } from '../shared/policy/documents';
import { runCaptured as cli } from './test-support';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-soak-'));
const sample = path.join(ROOT, 'resources/sample-capture.jsonl');
const audit = {
  flows: fixture('hubble/derived/audit-soak/flows.jsonl'),
  prune: fixture('hubble/derived/audit-soak/prune.txt'),
  map: ['--target-namespace', 'bookinfo=bookinfo-staging'],
};
const calico = {
  original: fixture('calico/derived/staged-soak/original.jsonl'),
  flows: fixture('calico/derived/staged-soak/soak.jsonl'),
  prune: fixture('calico/derived/staged-soak/prune.txt'),
  map: ['--target-namespace', 'policy-demo=policy-demo-staging'],
};

/** Generates the rolled-out policies into a new folder, as the README's loop does. */
async function rollout(name: string, ...argv: string[]): Promise<string> {
  const out = path.join(dir, name);
  const r = await cli('generate', ...argv, '-o', out);
  expect(r.code).toBe(0);
  return out;
}

/** The policies of a folder with every missing rule of a soak report added, written to a new folder. */
function withPatches(from: string, report: SoakReport, name: string): string {
  const file = (ns: string, n: string) => path.join(from, ns, `${n}.yaml`);
  const read = (p: string): PolicyDocument[] => {
    const parsed = parsePolicies(readFileSync(p, 'utf8'));
    return [...parsed.policies, ...parsed.staged, ...parsed.cilium];
  };
  let policies: readonly PolicyDocument[] = report.policies.flatMap((id) => {
    const [ns, n] = id.split(' ')[1].split('/');
    return read(file(ns, n));
  });
  for (const f of report.flows) if (f.class === 'missing-rule' && f.patch) policies = applyPatch(policies, f.patch);
  const out = path.join(dir, name);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'all.yaml'), policies.map((p) => stringify(p)).join('---\n'));
  return out;
}

describe('soak: a Cilium audit-mode rollout with a nightly job the policies miss', () => {
  const applied = ['--applied-at', '2021-11-10T12:00:00Z'];

  it('prints the window, each flow not forwarded with its class, the rule for the missing one, and exits 1', async () => {
    const policies = await rollout('audit', sample, '-n', 'bookinfo', '--prune', audit.prune, ...audit.map);
    const r = await cli(
      'soak',
      audit.flows,
      '--policies',
      policies,
      ...applied,
      '--prune',
      audit.prune,
      '--original',
      sample,
      ...audit.map,
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(r.out).toContain('rollout: 4 policies in bookinfo-staging (mapped bookinfo=bookinfo-staging)');
    expect(r.out).toContain(
      'window: 2021-11-10T12:00:30.000Z → 2021-11-11T12:00:33.941Z; 24 h 0 min covered since the apply, reaching back to it',
    );
    expect(r.out).toContain(
      [
        '  MISSING RULE bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP (2 AUDIT, 2021-11-11 02:00–02:03 UTC)',
        '    bookinfo-staging/ratings-export -> bookinfo-staging/ratings:9080/TCP is blocked: egress not restricted; ingress denied: selected by bookinfo-staging/ratings, and no rule allows TCP 9080 from bookinfo-staging/ratings-export.',
        '    add to NetworkPolicy bookinfo-staging/ratings:',
        '      ingress:',
        '        # observed: ratings-export -> ratings:9080/TCP, 18 flows, 2021-11-11 02:00–02:03 UTC',
        '        - from:',
      ].join('\n'),
    );
    // The reason is the prune file's comment on that line.
    expect(r.out).toMatch(
      /EXPECTED \(pruned\) entity:remote-node->bookinfo-staging\/ratings:9080\/TCP \(9 AUDIT, .*\)\n {4}Its edge was pruned before generating \(pruned by hand: traffic from other nodes, not needed in staging\)/,
    );
    expect(r.out).toMatch(
      /DENIED BY ANOTHER POLICY bookinfo-staging\/details->ip:93.184.216.34:443\/TCP \(1 AUDIT, .*\)\n {4}Denied by block-public-egress/,
    );
    expect(r.out).toMatch(
      /\nresult: MISSING RULES: 1 missing rule: the rolled-out policies deny a flow nobody pruned\nreport sha256: [0-9a-f]{64} /,
    );
  });

  it('with the rule added, the soak is clean for the cycle (exit 0); a longer cycle or a later buffer is too short (exit 1)', async () => {
    const policies = await rollout('audit-2', sample, '-n', 'bookinfo', '--prune', audit.prune, ...audit.map);
    const args = [audit.flows, ...applied, '--prune', audit.prune, ...audit.map];
    const first = await cli('soak', ...args, '--policies', policies, '--json');
    expect(first.code).toBe(1);
    const report = JSON.parse(first.out) as SoakReport;
    expect(report.verdict.status).toBe('missing-rules');
    const fixed = withPatches(policies, report, 'audit-fixed');

    const clean = await cli('soak', ...args, '--policies', fixed);
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/\nresult: CLEAN: clean for the 24 h 0 min cycle: 24 h 0 min covered since the apply;/);

    const longer = await cli('soak', ...args, '--policies', fixed, '--cycle', '36h');
    expect(longer.code).toBe(1);
    expect(longer.out).toContain(
      'result: WINDOW TOO SHORT: window too short: the flows cover 24 h 0 min since the apply, less than the 36 h 0 min cycle',
    );

    const later = [audit.flows, '--applied-at', '2021-11-10T06:00:00Z', '--prune', audit.prune, ...audit.map];
    const earlier = await cli('soak', ...later, '--policies', fixed);
    expect(earlier.code).toBe(1);
    expect(earlier.out).toContain('NOT reaching back to it');
    expect(earlier.out).toContain(
      "6 h 0 min after the apply at 2021-11-10T06:00:00.000Z: what came before was not read (Hubble's buffer did not reach back)",
    );
  });
});

describe('soak: a Calico staged rollout', () => {
  it('finds the missing rule in the pending denies, and that the window misses the nightly hours of the original', async () => {
    const generated = ['-n', 'policy-demo', '--flavor', 'calico-staged', '--prune', calico.prune, ...calico.map];
    const policies = await rollout('staged', calico.original, ...generated);
    // The same instant as 08:00Z, in another zone.
    const soak = (applied: string) => [
      calico.flows,
      '--applied-at',
      applied,
      '--cycle',
      '8h',
      '--prune',
      calico.prune,
      '--original',
      calico.original,
      ...calico.map,
    ];
    const r = await cli('soak', ...soak('2020-08-12T10:00:00+02:00'), '--policies', policies, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as SoakReport;
    expect(report.window.appliedAt).toBe(Date.parse('2020-08-12T08:00:00Z'));
    expect(report.flows.map((f) => [f.class, f.edge])).toEqual([
      ['missing-rule', 'policy-demo-staging/access->policy-demo-staging/nginx:443/TCP'],
      ['denied-by-other', 'policy-demo-staging/access->ip:203.0.113.10:443/TCP'],
      ['expected', 'policy-demo-staging/access->policy-demo-staging/nginx:9090/TCP'],
    ]);
    expect(report.flows[0].patch!.rules.map((x) => x.kind)).toEqual(['StagedKubernetesNetworkPolicy', 'StagedKubernetesNetworkPolicy']);
    expect(report.flows[2].pruned?.reason).toBe('debug port, opened only in development');
    expect(report.window.batch.map((b) => [b.seen, b.covered])).toEqual([['2020-08-11 02:00–02:05 UTC', false]]);

    const fixed = withPatches(policies, report, 'staged-fixed');
    const again = await cli('soak', ...soak('2020-08-12T08:00:00Z'), '--policies', fixed);
    expect(again.code).toBe(1);
    expect(again.out).toContain('batch traffic of the original capture: 2020-08-11 02:00–02:05 UTC: NOT covered');
    expect(again.out).toMatch(
      /\nresult: WINDOW TOO SHORT: window too short: the original capture saw batch traffic at 2020-08-11 02:00–02:05 UTC/,
    );
  });
});

describe('soak: input it cannot use exits 2 with one line', () => {
  const valid = path.join(dir, 'valid.yaml');
  writeFileSync(
    valid,
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: bookinfo-staging}\nspec: {podSelector: {}}\n',
  );
  const base = [audit.flows, '--policies', valid];
  it.each([
    [
      [...base, '--applied-at', 'yesterday'],
      'netpol-studio: --applied-at: "yesterday" is not a time with its zone (RFC 3339, for example 2026-11-01T12:00:00Z or 2026-11-01T13:00:00+01:00)\n',
    ],
    [[...base, '--applied-at', '2021-11-10T12:00:00'], /^netpol-studio: --applied-at: "2021-11-10T12:00:00" is not a time with its zone/],
    [
      [...base, '--applied-at', '2021-11-10T12:00:00Z', '--cycle', 'a day'],
      /^netpol-studio: --cycle: "a day" is not a duration such as 24h/,
    ],
    [
      [...base, '--applied-at', '2021-11-10T12:00:00Z', '--target-namespace', 'bookinfo'],
      /^netpol-studio: --target-namespace: "bookinfo" is not FROM=TO/,
    ],
    [
      ['/no/such/capture.jsonl', '--policies', valid, '--applied-at', '2021-11-10T12:00:00Z'],
      /^netpol-studio: .*\/no\/such\/capture\.jsonl/,
    ],
    [
      [audit.flows, '--policies', fixture('hubble/derived/audit-soak'), '--applied-at', '2021-11-10T12:00:00Z'],
      /^netpol-studio: no NetworkPolicy, StagedKubernetesNetworkPolicy or CiliumNetworkPolicy found in .*audit-soak: give the policies rolled out\n$/,
    ],
    [
      [audit.flows, '--policies', '/no/such/dir', '--applied-at', '2021-11-10T12:00:00Z'],
      'netpol-studio: cannot read /no/such/dir (ENOENT)\n',
    ],
    [
      [...base, '--applied-at', '2021-11-10T12:00:00Z', '--prune', '/no/such/prune.txt'],
      /^netpol-studio: cannot read the prune file \/no\/such\/prune.txt \(ENOENT\)\n$/,
    ],
  ])('%j', async (argv, message) => {
    const r = await cli('soak', ...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    if (typeof message === 'string') expect(r.err).toBe(message);
    else expect(r.err).toMatch(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing --policies or --applied-at is a usage error', async () => {
    const r = await cli('soak', audit.flows, '--policies', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^netpol-studio: soak needs --applied-at TIME .*\n\nUsage:\n {2}netpol-studio soak /);
    expect((await cli('soak', audit.flows, '--applied-at', '2021-11-10T12:00:00Z')).err).toMatch(/soak needs --policies PATH/);
  });
});
