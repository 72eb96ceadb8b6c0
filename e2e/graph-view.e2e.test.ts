// The graph (GraphView over Cytoscape) as a user meets it in Chromium: a click on an edge selects it,
// pruning greys it, the layout keeps each workload in its namespace's box and everything else out,
// and an edge between two namespaces goes round a third one's box, on screen and in the SVG export.
// Where things are drawn is read from the SVG export with the browser's own SVG geometry; what is
// drawn there is read from the canvas's pixels.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../electron/browser/server';
import { writeCapture } from '../scripts/generate-capture';
import { ROOT } from '../shared/testing/fixtures';
import { AppPage } from './support/app-page';
import { browserMissing, launchChromium, tracedPage } from './support/browser';
import { insideRect, readDrawnGraph, segmentEnters, type DrawnGraph } from './support/drawn-graph';
import { buildRenderer, startTestHost } from './support/host';

const missing = browserMissing();
/** A node's radius in the graph's own coordinates (styles.ts: 26 px wide). */
const R = 13;

describe.skipIf(missing)('the graph in Chromium (browser host)', () => {
  let browser: Browser;
  let host: RunningHost & { dataDir: string };
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-graph-'));
  const workspaceFile = path.join(dir, 'graph.workspace.json');

  beforeAll(async () => {
    buildRenderer();
    host = await startTestHost({ chooseWorkspace: () => workspaceFile });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const openApp = async (name: string): Promise<{ page: Page; app: AppPage }> => {
    const { page } = await tracedPage(browser, name);
    const app = new AppPage(page);
    await app.open(host.url);
    return { page, app };
  };
  const drawn = async (app: AppPage): Promise<DrawnGraph> =>
    readDrawnGraph(app.page, (await app.saveGraphImage('SVG')).bytes.toString('utf8'));

  it('a click on an edge selects it and the inspector shows it; pruned, it is drawn pale grey', async () => {
    const { page, app } = await openApp('click-edge');
    await app.openSampleCapture();
    await app.graph.waitFor();
    // A long edge, and a point on its line a quarter of the way along: clear of both nodes and of its label.
    const key = 'bookinfo/productpage->kube-system/kube-dns:53/UDP';
    const line = (await drawn(app)).edges.get(key)!;
    expect(line.length).toBeGreaterThan(60);
    const at = await app.onScreen(line[Math.floor(line.length / 4)]);
    const spot = { x1: at.x - 3, y1: at.y - 3, x2: at.x + 4, y2: at.y + 4 };
    await expect.poll(() => app.graphPixels('forwarded', spot)).toBeGreaterThan(0);

    const box = (await app.graph.boundingBox())!;
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await expect.poll(() => app.inspector.getByRole('heading').first().textContent()).toBe(key);
    await expect.poll(() => app.graphPixels('selected', spot)).toBeGreaterThan(0);
    await app.press('x');
    await expect(app.inspector.locator('dd[data-field="state"]').textContent()).resolves.toBe('pruned');
    await app.screenshot('graph-edge-pruned-selected');

    // A click on the empty canvas selects nothing: the pruned edge shows its own colour.
    await page.mouse.click(box.x + 4, box.y + 4);
    await page.getByText('Select an edge in the graph or the list').waitFor();
    await expect.poll(() => app.graphPixels('pruned', spot)).toBeGreaterThan(0);
    expect(await app.graphPixels('forwarded', spot)).toBe(0);
    expect(await app.graphPixels('selected', spot)).toBe(0);
    await app.screenshot('graph-edge-pruned');
  });

  it('the layout keeps each workload inside its namespace box, and every other node outside all of them', async () => {
    const { app } = await openApp('layout-boxes');
    const team = path.join(dir, 'team.jsonl');
    await writeCapture(team, { lines: 6000, workloads: 40, edges: 90, namespaces: 4 });
    const opens: [() => Promise<void>, RegExp][] = [
      [() => app.openSampleCapture(), /^Sample capture/],
      [() => app.openCapture(team), /^Capture team\.jsonl$/],
    ];
    for (const [open, heading] of opens) {
      await open();
      await app.summary.getByRole('heading', { name: heading, includeHidden: true }).waitFor({ state: 'attached', timeout: 30_000 });
      await app.graph.waitFor();
      const g = await drawn(app);
      expect(g.boxes.size).toBeGreaterThanOrEqual(3);
      expect(g.nodes.size).toBeGreaterThan(g.boxes.size);
      for (const [id, p] of g.nodes) {
        // Workloads are `ns/name`; entities, addresses and Services nothing resolved have a `kind:` prefix.
        const own = id.includes(':') ? undefined : id.split('/')[0];
        for (const [ns, rect] of g.boxes) {
          if (ns === own) expect(insideRect(p, rect, R), `${id} inside ${ns}`).toBe(true);
          else
            expect(insideRect(p, { x1: rect.x1 - R, y1: rect.y1 - R, x2: rect.x2 + R, y2: rect.y2 + R }), `${id} outside ${ns}`).toBe(
              false,
            );
        }
      }
    }
    await app.screenshot('graph-layout-team');
  });

  it("an edge between two namespaces goes round a third namespace's box: on screen, and in the SVG export", async () => {
    const { page, app } = await openApp('route-round-namespace');
    // The sample, with one of otelcol's exports to jaeger dropped: that edge is drawn red.
    const sample = readFileSync(path.join(ROOT, 'resources/sample-capture.jsonl'), 'utf8');
    const exported = sample
      .split('\n')
      .find(
        (l) =>
          l.includes('"pod_name":"otelcol-hubble-collector-') && l.includes('"destination_port":14250') && !l.includes('"is_reply":true'),
      )!;
    const capture = path.join(dir, 'sample-otelcol-dropped.jsonl');
    writeFileSync(capture, `${sample.trimEnd()}\n${exported.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED"')}\n`);
    await app.openCapture(capture);
    await app.graph.waitFor();

    // As a user arranges it and saves it: jaeger on the left, kube-system on the right, bookinfo between.
    await app.saveWorkspace();
    const saved = JSON.parse(readFileSync(workspaceFile, 'utf8')) as { positions?: Record<string, { x: number; y: number }> };
    saved.positions = {
      'jaeger/jaeger-default': { x: -330, y: 0 },
      'kube-system/otelcol-hubble-collector': { x: 330, y: 0 },
      'kube-system/kube-dns': { x: 330, y: 130 },
      'bookinfo/productpage': { x: 0, y: -50 },
      'bookinfo/details': { x: -100, y: 50 },
      'bookinfo/reviews': { x: 100, y: 50 },
      'bookinfo/ratings': { x: 0, y: 130 },
    };
    writeFileSync(workspaceFile, JSON.stringify(saved));
    await page.reload();
    await app.openWorkspace();
    let g = await drawn(app);
    await expect.poll(async () => (g = await drawn(app)).nodes.get('jaeger/jaeger-default')).toEqual({ x: -330, y: 0 });

    const key = 'kube-system/otelcol-hubble-collector->jaeger/jaeger-default:14250/TCP';
    const bookinfo = g.boxes.get('bookinfo')!;
    // Straight, the edge would cut through bookinfo.
    expect(segmentEnters(g.nodes.get('kube-system/otelcol-hubble-collector')!, g.nodes.get('jaeger/jaeger-default')!, bookinfo)).toBe(true);
    // The SVG draws it round the box.
    const line = g.edges.get(key)!;
    expect(line.filter((p) => insideRect(p, bookinfo))).toEqual([]);

    // On screen: the edge is red, and no red is drawn inside bookinfo's box.
    const [a, b] = await Promise.all([app.onScreen({ x: bookinfo.x1, y: bookinfo.y1 }), app.onScreen({ x: bookinfo.x2, y: bookinfo.y2 })]);
    await expect.poll(() => app.redPixels()).toBeGreaterThan(30);
    expect(await app.redPixels({ within: { x1: a.x, y1: a.y, x2: b.x, y2: b.y } })).toBe(0);
    await app.screenshot('graph-route-round-namespace');
  });
});
