// Bundles the CLI, its worker and the capture generator into out/cli with esbuild (about 100 ms),
// so the `netpol-studio` bin and `npm run cli` run plain JavaScript on Node 20.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'cli/main.ts',
    'ingest-worker': 'shared/node/ingest-worker.ts',
    'generate-capture': 'scripts/generate-capture.ts',
    'bench-ingest': 'scripts/bench-ingest.ts',
    bench: 'scripts/bench.ts',
    host: 'e2e/host/main.ts',
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
