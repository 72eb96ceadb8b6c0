import { calicoTextEvent, classifyObject, describeNonCapture, eventOfObject, isCalicoTextHeader } from './classify';
import { detectFromLine, detectFromPrettyJson } from './detect';
import { ACCEPTED_FORMATS_TEXT, CaptureError, type BadLine, type CaptureEvent, type CaptureFormat } from './types';

export interface ParserLimits {
  /** A single line or multi-line record longer than this is skipped as bad. */
  readonly maxRecordChars: number;
  /** JSON nested deeper than this (in a multi-line record) is skipped as bad. */
  readonly maxDepth: number;
  /** How many bad lines are kept with their reasons (all are counted). */
  readonly keepBadLines: number;
  /** Lines read before giving up on recognising the format. */
  readonly detectLines: number;
}

export const DEFAULT_LIMITS: ParserLimits = {
  maxRecordChars: 8 * 1024 * 1024,
  maxDepth: 64,
  keepBadLines: 20,
  detectLines: 1000,
};

export interface ParserStats {
  format?: CaptureFormat;
  lines: number;
  records: number;
  flows: number;
  replies: number;
  nodeStatus: number;
  lostEventRecords: number;
  lostEvents: number;
  skipped: number;
  badLines: number;
  readonly badSamples: BadLine[];
  truncatedLastLine: boolean;
}

export function emptyStats(): ParserStats {
  return {
    lines: 0,
    records: 0,
    flows: 0,
    replies: 0,
    nodeStatus: 0,
    lostEventRecords: 0,
    lostEvents: 0,
    skipped: 0,
    badLines: 0,
    badSamples: [],
    truncatedLastLine: false,
  };
}

export type EventSink = (event: CaptureEvent) => void;

const TRUNCATED_LAST_LINE = 'truncated last line (the capture was cut short?)';
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff;
}

/**
 * Turns lines of a capture into events. Recognises the format from the content, parses JSON
 * lines on a fast path and multi-line JSON (pretty-printed objects, arrays) with a scanner,
 * and counts every bad line with its number and reason instead of failing.
 */
export class CaptureParser {
  readonly stats: ParserStats = emptyStats();
  private mode: 'detect' | 'json' | 'text' = 'detect';
  private readonly pendingDetect: { line: string; no: number }[] = [];
  private detectSample = '';
  private inArray = false;
  // Multi-line JSON scanner state.
  private parts: string[] = [];
  private partsChars = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private valueStart = 0;
  private skipping: string | undefined;
  private lastLineNo = 0;
  private lastLineEndedWithNewline = true;

  constructor(
    private readonly file: string,
    private readonly sink: EventSink,
    private readonly limits: ParserLimits = DEFAULT_LIMITS,
    /** A format already recognised (parallel workers get it from the reader). */
    preset?: { mode: 'json' | 'text'; format: CaptureFormat },
  ) {
    if (preset) {
      this.mode = preset.mode;
      this.stats.format = preset.format;
    }
  }

  /** Feeds one line (without its newline). `endedWithNewline` is false only for a file's last line. */
  pushLine(line: string, lineNo: number, endedWithNewline = true): void {
    this.stats.lines++;
    this.lastLineNo = lineNo;
    this.lastLineEndedWithNewline = endedWithNewline;
    if (this.mode === 'detect') {
      this.detect(line, lineNo);
      return;
    }
    if (this.mode === 'text') this.textLine(line, lineNo);
    else this.jsonLine(line, lineNo);
  }

  /** Call after the last line. Throws CaptureError when the input is not a capture at all. */
  end(): ParserStats {
    if (this.mode === 'detect') {
      throw new CaptureError(this.file, `${describeNonCapture(this.detectSample)}. Accepted formats: ${ACCEPTED_FORMATS_TEXT}.`);
    }
    if (this.parts.length > 0 || this.depth > (this.inArray ? 1 : 0)) {
      const lastLineCut = this.valueStart === this.lastLineNo && !this.lastLineEndedWithNewline;
      if (!this.skipping) {
        this.bad(
          this.valueStart,
          lastLineCut
            ? TRUNCATED_LAST_LINE
            : `truncated: the record starting at line ${this.valueStart} never ends (the file was cut short?)`,
        );
      }
      this.stats.truncatedLastLine = true;
      this.parts = [];
    }
    return this.stats;
  }

  /** True when no multi-line record is open, so later lines can be parsed independently. */
  canHandOff(): boolean {
    return this.mode !== 'detect' && !this.inArray && this.parts.length === 0 && this.depth === 0 && !this.skipping;
  }

  handOffMode(): 'json' | 'text' {
    return this.mode === 'text' ? 'text' : 'json';
  }

  /** Records a line the reader refused to hold in memory. */
  skipOverlongLine(lineNo: number, maxBytes: number): void {
    this.stats.lines++;
    this.bad(lineNo, `line is longer than ${maxBytes} bytes; skipped`);
  }

  private detect(line: string, lineNo: number): void {
    this.pendingDetect.push({ line, no: lineNo });
    if (this.detectSample.length < 8192) this.detectSample += line.slice(0, 8192) + '\n';
    const t = line.trim();
    let found = detectFromLine(t, this.detectSample.trimStart().startsWith('['));
    if (!found && /^[[\]{}]/.test(t)) {
      // Pretty-printed JSON: try the lines gathered so far as whole values.
      found = detectFromPrettyJson(this.pendingDetect.map((p) => p.line).join('\n'));
    }
    if (found) {
      this.mode = found.mode;
      this.stats.format = found.format;
      const replay = this.pendingDetect.splice(0);
      this.stats.lines -= replay.length;
      for (const p of replay) this.pushLine(p.line, p.no);
      return;
    }
    if (this.pendingDetect.length >= this.limits.detectLines) {
      // Nothing recognisable in the first lines: this is not a capture.
      this.end();
    }
  }

  private textLine(line: string, lineNo: number): void {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || isCalicoTextHeader(t)) return;
    this.event(lineNo, () => calicoTextEvent(t));
  }

  private jsonLine(line: string, lineNo: number): void {
    if (this.parts.length > 0 && this.isWholeRecord(line)) {
      // A record that never closed, followed by a complete one: the open one was broken.
      this.bad(this.valueStart, `invalid JSON: the record starting at line ${this.valueStart} is not closed before line ${lineNo}`);
      this.parts = [];
      this.partsChars = 0;
      this.depth = this.inArray ? 1 : 0;
      this.inString = false;
      this.escaped = false;
    }
    if (this.parts.length === 0 && !this.skipping && this.depth === (this.inArray ? 1 : 0)) {
      // Fast path: a whole object on one line (JSON lines, or one array element per line).
      let i = 0;
      let j = line.length - 1;
      while (i <= j && isSpace(line.charCodeAt(i))) i++;
      while (j >= i && isSpace(line.charCodeAt(j))) j--;
      if (i > j) return;
      let end = j;
      if (this.inArray && line.charCodeAt(end) === COMMA) end--;
      if (line.charCodeAt(i) === OPEN_BRACE && line.charCodeAt(end) === CLOSE_BRACE) {
        if (end - i > this.limits.maxRecordChars) {
          this.bad(lineNo, `line is longer than ${this.limits.maxRecordChars} characters; skipped`);
          return;
        }
        this.value(i === 0 && end === line.length - 1 ? line : line.slice(i, end + 1), lineNo, true);
        return;
      }
    }
    this.scan(line, lineNo);
  }

  /** True for a line that is on its own a recognisable flow record (used to resynchronise). */
  private isWholeRecord(line: string): boolean {
    const t = line.trim().replace(/,$/, '');
    if (!t.startsWith('{') || !t.endsWith('}')) return false;
    try {
      const o: unknown = JSON.parse(t);
      return !!o && typeof o === 'object' && classifyObject(o as Record<string, unknown>) !== undefined;
    } catch {
      return false;
    }
  }

  /** Character scanner for JSON values that span lines or share a line. */
  private scan(line: string, lineNo: number): void {
    const base = this.inArray ? 1 : 0;
    let segStart = this.depth > base ? 0 : -1;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.depth === base && !this.inString) {
        if (isSpace(c) || c === COMMA) continue;
        if (c === OPEN_BRACKET && base === 0) {
          this.inArray = true;
          this.depth = 1;
          this.scan(line.slice(i + 1), lineNo);
          return;
        }
        if (c === CLOSE_BRACKET && base === 1) {
          this.inArray = false;
          this.depth = 0;
          this.scan(line.slice(i + 1), lineNo);
          return;
        }
        if (c === OPEN_BRACE) {
          this.depth++;
          segStart = i;
          this.valueStart = lineNo;
          this.skipping = undefined;
          continue;
        }
        this.bad(lineNo, 'not JSON: expected an object');
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
        if (++this.depth - base > this.limits.maxDepth && !this.skipping) {
          this.skipping = `nested deeper than ${this.limits.maxDepth} levels; skipped`;
          this.bad(this.valueStart, this.skipping);
          this.parts = [];
          this.partsChars = 0;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === base) {
          if (!this.skipping) {
            this.parts.push(line.slice(Math.max(segStart, 0), i + 1));
            const text = this.parts.join('\n');
            this.parts = [];
            this.partsChars = 0;
            this.value(text, this.valueStart, false);
          }
          this.skipping = undefined;
          segStart = -1;
        }
      }
    }
    if (this.depth > base && !this.skipping) {
      this.parts.push(line.slice(Math.max(segStart, 0)));
      this.partsChars += line.length;
      if (this.partsChars > this.limits.maxRecordChars) {
        this.skipping = `record is longer than ${this.limits.maxRecordChars} characters; skipped`;
        this.bad(this.valueStart, this.skipping);
        this.parts = [];
        this.partsChars = 0;
      }
    }
  }

  private value(text: string, lineNo: number, singleLine: boolean): void {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      const truncated = singleLine && lineNo === this.lastLineNo && !this.lastLineEndedWithNewline;
      if (truncated) this.stats.truncatedLastLine = true;
      this.bad(lineNo, truncated ? TRUNCATED_LAST_LINE : `invalid JSON: ${(e as Error).message}`);
      return;
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      this.bad(lineNo, 'expected a JSON object');
      return;
    }
    const rec = o as Record<string, unknown>;
    const kind = classifyObject(rec);
    if (!kind) {
      this.bad(
        lineNo,
        'JSON object is neither a Hubble flow nor a Calico flow log (no "flow", "source"/"l4", "Key" or "source_name" field)',
      );
      return;
    }
    this.event(lineNo, () => eventOfObject(kind, rec));
  }

  private event(lineNo: number, make: () => CaptureEvent): void {
    let ev: CaptureEvent;
    try {
      ev = make();
    } catch (e) {
      this.bad(lineNo, (e as Error).message);
      return;
    }
    const s = this.stats;
    s.records++;
    switch (ev.kind) {
      case 'flow':
        if (ev.record.isReply) s.replies++;
        else s.flows++;
        break;
      case 'node-status':
        s.nodeStatus++;
        break;
      case 'lost-events':
        s.lostEventRecords++;
        s.lostEvents += Number.isFinite(ev.count) ? ev.count : 0;
        break;
      case 'skip':
        s.skipped++;
        break;
    }
    this.sink(ev);
  }

  private bad(line: number, reason: string): void {
    this.stats.badLines++;
    if (this.stats.badSamples.length < this.limits.keepBadLines) this.stats.badSamples.push({ line, reason });
  }
}
