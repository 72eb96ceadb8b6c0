// Launches Debian's Chromium through playwright-core (no browser download), with traces kept on failure.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, onTestFailed, onTestFinished } from 'vitest';
import { ROOT } from '../../shared/testing/fixtures';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser suite cannot run here, or undefined when it can. In CI a missing browser is an error. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium xvfb\`, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`e2e: ${reason}`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const TRACE_DIR = path.join(ROOT, 'test-results', 'traces');

/** A fresh page whose trace is saved to test-results/traces when the current test fails. */
export async function tracedPage(
  browser: Browser,
  name: string,
  opts: { readonly viewport?: { readonly width: number; readonly height: number } } = {},
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { ...(opts.viewport ?? { width: 1280, height: 800 }) }, deviceScaleFactor: 1 });
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  // What the page says on its console (a library's warning, a failed request such as a missing
  // favicon) is a defect a user's developer tools would show: every test fails on it.
  const said: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') said.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  let failed = false;
  onTestFailed(async () => {
    failed = true;
    if (closed) return;
    mkdirSync(TRACE_DIR, { recursive: true });
    const file = path.join(TRACE_DIR, `${name.replace(/\W+/g, '-')}.zip`);
    await context.tracing.stop({ path: file });
    console.error(`e2e: trace of the failed test saved to ${file}; page errors: ${consoleErrors.join(' | ') || 'none'}`);
  });
  // Close each test's pages: their open event streams would otherwise hold the host's connections.
  // A test may close its context itself (to let a host it started close): nothing is left to do then.
  let closed = false;
  context.on('close', () => (closed = true));
  onTestFinished(async () => {
    if (!closed) {
      if (!failed) await context.tracing.stop();
      await context.close();
    }
    if (!failed) expect(said, 'console warnings and errors of the page').toEqual([]);
  });
  return { page, context };
}

/**
 * Where the suite writes its screenshots: out/screenshots, so that a test run never changes tracked
 * files. `npm run screenshots` sets NETPOL_SCREENSHOTS=docs/screenshots to refresh the README's on purpose.
 */
export const SCREENSHOTS = path.resolve(ROOT, process.env.NETPOL_SCREENSHOTS ?? path.join('out', 'screenshots'));
