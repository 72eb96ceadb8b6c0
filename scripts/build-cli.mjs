// Bundles the CLI, its worker, the capture generator and the browser host into out/cli with esbuild
// (about 100 ms), so the `netpol-studio` bin, `npm run cli` and `npm start` run plain JavaScript on
// Node 20; and the browser host's bridge into out/browser, for the page.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'cli/main.ts',
    'ingest-worker': 'shared/node/capture/ingest-worker.ts',
    'generate-capture': 'scripts/generate-capture.ts',
    'bench-ingest': 'scripts/bench-ingest.ts',
    bench: 'scripts/bench.ts',
    host: 'electron/browser/start.ts',
  },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// `window.netpol` for the browser host's page: one classic script, run before the app's module.
await build({
  absWorkingDir: root,
  entryPoints: { bridge: 'electron/browser/bridge.ts' },
  outdir: 'out/browser',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  logLevel: 'warning',
});
