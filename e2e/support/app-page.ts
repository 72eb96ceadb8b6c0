import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { SCREENSHOTS } from './browser';

/** A rectangle in the graph's own pixels (CSS pixels from its top left corner). */
export interface Rect {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Kinds of pixel the graph's canvases are read for (AppPage.graphPixels). */
export type PixelKind = 'red' | 'saturated-red' | 'forwarded' | 'pruned' | 'selected';

/** The app as a user sees it: reads like the UI, not like the DOM. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('heading', { name: 'netpol-studio' }).waitFor();
  }

  get emptyState(): Locator {
    return this.page.getByRole('region', { name: 'Get started' });
  }

  /** The capture's summary: on its own tab once the workbench is open (read from there even while another tab is shown). */
  get summary(): Locator {
    return this.page.getByRole('region', { name: 'Capture summary', includeHidden: true });
  }

  /** Shows the Summary tab of the review column, as a user clicks it. */
  async showSummary(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Summary' }).click();
    await this.summary.getByRole('heading', { level: 2 }).waitFor();
  }

  /** The findings: the verdict, then one line per kind of finding. */
  get findings(): Locator {
    return this.page.getByRole('region', { name: 'Findings' });
  }

  /** The kinds of finding a findings region lists, in order, as [key, severity]: `app.findings` unless given (an AI draft's). */
  findingKinds(region: Locator = this.findings): Promise<(string | null)[][]> {
    return region
      .getByRole('list', { name: 'Finding groups' })
      .locator(':scope > li')
      .evaluateAll((li) => li.map((x) => [x.getAttribute('data-group'), x.getAttribute('data-severity')]));
  }

  /** One kind of finding (its key, e.g. `kept-inexpressible`, `dns`, `capture:short-window`). */
  findingGroup(key: string): Locator {
    return this.findings.locator(`li[data-group="${key}"]`);
  }

  get error(): Locator {
    return this.page.getByRole('alert');
  }

  async openSampleCapture(): Promise<void> {
    const loaded = this.page.waitForResponse((r) => r.url().endsWith('/__netpol/api/loadSample'));
    await this.emptyStateOrSources().getByRole('button', { name: 'Open sample capture' }).first().click();
    // The page may show the capture opened before (the host keeps it), the sample itself included:
    // what a test does there is lost when the sample's workbench replaces it. The status bar says
    // the sample is being read until its workbench is drawn.
    await loaded;
    await expect.poll(() => this.page.locator('footer.status').textContent()).not.toMatch(/^Reading the sample capture/);
    await this.summary.getByRole('heading', { name: /^Sample capture/, includeHidden: true }).waitFor({ state: 'attached' });
  }

  /** "Open capture…", then the file picked in the browser's file chooser (sent to the host, then read there). */
  async openCapture(file: string): Promise<void> {
    const [chooser] = await Promise.all([
      this.page.waitForEvent('filechooser'),
      this.page.getByRole('complementary', { name: 'Sources' }).getByRole('button', { name: 'Open capture…' }).click(),
    ]);
    await chooser.setFiles(file);
  }

  /** The value shown for one summary field, e.g. "Edges". */
  field(name: string): Locator {
    return this.summary.locator(`dd[data-field="${name}"]`);
  }

  warning(code: string): Locator {
    return this.summary.locator(`li[data-code="${code}"]`);
  }

  get graph(): Locator {
    return this.page.getByRole('img', { name: 'Service graph' });
  }

  /** Selects an edge through the edge list (the same selection as clicking it in the graph). */
  async selectEdge(key: string): Promise<void> {
    await this.page.getByRole('region', { name: 'Edges' }).getByRole('button', { name: key }).click();
  }

  /** The generated rules, as `ns/name direction[i]` references. */
  async rules(): Promise<string[]> {
    const items = await this.page.getByRole('list', { name: 'Rules' }).locator('li').all();
    return Promise.all(items.map(async (li) => (await li.getAttribute('data-rule')) ?? ''));
  }

  get inspector(): Locator {
    return this.page.getByRole('region', { name: 'Edge inspector' });
  }

  /**
   * Pixels of the graph's canvases in the red of dropped flows: strong red over anything else, or
   * (`saturated`) only the full red, not a pale pink; only those `within` a rectangle of the graph's
   * own pixels when one is given.
   */
  redPixels(opts: { readonly saturated?: boolean; readonly within?: Rect } = {}): Promise<number> {
    return this.graphPixels(opts.saturated ? 'saturated-red' : 'red', opts.within);
  }

  /**
   * Pixels of the graph's canvases of one kind: the red of dropped flows (strong, or only the full
   * red), the slate of a forwarded edge, the pale grey of a pruned one, the blue of a selected one.
   * Each canvas is read through a copy, so the page never reads one canvas back twice (Chrome warns
   * about that on the console).
   */
  graphPixels(kind: PixelKind, within?: Rect): Promise<number> {
    return this.graph.evaluate(
      (el, [kind, within]) => {
        const near = (d: Uint8ClampedArray, i: number, [r, g, b]: readonly number[], tolerance: number): boolean =>
          d[i + 3] > 200 && Math.abs(d[i] - r) <= tolerance && Math.abs(d[i + 1] - g) <= tolerance && Math.abs(d[i + 2] - b) <= tolerance;
        const is: Record<PixelKind, (d: Uint8ClampedArray, i: number) => boolean> = {
          red: (d, i) => d[i + 3] > 128 && d[i] > 150 && d[i] - d[i + 1] > 90 && d[i] - d[i + 2] > 90,
          'saturated-red': (d, i) => d[i + 3] > 200 && d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90,
          forwarded: (d, i) => near(d, i, [0x64, 0x74, 0x8b], 24),
          pruned: (d, i) => near(d, i, [0xcb, 0xd5, 0xe1], 12),
          selected: (d, i) => near(d, i, [0x25, 0x63, 0xeb], 24),
        };
        let n = 0;
        const canvases = el.querySelectorAll('canvas');
        for (let k = 0; k < canvases.length; k++) {
          const c = canvases[k];
          const copy = document.createElement('canvas');
          copy.width = c.width;
          copy.height = c.height;
          const ctx = copy.getContext('2d', { willReadFrequently: true })!;
          ctx.drawImage(c, 0, 0);
          // Canvas pixels per CSS pixel of the graph.
          const scale = c.width / el.clientWidth;
          const [x1, y1, x2, y2] = within
            ? [within.x1, within.y1, within.x2, within.y2].map((v) => Math.max(0, Math.round(v * scale)))
            : [0, 0, c.width, c.height];
          const w = Math.min(c.width, x2) - x1;
          const h = Math.min(c.height, y2) - y1;
          if (w <= 0 || h <= 0) continue;
          const d = ctx.getImageData(x1, y1, w, h).data;
          for (let i = 0; i < d.length; i += 4) if (is[kind](d, i)) n++;
        }
        return n;
      },
      [kind, within] as const,
    );
  }

  /** Where a point of the graph's own coordinates is drawn, in the graph's pixels (as it is zoomed and panned now). */
  async onScreen(p: { readonly x: number; readonly y: number }): Promise<{ x: number; y: number }> {
    const zoom = Number(await this.graph.getAttribute('data-zoom'));
    const [px, py] = (await this.graph.getAttribute('data-pan'))!.split(',').map(Number);
    return { x: p.x * zoom + px, y: p.y * zoom + py };
  }

  /** Saves the graph as drawn (the toolbar's PNG or SVG button): the file's name and bytes. */
  async saveGraphImage(kind: 'PNG' | 'SVG'): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('toolbar', { name: 'Graph tools' }).getByRole('button', { name: kind, exact: true }).click(),
    ]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  }

  /** "Save workspace", to the file the host's dialog picks, once it says so. */
  async saveWorkspace(): Promise<void> {
    await this.page.getByRole('complementary', { name: 'Sources' }).getByRole('button', { name: 'Save workspace' }).click();
    await expect.poll(() => this.page.getByTestId('notice').textContent()).toMatch(/^Workspace saved to /);
  }

  /** "Open workspace…", from the file the host's dialog picks, once it says so. */
  async openWorkspace(): Promise<void> {
    await this.page.getByRole('complementary', { name: 'Sources' }).getByRole('button', { name: 'Open workspace…' }).click();
    await expect.poll(() => this.page.getByTestId('notice').textContent()).toMatch(/^Workspace .* opened\.$/);
  }

  async press(key: string): Promise<void> {
    await this.page.locator('body').press(key);
  }

  async screenshot(name: string): Promise<void> {
    // Playwright creates the folder.
    await this.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  private emptyStateOrSources(): Locator {
    return this.page.getByRole('complementary', { name: 'Sources' });
  }
}
