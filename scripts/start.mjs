// `npm start`: builds the app, then runs it in Electron, or, where no Electron binary exists,
// serves the same UI and services in the browser (with the built-in sample capture).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';
import { nodeVersionProblem } from './node-version.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Said first: on an older Node the desktop app may not install, though browser mode still runs.
const oldNode = nodeVersionProblem();
if (oldNode) process.stderr.write(`${oldNode}\n\n`);
const node = process.execPath;
const step = (args) => {
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

step([path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
step([path.join(root, 'scripts/build-cli.mjs')]);

const electron = findElectronBinary();
if (electron.path) {
  const child = spawn(electron.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(`\nElectron cannot start here: ${electron.reason}.\nStarting the same app in browser mode instead.\n\n`);
  // `npm start -- --capture FILE --port N` reach the host through process.argv.
  await import(path.join(root, 'out/cli/host.mjs'));
}
