// The one line splitter: a whole string, text chunks (a child's stdout) and UTF-8 byte chunks (a
// capture file, a worker's byte range) all go through the same loop, so that every reader numbers
// lines, drops a `\r` and refuses an overlong line the same way. Pure TypeScript (Uint8Array and
// TextDecoder, no Node Buffer): the renderer reads captures with it too.

/**
 * Called once per line, in order: the line without its `\n` or a trailing `\r`, its number, and
 * whether a `\n` ended it (false only for the input's last line).
 */
export type OnLine = (line: string, lineNo: number, endedWithNewline: boolean) => void;

/** The longest line a splitter hands out, and what it does in place of a longer one. */
export interface LineLimit {
  /**
   * The most a line may hold, in the input's units (bytes for bytes, UTF-16 code units for text),
   * counting a trailing `\r` but not the `\n`. A longer line is never held whole.
   */
  readonly maxLength: number;
  /** Called in a longer line's place, with its number and its length in the same units. */
  readonly onOverlong: (lineNo: number, length: number) => void;
}

/** How a splitter numbers lines, and the longest it hands out. */
export interface LineOptions {
  /** The number given to the first line (default 1). */
  readonly firstLineNo?: number;
  /** Without one, lines of any length are handed out. */
  readonly limit?: LineLimit;
}

/** How the splitter reads one kind of chunk: where its `\n`s are, and how its pieces become text. */
export interface ChunkKind<C> {
  /** A BOM at the very start of the input is dropped (as a UTF-8 decoder's first call does). */
  readonly dropsBom: boolean;
  /** The chunk's length in the input's units (bytes, or UTF-16 code units). */
  length(chunk: C): number;
  /** Position of the first `\n` at or after `from`, or -1. */
  indexOfNewline(chunk: C, from: number): number;
  /** Position of the last `\n`, or -1. */
  lastIndexOfNewline(chunk: C): number;
  /** `chunk[from, to)`, used before the call returns (no copy needed). */
  view(chunk: C, from: number, to: number): C;
  /** `chunk[from, to)`, held past the call: bytes are copied, since readers reuse their buffers. */
  keep(chunk: C, from: number, to: number): C;
  /** The text of one piece that starts and ends at line boundaries (so no UTF-8 sequence is cut). */
  decode(piece: C): string;
  /** The text of pieces that together make whole lines; `length` is their total length. */
  join(pieces: readonly C[], length: number): string;
}

const NEWLINE = 10;
const CR = 13;
const BOM = 0xfeff;

/** Decoded text: nothing to decode, and strings are immutable, so held pieces need no copy. */
const TEXT: ChunkKind<string> = {
  dropsBom: false,
  length: (c) => c.length,
  indexOfNewline: (c, from) => c.indexOf('\n', from),
  lastIndexOfNewline: (c) => c.lastIndexOf('\n'),
  view: (c, from, to) => c.slice(from, to),
  keep: (c, from, to) => c.slice(from, to),
  decode: (c) => c,
  join: (pieces) => pieces.join(''),
};

/**
 * UTF-8 bytes. A `\n` byte is never part of a multi-byte sequence, so text decoded between line
 * boundaries never has a character cut in two, however the chunks fell.
 */
function utf8Kind(): ChunkKind<Uint8Array> {
  // ignoreBOM: a U+FEFF that starts a later decode is a character of the line; only the input's
  // own BOM is dropped (dropsBom), not whatever happens to start a chunk.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  return {
    dropsBom: true,
    length: (c) => c.length,
    indexOfNewline: (c, from) => c.indexOf(NEWLINE, from),
    lastIndexOfNewline: (c) => c.lastIndexOf(NEWLINE),
    view: (c, from, to) => c.subarray(from, to),
    keep: (c, from, to) => {
      const copy = new Uint8Array(to - from);
      copy.set(c.subarray(from, to));
      return copy;
    },
    decode: (c) => decoder.decode(c),
    join: (pieces, length) => {
      const all = new Uint8Array(length);
      let at = 0;
      for (const p of pieces) {
        all.set(p, at);
        at += p.length;
      }
      return decoder.decode(all);
    },
  };
}

/**
 * Splits chunks of input into numbered lines while holding at most one unfinished line, in pieces
 * joined once when it ends (re-joining per chunk is quadratic on a long line). Lines end at `\n`; a
 * `\r` before it is dropped. Past `limit.maxLength` a line is no longer held: only its length is
 * counted, and `limit.onOverlong` is called in its place. Build one with `textLines` or `utf8Lines`.
 */
export class LineSplitter<C> {
  /** Number of the last line handed out (or reported as overlong). */
  lineNo: number;
  private readonly firstLineNo: number;
  private readonly max: number;
  /** Pieces of the line not ended yet; empty while it is skipped as overlong. */
  private held: C[] = [];
  /** Length of the line not ended yet, held or skipped. */
  private pending = 0;
  private skipping = false;
  private pushed = 0;

  constructor(
    private readonly kind: ChunkKind<C>,
    private readonly onLine: OnLine,
    private readonly options: LineOptions = {},
  ) {
    this.firstLineNo = options.firstLineNo ?? 1;
    this.lineNo = this.firstLineNo - 1;
    this.max = options.limit?.maxLength ?? Infinity;
  }

  /**
   * Input units (bytes, or UTF-16 code units) of the lines ended so far, their `\n`s included: the
   * offset where the line not ended yet starts.
   */
  get consumed(): number {
    return this.pushed - this.pending;
  }

  /** Hands out every line `chunk` ends; the rest is held until a later chunk (or `end`) ends it. */
  push(chunk: C): void {
    const kind = this.kind;
    const n = kind.length(chunk);
    this.pushed += n;
    const first = kind.indexOfNewline(chunk, 0);
    if (first < 0) {
      this.hold(chunk, 0, n);
      return;
    }
    this.endPending(chunk, first);
    const last = kind.lastIndexOfNewline(chunk);
    if (last > first) this.wholeLines(chunk, first + 1, last + 1);
    if (last + 1 < n) this.hold(chunk, last + 1, n);
  }

  /** The input ended: a last line without `\n` is handed out as such (or reported, when overlong). */
  end(): void {
    if (this.skipping) this.overlong(this.pending);
    else if (this.pending > 0) this.hand(this.startOf(this.kind.join(this.held, this.pending)), false);
    this.reset();
  }

  /** The line held so far ends at `chunk[end]`. */
  private endPending(chunk: C, end: number): void {
    const length = this.pending + end;
    if (this.skipping || length > this.max) this.overlong(length);
    else {
      const tail = this.kind.view(chunk, 0, end);
      const text = this.held.length === 0 ? this.kind.decode(tail) : this.kind.join([...this.held, tail], length);
      this.hand(this.startOf(text), true);
    }
    this.reset();
  }

  /** `chunk[from, to)` is whole lines, each ended by its `\n`. */
  private wholeLines(chunk: C, from: number, to: number): void {
    if (to - from - 1 <= this.max) {
      // None of them can be too long: one decode for all, then split the text (the hot path).
      this.lineNo = splitText(this.kind.decode(this.kind.view(chunk, from, to)), this.lineNo, this.onLine);
      return;
    }
    // One of them may be too long: measure each in the input's own units.
    for (let start = from; start < to;) {
      const nl = this.kind.indexOfNewline(chunk, start);
      if (nl - start > this.max) this.overlong(nl - start);
      else this.hand(this.kind.decode(this.kind.view(chunk, start, nl)), true);
      start = nl + 1;
    }
  }

  private hold(chunk: C, from: number, to: number): void {
    if (to <= from) return;
    this.pending += to - from;
    if (this.skipping) return;
    if (this.pending > this.max) {
      // Past the limit only the length is kept.
      this.held = [];
      this.skipping = true;
    } else this.held.push(this.kind.keep(chunk, from, to));
  }

  /** The text of the line that starts where the input's first line may (a BOM there is not part of it). */
  private startOf(text: string): string {
    return this.kind.dropsBom && this.lineNo === this.firstLineNo - 1 && text.charCodeAt(0) === BOM ? text.slice(1) : text;
  }

  private hand(line: string, endedWithNewline: boolean): void {
    this.onLine(line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line, ++this.lineNo, endedWithNewline);
  }

  private overlong(length: number): void {
    this.options.limit?.onOverlong(++this.lineNo, length);
  }

  private reset(): void {
    this.held = [];
    this.pending = 0;
    this.skipping = false;
  }
}

/** Hands out each line of `text`, which ends with `\n`, numbered after `lineNo`; returns the last number. */
function splitText(text: string, lineNo: number, onLine: OnLine): number {
  let no = lineNo;
  let start = 0;
  let nl: number;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    onLine(text.slice(start, end), ++no, true);
    start = nl + 1;
  }
  return no;
}

/** A splitter for decoded text chunks (a child's stdout read as UTF-8); lengths are UTF-16 code units. */
export function textLines(onLine: OnLine, options?: LineOptions): LineSplitter<string> {
  return new LineSplitter(TEXT, onLine, options);
}

/**
 * A splitter for UTF-8 byte chunks (a file read in parts, a worker's range): a character split
 * between chunks is decoded whole, a BOM at the very start is dropped, and lengths are bytes.
 */
export function utf8Lines(onLine: OnLine, options?: LineOptions): LineSplitter<Uint8Array> {
  return new LineSplitter(utf8Kind(), onLine, options);
}

/** Hands out every line of a whole string, the last one even without `\n`; returns how many there were. */
export function forEachLine(text: string, onLine: OnLine, firstLineNo = 1): number {
  const lines = textLines(onLine, { firstLineNo });
  lines.push(text);
  lines.end();
  return lines.lineNo - firstLineNo + 1;
}
