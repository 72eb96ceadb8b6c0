// Drives the packaged Electron app when a binary exists; this machine has none, so it says so and skips.
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, OPERATIONS } from '../shared/api/contract';
import { ROOT } from '../shared/testing/fixtures';
// @ts-expect-error plain ESM helper shared with scripts/start.mjs
import { findElectronBinary } from '../scripts/electron-binary.mjs';
import { SCREENSHOTS } from './support/browser';
import { buildRenderer } from './support/host';

const binary = (findElectronBinary as () => { path?: string; reason?: string })();
if (!binary.path) console.warn(`e2e: skipping the Electron suite: ${binary.reason}`);

describe.skipIf(!binary.path)('the app in Electron', () => {
  it('opens a sandboxed window and shows the sample summary', async () => {
    buildRenderer();
    const app = await electron.launch({ executablePath: binary.path, args: [ROOT], cwd: ROOT, timeout: 60_000 });
    try {
      const page = await app.firstWindow();
      // No Node in the page, and only the contract's functions on window.netpol.
      await expect(page.evaluate('typeof window.require + "," + typeof window.process')).resolves.toBe('undefined,undefined');
      // One function per operation of the contract, one subscription per event: nothing else.
      const expected = [...OPERATIONS, ...EVENT_NAMES.map((e) => `on${e[0].toUpperCase()}${e.slice(1)}`)].sort().join(',');
      await expect(page.evaluate('Object.keys(window.netpol).sort().join(",")')).resolves.toBe(expected);
      await page.getByRole('button', { name: 'Open sample capture' }).first().click();
      await page.getByRole('region', { name: 'Capture summary' }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'electron-summary.png') });
    } finally {
      await app.close();
    }
  });
});
