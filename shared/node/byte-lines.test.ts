import { describe, expect, it } from 'vitest';
import { ByteLineReader } from './byte-lines';

function collect(chunks: string[], max = 16) {
  const lines: [number, string, boolean][] = [];
  const overlong: number[] = [];
  const r = new ByteLineReader(
    (l, n, nl) => lines.push([n, l, nl]),
    (n) => overlong.push(n),
    max,
  );
  for (const c of chunks) r.push(Buffer.from(c));
  r.end();
  return { lines, overlong, consumed: r.consumed };
}

describe('ByteLineReader', () => {
  it('numbers lines across chunk boundaries, strips CR, and hands out an unterminated last line', () => {
    const { lines, consumed } = collect(['ab', 'c\r\nde\n', 'f']);
    expect(lines).toEqual([
      [1, 'abc', true],
      [2, 'de', true],
      [3, 'f', false],
    ]);
    expect(consumed).toBe(8);
  });

  it('keeps multi-byte characters split between chunks intact', () => {
    const bytes = Buffer.from('é→\n');
    const r: string[] = [];
    const reader = new ByteLineReader(
      (l) => r.push(l),
      () => undefined,
      100,
    );
    reader.push(bytes.subarray(0, 1));
    reader.push(bytes.subarray(1));
    expect(r).toEqual(['é→']);
  });

  it('skips a line longer than the limit without holding it, and keeps the lines around it', () => {
    const { lines, overlong } = collect(['ok\n', 'x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10), '\nfine\n']);
    expect(lines).toEqual([
      [1, 'ok', true],
      [3, 'fine', true],
    ]);
    expect(overlong).toEqual([2]);
  });

  it('reports an over-long last line', () => {
    const { lines, overlong } = collect(['a\n', 'y'.repeat(40)]);
    expect(lines).toEqual([[1, 'a', true]]);
    expect(overlong).toEqual([2]);
  });
});
