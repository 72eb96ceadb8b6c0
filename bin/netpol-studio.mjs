#!/usr/bin/env node
// The installed `netpol-studio` command: runs the CLI bundle that `npm install` builds (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/main.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write(
    'netpol-studio: the CLI is not built yet. Run `npm install` (or `npm run build:cli`) in the netpol-studio folder.\n',
  );
  process.exit(2);
}
await import(bundle.href);
