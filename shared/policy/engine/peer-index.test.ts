import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectorMatch } from './model';
import { PeerIndex, type RuleAnchors } from './peer-index';

describe('PeerIndex: the rules worth matching in full for a pod', () => {
  const anchors: RuleAnchors[] = [
    [['app', 'a']],
    undefined,
    [
      ['app', 'b'],
      ['tier', 'web'],
    ],
    [['app', 'a']],
    [['team', 'x']],
  ];
  const index = new PeerIndex(anchors);

  it('gives the rules filed under the pod labels and the rules that could pick anything, ascending, once each', () => {
    expect(index.candidates({ app: 'a' })).toEqual([0, 1, 3]);
    expect(index.candidates({ app: 'b', tier: 'web' })).toEqual([1, 2]);
    expect(index.candidates({ app: 'c' })).toEqual([1]);
  });

  it('every rule when the labels are unknown, and the rules under a key the pod may be missing', () => {
    expect(index.candidates(undefined)).toEqual([0, 1, 2, 3, 4]);
    expect(index.candidates({ app: 'c' }, (k) => k === 'team')).toEqual([1, 4]);
    // A label the pod shows is not hidden: another value of it never matches.
    expect(index.candidates({ app: 'c', team: 'y' }, () => true)).toEqual([1, 2]);
  });

  it('never leaves out a rule whose selector matches (random selectors and pods)', () => {
    const label = fc.tuple(fc.constantFrom('app', 'tier', 'team'), fc.constantFrom('a', 'b'));
    const selector = fc.dictionary(fc.constantFrom('app', 'tier', 'team'), fc.constantFrom('a', 'b'), { maxKeys: 2 });
    fc.assert(
      fc.property(
        fc.array(fc.array(selector, { maxLength: 2 }), { maxLength: 8 }),
        fc.array(label, { maxLength: 3 }),
        fc.boolean(),
        (rules, pod, partial) => {
          const labels = Object.fromEntries(pod);
          const hidden = partial ? (k: string) => k === 'team' : undefined;
          const built = new PeerIndex(
            rules.map((sels) =>
              sels.length === 0 || sels.some((s) => Object.keys(s).length === 0)
                ? undefined
                : sels.map((s) => Object.entries(s)[0] as [string, string]),
            ),
          );
          const got = new Set(built.candidates(labels, hidden));
          rules.forEach((sels, i) => {
            const matches = sels.length === 0 || sels.some((s) => selectorMatch({ matchLabels: s }, labels, hidden, 'pod').match !== 'no');
            if (matches) expect(got.has(i)).toBe(true);
          });
        },
      ),
    );
  });
});
