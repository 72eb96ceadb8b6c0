import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfirmRequest } from '../../electron/services/kubectl-service';
import type { Encryptor } from '../../electron/services/secrets';
import { ROOT } from '../../shared/testing/fixtures';
import { composeBrowserServices } from '../../electron/browser/services';
import { startHost, type RunningHost } from '../../electron/browser/server';
import { uploadInbox } from '../../electron/browser/upload';

/** Builds the app as `npm run build` does: main, preload and renderer (electron-vite), then the CLI, host and bridge. */
export function buildRenderer(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface TestHostOptions {
  readonly chooseFile?: () => string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly confirm?: (r: ConfirmRequest) => Promise<boolean>;
  /** The clock of applies and soak checks: a rollout replayed on a recorded day. */
  readonly now?: () => Date;
  readonly encryptor?: Encryptor;
  readonly chooseBundle?: (as: 'folder' | 'zip') => string | undefined;
  readonly chooseWorkspace?: () => string | undefined;
  /** Another host's data folder: a restart of the app on the same machine. */
  readonly dataDir?: string;
}

/** The real services behind the browser host; dialogs and the environment are the test's. */
export async function startTestHost(o: TestHostOptions = {}): Promise<RunningHost & { dataDir: string }> {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'netpol-host-'));
  const uploads = uploadInbox(path.join(dataDir, 'uploads'));
  const services = composeBrowserServices({
    uploads,
    root: ROOT,
    dataDir,
    env: o.env,
    searchPath: o.env?.PATH,
    chooseFile: o.chooseFile,
    confirm: o.confirm,
    ...(o.now ? { now: o.now } : {}),
    encryptor: o.encryptor,
    chooseBundle: o.chooseBundle,
    chooseWorkspace: o.chooseWorkspace,
  });
  const host = await startHost({
    rendererDir: path.join(ROOT, 'out/renderer'),
    bridgeFile: path.join(ROOT, 'out/browser/bridge.js'),
    api: services.api,
    events: services.events,
    uploads,
  });
  // Closing is the app's quit: children stopped, the pending autosave written, then the host.
  return { ...host, dataDir, close: async () => (await services.shutdown(), await host.close()) };
}
