// Finds the Electron executable without triggering the electron package's download-on-require.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The Electron binary's path, or undefined with the reason it is not there. */
export function findElectronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const candidates = [
    process.env.ELECTRON_OVERRIDE_DIST_PATH && path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name),
    path.join(pkg, 'dist', name),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  return found
    ? { path: found }
    : {
        path: undefined,
        reason: `no Electron binary at ${candidates.join(' or ')} (the electron package installs without downloading it here)`,
      };
}
