import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../shared/testing/fixtures';
import { CaptureService, createApi } from '../../electron/services/capture-service';
import { startHost, type RunningHost } from '../host/server';

/** Builds the renderer once per run (electron-vite, as `npm run build` does). */
export function buildRenderer(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** The real services behind the browser host; `chooseFile` stands in for the native dialog. */
export async function startTestHost(chooseFile: () => string | undefined): Promise<RunningHost> {
  const captures = new CaptureService({
    samplePath: path.join(ROOT, 'resources/sample-capture.jsonl'),
    dialogs: { chooseCaptureFile: () => Promise.resolve(chooseFile()) },
  });
  const api = createApi(captures);
  return startHost({ rendererDir: path.join(ROOT, 'out/renderer'), api });
}
