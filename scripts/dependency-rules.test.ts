// The import rules of .dependency-cruiser.cjs fail on planted forbidden imports (and pass a clean
// tree): the architecture's arrows are checked, not hoped for.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs') as IConfiguration;
const dirs: string[] = [];

/** Cruises a small tree of files (path → source) with the project's rules; the rule names it breaks. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const root = mkdtempSync(path.join(tmpdir(), 'depcruise-'));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await cruise(
      Object.keys(files)
        .map((f) => f.split('/')[0])
        .filter((d, i, all) => all.indexOf(d) === i),
      {
        ruleSet: { forbidden: config.forbidden },
        validate: true,
        tsPreCompilationDeps: true,
        doNotFollow: { path: 'node_modules' },
      },
    );
    const output = r.output as ICruiseResult;
    return [...new Set(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`))].sort();
  } finally {
    process.chdir(cwd);
  }
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the import rules', () => {
  it('pass a tree that keeps them', async () => {
    expect(
      await violations({
        'shared/graph/a.ts': "import { b } from '../flows/b';\nexport const a = b;\n",
        'shared/flows/b.ts': 'export const b = 1;\n',
        'shared/node/capture/read.ts':
          "import { readFileSync } from 'node:fs';\nimport { a } from '../../graph/a';\nimport { f } from '../fs/f';\nimport { p } from './p';\nexport const r = [readFileSync, a, f, p];\n",
        'shared/node/capture/p.ts': 'export const p = 1;\n',
        'shared/node/fs/f.ts': "import { writeFileSync } from 'node:fs';\nexport const f = writeFileSync;\n",
        'electron/main.ts': "import { r } from '../shared/node/capture/read';\nexport const m = r;\n",
        'renderer/app.ts': "import { a } from '../shared/graph/a';\nexport const x = a;\n",
        'cli/run.ts':
          "import { r } from '../shared/node/capture/read';\nimport { f } from '../shared/node/fs/f';\nexport const c = [r, f];\n",
      }),
    ).toEqual([]);
  });

  it('fail on each planted forbidden import', async () => {
    expect(
      await violations({
        'shared/graph/a.ts': "import { m } from '../../electron/main';\nexport const a = m;\n",
        'shared/flows/b.ts': "import { readFileSync } from 'node:fs';\nexport const b = readFileSync;\n",
        'shared/policy/c.ts': "import { r } from '../node/capture/read';\nexport const c = r;\n",
        'shared/node/capture/read.ts': "import { w } from '../bundle/write';\nexport const r = w;\n",
        'shared/node/bundle/write.ts': 'export const w = 1;\n',
        'shared/node/fs/f.ts': "import { r } from '../capture/read';\nexport const f = r;\n",
        'electron/main.ts': "import { t } from '../e2e/support/t';\nexport const m = t;\n",
        'e2e/support/t.ts': 'export const t = 1;\n',
        'renderer/app.ts':
          "import { m } from '../electron/main';\nimport { r } from '../shared/node/capture/read';\nimport { f } from '../shared/node/fs/f';\nexport const x = [m, r, f];\n",
        'cli/run.ts': "import { m } from '../electron/main';\nexport const c = m;\n",
        'shared/bundle/x.ts': "import { y } from './y';\nexport const x = () => y;\n",
        'shared/bundle/y.ts': "import { x } from './x';\nexport const y = () => x;\n",
      }),
    ).toEqual([
      'cli-without-electron: cli/run.ts → electron/main.ts',
      'domain-without-node-part: shared/policy/c.ts → shared/node/capture/read.ts',
      'domain-without-node: shared/flows/b.ts → fs',
      'no-cycles: shared/bundle/x.ts → shared/bundle/y.ts',
      'node-parts-apart: shared/node/capture/read.ts → shared/node/bundle/write.ts',
      'node-parts-apart: shared/node/fs/f.ts → shared/node/capture/read.ts',
      'renderer-in-the-browser: renderer/app.ts → electron/main.ts',
      'renderer-in-the-browser: renderer/app.ts → shared/node/capture/read.ts',
      'renderer-in-the-browser: renderer/app.ts → shared/node/fs/f.ts',
      'shared-stays-shared: shared/graph/a.ts → electron/main.ts',
      'tests-stay-in-e2e: electron/main.ts → e2e/support/t.ts',
    ]);
  });
});
