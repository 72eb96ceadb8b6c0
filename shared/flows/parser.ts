import { calicoTextEvent, classifyObject, describeNonCapture, eventOfObject, isCalicoTextHeader } from './classify';
import { detectFromLine, detectFromPrettyJson, type DetectedFormat } from './detect';
import { HubbleDecoder } from './hubble';
import { DEFAULT_LIMITS, type ParserLimits } from './limits';
import { hasMoreOpenersThan, isSpace, RecordScanner, shapeOf } from './record-scanner';
import { ACCEPTED_FORMATS_TEXT, CaptureError, type BadLine, type CaptureEvent, type CaptureFormat } from './types';
import { oneLine } from './one-line';

export { DEFAULT_LIMITS, type ParserLimits } from './limits';

/** How many node-status problems are kept with their lines (all are counted). */
export const KEEP_NODE_STATUS = 100;

/** A Hubble relay report that node(s) could not be reached, at a line of the capture. */
export interface NodeStatusAt {
  readonly state: string;
  readonly nodes: readonly string[];
  readonly message?: string;
  readonly line: number;
}

/** Where a compressed stream broke: everything after `afterLine` could not be read. */
export interface StreamDamage {
  /** The last complete line read before the damage. */
  readonly afterLine: number;
  /** About how far into the compressed file the damage was found (the decoder reads ahead a little). */
  readonly compressedByte: number;
  readonly compressedSize: number;
  readonly reason: string;
}

export interface ParserStats {
  format?: CaptureFormat;
  lines: number;
  /**
   * Records read, each line once (a flow seen at both ends is two). How many flow events and replies
   * an edge has is the graph's to say, per settled connection (EdgeEvidence.flows), never a record's
   * own reply flag.
   */
  records: number;
  nodeStatus: number;
  /** Node-status events saying nodes were unreachable: the first KEEP_NODE_STATUS, and how many in all. */
  readonly nodesUnavailable: NodeStatusAt[];
  nodesUnavailableEvents: number;
  lostEventRecords: number;
  lostEvents: number;
  skipped: number;
  badLines: number;
  readonly badSamples: BadLine[];
  truncatedLastLine: boolean;
  /** Set by the file reader when a gzip stream broke before its end. */
  damaged?: StreamDamage;
  /** Set by the file reader when bytes that are no gzip data followed the gzip stream (they were ignored). */
  trailingData?: { readonly offset: number; readonly size: number };
}

/** Stats with nothing counted yet. */
export function emptyStats(): ParserStats {
  return {
    lines: 0,
    records: 0,
    nodeStatus: 0,
    nodesUnavailable: [],
    nodesUnavailableEvents: 0,
    lostEventRecords: 0,
    lostEvents: 0,
    skipped: 0,
    badLines: 0,
    badSamples: [],
    truncatedLastLine: false,
  };
}

export type EventSink = (event: CaptureEvent) => void;

/**
 * `lines`: every line is a record of its own (JSON lines, or a JSON array with one element per
 * line), so a broken line loses only itself. `pretty`: records span lines (pretty-printed JSON).
 */
type Mode = 'detect' | 'lines' | 'pretty' | 'text';

const TRUNCATED_LAST_LINE = 'truncated last line (the capture was cut short?)';
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

/**
 * Turns lines of a capture into events. Recognises the format from the content; JSON lines are
 * parsed one line at a time, pretty-printed JSON with a scanner that resynchronises on the next
 * record. Every bad line is counted with its number and reason instead of failing the read.
 */
export class CaptureParser {
  readonly stats: ParserStats = emptyStats();
  private mode: Mode = 'detect';
  private readonly pendingDetect: { line: string; no: number }[] = [];
  private detectSample = '';
  /** Looks for a first pretty-printed record while the format is unknown, past broken ones. */
  private probe: RecordScanner | undefined;
  private probed: DetectedFormat | undefined;
  /** Records that span lines: pretty-printed input, or a lone `{` line in JSON lines. */
  private scanner: RecordScanner;
  private lastLineNo = 0;
  private lastLineEndedWithNewline = true;
  /** One decoder per read: its endpoint caches belong to this capture. */
  private readonly hubble = new HubbleDecoder();

  constructor(
    private readonly file: string,
    private readonly sink: EventSink,
    private readonly limits: ParserLimits = DEFAULT_LIMITS,
    /** A format already recognised (parallel workers get it from the reader); `json` is one record per line. */
    preset?: { mode: 'json' | 'text'; format: CaptureFormat },
  ) {
    this.scanner = this.scannerFor(false);
    if (preset) {
      this.mode = preset.mode === 'text' ? 'text' : 'lines';
      this.stats.format = preset.format;
    }
  }

  /** Feeds one line (without its newline). `endedWithNewline` is false only for a file's last line. */
  pushLine(line: string, lineNo: number, endedWithNewline = true): void {
    this.stats.lines++;
    this.lastLineNo = lineNo;
    this.lastLineEndedWithNewline = endedWithNewline;
    if (this.mode === 'detect') this.detect(line, lineNo);
    else if (this.mode === 'text') this.textLine(line, lineNo);
    else if (this.mode === 'pretty' || this.scanner.isOpen()) this.scanner.push(line, lineNo);
    else this.recordLine(line, lineNo);
  }

  /** Call after the last line. Throws CaptureError when the input is not a capture at all. */
  end(): ParserStats {
    if (this.mode === 'detect') {
      throw new CaptureError(this.file, `${describeNonCapture(this.detectSample)}. Accepted formats: ${ACCEPTED_FORMATS_TEXT}.`);
    }
    const wasOpen = this.scanner.end((start) =>
      start === this.lastLineNo && !this.lastLineEndedWithNewline ? TRUNCATED_LAST_LINE : undefined,
    );
    if (wasOpen) this.stats.truncatedLastLine = true;
    return this.stats;
  }

  /** True when later lines can be parsed independently of earlier ones (by another thread). */
  canHandOff(): boolean {
    return this.mode === 'text' || (this.mode === 'lines' && !this.scanner.isOpen());
  }

  /** The preset a thread parsing later lines needs (see `canHandOff`). */
  handOffMode(): 'json' | 'text' {
    return this.mode === 'text' ? 'text' : 'json';
  }

  /** Records a line the reader refused to hold in memory (longer than `max` bytes, or characters). */
  skipOverlongLine(lineNo: number, max: number, unit: 'bytes' | 'characters' = 'bytes'): void {
    this.stats.lines++;
    if (this.scanner.isOpen()) this.scanner.skipLine(lineNo, `is longer than ${max} ${unit}; skipped`);
    else this.bad(lineNo, `line is longer than ${max} ${unit}; skipped`);
  }

  private scannerFor(arrays: boolean): RecordScanner {
    return new RecordScanner(
      this.limits,
      { value: (text, line) => this.value(text, line, false), bad: (line, why) => this.bad(line, why) },
      arrays,
    );
  }

  private detect(line: string, lineNo: number): void {
    this.pendingDetect.push({ line, no: lineNo });
    if (this.detectSample.length < 8192) this.detectSample += line.slice(0, 8192) + '\n';
    const t = line.trim();
    let found = detectFromLine(t, this.detectSample.trimStart().startsWith('['));
    let mode: Mode = found?.mode === 'text' ? 'text' : 'lines';
    if (!found) {
      // Pretty-printed JSON: the first whole value the scanner finds (a broken one before it is skipped).
      this.probe ??= new RecordScanner(this.limits, { value: (text) => this.probeValue(text), bad: () => undefined }, true);
      this.probe.push(line, lineNo);
      found = this.probed;
      mode = 'pretty';
    }
    if (found) {
      this.mode = mode;
      if (mode === 'pretty') this.scanner = this.scannerFor(true);
      this.stats.format = found.format;
      this.probe = undefined;
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

  private probeValue(text: string): void {
    // Inside an array the value is an element: say so, for the array format.
    this.probed ??= detectFromPrettyJson(this.probe?.inArray ? `[${text}]` : text);
  }

  private textLine(line: string, lineNo: number): void {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || isCalicoTextHeader(t)) return;
    this.event(lineNo, () => calicoTextEvent(t));
  }

  /** A line of JSON lines: one whole record, on its own; nothing carries over to the next line. */
  private recordLine(line: string, lineNo: number): void {
    let i = 0;
    let j = line.length - 1;
    // Array brackets and commas around an element are punctuation.
    while (i <= j && (isSpace(line.charCodeAt(i)) || line.charCodeAt(i) === OPEN_BRACKET || line.charCodeAt(i) === COMMA)) i++;
    while (j >= i && (isSpace(line.charCodeAt(j)) || line.charCodeAt(j) === CLOSE_BRACKET || line.charCodeAt(j) === COMMA)) j--;
    if (i > j) return;
    // A lone `{` opens a pretty-printed record; the next record line ends it if it never closes.
    if (i === j && line.charCodeAt(i) === OPEN_BRACE) this.scanner.push(line, lineNo);
    else if (line.charCodeAt(i) !== OPEN_BRACE) this.bad(lineNo, 'not JSON: expected an object');
    else if (j - i + 1 > this.limits.maxRecordChars)
      this.bad(lineNo, `line is longer than ${this.limits.maxRecordChars} characters; skipped`);
    else {
      const text = i === 0 && j === line.length - 1 ? line : line.slice(i, j + 1);
      const max = this.limits.maxDepth;
      if (hasMoreOpenersThan(text, max) && shapeOf(text).deepest > max) this.bad(lineNo, `nested deeper than ${max} levels; skipped`);
      else this.value(text, lineNo, true);
    }
  }

  private value(text: string, lineNo: number, singleLine: boolean): void {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (e) {
      this.bad(lineNo, this.invalidReason(text, lineNo, singleLine, e));
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
    this.event(lineNo, () => eventOfObject(kind, rec, this.hubble));
  }

  /** Why `text` is not JSON, in words: cut short, not closed on its line, or the parser's message. */
  private invalidReason(text: string, lineNo: number, singleLine: boolean, e: unknown): string {
    if (singleLine && lineNo === this.lastLineNo && !this.lastLineEndedWithNewline) {
      this.stats.truncatedLastLine = true;
      return TRUNCATED_LAST_LINE;
    }
    if (e instanceof RangeError) return `nested too deep to read (${e.message}); skipped`;
    if (singleLine) {
      const shape = shapeOf(text);
      if (shape.inString) return 'invalid JSON: a string is not closed on this line (each line must hold one whole record)';
      if (shape.open > 0) return `invalid JSON: the record is not closed on this line (${shape.open} bracket(s) left open)`;
    }
    return `invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }

  private event(lineNo: number, make: () => CaptureEvent): void {
    let ev: CaptureEvent;
    try {
      ev = make();
    } catch (e) {
      this.bad(lineNo, e instanceof Error ? e.message : String(e));
      return;
    }
    const s = this.stats;
    s.records++;
    switch (ev.kind) {
      case 'node-status':
        s.nodeStatus++;
        if (ev.status) {
          s.nodesUnavailableEvents++;
          const { state, nodes, message } = ev.status;
          if (s.nodesUnavailable.length < KEEP_NODE_STATUS)
            s.nodesUnavailable.push({ state, nodes: [...nodes], ...(message !== undefined ? { message } : {}), line: lineNo });
        }
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
    // One line per reason: JSON.parse messages quote the input, line breaks and all.
    if (this.stats.badSamples.length < this.limits.keepBadLines) this.stats.badSamples.push({ line, reason: oneLine(reason) });
  }
}
