// The Node.js version the project needs, from one definition: package.json "engines". Electron 45,
// its binary download and electron-builder's rebuild declare Node >= 22.12, and some lint tools
// ^22.13; npm warns (EBADENGINE) on older Node, and the Electron binary may not install.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The lowest Node.js version package.json's engines field accepts, as `major.minor.patch`. */
export function requiredNode() {
  const range = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`package.json engines.node must read ">=MAJOR.MINOR", not "${range}"`);
  return `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`;
}

/** Why this Node.js is too old for the project (one line that says what to do), or undefined. */
export function nodeVersionProblem(version = process.versions.node) {
  const need = requiredNode();
  const [a, b] = [version, need].map((v) => v.replace(/^v/, '').split('.').map(Number));
  const older = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
  return older
    ? `netpol-studio needs Node.js ${need} or newer (Electron and electron-builder require it); this is ${version.replace(/^v?/, 'v')}: npm warns EBADENGINE and the desktop app may not install. Install Node.js ${need.split('.')[0]} LTS.`
    : undefined;
}
