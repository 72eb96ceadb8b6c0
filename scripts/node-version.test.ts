import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../shared/testing/fixtures';
import { nodeVersionProblem, requiredNode } from './node-version.mjs';

const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }>;
};

type V = [number, number, number];
const parse = (v: string): V => {
  const [a = 0, b = 0, c = 0] = v
    .replace(/^v/, '')
    .split('.')
    .map((x) => (x === 'x' || x === '*' ? 0 : Number(x)));
  return [a, b, c];
};
const cmp = (a: V, b: V): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether a version meets an npm engines range (the comparators engines fields use: >=, >, <, <=, ^, ~, exact, *). */
function satisfies(version: V, range: string): boolean {
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter((c) => c !== '' && c !== '*' && c !== 'x')
      .every((c) => {
        const m = /^(>=|<=|>|<|\^|~)?(.*)$/.exec(c)!;
        const v = parse(m[2]);
        const d = cmp(version, v);
        switch (m[1]) {
          case '>=':
            return d >= 0;
          case '>':
            return d > 0;
          case '<':
            return d < 0;
          case '<=':
            return d <= 0;
          case '^':
            return d >= 0 && version[0] === v[0];
          case '~':
            return d >= 0 && version[0] === v[0] && version[1] === v[1];
          default:
            return version[0] === v[0] && (m[2].split('.').length < 2 || version[1] === v[1]);
        }
      }),
  );
}

describe('the Node.js version the project needs', () => {
  it('is the one the README names', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const [major, minor] = requiredNode().split('.');
    expect(readme).toContain(`Node.js ${major}.${minor} or newer`);
  });

  it('satisfies every installed package that says which Node it needs (no EBADENGINE on install)', () => {
    const need = parse(requiredNode());
    const unmet: string[] = [];
    for (const [name, p] of Object.entries(lock.packages)) {
      const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
      if (name && range && !satisfies(need, range)) unmet.push(`${name}@${p.version}: ${range}`);
    }
    expect(unmet).toEqual([]);
  });

  it.each([
    ['20.20.2', true],
    ['22.12.0', true],
    ['22.13.0', false],
    ['24.1.0', false],
  ])('Node %s is too old: %s', (version, old) => {
    const said = nodeVersionProblem(version);
    if (old)
      expect(said).toMatch(
        new RegExp(`^netpol-studio needs Node\\.js ${requiredNode().replace(/\./g, '\\.')} or newer .*this is v${version}`),
      );
    else expect(said).toBeUndefined();
  });
});
