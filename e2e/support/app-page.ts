import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SCREENSHOTS } from './browser';

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

  /** One kind of finding (its key, e.g. `kept-inexpressible`, `dns`, `capture:short-window`). */
  findingGroup(key: string): Locator {
    return this.findings.locator(`li[data-group="${key}"]`);
  }

  get error(): Locator {
    return this.page.getByRole('alert');
  }

  async openSampleCapture(): Promise<void> {
    await this.emptyStateOrSources().getByRole('button', { name: 'Open sample capture' }).first().click();
    // The page may show the capture opened before (the host keeps it): wait for the sample's own heading.
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
   * (`saturated`) only the full red, not a pale pink. Each canvas is read through a copy, so the
   * page never reads one canvas back twice (Chrome warns about that on the console).
   */
  redPixels(opts: { readonly saturated?: boolean } = {}): Promise<number> {
    return this.graph.evaluate((el, saturated) => {
      let n = 0;
      const canvases = el.querySelectorAll('canvas');
      for (let k = 0; k < canvases.length; k++) {
        const c = canvases[k];
        const copy = document.createElement('canvas');
        copy.width = c.width;
        copy.height = c.height;
        const ctx = copy.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(c, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4)
          if (
            saturated
              ? d[i + 3] > 200 && d[i] > 180 && d[i + 1] < 90 && d[i + 2] < 90
              : d[i + 3] > 128 && d[i] > 150 && d[i] - d[i + 1] > 90 && d[i] - d[i + 2] > 90
          )
            n++;
      }
      return n;
    }, opts.saturated ?? false);
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
