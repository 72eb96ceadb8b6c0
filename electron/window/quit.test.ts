import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkspacePayload } from '../../shared/api/contract';
import { ROOT } from '../../shared/testing/fixtures';
import { composeBrowserServices } from '../browser/services';
import { quitAfterShutdown, type QuittingApp } from './quit';

/** Electron's `app` as far as quitting goes: `quit()` emits before-quit, and quits unless a listener prevents it. */
function fakeApp() {
  const listeners: ((e: { preventDefault(): void }) => void)[] = [];
  const log: string[] = [];
  let quitted!: () => void;
  const quit = new Promise<void>((resolve) => (quitted = resolve));
  const app: QuittingApp = {
    on: (_event, l) => listeners.push(l),
    quit: () => {
      let prevented = false;
      for (const l of listeners) l({ preventDefault: () => (prevented = true) });
      log.push(prevented ? 'quit held' : 'quit');
      if (!prevented) quitted();
    },
  };
  return { app, log, quit };
}

const payload: WorkspacePayload = {
  selection: { version: 1, pruned: [{ edge: 'bookinfo/reviews->bookinfo/ratings:9080/TCP', by: 'user', reason: 'not needed' }] },
  options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' },
  notes: 'written on quit',
};

describe('quitting the desktop app', () => {
  it('waits for the pending autosave before it quits (the workspace service in Node)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-quit-'));
    const services = composeBrowserServices({ root: ROOT, dataDir, searchPath: '/nonexistent' });
    await services.api.loadSample();
    // Debounced: nothing is on disk yet when the user quits right after the change.
    await expect(services.api.autosaveWorkspace(payload)).resolves.toEqual({ ok: true, value: null });
    const autosave = path.join(dataDir, 'autosave.workspace.json');
    expect(existsSync(autosave)).toBe(false);

    const { app, log, quit } = fakeApp();
    const onDisk: boolean[] = [];
    quitAfterShutdown(
      app,
      async () => {
        await services.shutdown();
        onDisk.push(existsSync(autosave));
      },
      (e) => log.push(`failed: ${String(e)}`),
    );
    app.quit();
    app.quit(); // a second Cmd+Q while the autosave is written waits for the same one
    expect(log).toEqual(['quit held', 'quit held']);
    await quit;
    expect(log).toEqual(['quit held', 'quit held', 'quit']);
    expect(onDisk).toEqual([true]);
    expect(JSON.parse(readFileSync(autosave, 'utf8'))).toMatchObject({ notes: 'written on quit', selection: payload.selection });

    // The next start offers the work back.
    const again = composeBrowserServices({ root: ROOT, dataDir, searchPath: '/nonexistent' });
    await expect(again.api.recoverWorkspace()).resolves.toMatchObject({ ok: true, value: { workspace: { notes: 'written on quit' } } });
  });

  it('a shutdown that fails is reported, and the app still quits', async () => {
    const { app, log, quit } = fakeApp();
    quitAfterShutdown(
      app,
      () => Promise.reject(new Error('disk full')),
      (e) => log.push(`failed: ${(e as Error).message}`),
    );
    app.quit();
    await quit;
    expect(log).toEqual(['quit held', 'failed: disk full', 'quit']);
  });
});
