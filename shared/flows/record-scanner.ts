import { classifyObject } from './classify';
import type { ParserLimits } from './limits';
import { BadRecord } from './types';

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/** JSON whitespace, plus a byte-order mark. */
export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff;
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

/** True when `text` has more than `max` opening brackets, the only way it can nest deeper (cheap: no parsing). */
export function hasMoreOpenersThan(text: string, max: number): boolean {
  let n = 0;
  for (const ch of ['{', '[']) {
    for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) if (++n > max) return true;
  }
  return false;
}

/** How deep `text` nests, and what is left open at its end (strings respected). */
export function shapeOf(text: string): { deepest: number; open: number; inString: boolean } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) deepest = Math.max(deepest, ++depth);
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return { deepest, open: Math.max(depth, 0), inString };
}

/** What `recordOfLine` says of a lone `{`: it opens a record that spans lines (see RecordScanner). */
export const OPENS_RECORD = Symbol('opens a record');

/**
 * The record on one line of JSON lines (or of a JSON array with one element per line): its text,
 * without the array brackets, commas and blanks around it; OPENS_RECORD for a lone `{`; undefined
 * when the line holds only punctuation; a BadRecord when it cannot be a record (not an object,
 * longer than `maxRecordChars`, nested deeper than `maxDepth`). Nothing carries over between lines.
 */
export function recordOfLine(line: string, limits: ParserLimits): string | typeof OPENS_RECORD | BadRecord | undefined {
  let i = 0;
  let j = line.length - 1;
  // Array brackets and commas around an element are punctuation.
  while (i <= j && (isSpace(line.charCodeAt(i)) || line.charCodeAt(i) === OPEN_BRACKET || line.charCodeAt(i) === COMMA)) i++;
  while (j >= i && (isSpace(line.charCodeAt(j)) || line.charCodeAt(j) === CLOSE_BRACKET || line.charCodeAt(j) === COMMA)) j--;
  if (i > j) return undefined;
  if (i === j && line.charCodeAt(i) === OPEN_BRACE) return OPENS_RECORD;
  if (line.charCodeAt(i) !== OPEN_BRACE) return new BadRecord('not JSON: expected an object');
  if (j - i + 1 > limits.maxRecordChars) return new BadRecord(`line is longer than ${limits.maxRecordChars} characters; skipped`);
  const text = i === 0 && j === line.length - 1 ? line : line.slice(i, j + 1);
  const max = limits.maxDepth;
  if (hasMoreOpenersThan(text, max) && shapeOf(text).deepest > max) return new BadRecord(`nested deeper than ${max} levels; skipped`);
  return text;
}

export interface ScannerSink {
  /** A complete top-level value, with the line it started on. */
  value(text: string, startLine: number): void;
  bad(line: number, reason: string): void;
}

/**
 * Finds the JSON objects in lines where a record may span lines (pretty-printed JSON) or share
 * one (a compact array). A record that never closes is reported once and ends at the line that
 * starts the next record: one that is a whole recognisable record on its own, or a `{` at the
 * indentation the open record started at. Depth and length stay bounded while it is open.
 */
export class RecordScanner {
  /** Inside a top-level `[`: its elements are the records. */
  inArray = false;
  private parts: string[] = [];
  private partsChars = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private valueStart = 0;
  private skipping: string | undefined;
  /** Indentation of the open record's `{` when it began its line. */
  private recordIndent: number | undefined;
  /** A line inside the open record was indented deeper than its `{` (so a `{` back there is a new record). */
  private indentedInside = false;
  /** A line of the open record was not seen, so its brackets cannot be counted: only its indentation tells where it ends. */
  private lost = false;

  constructor(
    private readonly limits: ParserLimits,
    private readonly sink: ScannerSink,
    /** False when array brackets at the top level are only punctuation between records (JSON lines). */
    private readonly arrays: boolean,
  ) {}

  /** True while a record (not only an array) is open. */
  isOpen(): boolean {
    return this.depth > (this.inArray ? 1 : 0) || this.parts.length > 0;
  }

  /** Feeds one line; an open record that `line` shows to be broken is reported and closed first. */
  push(line: string, lineNo: number): void {
    if (this.isOpen()) {
      if (this.startsNextRecord(line)) {
        if (!this.skipping) {
          this.sink.bad(
            this.valueStart,
            `invalid JSON: the record starting at line ${this.valueStart} is not closed before line ${lineNo}`,
          );
        }
        this.reset();
      } else if (this.lost) {
        // Its own closing brace, back at the indentation it opened at, ends it.
        const indent = indentOf(line);
        if (indent === this.recordIndent && line.charCodeAt(indent) === CLOSE_BRACE) this.reset();
        return;
      } else if (this.recordIndent !== undefined && indentOf(line) > this.recordIndent) {
        this.indentedInside = true;
      }
    }
    this.scan(line, lineNo);
  }

  /** A line the reader could not hold: the open record is lost, and ends where its indentation says (or at the next record). */
  skipLine(lineNo: number, why: string): void {
    if (!this.skipping) this.skipBroken(`line ${lineNo} of the record ${why}`);
    // Without indentation to go by, keep counting brackets: the next record line still ends it.
    if (this.recordIndent !== undefined && this.indentedInside) this.lost = true;
  }

  /**
   * The input ended: reports a record left open (`cut` when it began on a last line without newline).
   * Returns whether one was open.
   */
  end(cut: (startLine: number) => string | undefined): boolean {
    if (!this.isOpen()) return false;
    if (!this.skipping) {
      this.sink.bad(
        this.valueStart,
        cut(this.valueStart) ?? `truncated: the record starting at line ${this.valueStart} never ends (the file was cut short?)`,
      );
    }
    this.reset();
    return true;
  }

  private startsNextRecord(line: string): boolean {
    const indent = indentOf(line);
    if (line.charCodeAt(indent) !== OPEN_BRACE) return false;
    if (indent === this.recordIndent && this.indentedInside) return true;
    // A bare `{` where the open record's own `{` stood opens a pretty-printed record: inside a record
    // a nested object is indented deeper (even when the broken record never had a deeper line).
    if (indent === this.recordIndent && line.trimEnd().length === indent + 1) return true;
    const t = line.slice(indent).trimEnd().replace(/,$/, '');
    if (!t.endsWith('}') || t.length > this.limits.maxRecordChars || hasMoreOpenersThan(t, this.limits.maxDepth)) return false;
    try {
      const o: unknown = JSON.parse(t);
      return !!o && typeof o === 'object' && !Array.isArray(o) && classifyObject(o as Record<string, unknown>) !== undefined;
    } catch {
      return false;
    }
  }

  private scan(line: string, lineNo: number): void {
    const base = this.inArray ? 1 : 0;
    let segStart = this.depth > base ? 0 : -1;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.depth === base && !this.inString) {
        if (isSpace(c) || c === COMMA) continue;
        if (!this.arrays && (c === OPEN_BRACKET || c === CLOSE_BRACKET)) continue;
        if ((c === OPEN_BRACKET && base === 0) || (c === CLOSE_BRACKET && base === 1)) {
          this.inArray = c === OPEN_BRACKET;
          this.depth = this.inArray ? 1 : 0;
          this.scan(line.slice(i + 1), lineNo);
          return;
        }
        if (c === OPEN_BRACE) {
          this.depth++;
          segStart = i;
          this.valueStart = lineNo;
          this.skipping = undefined;
          this.recordIndent = i === indentOf(line) ? i : undefined;
          this.indentedInside = false;
          continue;
        }
        this.sink.bad(lineNo, 'not JSON: expected an object');
        return;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.depth - base > this.limits.maxDepth && !this.skipping)
          this.skipBroken(`nested deeper than ${this.limits.maxDepth} levels; skipped`);
      } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --this.depth === base) {
        if (!this.skipping) {
          this.parts.push(line.slice(Math.max(segStart, 0), i + 1));
          const text = this.parts.join('\n');
          this.parts = [];
          this.partsChars = 0;
          this.sink.value(text, this.valueStart);
        }
        this.skipping = undefined;
        this.recordIndent = undefined;
        segStart = -1;
      }
    }
    if (this.inString) {
      // A JSON string never spans lines: the record is broken. Keep counting brackets to find its end.
      this.inString = false;
      this.escaped = false;
      if (!this.skipping) this.skipBroken(`invalid JSON: a string on line ${lineNo} is not closed`);
    }
    if (this.depth > base && !this.skipping) {
      this.parts.push(line.slice(Math.max(segStart, 0)));
      this.partsChars += line.length;
      if (this.partsChars > this.limits.maxRecordChars)
        this.skipBroken(`record is longer than ${this.limits.maxRecordChars} characters; skipped`);
    }
  }

  /** Reports the open record as bad and skips the rest of it. */
  private skipBroken(reason: string): void {
    this.skipping = reason;
    this.sink.bad(this.valueStart, reason);
    this.parts = [];
    this.partsChars = 0;
  }

  private reset(): void {
    this.parts = [];
    this.partsChars = 0;
    this.depth = this.inArray ? 1 : 0;
    this.inString = false;
    this.escaped = false;
    this.skipping = undefined;
    this.recordIndent = undefined;
    this.indentedInside = false;
    this.lost = false;
  }
}
