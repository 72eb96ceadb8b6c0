// Replays every diff case of np-guard/netpol-analyzer's test suite (fixtures/netpol-analyzer, Apache-2.0),
// in the txt, csv and md formats, compared as upstream does (newlines removed, then byte for byte).
import { describe, expect, it } from 'vitest';
import { caseModel, comparable, diffCases, expectedOutput } from '../../testing/netpol-analyzer';
import { connDiffCsv, connDiffMarkdown, connDiffText, connlistDiff } from './diff';

const cases = diffCases();

/** Cases known not to match, with the reason. Empty: all 30 match. */
const KNOWN_MISMATCHES = new Map<string, string>();

describe('netpol-analyzer diff replay', () => {
  it('has the 30 cases, all of which must match', () => {
    expect(cases).toHaveLength(30);
    expect(cases.length - KNOWN_MISMATCHES.size).toBe(30);
  });

  it.each(cases.map((c) => [`${c.ref1}->${c.ref2}`, c] as const))('%s', async (name, c) => {
    const d = connlistDiff(await caseModel(c.ref1_dir), await caseModel(c.ref2_dir));
    const outputs: Record<string, string> = { txt: connDiffText(d), csv: connDiffCsv(d), md: connDiffMarkdown(d) };
    const results = Object.entries(c.expected)
      .filter(([format]) => format in outputs)
      .map(([format, file]) => comparable(outputs[format]) === expectedOutput(file));
    // A known mismatch that starts to match should leave the list.
    expect(results.every(Boolean), KNOWN_MISMATCHES.get(name) ?? name).toBe(!KNOWN_MISMATCHES.has(name));
  });
});
