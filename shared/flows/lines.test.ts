import { describe, expect, it } from 'vitest';
import { forEachLine, textLines, utf8Lines, type LineOptions, type LineSplitter } from './lines';

/** What a splitter handed out: a line as [number, text, endedWithNewline], an overlong one as [number, 'overlong', length]. */
type Out = [number, string, boolean | number];

function run<C>(make: (onLine: (l: string, n: number, nl: boolean) => void, o: LineOptions) => LineSplitter<C>, chunks: C[], max?: number) {
  const out: Out[] = [];
  const consumed: number[] = [];
  const lines = make(
    (l, n, nl) => out.push([n, l, nl]),
    max === undefined ? {} : { limit: { maxLength: max, onOverlong: (n, len) => out.push([n, 'overlong', len]) } },
  );
  for (const c of chunks) {
    lines.push(c);
    consumed.push(lines.consumed);
  }
  lines.end();
  return { out, consumed, lineNo: lines.lineNo };
}

const bytes = (chunks: (string | number[])[], max?: number) =>
  run(
    utf8Lines,
    chunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : Uint8Array.from(c))),
    max,
  );
const text = (chunks: string[], max?: number) => run(textLines, chunks, max);

/** Every way to cut `input` in three (two cut points), as a list of chunks. */
function cuts<T extends { length: number; slice(a: number, b: number): T }>(input: T): T[][] {
  const all: T[][] = [];
  for (let i = 0; i <= input.length; i++)
    for (let j = i; j <= input.length; j++) all.push([input.slice(0, i), input.slice(i, j), input.slice(j, input.length)]);
  return all;
}

describe('the line splitter, text and bytes alike', () => {
  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)(
    '%s: numbers lines across chunks, drops a CR split from its LF, keeps empty lines, and marks a last line without newline',
    (_, read) => {
      const { out, consumed } = read(['ab', 'c\r', '\n\n\r\nde\n', 'f']);
      expect(out).toEqual([
        [1, 'abc', true],
        [2, '', true],
        [3, '', true],
        [4, 'de', true],
        [5, 'f', false],
      ]);
      // Where the line not ended yet starts, after each chunk.
      expect(consumed).toEqual([0, 0, 11, 11]);
    },
  );

  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)('%s: a last line that is only a CR, or ends in one, loses the CR', (_, read) => {
    expect(read(['a\n', '\r']).out).toEqual([
      [1, 'a', true],
      [2, '', false],
    ]);
    expect(read(['a\nb\r']).out).toEqual([
      [1, 'a', true],
      [2, 'b', false],
    ]);
  });

  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)('%s: an input that ends with its newline has no empty last line, and an empty input has no line', (_, read) => {
    expect(read(['a\n']).out).toEqual([[1, 'a', true]]);
    expect(read(['']).out).toEqual([]);
    expect(read([]).out).toEqual([]);
  });

  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)('%s: skips an overlong line held over chunks, reports its length, and keeps the lines around it', (_, read) => {
    const { out, consumed } = read(['ok\n', 'x'.repeat(10), 'x'.repeat(10), 'x'.repeat(9) + '\r', '\nfine\n'], 16);
    expect(out).toEqual([
      [1, 'ok', true],
      [2, 'overlong', 30],
      [3, 'fine', true],
    ]);
    // A skipped line is not consumed before it ends: the offset stays a line start.
    expect(consumed).toEqual([3, 3, 3, 3, 39]);
  });

  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)('%s: an overlong line inside one chunk is skipped too, and the normal line after it kept', (_, read) => {
    expect(read([`a\n${'y'.repeat(20)}\nb\n${'z'.repeat(17)}\r\nc`], 16).out).toEqual([
      [1, 'a', true],
      [2, 'overlong', 20],
      [3, 'b', true],
      [4, 'overlong', 18],
      [5, 'c', false],
    ]);
    // Exactly at the limit is not over it (a CR counts), whether the chunk holds one line or several.
    expect(read([`${'w'.repeat(15)}\r\n${'v'.repeat(16)}\n${'u'.repeat(15)}\r\n`], 16).out).toEqual([
      [1, 'w'.repeat(15), true],
      [2, 'v'.repeat(16), true],
      [3, 'u'.repeat(15), true],
    ]);
  });

  it.each([
    ['bytes', bytes],
    ['text', text],
  ] as const)('%s: reports an overlong last line, and an overlong first line ended by the next chunk', (_, read) => {
    expect(read(['a\n', 'y'.repeat(40)], 16).out).toEqual([
      [1, 'a', true],
      [2, 'overlong', 40],
    ]);
    expect(read(['y'.repeat(12), 'y'.repeat(12) + '\nb'], 16).out).toEqual([
      [1, 'overlong', 24],
      [2, 'b', false],
    ]);
  });

  // Two-, three- and four-byte characters (a surrogate pair in text), a CR LF, an empty line, a line
  // over the limit ('abcdéfgh': 9 bytes, 8 UTF-16 units) and a last line without newline.
  const sample = 'é→\r\n\n😀x\nabcdéfgh\nok\r\nlast😀';
  const sampleLines = (overlong: number): Out[] => [
    [1, 'é→', true],
    [2, '', true],
    [3, '😀x', true],
    [4, 'overlong', overlong],
    [5, 'ok', true],
    [6, 'last😀', false],
  ];
  const sizes = (chunks: { length: number }[]) => chunks.map((c) => c.length).join('+');

  it('reads the same wherever the chunks are cut: inside a character or a surrogate pair, inside CR LF', () => {
    for (const chunks of cuts(new TextEncoder().encode(sample)))
      expect(run(utf8Lines, chunks, 8).out, sizes(chunks)).toEqual(sampleLines(9));
    for (const chunks of cuts(sample)) expect(run(textLines, chunks, 7).out, sizes(chunks)).toEqual(sampleLines(8));
  });

  it('numbers from the first line number it is given', () => {
    const out: [number, string][] = [];
    const lines = utf8Lines((l, n) => out.push([n, l]), { firstLineNo: 41 });
    lines.push(new TextEncoder().encode('a\nb'));
    lines.end();
    expect(out).toEqual([
      [41, 'a'],
      [42, 'b'],
    ]);
    expect(lines.lineNo).toBe(42);
  });
});

describe('the byte splitter', () => {
  it('measures the limit in bytes: a line of 4 characters but 8 bytes fits 8, not 7', () => {
    expect(bytes(['éééé\n'], 8).out).toEqual([[1, 'éééé', true]]);
    expect(bytes(['éééé\n'], 7).out).toEqual([[1, 'overlong', 8]]);
  });

  it('drops a BOM at the start of the input only', () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(bytes([[...bom, 0x61, 10, ...bom, 0x62, 10]]).out).toEqual([
      [1, 'a', true],
      [2, '\ufeffb', true],
    ]);
    // Split inside the BOM, and a BOM at the start of a later chunk.
    expect(bytes([[bom[0]], [bom[1], bom[2], 0x61, 10], [...bom, 0x62]]).out).toEqual([
      [1, 'a', true],
      [2, '\ufeffb', false],
    ]);
  });

  it('keeps a held piece intact when the caller reuses its buffer', () => {
    const buf = new TextEncoder().encode('abc');
    const got: string[] = [];
    const lines = utf8Lines((l) => got.push(l));
    lines.push(buf);
    buf.set(new TextEncoder().encode('xyz'));
    lines.push(new TextEncoder().encode('d\n'));
    expect(got).toEqual(['abcd']);
  });

  it('joins a long line fed in small chunks once, not once per chunk', () => {
    // 16 MiB in the 16 KiB pieces gunzip hands out: re-joining per chunk copied ~8 GB (seconds).
    const piece = new Uint8Array(16 * 1024).fill(0x61);
    const got: number[] = [];
    const lines = utf8Lines((l) => got.push(l.length), { limit: { maxLength: 64 << 20, onOverlong: () => undefined } });
    const t0 = performance.now();
    for (let k = 0; k < 1024; k++) lines.push(piece);
    lines.push(new TextEncoder().encode('\nb\n'));
    expect(got).toEqual([16 << 20, 1]);
    expect(lines.consumed).toBe((16 << 20) + 3);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('forEachLine', () => {
  it('hands out every line of a string, the last one without newline too, and counts them', () => {
    const out: [number, string, boolean][] = [];
    expect(forEachLine('a\r\n\nb', (l, n, nl) => out.push([n, l, nl]), 7)).toBe(3);
    expect(out).toEqual([
      [7, 'a', true],
      [8, '', true],
      [9, 'b', false],
    ]);
    expect(forEachLine('', () => undefined)).toBe(0);
  });
});
