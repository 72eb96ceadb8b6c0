import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResourceDir } from './k8s-resources';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder of its own holding one file `name` with `text`. */
function folderWith(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-k8s-resources-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, name), text);
  return dir;
}

const deployment = (argsLine: string): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          args:',
    '            [',
    '              "-jar",',
    argsLine,
    '            ]',
    '',
  ].join('\n');

describe('readResourceDir', () => {
  it('reads a tab inside [ ] as white space, as kubectl does (netpol-analyzer acs-security-demos-added-workloads has one)', async () => {
    const { objects, problems } = await readResourceDir(folderWith('tab.yaml', deployment('\t            "-Dlisten=8080",')));
    expect(problems).toEqual([]);
    const spec = (objects[0] as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec;
    expect(spec.template.spec.containers[0].args).toEqual(['-jar', '-Dlisten=8080']);
  });

  it('still reports a file that does not parse with the tabs as spaces either', async () => {
    const dir = folderWith('bad.yaml', deployment('\t            "-Dlisten=8080", ]]'));
    const { objects, problems } = await readResourceDir(dir);
    expect(objects).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe(path.join(dir, 'bad.yaml'));
  });
});
