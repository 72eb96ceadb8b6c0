import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../graph/analysis';
import { initialSelection } from '../../graph/selection';
import { summarize } from '../../graph/summary';
import { buildBundle, TOOL_VERSION, type BundleFile } from '../../bundle/bundle';
import { generate } from '../../policy/generate';
import { ROOT } from '../../testing/fixtures';
import { fileSha256, writeBundle, writePolicyFolder } from './write-bundle';

const sampleBundle = async (): Promise<BundleFile[]> => {
  const analysis = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
  const selection = initialSelection(analysis.graph);
  return buildBundle({
    summary: summarize(analysis),
    graph: analysis.graph,
    selection,
    set: generate(analysis.graph, selection, { namespaces: ['bookinfo'] }),
    captureSha256: '0'.repeat(64),
    toolVersion: TOOL_VERSION,
  });
};

const scratch = (): string => mkdtempSync(path.join(tmpdir(), 'netpol-bundle-'));

describe('the bundle writer: names become paths only when they are names', () => {
  it.each(['zip', 'folder'])('refuses a path outside the bundle in a %s, and writes nothing', async (as) => {
    const dir = scratch();
    const out = path.join(dir, 'inner', as === 'zip' ? 'b.zip' : 'b');
    const files = [...(await sampleBundle()), { path: 'policies/bookinfo/../../../x.yaml', content: 'kind: NetworkPolicy\n' }];
    await expect(writeBundle(files, out)).rejects.toMatchObject({ code: 'invalid-name', message: /not a path of a policy bundle/ });
    await expect(writeBundle([{ path: 'policies/../../x.yaml', content: '' }], out)).rejects.toMatchObject({ code: 'invalid-name' });
    await expect(writeBundle([{ path: 'policies/Shop/x.yaml', content: '' }], out)).rejects.toThrow(
      /namespace "Shop" is not a namespace name/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the bundle writer: export never deletes what it did not write', () => {
  it('replaces a bundle it wrote (asked to), folder and zip', async () => {
    const files = await sampleBundle();
    for (const name of ['b', 'b.zip']) {
      const out = path.join(scratch(), name);
      await writeBundle(files, out);
      await expect(writeBundle(files, out)).rejects.toMatchObject({ code: 'exists' });
      await writeBundle(
        files.filter((f) => !f.path.endsWith('details.yaml')),
        out,
        { force: true },
      );
      if (name === 'b') expect(readdirSync(path.join(out, 'policies', 'bookinfo'))).not.toContain('details.yaml');
      expect(readdirSync(path.dirname(out))).toEqual([name]);
    }
  });

  it.each([
    ['a folder holding files its bundle.json does not list', (out: string) => writeFileSync(path.join(out, 'notes.txt'), 'mine')],
    [
      'a folder with a file changed since it was written',
      (out: string) => writeFileSync(path.join(out, 'policies', 'bookinfo', 'ratings.yaml'), '# edited by hand\n'),
    ],
    ['a folder with no bundle.json', (out: string) => writeFileSync(path.join(out, 'bundle.json'), '{"tool": "someone else"}')],
  ])('refuses %s, and leaves it as it was', async (_what, spoil) => {
    const files = await sampleBundle();
    const out = path.join(scratch(), 'b');
    await writeBundle(files, out);
    spoil(out);
    const before = execFileSync('ls', ['-lR', '--time-style=+', out], { encoding: 'utf8' });
    await expect(writeBundle(files, out, { force: true })).rejects.toMatchObject({
      code: 'not-a-bundle',
      message: expect.stringMatching(/was not replaced: .*Only a bundle netpol-studio wrote, holding nothing else, is replaced/) as unknown,
    });
    expect(execFileSync('ls', ['-lR', '--time-style=+', out], { encoding: 'utf8' })).toBe(before);
    expect(readdirSync(path.dirname(out))).toEqual(['b']);
  });

  it('refuses a folder that is not a bundle at all (a home folder), and a file that is not a bundle zip', async () => {
    const home = path.join(scratch(), 'home');
    mkdirSync(path.join(home, 'projects'), { recursive: true });
    writeFileSync(path.join(home, 'projects', 'thesis.tex'), 'years of work');
    await expect(writeBundle(await sampleBundle(), home, { force: true })).rejects.toThrow(
      /home was not replaced: it holds no bundle\.json, so it is not a bundle netpol-studio wrote/,
    );
    expect(readFileSync(path.join(home, 'projects', 'thesis.tex'), 'utf8')).toBe('years of work');
    const zip = path.join(path.dirname(home), 'photos.zip');
    writeFileSync(zip, 'not a zip');
    await expect(writeBundle(await sampleBundle(), zip, { force: true })).rejects.toThrow(
      /photos\.zip was not replaced: it is not a zip archive/,
    );
    expect(readFileSync(zip, 'utf8')).toBe('not a zip');
  });
});

describe('policy folders (generate -o DIR)', () => {
  it('a new folder appears whole; in an existing one each file is replaced and nothing else is touched', async () => {
    const dir = path.join(scratch(), 'policies');
    await writePolicyFolder(dir, [{ path: 'shop/a.yaml', content: 'one\n' }]);
    writeFileSync(path.join(dir, 'README.md'), 'mine');
    await writePolicyFolder(dir, [
      { path: 'shop/a.yaml', content: 'two\n' },
      { path: 'shop/b.yaml', content: 'three\n' },
    ]);
    expect(readFileSync(path.join(dir, 'shop', 'a.yaml'), 'utf8')).toBe('two\n');
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'shop']);
    expect(readdirSync(path.dirname(dir))).toEqual(['policies']);
  });

  it('a path that is not a folder is refused before anything is written', async () => {
    await expect(writePolicyFolder('/dev/null', [{ path: 'shop/a.yaml', content: '' }])).rejects.toMatchObject({
      code: 'not-a-folder',
      message: '/dev/null is a character device, not a folder',
    });
    expect(existsSync('/dev/null.tmp')).toBe(false);
  });
});

describe('hashing a capture', () => {
  it('refuses a device or a named pipe instead of reading it forever', async () => {
    await expect(fileSha256('/dev/zero')).rejects.toMatchObject({
      code: 'not-a-regular-file',
      message: '/dev/zero is a character device, not a regular file',
    });
    const fifo = path.join(scratch(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(fileSha256(fifo)).rejects.toMatchObject({ code: 'not-a-regular-file', what: 'a named pipe' });
  });
});
