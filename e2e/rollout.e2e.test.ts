// The rollout loop in the browser host, with the stand-in kubectl and hubble: a staging rollout in
// audit mode through a namespace map, its record surviving a restart of the app; the soak of a
// recorded audit-mode day, its missing rule allowed, a clean second soak ready to promote; the
// promotion, blocked by a soak that is not clean until the production namespace is typed, and rolled
// back; and the tab as a newcomer meets it in browser mode (no native confirmation).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../electron/browser/server';
import type { ConfirmRequest } from '../electron/services/kubectl-service';
import type { AuditRecord } from '../shared/api/contract';
import { fixture } from '../shared/testing/fixtures';
import { standinEnv, type StandinCall } from '../shared/testing/standins';
import { AppPage } from './support/app-page';
import { browserMissing, launchChromium, tracedPage } from './support/browser';
import { buildRenderer, startTestHost } from './support/host';

const missing = browserMissing();

/** Tall enough for the Rollout tab with its mode guide and a record in one picture. */
const TALL = { width: 1280, height: 1240 };

describe.skipIf(missing)('the rollout loop (browser host, stand-in kubectl)', () => {
  let browser: Browser;
  let host: RunningHost & { dataDir: string };
  const asked: ConfirmRequest[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-rollout-loop-'));
  // productpage is there already in the stand-in cluster: apply says "configured", and rollback leaves it.
  // hubble has seen no flow in the staging namespace since these applies: an empty capture.
  const noFlows = path.join(dataDir, 'no-flows.jsonl');
  writeFileSync(noFlows, '');
  const standins = standinEnv({
    NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'),
    NETPOL_STANDIN_EXISTING: 'productpage',
    NETPOL_STANDIN_CONTEXTS: 'kind-staging,prod-eu',
    NETPOL_STANDIN_CAPTURE: noFlows,
  });
  const calls = (): StandinCall[] => standins.calls().filter((c) => c.tool === 'kubectl');
  const start = () => startTestHost({ dataDir, env: standins.env, confirm: (r) => (asked.push(r), Promise.resolve(true)) });

  beforeAll(async () => {
    buildRenderer();
    host = await start();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const rolloutTab = async (page: Page) => {
    await page.getByRole('tab', { name: 'Rollout' }).click();
    const rollout = page.getByRole('region', { name: 'Rollout' });
    await rollout.getByLabel('Kube context').locator('option', { hasText: 'kind-staging' }).waitFor({ state: 'attached' });
    return rollout;
  };

  /** The sample open, its bookinfo policies headed for bookinfo-staging in the Rollout tab. */
  const toStaging = async (trace: string) => {
    const { page, context } = await tracedPage(browser, trace, { viewport: TALL });
    const app = new AppPage(page);
    await app.open(host.url);
    await app.openSampleCapture();
    const rollout = await rolloutTab(page);
    await rollout.getByLabel('Namespace to roll out').selectOption('bookinfo');
    // The target is the source's staging namespace unless the user types another.
    await expect(rollout.getByLabel('Target namespace').inputValue()).resolves.toBe('bookinfo-staging');
    return { page, context, app, rollout };
  };

  it('stages in audit mode through a namespace map; the record survives a restart of the app', async () => {
    const { context, app, rollout } = await toStaging('rollout-record');
    await rollout.getByRole('radio', { name: 'Audit' }).check();
    // Cilium's audit is the agent's setting: the exact commands, for the user to run, and what AUDIT means.
    const guide = rollout.getByRole('region', { name: 'Mode in use' });
    await expect(guide.getByRole('heading').textContent()).resolves.toBe("Audit: Cilium's policy audit mode");
    await expect(guide.getByRole('list', { name: 'Commands to run yourself' }).locator('code').allTextContents()).resolves.toContain(
      'kubectl --context=kind-staging -n bookinfo-staging get ciliumendpoints',
    );
    await expect(guide.getByRole('definition').nth(1).textContent()).resolves.toMatch(/^would have been dropped, and was let through/);

    await rollout.getByRole('button', { name: 'Apply to staging…' }).click();
    const record = rollout.getByRole('list', { name: 'Rollouts' }).locator('li').first();
    await record.waitFor();
    expect(asked[0].detail).toMatch(
      /^Context: kind-staging\nNamespace: bookinfo-staging\nNamespace map: bookinfo=bookinfo-staging\nFlavor: kubernetes; mode: audit/,
    );
    const field = (name: string) => record.locator(`dd[data-field="${name}"]`).textContent();
    await expect(record.getByRole('heading').textContent()).resolves.toBe('Staging: bookinfo-staging on kind-staging');
    await expect(field('map')).resolves.toBe('bookinfo=bookinfo-staging');
    await expect(field('mode')).resolves.toBe('audit · kubernetes');
    await expect(field('applied')).resolves.toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await expect(field('created')).resolves.toBe('default-deny, details, ratings, reviews');
    await expect(field('existed')).resolves.toBe('productpage (configured)');
    await record.scrollIntoViewIfNeeded();
    await app.screenshot('rollout-record');

    // The window autosaved the workspace that holds the rollout, at once.
    const autosave = path.join(dataDir, 'autosave.workspace.json');
    await expect
      .poll(() => existsSync(autosave) && (JSON.parse(readFileSync(autosave, 'utf8')) as { rollouts?: unknown[] }).rollouts?.length)
      .toBe(1);

    // A restart: the app quits (the pending autosave written) and starts again on the same data folder.
    await context.close();
    await host.close();
    host = await start();
    const again = await tracedPage(browser, 'rollout-restart', { viewport: TALL });
    const app2 = new AppPage(again.page);
    await app2.open(host.url);
    await again.page.getByRole('region', { name: 'Unsaved work' }).getByRole('button', { name: 'Restore' }).click();
    const restored = await rolloutTab(again.page);
    const kept = restored.getByRole('list', { name: 'Rollouts' }).locator('li').first();
    await kept.waitFor();
    await expect(kept.locator('dd[data-field="created"]').textContent()).resolves.toBe('default-deny, details, ratings, reviews');
    await expect(kept.locator('dd[data-field="mode"]').textContent()).resolves.toBe('audit · kubernetes');
    // The workspace reopened: main reads the rollout's soak again, since its apply (here no flow came).
    const soak = kept.getByRole('region', { name: 'Soak' });
    await expect.poll(() => soak.getAttribute('data-status'), { timeout: 30_000 }).toBe('too-short');
    const applied = (JSON.parse(readFileSync(autosave, 'utf8')) as { rollouts: { appliedAt: string }[] }).rollouts[0].appliedAt;
    expect(
      standins
        .calls()
        .filter((c) => c.tool === 'hubble')
        .map((c) => c.args.slice(-2)),
    ).toEqual([['--since', applied]]);
    await expect(soak.locator('[data-field="window"]').textContent()).resolves.toMatch(/^No flow was read since the apply/);
  });

  it('promotion: blocked without a clean soak until the namespace is typed; the override is audited; rollback deletes only what it created', async () => {
    const { page, app, rollout } = await toStaging('promotion');
    await rollout.getByRole('button', { name: 'Apply to staging…' }).click();
    await rollout.getByRole('status').waitFor();
    // The newest rollout comes first.
    const staging = rollout.getByRole('list', { name: 'Rollouts' }).locator('li').first();
    await expect(staging.locator('dd[data-field="mode"]').textContent()).resolves.toBe('enforce · kubernetes');
    await staging.getByRole('button', { name: 'Promote to production…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote to production' });
    await expect(dialog.getByLabel('Production context').inputValue()).resolves.toBe('prod-eu');
    await expect(dialog.getByLabel('Production namespace', { exact: true }).inputValue()).resolves.toBe('bookinfo');
    await expect(dialog.getByRole('region', { name: 'Soak' }).textContent()).resolves.toMatch(
      /^No soak report: nothing says staging was clean\./,
    );
    const promote = dialog.getByRole('button', { name: 'Promote anyway…' });
    await expect(promote.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel('Type the production namespace to override').fill('bookinf');
    await expect(promote.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel('Type the production namespace to override').fill('bookinfo');
    await expect(promote.isDisabled()).resolves.toBe(false);
    await app.screenshot('promotion-confirmation');

    const before = asked.length;
    await promote.click();
    await dialog.waitFor({ state: 'hidden' });
    // Main asked twice, natively: the promotion, then production.
    expect(asked.slice(before).map((a) => a.title)).toEqual(['Promote NetworkPolicies', 'This looks like production']);
    expect(asked[before].detail).toContain('Override: the soak is not clean; "bookinfo" was typed to promote anyway');
    const prod = rollout.getByRole('list', { name: 'Rollouts' }).locator('li[data-stage="production"]');
    await prod.waitFor();
    await expect(prod.getByRole('heading').textContent()).resolves.toBe('Production: bookinfo on prod-eu');
    const audit = await page.evaluate<{ ok: true; value: AuditRecord[] }>('window.netpol.auditLog()');
    expect(audit.value.at(-1)?.rollout?.promotion).toMatchObject({ soak: { verdict: 'not-run' }, override: { typed: 'bookinfo' } });
    await rollout.getByRole('list', { name: 'Audit log' }).locator('li', { hasText: 'override: typed "bookinfo"' }).waitFor();

    await prod.getByRole('button', { name: 'Roll back…' }).click();
    await expect.poll(() => prod.locator('dd[data-field="state"]').textContent()).toMatch(/^rolled back .* \(4 deleted\)$/);
    // Only what the promotion created: productpage was there before.
    expect(calls().at(-1)?.args).toEqual([
      '--context=prod-eu',
      'delete',
      '-n',
      'bookinfo',
      '--ignore-not-found=true',
      'networkpolicy.networking.k8s.io/default-deny',
      'networkpolicy.networking.k8s.io/details',
      'networkpolicy.networking.k8s.io/ratings',
      'networkpolicy.networking.k8s.io/reviews',
    ]);
  });
  it('soaks a Cilium audit-mode day: the nightly job is a missing rule, Allow adds it, the next rollout soaks clean and is ready to promote', async () => {
    // A host of its own whose clock is the recorded apply, and whose hubble replays the recorded day.
    const soakStandins = standinEnv({
      NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'),
      NETPOL_STANDIN_CONTEXTS: 'kind-staging,prod-eu',
      NETPOL_STANDIN_CAPTURE: fixture('hubble/derived/audit-soak/flows.jsonl'),
    });
    let closeFirst: BrowserContext | undefined;
    const hostOptions = { env: soakStandins.env, confirm: () => Promise.resolve(true), now: () => new Date('2021-11-10T12:00:00Z') };
    let soakHost = await startTestHost(hostOptions);
    try {
      const { page: firstPage, context } = await tracedPage(browser, 'rollout-soak', { viewport: TALL });
      closeFirst = context;
      const app = new AppPage(firstPage);
      await app.open(soakHost.url);
      await app.openSampleCapture();
      // The edge pruned before generating (the fixture's prune.txt), with its reason: the soak expects its drops.
      await app.selectEdge('entity:remote-node->bookinfo/ratings:9080/TCP');
      await app.inspector.getByLabel('Reason for pruning (optional)').fill('traffic from other nodes, not needed in staging');
      await app.inspector.getByRole('button', { name: /^Prune \(1\)/ }).click();
      const rollout = await rolloutTab(firstPage);
      await rollout.getByLabel('Namespace to roll out').selectOption('bookinfo');
      await rollout.getByRole('radio', { name: 'Audit' }).check();
      await rollout.getByRole('button', { name: 'Apply to staging…' }).click();
      const first = rollout.getByRole('list', { name: 'Rollouts' }).locator(':scope > li').first();
      const soak = first.getByRole('region', { name: 'Soak' });
      await expect(soak.locator('[data-field="readiness"]').textContent()).resolves.toMatch(/^Not ready to promote: no soak yet/);
      await soak.getByRole('button', { name: 'Check soak' }).click();
      await expect.poll(() => soak.getAttribute('data-status'), { timeout: 30_000 }).toBe('missing-rules');
      expect(soakStandins.calls().filter((c) => c.tool === 'hubble')[0].args).toEqual([
        'observe',
        '--namespace',
        'bookinfo-staging',
        '--output',
        'jsonpb',
        '--since',
        '2021-11-10T12:00:00.000Z',
      ]);
      const rows = (region: typeof soak) =>
        region
          .getByRole('list', { name: 'Flows not forwarded' })
          .locator(':scope > li')
          .evaluateAll((li) => li.map((r) => `${r.getAttribute('data-class')} ${r.querySelector('code')?.textContent ?? ''}`));
      await expect(rows(soak)).resolves.toEqual([
        'missing-rule bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP',
        'denied-by-other bookinfo-staging/details->ip:93.184.216.34:443/TCP',
        'expected entity:remote-node->bookinfo-staging/ratings:9080/TCP',
      ]);
      await expect(soak.locator('[data-field="window"]').textContent()).resolves.toBe(
        '24 h 0 min of the 24 h 0 min cycle covered, 2021-11-10 12:00 UTC → 2021-11-11 12:00 UTC, from the apply on.',
      );
      await expect(soak.locator('[data-field="readiness"]').textContent()).resolves.toMatch(/^Not ready to promote: 1 missing rule/);

      await soak.getByRole('button', { name: 'Allow' }).click();
      await expect(rollout.getByRole('status').textContent()).resolves.toMatch(/^The rule for .*ratings-export.* is added/);
      const firstId = await first.getAttribute('aria-label');

      // A restart before the rule is rolled out: main kept it with the workspace, and the tab offers it again.
      const autosave = path.join(soakHost.dataDir, 'autosave.workspace.json');
      await expect
        .poll(
          () =>
            existsSync(autosave) && (JSON.parse(readFileSync(autosave, 'utf8')) as { patchedPolicies?: unknown[] }).patchedPolicies?.length,
        )
        .toBe(1);
      await context.close();
      await soakHost.close();
      soakHost = await startTestHost({ ...hostOptions, dataDir: soakHost.dataDir });
      const again = await tracedPage(browser, 'rollout-soak-restart', { viewport: TALL });
      closeFirst = again.context;
      const { page } = again;
      const app2 = new AppPage(page);
      await app2.open(soakHost.url);
      await page.getByRole('region', { name: 'Unsaved work' }).getByRole('button', { name: 'Restore' }).click();
      const restored = await rolloutTab(page);
      const kept = restored.getByRole('region', { name: 'Rules added from soaks' });
      await expect(kept.getByRole('list', { name: 'Rules added to bookinfo' }).locator('code').allTextContents()).resolves.toEqual([
        'bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP',
      ]);
      await expect(kept.locator('[data-field="applied"]').textContent()).resolves.toMatch(
        /^Not applied since: apply them to bookinfo-staging/,
      );
      await kept.getByRole('button', { name: 'Apply to staging again…' }).click();
      const second = restored.getByRole('list', { name: 'Rollouts' }).locator(':scope > li').first();
      await expect.poll(() => second.getAttribute('aria-label')).not.toBe(firstId);
      await expect(kept.locator('[data-field="applied"]').textContent()).resolves.toMatch(/^Applied as rollout [0-9a-f]{16}/);
      const clean = second.getByRole('region', { name: 'Soak' });
      await clean.getByRole('button', { name: 'Check soak' }).click();
      await expect.poll(() => clean.getAttribute('data-status'), { timeout: 30_000 }).toBe('clean');
      await expect(clean.locator('[data-field="readiness"]').textContent()).resolves.toMatch(
        /^Ready to promote: clean for the 24 h 0 min cycle/,
      );
      await expect(rows(clean)).resolves.toEqual([
        'denied-by-other bookinfo-staging/details->ip:93.184.216.34:443/TCP',
        'outside-rollout bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP',
        'expected entity:remote-node->bookinfo-staging/ratings:9080/TCP',
      ]);
      // The soak of the newest rollout in view: its window, its flows and "ready to promote".
      await second.getByRole('heading').evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await app2.screenshot('rollout-soak');

      // The clean soak lets the promotion through without typing the namespace.
      await second.getByRole('button', { name: 'Promote to production…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Promote to production' });
      await expect(dialog.getByRole('region', { name: 'Soak' }).textContent()).resolves.toMatch(
        /^Clean for a business cycle: ready to promote\./,
      );
      await dialog.getByRole('button', { name: 'Promote…' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const audit = await page.evaluate<{ ok: true; value: AuditRecord[] }>('window.netpol.auditLog()');
      expect(audit.value.at(-1)?.rollout?.promotion).toMatchObject({ soak: { verdict: 'clean' } });
      expect(audit.value.at(-1)?.rollout?.promotion?.override).toBeUndefined();
    } finally {
      // The page's event stream goes first, so that the host it holds can close.
      await closeFirst?.close();
      await soakHost.close();
    }
  });

  it('soaks a staged Calico rollout from a flow-log file the page uploads: each pending deny classed, Allow offered', async () => {
    const calico = (f: string) => fixture(`calico/derived/staged-soak/${f}`);
    let closeFirst: BrowserContext | undefined;
    const calicoHost = await startTestHost({
      env: standins.env,
      confirm: () => Promise.resolve(true),
      now: () => new Date('2020-08-12T08:00:00Z'),
    });
    const hubbleBefore = standins.calls().filter((c) => c.tool === 'hubble').length;
    try {
      const { page, context } = await tracedPage(browser, 'rollout-calico-file', { viewport: TALL });
      closeFirst = context;
      const app = new AppPage(page);
      await app.open(calicoHost.url);
      await app.openCapture(calico('original.jsonl'));
      await expect.poll(() => app.field('Edges').textContent()).toMatch(/^\d+/);
      await app.selectEdge('policy-demo/access->policy-demo/nginx:9090/TCP');
      await app.inspector.getByLabel('Reason for pruning (optional)').fill('debug port, opened only in development');
      await app.inspector.getByRole('button', { name: /^Prune \(1\)/ }).click();
      await page.getByLabel('Flavor').selectOption('calico-staged');
      const rollout = await rolloutTab(page);
      await rollout.getByLabel('Namespace to roll out').selectOption('policy-demo');
      await rollout.getByRole('button', { name: 'Apply to staging…' }).click();
      const record = rollout.getByRole('list', { name: 'Rollouts' }).locator(':scope > li').first();
      const soak = record.getByRole('region', { name: 'Soak' });
      // No hubble button for staged policies: the file to give, and how Calico gives it.
      await expect(soak.getByRole('button', { name: 'Check soak', exact: true }).count()).resolves.toBe(0);
      await expect(soak.locator('[data-field="flow-log-hint"]').textContent()).resolves.toMatch(
        /^Give Calico's flow logs of policy-demo-staging since 2020-08-12 08:00 UTC.*svc\/goldmane 7443:7443/,
      );
      await soak.getByLabel('Cycle (hours)').fill('8');
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        soak.getByRole('button', { name: 'Check soak from a flow-log file…' }).click(),
      ]);
      await chooser.setFiles(calico('soak.jsonl'));
      await expect.poll(() => soak.getAttribute('data-status'), { timeout: 30_000 }).toBe('missing-rules');
      await expect(
        soak
          .getByRole('list', { name: 'Flows not forwarded' })
          .locator(':scope > li')
          .evaluateAll((li) => li.map((r) => `${r.getAttribute('data-class')} ${r.querySelector('code')?.textContent ?? ''}`)),
      ).resolves.toEqual([
        'missing-rule policy-demo-staging/access->policy-demo-staging/nginx:443/TCP',
        'denied-by-other policy-demo-staging/access->ip:203.0.113.10:443/TCP',
        'expected policy-demo-staging/access->policy-demo-staging/nginx:9090/TCP',
      ]);
      await expect(soak.locator('[data-field="soak-source"]').textContent()).resolves.toMatch(
        /with flow-log file soak\.jsonl \(calico-enterprise-json, 43 records\)/,
      );
      await expect(soak.locator('[data-field="batch"]').textContent()).resolves.toMatch(/2020-08-11 02:00–02:05 UTC \(not covered yet\)/);
      await expect(soak.getByRole('button', { name: 'Allow' }).isEnabled()).resolves.toBe(true);
      // hubble never sees staged verdicts, and was never asked.
      expect(standins.calls().filter((c) => c.tool === 'hubble')).toHaveLength(hubbleBefore);
      await record.getByRole('heading').evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await app.screenshot('rollout-calico-soak');
    } finally {
      await closeFirst?.close();
      await calicoHost.close();
    }
  });

  it('as a newcomer meets it in browser mode: Apply is disabled with the reason, production is warned of, verify is shown, a bad map entry is named', async () => {
    // The browser host as `npm start` runs it: no native confirmation.
    let closeFirst: BrowserContext | undefined;
    const bare = await startTestHost({ env: standins.env });
    try {
      const { page, context } = await tracedPage(browser, 'rollout-first-sight', { viewport: TALL });
      closeFirst = context;
      const app = new AppPage(page);
      await app.open(bare.url);
      await app.openSampleCapture();
      const rollout = await rolloutTab(page);
      await expect(rollout.getByLabel('Target namespace').inputValue()).resolves.toBe('bookinfo-staging');
      await expect(rollout.locator('[data-field="verify"]').textContent()).resolves.toMatch(
        // The sample's remote-node edge cannot be a NetworkPolicy peer: blocked, with the reason on the Policies tab. Its host
        // edges are not (a pod's own node always gets in, whatever NetworkPolicies say: allowed since 03967df).
        /^Verify: Fail: 1 kept edge blocked · 1 blocked · 0 undecided$/,
      );
      const apply = rollout.getByRole('button', { name: 'Apply to staging…' });
      await expect(apply.isDisabled()).resolves.toBe(true);
      await expect(rollout.getByTestId('rollout-blocked').textContent()).resolves.toMatch(
        /^Apply: Applying to a cluster needs the desktop app/,
      );
      // Dry-runs need no confirmation: they stay.
      await expect(rollout.getByRole('button', { name: 'Dry-run (client)' }).isDisabled()).resolves.toBe(false);

      await rollout.getByLabel('Kube context').selectOption('prod-eu');
      await expect(rollout.getByTestId('rollout-production').textContent()).resolves.toMatch(/^"prod-eu" looks like production/);

      await rollout.getByLabel('Target namespace').fill('');
      await expect(rollout.locator('#rollout-target-problem').textContent()).resolves.toBe(
        'Type the target namespace (for example bookinfo-staging).',
      );
      await rollout.getByLabel('Target namespace').fill('bookinfo-staging');
      await rollout.getByLabel('Other namespace pairs').fill('data=data-staging, audit=Audit');
      await expect(rollout.locator('#rollout-others-problem').textContent()).resolves.toMatch(
        /"Audit" in "audit=Audit" is not a namespace name/,
      );
      await app.screenshot('rollout-first-sight');
    } finally {
      await closeFirst?.close();
      await bare.close();
    }
  });
});
