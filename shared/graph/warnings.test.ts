import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../testing/fixtures';
import { analyzeText } from './analysis';

const sample = readFileSync(path.join(ROOT, 'resources/sample-capture.jsonl'), 'utf8').trimEnd().split('\n');
const warningsOf = (lines: readonly string[], newlineAtEnd = false) =>
  analyzeText(lines.join('\n') + (newlineAtEnd ? '\n' : ''), 'c.jsonl').graph.warnings.filter(
    (w) => w.code === 'truncated' || w.code === 'bad-lines',
  );
const cut = (line: string): string => line.slice(0, Math.floor(line.length / 2));

describe('a capture cut short says so once', () => {
  it.each([
    [
      'cut in its last line, nothing else wrong',
      [...sample.slice(0, 50), cut(sample[50])],
      [['truncated', /^The capture ends in the middle of a record/]],
    ],
    [
      'cut in its last line, with another bad line: the bad lines count the other one',
      [...sample.slice(0, 5), '{"flow": not json', ...sample.slice(5, 50), cut(sample[50])],
      [
        ['bad-lines', /^1 line\(s\) could not be read and were skipped \(first at line 6: .*\), besides the cut-off last line\.$/],
        ['truncated', /^The capture ends in the middle of a record/],
      ],
    ],
    [
      'whole, with one bad line',
      [...sample.slice(0, 5), '{"flow": not json', ...sample.slice(5, 50)],
      [['bad-lines', /^1 line\(s\) could not be read and were skipped \(first at line 6: .*\)\.$/]],
    ],
  ])('%s', (_, lines, expected) => {
    const ws = warningsOf(lines);
    expect(ws.map((w) => w.code)).toEqual(expected.map(([code]) => code));
    ws.forEach((w, i) => expect(w.message).toMatch(expected[i][1]));
    // A whole capture says nothing of a cut-off line.
    if (!ws.some((w) => w.code === 'truncated')) expect(ws.map((w) => w.message).join(' ')).not.toMatch(/cut-off|truncated/);
  });
});
