// The rollout loop in the browser host, with the stand-in kubectl: a staging rollout in audit mode
// through a namespace map, its record surviving a restart of the app, then the promotion, blocked
// by a soak that is not clean until the production namespace is typed, and rolled back.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
  const standins = standinEnv({
    NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'),
    NETPOL_STANDIN_EXISTING: 'productpage',
    NETPOL_STANDIN_CONTEXTS: 'kind-staging,prod-eu',
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
    await rollout.getByLabel('Target namespace').fill('bookinfo-staging');
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
});
