// Replays np-guard/netpol-analyzer's own test suite (fixtures/netpol-analyzer, Apache-2.0): the
// connlist cases without exposure analysis or focus options, those with Ingress/Route objects (and so
// the {ingress-controller} peer) included. Output is compared as upstream does: newlines removed,
// then byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readResourceDir } from '../../node/cluster/k8s-resources';
import { fixture } from '../../testing/fixtures';
import { connlist, connlistJson, connlistText } from './connlist';
import { buildModel } from './model';

interface Case {
  readonly kind: string;
  readonly dir: string;
  readonly input_dir: string;
  readonly input_kinds: readonly string[];
  readonly expected: Record<string, string>;
}

const base = fixture('netpol-analyzer');
const cases = (JSON.parse(readFileSync(`${base}/cases.json`, 'utf8')) as { cases: Case[] }).cases.filter((c) => c.kind === 'connlist');
const strip = (s: string): string => s.replace(/[\r\n]/g, '');

/** Cases known not to match, with the reason. Empty: all 50 match. */
const KNOWN_MISMATCHES = new Map<string, string>();

describe('netpol-analyzer connlist replay', () => {
  it('selects the 50 cases, 8 of them with Ingress or Route objects', () => {
    expect(cases).toHaveLength(50);
    expect(cases.filter((c) => c.input_kinds.includes('Ingress') || c.input_kinds.includes('Route'))).toHaveLength(8);
  });

  it.each(cases.map((c) => [c.dir, c] as const))('%s', async (_dir, c) => {
    const { objects } = await readResourceDir(`${base}/${c.input_dir}`);
    const conns = connlist(buildModel(objects));
    for (const [format, file] of Object.entries(c.expected)) {
      if (format !== 'txt' && format !== 'json') continue;
      const got = format === 'txt' ? connlistText(conns) : connlistJson(conns);
      const want = readFileSync(`${base}/${file}`, 'utf8');
      if (KNOWN_MISMATCHES.has(c.dir)) expect(strip(got)).not.toBe(strip(want));
      else expect(strip(got), `${c.dir} (${format})`).toBe(strip(want));
    }
  });
});
