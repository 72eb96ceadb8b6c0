// `npm start` without an Electron binary, and `node out/cli/host.mjs`: the real UI in a browser.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CaptureService, createApi } from '../../electron/services/capture-service';
import { startHost } from './server';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({ options: { capture: { type: 'string' }, port: { type: 'string' } } });

const captures = new CaptureService({
  samplePath: path.join(root, 'resources/sample-capture.jsonl'),
  dialogs: {
    chooseCaptureFile() {
      if (!values.capture) {
        return Promise.reject(
          new Error('The browser has no native file dialog: start with `npm start -- --capture FILE` to open your own capture.'),
        );
      }
      return Promise.resolve(path.resolve(values.capture));
    },
  },
});
const api = createApi(captures);
const host = await startHost({ rendererDir: path.join(root, 'out/renderer'), api, port: values.port ? Number(values.port) : 0 });
process.stdout.write(`netpol-studio is running in browser mode at\n\n  ${host.url}\n\nOpen it in your browser. Press Ctrl+C to stop.\n`);
const stop = (): void => void host.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
