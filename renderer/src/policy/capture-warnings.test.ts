import { describe, expect, it } from 'vitest';
import type { GraphWarning, WarningCode } from '../../../shared/graph/types';
import { DATA_LOSS, firstSightWarnings } from './capture-warnings';

const w = (code: WarningCode): GraphWarning => ({ code, message: `${code} message` });
const codes = (ws: readonly GraphWarning[]): WarningCode[] => ws.map((x) => x.code);

describe('firstSightWarnings', () => {
  it.each<[WarningCode[], WarningCode[], WarningCode[]]>([
    // The damaged gzip capture a user opened: the data loss above, DNS and the short window as notes.
    [
      ['no-dns', 'short-window', 'bad-lines', 'damaged-gzip'],
      ['damaged-gzip', 'bad-lines'],
      ['no-dns', 'short-window'],
    ],
    [['short-window', 'lost-events', 'nodes-unavailable'], ['nodes-unavailable', 'lost-events'], ['short-window']],
    [['skipped-records', 'connections-capped', 'truncated'], ['truncated', 'connections-capped', 'skipped-records'], []],
    // What the graph cannot vouch for stays in the capture summary (and the findings).
    [['unresolved-service', 'uncertain-direction', 'dropped-flows', 'no-flows'], [], []],
  ])('%j: data loss %j, notes %j', (given, dataLoss, notes) => {
    const picked = firstSightWarnings(given.map(w));
    expect(codes(picked.dataLoss)).toEqual(dataLoss);
    expect(codes(picked.notes)).toEqual(notes);
  });

  it('every warning code that means lost data is picked', () => {
    expect(codes(firstSightWarnings([...DATA_LOSS].reverse().map(w)).dataLoss)).toEqual(DATA_LOSS);
    expect([...DATA_LOSS].sort()).toEqual(
      ['bad-lines', 'connections-capped', 'damaged-gzip', 'lost-events', 'nodes-unavailable', 'skipped-records', 'truncated'].sort(),
    );
  });
});
