import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PromotionRequest, RolloutRecord, RolloutRequest, RolloutSoak } from '../../shared/api/contract';
import { soakReportHash, soakVerdict, type SoakAnalysis, type SoakFlow } from '../../shared/rollout/soak';
import { analyzeText } from '../../shared/graph/analysis';
import { initialSelection } from '../../shared/graph/selection';
import { generate } from '../../shared/policy/generate';
import { policyYaml } from '../../shared/policy/yaml';
import { fixture, ROOT } from '../../shared/testing/fixtures';
import { standinEnv } from '../../shared/testing/standins';
import { KubectlService, type ConfirmRequest } from './kubectl-service';
import { ProcessRunner } from './process-runner';
import { RolloutService } from './rollout-service';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const yamls = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'] }).policies.map((g) => policyYaml(g));
const staged = yamls.map((t) =>
  t
    .replace('apiVersion: networking.k8s.io/v1', 'apiVersion: projectcalico.org/v3')
    .replace('kind: NetworkPolicy', 'kind: StagedKubernetesNetworkPolicy'),
);

const toStaging: RolloutRequest = {
  context: 'kind-staging',
  namespace: 'bookinfo-staging',
  namespaceMap: ['bookinfo=bookinfo-staging'],
  flavor: 'kubernetes',
  mode: 'enforce',
  policies: yamls,
};
const DAY = 86_400_000;
const nightly: SoakFlow = {
  edge: 'bookinfo-staging/nightly->bookinfo-staging/ratings:9080/TCP',
  class: 'missing-rule',
  counts: { dropped: 0, audit: 2, pendingDeny: 0 },
  firstSeen: DAY / 12,
  lastSeen: DAY / 12,
  rollout: 'blocked',
  explanation: 'The rolled-out policies deny it.',
  patch: { rules: [] },
};

/**
 * A soak as main stores it, over a whole day since the apply, with these flows: its verdict is
 * soakVerdict's and its hash soakReportHash's, as soakReport makes them (the flows are this test's
 * own, so that each verdict is one line here).
 */
async function storedSoak(flows: readonly SoakFlow[]): Promise<RolloutSoak> {
  const window = {
    appliedAt: 0,
    cycleMs: DAY,
    first: 0,
    last: DAY,
    reachesApply: true,
    coveredMs: DAY,
    startsBeforeApply: false,
    batch: [],
    shortfalls: [],
  };
  const analysis: Omit<SoakAnalysis, 'verdict'> = {
    window,
    policies: [],
    scope: ['bookinfo-staging'],
    namespaceMap: [],
    flows,
    beforeApply: 0,
    dataLoss: [],
  };
  const body = { ...analysis, verdict: soakVerdict(analysis), policiesSha256: 'a'.repeat(64) };
  return { report: { ...body, sha256: await soakReportHash(body) }, checkedAt: '2026-11-28T12:00:00.000Z', source: 'test', liveDrops: 0 };
}
const dirty = () => storedSoak([nightly]);
const clean = () => storedSoak([]);

/** The services over the stand-in kubectl; `answers` are the user's, one per native confirmation. */
function setup(answers: boolean[] = [], extra: Record<string, string> = {}, dir = mkdtempSync(path.join(tmpdir(), 'netpol-rollouts-'))) {
  const s = standinEnv({ NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'), ...extra });
  const asked: ConfirmRequest[] = [];
  const told: (readonly RolloutRecord[])[] = [];
  let n = 0;
  const kubectl = new KubectlService({
    runner: new ProcessRunner({ binaryPaths: () => ({}), env: s.env, searchPath: () => Promise.resolve(s.env.PATH ?? '') }),
    confirm: (r) => (asked.push(r), Promise.resolve(answers.shift() ?? false)),
    productionPatterns: () => ['prod', 'production', 'live'],
    stagingDir: path.join(dir, 'staging'),
    auditLog: path.join(dir, 'audit.log'),
    now: () => new Date('2026-11-27T12:00:00Z'),
  });
  const rollouts = new RolloutService({ kubectl, changed: (r) => told.push(r), newId: () => (++n).toString(16).padStart(16, '0') });
  return { ...s, kubectl, rollouts, asked, told, dir };
}

const promotion = (from: string, more: Partial<PromotionRequest> = {}): PromotionRequest => ({
  from,
  context: 'prod-eu',
  namespace: 'bookinfo',
  namespaceMap: [],
  policies: yamls,
  ...more,
});

describe('a rollout (stand-in kubectl)', () => {
  it('is a record: context, source and target namespaces, map, hashes, flavor, mode, time, and what was created', async () => {
    const { rollouts, told, calls, asked } = setup([true]);
    const r = await rollouts.apply(toStaging);
    expect(r).toMatchObject({
      id: '0000000000000001',
      stage: 'staging',
      context: 'kind-staging',
      sourceNamespaces: ['bookinfo'],
      targetNamespace: 'bookinfo-staging',
      namespaceMap: ['bookinfo=bookinfo-staging'],
      flavor: 'kubernetes',
      mode: 'enforce',
      appliedAt: '2026-11-27T12:00:00.000Z',
      exitCode: 0,
    });
    expect(r.policies.map((p) => p.name)).toEqual(['details', 'productpage', 'ratings', 'reviews']);
    for (const p of r.policies) expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.objects.every((o) => o.operation === 'created')).toBe(true);
    expect(rollouts.list()).toEqual([r]);
    expect(told.at(-1)).toEqual([r]);
    expect(calls()[0].args.slice(0, 4)).toEqual(['--context=kind-staging', 'apply', '-n', 'bookinfo-staging']);
    expect(asked[0].detail).toContain('Namespace map: bookinfo=bookinfo-staging');
  });

  it('a partial apply is recorded with exactly what kubectl created; rollback deletes exactly those', async () => {
    const { rollouts, kubectl, calls, asked } = setup([true, true], {
      NETPOL_STANDIN_FORBIDDEN: 'ratings',
      NETPOL_STANDIN_EXISTING: 'productpage',
    });
    await expect(rollouts.apply(toStaging)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(
        /^kubectl failed after applying 3 of 4 \(created: details, reviews\)\. The rollout is recorded/,
      ) as unknown,
    });
    const [record] = rollouts.list();
    expect(record.exitCode).toBe(1);
    expect(record.objects.map((o) => `${o.name} ${o.operation}`)).toEqual(['details created', 'productpage configured', 'reviews created']);

    // A set applied in part never goes to production: its soak says nothing of the rest.
    await expect(rollouts.promote(promotion(record.id))).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/was applied only in part/) as unknown,
    });

    const back = await rollouts.rollback(record.id);
    // Not productpage (it was there before), not ratings (never created): only what this apply created.
    expect(calls().at(-1)?.args).toEqual([
      '--context=kind-staging',
      'delete',
      '-n',
      'bookinfo-staging',
      '--ignore-not-found=true',
      'networkpolicy.networking.k8s.io/details',
      'networkpolicy.networking.k8s.io/reviews',
    ]);
    expect(asked[1]).toMatchObject({ title: 'Roll back (delete) NetworkPolicies' });
    expect(asked[1].detail).toMatch(
      /Objects:\n {2}networkpolicy.networking.k8s.io\/details\n {2}networkpolicy.networking.k8s.io\/reviews$/,
    );
    expect(back.rollback).toEqual({
      at: '2026-11-27T12:00:00.000Z',
      exitCode: 0,
      deleted: [
        { resource: 'networkpolicy.networking.k8s.io', name: 'details' },
        { resource: 'networkpolicy.networking.k8s.io', name: 'reviews' },
      ],
    });
    expect((await kubectl.auditEntries()).map((e) => `${e.action} ${e.exitCode} ${e.rollout?.id}`)).toEqual([
      'apply 1 0000000000000001',
      'delete 0 0000000000000001',
    ]);
    // Once rolled back there is nothing of it left to delete.
    await expect(rollouts.rollback(record.id)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^Nothing this rollout created is left/) as unknown,
    });
  });

  it('an apply that created nothing is no rollout: refused, not recorded, but audited', async () => {
    const { rollouts, kubectl } = setup([true], { NETPOL_STANDIN_FORBIDDEN: 'details,productpage,ratings,reviews' });
    await expect(rollouts.apply(toStaging)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/applied nothing/) as unknown,
    });
    expect(rollouts.list()).toEqual([]);
    expect((await kubectl.auditEntries()).map((e) => e.exitCode)).toEqual([1]);
  });

  it('two policies with one name are refused before anything runs or is asked', async () => {
    const { rollouts, calls, asked } = setup([true]);
    await expect(rollouts.apply({ ...toStaging, policies: [yamls[0], yamls[0]] })).rejects.toThrow(/Two policies are named details/);
    expect(calls()).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('a staged Calico rollout is applied like any other, in audit mode only', async () => {
    const { rollouts, calls } = setup([true, true]);
    await expect(rollouts.apply({ ...toStaging, flavor: 'calico-staged', policies: staged })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/never enforced/) as unknown,
    });
    const r = await rollouts.apply({ ...toStaging, flavor: 'calico-staged', mode: 'audit', policies: staged });
    expect(r.objects.map((o) => o.resource)).toEqual(Array(4).fill('stagedkubernetesnetworkpolicy.projectcalico.org'));
    await rollouts.rollback(r.id);
    expect(calls().at(-1)?.args.at(-1)).toBe('stagedkubernetesnetworkpolicy.projectcalico.org/reviews');
  });

  it('a record a workspace brought, that this app never applied, deletes nothing', async () => {
    const { rollouts, calls, asked } = setup([true]);
    const forged: RolloutRecord = {
      id: '00000000000000ff',
      stage: 'staging',
      context: 'kind-staging',
      sourceNamespaces: ['bookinfo'],
      targetNamespace: 'kube-system',
      namespaceMap: [],
      flavor: 'kubernetes',
      mode: 'enforce',
      policies: [],
      appliedAt: '2026-11-27T12:00:00.000Z',
      exitCode: 0,
      objects: [{ resource: 'networkpolicy.networking.k8s.io', name: 'allow-all', operation: 'created' }],
    };
    rollouts.adopt([forged]);
    await expect(rollouts.rollback(forged.id)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/not in this app's audit log/) as unknown,
    });
    expect(calls()).toEqual([]);
    expect(asked).toEqual([]);
  });
});

describe('promotion (stand-in kubectl)', () => {
  /** A staging rollout with this soak stored, as main's soak check stores it. */
  async function soaked(rollouts: RolloutService, soak?: RolloutSoak, request: RolloutRequest = toStaging): Promise<RolloutRecord> {
    const staging = await rollouts.apply(request);
    return soak ? rollouts.recordSoak(staging.id, { soak }) : staging;
  }

  it('is blocked when the stored soak is not clean, or there is none, and no namespace name was typed: nothing asked, nothing run', async () => {
    const { rollouts, calls, asked } = setup([true, true]);
    const none = await soaked(rollouts);
    await expect(rollouts.promote(promotion(none.id))).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^No soak report says staging was clean/) as unknown,
    });
    const staging = await soaked(rollouts, await dirty());
    await expect(rollouts.promote(promotion(staging.id))).rejects.toMatchObject({
      code: 'refused',
      message:
        "The soak is not clean (1 missing rule: the rolled-out policies deny a flow nobody pruned): nothing was promoted. To promote anyway, type the production namespace's name (bookinfo); the override is written to the audit log.",
    });
    await expect(rollouts.promote(promotion(staging.id, { override: 'bookinfo-staging' }))).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/"bookinfo-staging" is not bookinfo/) as unknown,
    });
    expect(calls()).toHaveLength(2);
    expect(asked).toHaveLength(2);
  });

  it('a stored report changed outside the app (its hash no longer matches) is refused, not believed', async () => {
    const { rollouts, calls } = setup([true]);
    const soak = await dirty();
    const forged = { ...soak, report: { ...soak.report, verdict: { status: 'clean' as const, headline: 'clean', exitCode: 0 as const } } };
    const staging = await soaked(rollouts, forged);
    await expect(rollouts.promote(promotion(staging.id))).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/does not match its sha256: the workspace was changed outside the app\. Check soak again/) as unknown,
    });
    expect(calls()).toHaveLength(1);
  });

  it("an override: the typed name and the stored report's hash are in the audit entry; always asked twice", async () => {
    const { rollouts, kubectl, calls, asked } = setup([true, true, true]);
    const soak = await dirty();
    const staging = await soaked(rollouts, soak);
    const summary = { verdict: 'missing-rules', hash: soak.report.sha256, headline: soak.report.verdict.headline };
    const prod = await rollouts.promote(promotion(staging.id, { override: 'bookinfo' }));
    expect(prod).toMatchObject({
      stage: 'production',
      context: 'prod-eu',
      targetNamespace: 'bookinfo',
      namespaceMap: [],
      mode: 'enforce',
      promotion: { from: staging.id, soak: summary, override: true },
    });
    expect(calls().at(-1)?.args.slice(0, 4)).toEqual(['--context=prod-eu', 'apply', '-n', 'bookinfo']);
    expect(asked.slice(1).map((a) => a.title)).toEqual(['Promote NetworkPolicies', 'This looks like production']);
    expect(asked[1].detail).toContain(
      `Soak: missing-rules, ${summary.headline} (report sha256 ${soak.report.sha256}, checked 2026-11-28T12:00:00.000Z)`,
    );
    expect(asked[1].detail).toContain('Override: the soak is not clean; "bookinfo" was typed to promote anyway');
    const entry = (await kubectl.auditEntries()).at(-1)!;
    expect(entry).toMatchObject({
      action: 'apply',
      context: 'prod-eu',
      namespace: 'bookinfo',
      rollout: { stage: 'production', promotion: { from: staging.id, soak: summary, override: { typed: 'bookinfo' } } },
    });
    // The same policies that soaked: the production files are staging's, mapped back.
    expect(entry.files.map((f) => f.name)).toEqual(staging.policies.map((p) => `${p.name}.yaml`));
  });

  it('a clean soak needs no override, and still the double confirmation (also where no name looks like production)', async () => {
    const { rollouts, kubectl, asked } = setup([true, true, true]);
    const soak = await clean();
    const staging = await soaked(rollouts, soak);
    const prod = await rollouts.promote(
      promotion(staging.id, { context: 'kind-staging', namespace: 'shop', namespaceMap: ['bookinfo=shop'] }),
    );
    expect(prod.promotion).toMatchObject({ override: false, soak: { verdict: 'clean', hash: soak.report.sha256 } });
    expect(asked.slice(1).map((a) => a.title)).toEqual(['Promote NetworkPolicies', 'This is production']);
    expect((await kubectl.auditEntries()).at(-1)?.rollout?.promotion?.override).toBeUndefined();
  });

  it('refuses policies that are not the ones that soaked', async () => {
    const { rollouts, calls } = setup([true, true, true]);
    const staging = await soaked(rollouts, await clean());
    const changed = [...yamls.slice(0, 3), yamls[3].replace('port: 9080', 'port: 9081')];
    await expect(rollouts.promote(promotion(staging.id, { policies: changed }))).rejects.toMatchObject({
      code: 'refused',
      message: 'These are not the policies that soaked in staging (reviews.yaml changed since): roll the new set out to staging first.',
    });
    expect(calls()).toHaveLength(1);
  });

  it('rolls back like staging, asked twice', async () => {
    const { rollouts, asked, calls } = setup([true, true, true, true, true]);
    const staging = await soaked(rollouts, await clean());
    const prod = await rollouts.promote(promotion(staging.id));
    const back = await rollouts.rollback(prod.id);
    expect(back.rollback?.deleted).toHaveLength(4);
    expect(asked.slice(3).map((a) => a.title)).toEqual(['Roll back (delete) NetworkPolicies', 'This looks like production']);
    expect(calls().at(-1)?.args.slice(0, 4)).toEqual(['--context=prod-eu', 'delete', '-n', 'bookinfo']);
    // The staging rollout is untouched.
    expect(rollouts.list().find((r) => r.id === staging.id)?.rollback).toBeUndefined();
  });

  it('staged Calico policies are promoted as the NetworkPolicies they preview, enforced', async () => {
    const { rollouts } = setup([true, true, true]);
    const staging = await soaked(rollouts, await clean(), { ...toStaging, flavor: 'calico-staged', mode: 'audit', policies: staged });
    const prod = await rollouts.promote(promotion(staging.id, { policies: staged }));
    expect(prod).toMatchObject({ flavor: 'kubernetes', mode: 'enforce' });
    expect(prod.objects.map((o) => o.resource)).toEqual(Array(4).fill('networkpolicy.networking.k8s.io'));
  });
});
