/// <reference lib="dom" />
// (page.evaluate bodies run in the page, so this file sees DOM types.)
// The 2,000-workload / 10,000-edge capture in the real renderer: it draws, and pruning stays
// responsive. The times are measured and printed (and written to out/e2e-big-graph.json) for the
// closing note; the suite asserts behaviour, not time (timing targets belong to `npm run bench`).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCapture } from '../scripts/generate-capture';
import { ROOT } from '../shared/testing/fixtures';
import { browserMissing, launchChromium, tracedPage } from './support/browser';
import { buildRenderer, startTestHost } from './support/host';
import { AppPage } from './support/app-page';
import type { RunningHost } from '../electron/browser/server';

const missing = browserMissing();
const WORKLOADS = 2000;
const EDGES = 10_000;

/** Waits until the page has had no long task for 400 ms (Cytoscape refreshes its cached layers a little after a change). */
const quiet = (page: Page): Promise<void> =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let last = performance.now();
        const po = new PerformanceObserver((l) => {
          for (const e of l.getEntries()) last = Math.max(last, e.startTime + e.duration);
        });
        po.observe({ type: 'longtask' });
        const started = performance.now();
        const check = (): void => {
          if (performance.now() - last >= 400 || performance.now() - started > 10_000) {
            po.disconnect();
            resolve();
          } else setTimeout(check, 50);
        };
        setTimeout(check, 50);
      }),
  );

/**
 * Presses a key in the page and times, from inside it, the next frame with the toolbar's counts
 * changed (the page: counts, inspector, YAML) and the frame after Cytoscape took the change.
 */
const timeKey = (page: Page, key: string): Promise<{ page: number; graph: number }> =>
  page.evaluate(async (key) => {
    const status = document.querySelector('.toolbar .counts')!;
    const graph = document.querySelector<HTMLElement>('.graph')!;
    const appliedBefore = graph.dataset.applied;
    const frames = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    const start = performance.now();
    const changed = new Promise<void>((r) =>
      new MutationObserver(() => r()).observe(status, { childList: true, subtree: true, characterData: true }),
    );
    const applied = new Promise<void>((r) => {
      const o = new MutationObserver(() => {
        if (graph.dataset.applied !== appliedBefore) {
          o.disconnect();
          r();
        }
      });
      o.observe(graph, { attributes: true, attributeFilter: ['data-applied'] });
    });
    window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    await changed;
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const shown = performance.now() - start;
    await applied;
    await frames();
    return { page: shown, graph: performance.now() - start };
  }, key);

/** Waits two animation frames in the page: what was changed has been painted. */
const painted = (page: Page): Promise<void> =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

describe.skipIf(missing)(`a ${WORKLOADS}-workload, ${EDGES}-edge capture in the browser host`, () => {
  let browser: Browser;
  let host: RunningHost;
  let capture: string;
  /** Big enough (about 480 MB) that its read takes seconds: there is time to press Cancel. */
  let huge: string;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    buildRenderer();
    capture = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-big-')), 'big.jsonl');
    await writeCapture(capture, { lines: 60_000, workloads: WORKLOADS, edges: EDGES });
    huge = path.join(path.dirname(capture), 'huge.jsonl');
    await writeCapture(huge, { lines: 300_000, workloads: WORKLOADS, edges: EDGES });
    host = await startTestHost();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (Object.keys(measured).length > 0) {
      mkdirSync(path.join(ROOT, 'out'), { recursive: true });
      writeFileSync(path.join(ROOT, 'out/e2e-big-graph.json'), JSON.stringify(measured, null, 2) + '\n');
      console.log(`e2e big graph (${WORKLOADS} workloads, ${EDGES} edges): ${JSON.stringify(measured)}`);
    }
  });

  it('shows how far the read is, and Cancel stops it with the app still usable', async () => {
    const { page } = await tracedPage(browser, 'big-graph-cancel');
    const app = new AppPage(page);
    await app.open(host.url);
    await app.openCapture(huge);
    const bar = page.getByRole('progressbar', { name: 'Reading progress' });
    await bar.waitFor();
    await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.locator('footer.status').getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => page.getByTestId('notice').textContent())
      .toMatch(/^Reading .*huge\.jsonl was cancelled; the capture open before stays open\.$/);
    await expect(bar.count()).resolves.toBe(0);
    await expect(app.emptyState.isVisible()).resolves.toBe(true);
  });

  it('draws the graph, and pruning an edge updates the graph, the counts and the policies', async () => {
    const { page } = await tracedPage(browser, 'big-graph');
    const app = new AppPage(page);
    await app.open(host.url);
    // From the click to the summary: the file is sent to the host, then read there.
    const t0 = Date.now();
    await app.openCapture(capture);
    await app.summary.waitFor({ state: 'attached', timeout: 60_000 });
    measured.openToSummaryMs = Date.now() - t0;
    await page.locator('.graph[data-edges]').waitFor();
    const drawn = Number(await app.graph.getAttribute('data-edges'));
    await page.getByRole('list', { name: 'Rules' }).locator('li').first().waitFor({ timeout: 60_000 });
    await painted(page);
    measured.openToDrawnMs = Date.now() - t0;
    // The generator's edges, less the few it makes twice by chance, plus DNS and world edges.
    expect(drawn).toBeGreaterThan(EDGES * 0.9);
    await app.screenshot('big-graph');

    // Prune from the keyboard, timed inside the page: key press → counts changed → painted.
    const counts = page.locator('.toolbar .counts');
    const before = await counts.textContent();
    const yaml = page.getByTestId('policy-yaml');
    const key = (await page.getByRole('region', { name: 'Edges' }).locator('button').nth(5).getAttribute('title'))!;
    const applied = await app.graph.getAttribute('data-applied');
    await app.selectEdge(key);
    await app.inspector.getByRole('heading', { name: key }).waitFor();
    // The canvas takes the selection after the page's frame: let it finish before timing the prune.
    await expect.poll(() => app.graph.getAttribute('data-applied')).not.toBe(applied);
    // A steady state: the first check of the whole set (in the worker) is done, the canvas settled.
    await page.getByRole('region', { name: 'Findings' }).and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 60_000 });
    await quiet(page);
    // A big set shows the policies of the selected edge's workloads: the rule for this edge is there.
    await expect.poll(() => yaml.getAttribute('data-text-length')).not.toBe(null);
    const yamlBefore = await yaml.getAttribute('data-text-length');
    const rulesBefore = await app.rules();
    const timing = await timeKey(page, 'x');
    // The page (counts, inspector, YAML) first; the canvas follows in the next frames.
    measured.pruneToPaintedMs = Math.round(timing.page);
    measured.pruneToGraphPaintedMs = Math.round(timing.graph);
    const after = await counts.textContent();
    expect(after).not.toBe(before);
    expect(Number(after!.split(' ')[0].replace(/,/g, ''))).toBe(Number(before!.split(' ')[0].replace(/,/g, '')) - 1);
    // The edge's rules left the policies shown, and so the YAML.
    const rulesAfter = await app.rules();
    expect(rulesAfter.length).toBeLessThan(rulesBefore.length);
    expect(await yaml.getAttribute('data-text-length')).not.toBe(yamlBefore);

    // Coverage and lint of the whole set run in a Web Worker; their answer arrives after the paint.
    const findings = page.getByRole('region', { name: 'Findings' });
    const t2 = Date.now();
    await findings.and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 60_000 });
    measured.pruneToFindingsMs = Date.now() - t2 + measured.pruneToPaintedMs;
    // The generator claims exactness: with one edge pruned, every kept edge is allowed and nothing else is.
    // (The notes are lint's no-DNS warnings: the generator's workloads connect without looking names up.)
    await expect(findings.getByRole('heading').textContent()).resolves.toMatch(
      /^Pass: Every kept edge is allowed \(\d+\); nothing pruned or unobserved is allowed( · \d+ notes?)?$/,
    );

    // Undo is as quick, and brings the count back.
    await quiet(page);
    const undo = await timeKey(page, 'z');
    measured.undoToPaintedMs = Math.round(undo.page);
    measured.undoToGraphPaintedMs = Math.round(undo.graph);
    await expect(counts.textContent()).resolves.toBe(before);
  });
});
