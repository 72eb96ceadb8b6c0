import { decodeCalicoTextLine, decodeJsonRecord } from './decode';
import { FormatDetector, type LineMode } from './detect';
import { HubbleDecoder } from './hubble';
import { DEFAULT_LIMITS, type ParserLimits } from './limits';
import { OPENS_RECORD, RecordScanner, recordOfLine } from './record-scanner';
import { countBadLine, countEvent, emptyStats, type ParserStats } from './stats';
import { ACCEPTED_FORMATS_TEXT, BadRecord, CaptureError, type CaptureEvent, type CaptureFormat } from './types';

export type EventSink = (event: CaptureEvent) => void;

const TRUNCATED_LAST_LINE = 'truncated last line (the capture was cut short?)';

/**
 * Turns lines of a capture into events. Recognises the format from the content (FormatDetector);
 * JSON lines are read one line at a time (recordOfLine), pretty-printed JSON with a scanner that
 * resynchronises on the next record (RecordScanner), and each record decoded (decode.ts). Every
 * bad line is counted with its number and reason (stats.ts) instead of failing the read.
 */
export class CaptureParser {
  readonly stats: ParserStats = emptyStats();
  /** `detect` until the format is known; then how its lines are read (see LineMode). */
  private mode: 'detect' | LineMode = 'detect';
  private readonly detector: FormatDetector;
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
    this.detector = new FormatDetector(limits);
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
      throw new CaptureError(this.file, `${this.detector.describe()}. Accepted formats: ${ACCEPTED_FORMATS_TEXT}.`);
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
    const found = this.detector.push(line, lineNo);
    if (found) {
      this.mode = found.mode;
      if (found.mode === 'pretty') this.scanner = this.scannerFor(true);
      this.stats.format = found.format;
      // The lines read while looking are read again, now in the format found.
      this.stats.lines -= found.replay.length;
      for (const p of found.replay) this.pushLine(p.line, p.no);
    } else if (this.detector.gaveUp) {
      // Nothing recognisable in the first lines: this is not a capture.
      this.end();
    }
  }

  private textLine(line: string, lineNo: number): void {
    const decoded = decodeCalicoTextLine(line);
    if (decoded) this.count(decoded, lineNo);
  }

  /** A line of JSON lines: one whole record, on its own; nothing carries over to the next line. */
  private recordLine(line: string, lineNo: number): void {
    const r = recordOfLine(line, this.limits);
    if (typeof r === 'string') this.value(r, lineNo, true);
    else if (r === OPENS_RECORD) this.scanner.push(line, lineNo);
    else if (r) this.bad(lineNo, r.reason);
  }

  private value(text: string, lineNo: number, singleLine: boolean): void {
    const decoded = decodeJsonRecord(text, singleLine, this.hubble);
    // A whole line that is no JSON, as the last line of a capture without newline: cut short.
    if (decoded instanceof BadRecord && decoded.unparsable && singleLine && lineNo === this.lastLineNo && !this.lastLineEndedWithNewline) {
      this.stats.truncatedLastLine = true;
      this.bad(lineNo, TRUNCATED_LAST_LINE);
    } else this.count(decoded, lineNo);
  }

  /** A decoded record counted: an event is handed on, a bad one kept with its reason. */
  private count(decoded: CaptureEvent | BadRecord, lineNo: number): void {
    if (decoded instanceof BadRecord) this.bad(lineNo, decoded.reason);
    else {
      countEvent(this.stats, decoded, lineNo);
      this.sink(decoded);
    }
  }

  private bad(line: number, reason: string): void {
    if (reason === TRUNCATED_LAST_LINE) this.stats.cutLineCounted = true;
    countBadLine(this.stats, this.limits.keepBadLines, line, reason);
  }
}
