// Replays np-guard/netpol-analyzer's own test suite (fixtures/netpol-analyzer, Apache-2.0): the
// connlist cases without exposure analysis or focus options, those with Ingress/Route objects (and so
// the {ingress-controller} peer) included. Output is compared as upstream does: newlines removed,
// then byte for byte.
import { describe, expect, it } from 'vitest';
import { caseModel, comparable, expectedOutput, connlistCases } from '../../testing/netpol-analyzer';
import { connlist, connlistJson, connlistText } from './connlist';

const cases = connlistCases();

/** Cases known not to match, with the reason. Empty: all 50 match. */
const KNOWN_MISMATCHES = new Map<string, string>();

describe('netpol-analyzer connlist replay', () => {
  it('selects the 50 cases, 8 of them with Ingress or Route objects', () => {
    expect(cases).toHaveLength(50);
    expect(cases.filter((c) => c.input_kinds.includes('Ingress') || c.input_kinds.includes('Route'))).toHaveLength(8);
  });

  it.each(cases.map((c) => [c.dir, c] as const))('%s', async (_dir, c) => {
    const conns = connlist(await caseModel(c.input_dir));
    for (const [format, file] of Object.entries(c.expected)) {
      if (format !== 'txt' && format !== 'json') continue;
      const got = comparable(format === 'txt' ? connlistText(conns) : connlistJson(conns));
      if (KNOWN_MISMATCHES.has(c.dir)) expect(got).not.toBe(expectedOutput(file));
      else expect(got, `${c.dir} (${format})`).toBe(expectedOutput(file));
    }
  });
});
