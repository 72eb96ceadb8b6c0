// `npm start` where no Electron binary exists (and `node out/cli/host.mjs`): the real UI in a browser.
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandArgsOrExit } from '../../shared/node/args/command-args';
import { composeBrowserServices } from './services';
import { startHost } from './server';
import { uploadInbox } from './upload';

// Bundled into out/cli/host.mjs: the repository (renderer, bridge, sample) is two folders up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const values = commandArgsOrExit(
  process.argv.slice(2),
  {
    capture: { type: 'string' },
    port: { type: 'string' },
    workspace: { type: 'string' },
    'kubectl-path': { type: 'string' },
    'hubble-path': { type: 'string' },
  },
  'usage: npm start -- [--capture FILE] [--port N] [--workspace FILE] [--kubectl-path PATH] [--hubble-path PATH]\n\n' +
    'Runs netpol-studio: in Electron where its binary exists, else in browser mode (this host) at a loopback address.\n' +
    '  --capture FILE        open FILE at start\n' +
    '  --port N              listen on port N (default: any free port)\n' +
    '  --workspace FILE      where "Save workspace" writes (default ~/.netpol-studio/workspace.netpol.json)\n' +
    '  --kubectl-path PATH   the kubectl to run (default: kubectl on the PATH of this shell)\n' +
    '  --hubble-path PATH    the hubble to run (default: hubble on the PATH of this shell)\n',
);
const dataDir = path.join(homedir(), '.netpol-studio');
const workspaceFile = path.resolve(values.workspace ?? path.join(dataDir, 'workspace.netpol.json'));

// "Open capture…" streams the file the user picks in the page to this folder; --capture FILE opens FILE at start.
const uploads = uploadInbox(path.join(dataDir, 'uploads'));
const services = composeBrowserServices({
  root,
  dataDir,
  uploads,
  chooseFile: () => (values.capture ? path.resolve(values.capture) : undefined),
  // No native save dialogs in a browser: workspaces and bundles go to fixed places, said at start.
  chooseWorkspace: () => workspaceFile,
  chooseBundle: (as) => path.join(dataDir, 'exports', as === 'zip' ? 'bundle.zip' : 'bundle'),
});
// Which programs run with the user's credentials is said here, by whoever started the host: the page
// cannot change it without a confirmation, and a browser has no native dialog to give one.
for (const [flag, key] of [
  ['kubectl-path', 'kubectlPath'],
  ['hubble-path', 'hubblePath'],
] as const) {
  const given = values[flag];
  if (given === undefined) continue;
  try {
    await services.settings.update({ [key]: given === '' ? '' : path.resolve(given) });
  } catch (e) {
    process.stderr.write(`netpol-studio: --${flag}: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
const host = await startHost({
  rendererDir: path.join(root, 'out/renderer'),
  bridgeFile: path.join(root, 'out/browser/bridge.js'),
  api: services.api,
  events: services.events,
  uploads,
  port: values.port ? Number(values.port) : 0,
});
if (values.capture) {
  const opened = await services.api.openCapture();
  if (!opened.ok) process.stderr.write(`netpol-studio: ${opened.error.message}\n`);
}
process.stdout.write(
  `netpol-studio is running in browser mode at\n\n  ${host.url}\n\nOpen it in your browser. Press Ctrl+C to stop.\n` +
    `"Open capture…" sends the file you pick to this process (kept in ${path.join(dataDir, 'uploads')}); --capture FILE opens FILE at start.\n` +
    `Workspaces are saved to ${workspaceFile} (--workspace FILE), bundles to ${path.join(dataDir, 'exports')}.\n` +
    'Applying to a cluster needs the desktop app (its confirmation dialog); here it is always refused, and so are changes\n' +
    'to the kubectl or hubble path from the page: give them here with --kubectl-path PATH and --hubble-path PATH.\n' +
    'There is no keychain here, so no AI key is stored: a local model server (Ollama, vLLM on localhost) needs none.\n',
);
// As the desktop app does on quit: children stop, and the pending autosave is written first.
const stop = (): void => {
  void services
    .shutdown()
    .catch((e: unknown) => console.error('netpol-studio: the autosave on quit failed:', e))
    .finally(() => void host.close().then(() => process.exit(0)));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
