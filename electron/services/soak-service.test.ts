// The soak in the app, through the app API, with the stand-in hubble replaying the recorded
// audit-mode day (fixtures/hubble/derived/audit-soak) and the stand-in kubectl: the soak finds the
// nightly job the policies miss, "Allow" adds its rule, a second rollout soaks clean and is promoted
// without an override; a restart reads the soak again; drops only the live watch saw are folded in.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result, RolloutRecord, RolloutRequest, SavedWorkspace, WorkspacePayload } from '../../shared/api/contract';
import { analyzeText } from '../../shared/graph/analysis';
import { initialSelection, prune, serializeSelection, type Selection } from '../../shared/graph/selection';
import { generate } from '../../shared/policy/generate';
import { stagedSet } from '../../shared/policy/staged';
import { parsePolicies, policyYaml } from '../../shared/policy/yaml';
import { parseNamespaceMap } from '../../shared/rollout/namespace-map';
import { withPatchInSource } from '../../shared/rollout/patch-source';
import { soakReport } from '../../shared/rollout/soak';
import { fixture, ROOT } from '../../shared/testing/fixtures';
import { standinEnv } from '../../shared/testing/standins';
import { composeBrowserServices } from '../browser/services';
import type { Encryptor } from './secrets';

const encryptor: Encryptor = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(t, 'utf8'),
  decryptString: (b) => b.toString('utf8'),
};

const SOAK_DAY = fixture('hubble/derived/audit-soak/flows.jsonl');
/** When the policies were applied in the recorded scene (fixtures/SOURCES.md): the flows start 30 s later. */
const APPLIED = new Date('2021-11-10T12:00:00Z');
const MAP = ['bookinfo=bookinfo-staging'];

const sample = analyzeText(readFileSync(path.join(ROOT, 'resources/sample-capture.jsonl'), 'utf8'), 'sample').graph;

/** The selection the policies were generated with: the sample's, with the fixture's prune.txt lines pruned by hand, with their reasons. */
const selection: Selection = readFileSync(fixture('hubble/derived/audit-soak/prune.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .reduce((sel, line) => {
    const [edge, reason] = line.split(/\s+#\s+/);
    return prune(sel, [edge.trim()], reason);
  }, initialSelection(sample));
const policies = generate(sample, selection, { namespaces: ['bookinfo'] }).policies.map((g) => policyYaml(g));

const payload: WorkspacePayload = {
  selection: serializeSelection(selection),
  options: { namespaces: ['bookinfo'], defaultDeny: false, portRanges: false, flavor: 'kubernetes' },
  notes: '',
};

/**
 * The services over the stand-ins, as the browser host composes them; `capture` is what hubble
 * replays, `chooseFile` the file the user picks (a capture, or a flow log to soak from).
 */
function services(o: { capture?: string; dataDir?: string; now?: () => Date; chooseFile?: () => string | undefined } = {}) {
  const s = standinEnv({ NETPOL_STANDIN_CAPTURE: o.capture ?? SOAK_DAY, NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin') });
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'netpol-soak-app-'));
  const composed = composeBrowserServices({
    root: ROOT,
    dataDir,
    encryptor,
    env: s.env,
    searchPath: s.env.PATH,
    confirm: () => Promise.resolve(true),
    now: o.now ?? (() => APPLIED),
    ...(o.chooseFile ? { chooseFile: o.chooseFile } : {}),
  });
  const hubble = () => s.calls().filter((c) => c.tool === 'hubble');
  let drops = 0;
  composed.events.subscribe((event) => void (event === 'drop' && drops++));
  return { ...composed, ...s, hubble, dataDir, drops: () => drops };
}

const ok = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};

const toStaging = (texts: readonly string[]): RolloutRequest => ({
  context: 'kind-staging',
  namespace: 'bookinfo-staging',
  namespaceMap: MAP,
  flavor: 'kubernetes',
  mode: 'audit',
  policies: [...texts],
});

const classes = (r: RolloutRecord) => r.soak?.report.flows.map((f) => `${f.class} ${f.edge}`);

describe('the soak in the app (stand-in hubble replaying a Cilium audit-mode day)', () => {
  it('finds the nightly job the policies miss; Allow adds its rule; the next rollout soaks clean and is promoted without an override', async () => {
    const { api, hubble, calls } = services();
    ok(await api.loadSample());
    const first = ok(await api.applyRollout(toStaging(policies)));
    expect(first.appliedAt).toBe(APPLIED.toISOString());
    const soaked = ok(await api.checkSoak(first.id, { selection: payload.selection }));

    // One read of the target namespace since the apply, as an argument array, in jsonpb.
    expect(hubble().map((c) => c.args)).toEqual([
      ['observe', '--namespace', 'bookinfo-staging', '--output', 'jsonpb', '--since', '2021-11-10T12:00:00.000Z'],
    ]);
    const soak = soaked.soak!;
    expect(soak.source).toBe('hubble observe --namespace bookinfo-staging --output jsonpb --since 2021-11-10T12:00:00.000Z');
    expect(soak.report.verdict.status).toBe('missing-rules');
    expect(soak.report.window).toMatchObject({ reachesApply: true, coveredMs: 86_400_000 + 3_941 });
    expect(classes(soaked)).toEqual([
      'missing-rule bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP',
      'denied-by-other bookinfo-staging/details->ip:93.184.216.34:443/TCP',
      'expected entity:remote-node->bookinfo-staging/ratings:9080/TCP',
    ]);
    expect(soak.report.flows[2].pruned?.reason).toBe('traffic from other nodes, not needed in staging');
    // The record keeps the report; the promotion reads it there: blocked without the typed name.
    expect(ok(await api.listRollouts())[0].soak?.report.sha256).toBe(soak.report.sha256);
    const promotion = { from: first.id, context: 'prod-eu', namespace: 'bookinfo', namespaceMap: [], policies };
    await expect(api.promoteRollout(promotion)).resolves.toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringMatching(/^The soak is not clean \(1 missing rule/) as unknown },
    });

    // "Allow": the missing rule added to the source policies, rolled out again.
    const patch = soak.report.flows[0].patch!;
    const allowed = withPatchInSource(policies, 'bookinfo', parseNamespaceMap(MAP), patch);
    expect(allowed.filter((t, i) => t !== policies[i])).toHaveLength(1);
    expect(allowed.join('\n')).toMatch(/# observed: ratings-export -> ratings:9080\/TCP, 18 flows, 2021-11-11 02:00–02:03 UTC\n/);
    const second = ok(await api.applyRollout(toStaging(allowed)));
    const clean = ok(await api.checkSoak(second.id, { selection: payload.selection }));
    expect(clean.soak?.report.verdict).toMatchObject({ status: 'clean', exitCode: 0 });
    // The same recorded day: the job's AUDIT flows are now allowed by the rolled-out policies, so
    // what flagged them lies outside them (they were recorded under the first version).
    expect(classes(clean)).toEqual([
      'denied-by-other bookinfo-staging/details->ip:93.184.216.34:443/TCP',
      'outside-rollout bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP',
      'expected entity:remote-node->bookinfo-staging/ratings:9080/TCP',
    ]);

    const prod = ok(await api.promoteRollout({ ...promotion, from: second.id, policies: allowed }));
    expect(prod.promotion).toEqual({
      from: second.id,
      soak: { verdict: 'clean', hash: clean.soak!.report.sha256, headline: clean.soak!.report.verdict.headline },
      override: false,
    });
    const audit = ok(await api.auditLog()).at(-1)!;
    expect(audit.rollout?.promotion?.soak).toMatchObject({ verdict: 'clean', hash: clean.soak!.report.sha256 });
    expect(
      calls()
        .filter((c) => c.tool === 'kubectl')
        .at(-1)
        ?.args.slice(0, 4),
    ).toEqual(['--context=prod-eu', 'apply', '-n', 'bookinfo']);
  });

  it('a longer cycle than the flows cover is too short, and says how much was covered', async () => {
    const { api } = services();
    ok(await api.loadSample());
    const r = ok(await api.applyRollout(toStaging(policies)));
    const soaked = ok(await api.checkSoak(r.id, { selection: payload.selection, cycleHours: 36 }));
    expect(soaked.soak?.report.verdict.status).toBe('missing-rules');
    expect(soaked.soak?.report.window.shortfalls).toEqual([
      expect.stringMatching(/^the flows cover 24 h 0 min since the apply, less than the 36 h 0 min cycle/) as unknown,
    ]);
  });

  it('a restart in the middle of a soak: the record comes back from the workspace, and its soak is read again', async () => {
    const first = services();
    ok(await first.api.loadSample());
    const r = ok(await first.api.applyRollout(toStaging(policies)));
    const before = ok(await first.api.checkSoak(r.id, { selection: payload.selection }));
    ok(await first.api.autosaveWorkspace(payload));
    await first.shutdown();

    // The app starts again a day later: the same data folder, nothing in memory; hubble now holds
    // only the flows from 03:00 on (its buffer lost the night), so the soak cannot call the window whole.
    const later = path.join(first.dataDir, 'later.jsonl');
    writeFileSync(later, linesFrom(SOAK_DAY, Date.parse('2021-11-11T03:00:00Z')));
    const again = services({ dataDir: first.dataDir, capture: later, now: () => new Date('2021-11-11T13:00:00Z') });
    expect(ok(await again.api.listRollouts())).toEqual([]);
    ok(await again.api.restoreAutosave());
    const reread = await poll(
      async () => ok(await again.api.listRollouts())[0],
      (x) => x.soak?.checkedAt === '2021-11-11T13:00:00.000Z',
    );
    expect(again.hubble().map((c) => c.args.at(-1))).toEqual(['2021-11-10T12:00:00.000Z']);
    expect(reread.soak!.report.sha256).not.toBe(before.soak!.report.sha256);
    expect(reread.soak!.report.window.reachesApply).toBe(false);
    expect(reread.soak!.report.window.shortfalls[0]).toMatch(/what came before was not read \(Hubble's buffer did not reach back\)/);
  });

  it('drops the live watch saw that hubble no longer holds are folded into the soak', async () => {
    const capture = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-soak-live-')), 'hubble.jsonl');
    writeFileSync(capture, readFileSync(SOAK_DAY));
    const { api, drops } = services({ capture });
    ok(await api.loadSample());
    const r = ok(await api.applyRollout(toStaging(policies)));
    // The watch, while the app is open, sees the AUDIT flows of the day (the stand-in replays them).
    ok(await api.startDropWatch({ namespace: 'bookinfo-staging', verdict: 'AUDIT' }));
    const audits = readFileSync(SOAK_DAY, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"verdict":"AUDIT"')).length;
    await poll(
      () => Promise.resolve(drops()),
      (n) => n >= audits,
    );
    ok(await api.stopDropWatch());
    // Later hubble's buffer holds only the flows from 03:00 on: the night's job is gone from it.
    writeFileSync(capture, linesFrom(SOAK_DAY, Date.parse('2021-11-11T03:00:00Z')));
    const soaked = ok(await api.checkSoak(r.id, { selection: payload.selection }));
    expect(soaked.soak!.liveDrops).toBeGreaterThan(0);
    expect(classes(soaked)).toContain('missing-rule bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP');
  });
  it("a staged Calico rollout is not soaked with hubble (Cilium's): the refusal says how to soak it from Calico's flow logs", async () => {
    const { api, hubble } = services();
    ok(await api.loadSample());
    const staged = policies.map((t) =>
      t
        .replace('apiVersion: networking.k8s.io/v1', 'apiVersion: projectcalico.org/v3')
        .replace('kind: NetworkPolicy', 'kind: StagedKubernetesNetworkPolicy'),
    );
    const r = ok(await api.applyRollout({ ...toStaging(staged), flavor: 'calico-staged' }));
    await expect(api.checkSoak(r.id, { selection: payload.selection })).resolves.toMatchObject({
      ok: false,
      error: {
        code: 'refused',
        message: expect.stringMatching(/Calico's flow logs \(pending_policies\), which hubble does not read/) as unknown,
        hint: 'Use "Check soak from a flow-log file…" with the flow logs of bookinfo-staging since 2021-11-10T12:00:00.000Z, or run: netpol-studio soak FLOWS --policies DIR --applied-at 2021-11-10T12:00:00.000Z --target-namespace bookinfo=bookinfo-staging',
      },
    });
    expect(hubble()).toEqual([]);
    // The failure is kept with the rollout, for the tab to show.
    expect(ok(await api.listRollouts())[0].soakError?.message).toMatch(/^Rollout [0-9a-f]{16} holds Calico staged policies/);
  });
});

const NIGHTLY = 'bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP';

describe('rules added with Allow are kept in the workspace', () => {
  it('after a restart the added rule is still there; the patched set rolls out with its own hashes and apply time, soaks clean and is promoted without an override', async () => {
    const first = services();
    ok(await first.api.loadSample());
    const r1 = ok(await first.api.applyRollout(toStaging(policies)));
    expect(r1.sourcePolicies).toEqual(policies);
    const soaked = ok(await first.api.checkSoak(r1.id, { selection: payload.selection }));
    const allow = { from: r1.id, edge: NIGHTLY, namespace: 'bookinfo', policies };
    const kept = ok(await first.api.allowSoakFlow(allow));
    // The rule is the one main's stored report gives, added as the window added it before (patch-source).
    const patched = withPatchInSource(policies, 'bookinfo', parseNamespaceMap(MAP), soaked.soak!.report.flows[0].patch!);
    expect(kept).toEqual([
      { namespace: 'bookinfo', flavor: 'kubernetes', from: r1.id, added: [{ rollout: r1.id, edge: NIGHTLY }], policies: patched },
    ]);
    // Allowing the same flow again adds nothing; a flow that is no missing rule is refused.
    expect(ok(await first.api.allowSoakFlow(allow))).toEqual(kept);
    await expect(
      first.api.allowSoakFlow({ ...allow, edge: 'entity:remote-node->bookinfo-staging/ratings:9080/TCP' }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringMatching(/is not a missing rule/) as unknown } });
    ok(await first.api.autosaveWorkspace(payload));
    await first.shutdown();
    // Written with the rollouts, in the workspace's one atomic write.
    const onDisk = JSON.parse(readFileSync(path.join(first.dataDir, 'autosave.workspace.json'), 'utf8')) as SavedWorkspace;
    expect(onDisk.patchedPolicies).toEqual(kept);

    // A restart: the same data folder, nothing in memory; the clock a second later.
    const later = new Date(APPLIED.getTime() + 1000);
    const again = services({ dataDir: first.dataDir, now: () => later });
    expect(ok(await again.api.listPatchedPolicies())).toEqual([]);
    ok(await again.api.restoreAutosave());
    expect(ok(await again.api.listPatchedPolicies())).toEqual(kept);
    await poll(
      async () => ok(await again.api.listRollouts())[0],
      (x) => x.soak?.checkedAt === later.toISOString(),
    );

    // Applied again: a rollout of its own, with its own hashes and apply time; its soak reads from then.
    const r2 = ok(await again.api.applyRollout(toStaging(kept[0].policies)));
    expect(r2.appliedAt).toBe(later.toISOString());
    expect(r2.sourcePolicies).toEqual(kept[0].policies);
    const changed = r2.policies.filter((p, i) => p.sha256 !== r1.policies[i].sha256).map((p) => p.name);
    expect(changed).toEqual(['ratings']);
    const clean = ok(await again.api.checkSoak(r2.id, { selection: payload.selection }));
    expect(again.hubble().at(-1)?.args.slice(-2)).toEqual(['--since', later.toISOString()]);
    expect(clean.soak?.report.window.appliedAt).toBe(later.getTime());
    expect(clean.soak?.report.verdict.status).toBe('clean');

    // Promotion sends what soaked (the record's own source texts): no override needed.
    const prod = ok(
      await again.api.promoteRollout({
        from: r2.id,
        context: 'prod-eu',
        namespace: 'bookinfo',
        namespaceMap: [],
        policies: [...r2.sourcePolicies!],
      }),
    );
    expect(prod.promotion).toMatchObject({ from: r2.id, soak: { verdict: 'clean', hash: clean.soak!.report.sha256 }, override: false });

    // Removing the added rules drops them from the workspace.
    expect(ok(await again.api.dropPatchedPolicies({ namespace: 'bookinfo', flavor: 'kubernetes' }))).toEqual([]);
  });
});

describe('a staged Calico rollout soaked from a flow-log file (fixtures/calico/derived/staged-soak)', () => {
  const dir = 'calico/derived/staged-soak';
  const ORIGINAL = fixture(`${dir}/original.jsonl`);
  const FLOW_LOG = fixture(`${dir}/soak.jsonl`);
  const STAGED_AT = new Date('2020-08-12T08:00:00Z');
  const CALICO_MAP = ['policy-demo=policy-demo-staging'];
  const NEW = 'policy-demo-staging/access->policy-demo-staging/nginx:443/TCP';
  const original = analyzeText(readFileSync(ORIGINAL, 'utf8'), 'original').graph;
  const calicoSelection = prune(
    initialSelection(original),
    ['policy-demo/access->policy-demo/nginx:9090/TCP'],
    'debug port, opened only in development',
  );
  const staged = stagedSet(generate(original, calicoSelection, { namespaces: ['policy-demo'] })).policies.map((g) => policyYaml(g));
  const request = { selection: serializeSelection(calicoSelection), cycleHours: 8 };
  const toCalicoStaging = (texts: readonly string[]): RolloutRequest => ({
    context: 'kind-staging',
    namespace: 'policy-demo-staging',
    namespaceMap: CALICO_MAP,
    flavor: 'calico-staged',
    mode: 'audit',
    policies: [...texts],
  });

  /** The services with the original capture open; `pick` is the file the user picks next. */
  async function calicoApp() {
    let picked: string | undefined = ORIGINAL;
    const app = services({ now: () => STAGED_AT, chooseFile: () => picked });
    ok(await app.api.openCapture());
    return { ...app, pick: (file: string | undefined) => void (picked = file) };
  }

  it('reads the file with the capture reader: each pending deny classed, the same report the soak computes, stored; Allow, a new rollout, the same promotion rules', async () => {
    const { api, hubble, calls, pick } = await calicoApp();
    const r1 = ok(await api.applyRollout(toCalicoStaging(staged)));
    pick(FLOW_LOG);
    const soaked = ok(await api.checkSoakFromFile(r1.id, request));
    expect(hubble()).toEqual([]);
    const soak = soaked.soak!;
    expect(soak.source).toBe('flow-log file soak.jsonl (calico-enterprise-json, 43 records)');
    expect(soak.liveDrops).toBe(0);
    expect(classes(soaked)).toEqual([
      `missing-rule ${NEW}`,
      'denied-by-other policy-demo-staging/access->ip:203.0.113.10:443/TCP',
      'expected policy-demo-staging/access->policy-demo-staging/nginx:9090/TCP',
    ]);
    // The same report shared/rollout/soak gives for that file and the files applied.
    const same = await soakReport({
      flows: analyzeText(readFileSync(FLOW_LOG, 'utf8'), 'soak.jsonl').graph,
      policies: r1.policies.flatMap((p) => {
        const read = parsePolicies(p.content!);
        return [...read.policies, ...read.staged, ...read.cilium];
      }),
      appliedAt: STAGED_AT.getTime(),
      cycleMs: 8 * 3_600_000,
      selection: calicoSelection,
      namespaceMap: parseNamespaceMap(CALICO_MAP),
      original,
    });
    expect(soak.report).toEqual(same);
    expect(ok(await api.listRollouts())[0].soak?.report.sha256).toBe(same.sha256);

    // Allow: both ends' staged rules; the new rollout soaks from its file again, and what is left is the
    // nightly job's hour at 02:00, which this file does not cover: too short.
    const kept = ok(await api.allowSoakFlow({ from: r1.id, edge: NEW, namespace: 'policy-demo', policies: staged }));
    expect(kept[0].policies.filter((t, i) => t !== staged[i])).toHaveLength(2);
    const r2 = ok(await api.applyRollout(toCalicoStaging(kept[0].policies)));
    const second = ok(await api.checkSoakFromFile(r2.id, request));
    expect(second.soak?.report.verdict.status).toBe('too-short');
    expect(classes(second)).toContain(`outside-rollout ${NEW}`);

    // The promotion rules of any soak: refused unless the namespace is typed, which is audited with the report's hash.
    const promotion = { from: r2.id, context: 'prod-eu', namespace: 'policy-demo', namespaceMap: [], policies: [...r2.sourcePolicies!] };
    await expect(api.promoteRollout(promotion)).resolves.toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringMatching(/^The soak is not clean \(window too short/) as unknown },
    });
    const prod = ok(await api.promoteRollout({ ...promotion, override: 'policy-demo' }));
    expect(prod).toMatchObject({
      flavor: 'kubernetes',
      promotion: { override: true, soak: { verdict: 'too-short', hash: second.soak!.report.sha256 } },
    });
    expect(ok(await api.auditLog()).at(-1)?.rollout?.promotion).toMatchObject({ override: { typed: 'policy-demo' } });
    expect(
      calls()
        .filter((c) => c.tool === 'kubectl')
        .at(-1)
        ?.args.slice(0, 4),
    ).toEqual(['--context=prod-eu', 'apply', '-n', 'policy-demo']);
  });

  it('refuses a file that cannot show the staged verdicts, and keeps the last report; a closed dialog changes nothing', async () => {
    const { api, dataDir, pick } = await calicoApp();
    const r = ok(await api.applyRollout(toCalicoStaging(staged)));
    pick(FLOW_LOG);
    const before = ok(await api.checkSoakFromFile(r.id, request)).soak!;

    pick(undefined);
    await expect(api.checkSoakFromFile(r.id, request)).resolves.toMatchObject({ ok: false, error: { code: 'dismissed' } });
    // Hubble's flows never carry Calico's pending verdicts: they would read as clean.
    pick(SOAK_DAY);
    await expect(api.checkSoakFromFile(r.id, request)).resolves.toMatchObject({
      ok: false,
      error: { code: 'unusable-input', message: expect.stringMatching(/holds no flow of policy-demo-staging/) as unknown },
    });
    const hubbleThere = path.join(dataDir, 'hubble-in-staging.jsonl');
    writeFileSync(hubbleThere, readFileSync(SOAK_DAY, 'utf8').replaceAll('bookinfo-staging', 'policy-demo-staging'));
    pick(hubbleThere);
    await expect(api.checkSoakFromFile(r.id, request)).resolves.toMatchObject({
      ok: false,
      error: {
        code: 'unusable-input',
        message:
          "hubble-in-staging.jsonl holds hubble-jsonpb flows, not Calico's: they cannot show what staged Calico policies would deny.",
      },
    });
    // Calico's flow logs without their pending trace say nothing of the staged set either.
    const untraced = path.join(dataDir, 'no-pending.jsonl');
    writeFileSync(untraced, readFileSync(FLOW_LOG, 'utf8').replace(/,"pending_policies":\[[^\]]*\]/g, ''));
    pick(untraced);
    await expect(api.checkSoakFromFile(r.id, request)).resolves.toMatchObject({
      ok: false,
      error: {
        code: 'unusable-input',
        message: expect.stringMatching(/^No flow in no-pending.jsonl carries a pending policy trace/) as unknown,
      },
    });
    const record = ok(await api.listRollouts())[0];
    expect(record.soak?.report.sha256).toBe(before.report.sha256);
    expect(record.soakError?.message).toMatch(/^No flow in no-pending.jsonl/);
  });
});

/** The lines of a capture whose flow time is at or after `from`. */
function linesFrom(file: string, from: number): string {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => {
        const t = /"time":"([^"]+)"/.exec(l)?.[1];
        return t !== undefined && Date.parse(t) >= from;
      })
      .join('\n') + '\n'
  );
}

async function poll<T>(get: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
