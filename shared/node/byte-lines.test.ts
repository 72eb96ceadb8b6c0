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

  it('joins a long line fed in small chunks once, not once per chunk', () => {
    // 16 MiB in the 16 KiB pieces gunzip hands out: re-joining per chunk copied ~8 GB (seconds).
    const piece = Buffer.alloc(16 * 1024, 0x61);
    const got: number[] = [];
    const r = new ByteLineReader(
      (l) => got.push(l.length),
      () => undefined,
      64 << 20,
    );
    const t0 = performance.now();
    for (let k = 0; k < 1024; k++) r.push(piece);
    r.push(Buffer.from('\nb\n'));
    expect(got).toEqual([16 << 20, 1]);
    expect(r.consumed).toBe((16 << 20) + 3);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('keeps a held piece intact when the caller reuses its buffer', () => {
    const buf = Buffer.from('abc');
    const got: string[] = [];
    const r = new ByteLineReader(
      (l) => got.push(l),
      () => undefined,
      100,
    );
    r.push(buf);
    buf.write('xyz');
    r.push(Buffer.from('d\n'));
    expect(got).toEqual(['abcd']);
  });
});
