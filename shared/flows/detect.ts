import { classifyObject, describeNonCapture, formatOfObject, looksLikeCalicoText, type ObjectKind } from './classify';
import type { ParserLimits } from './limits';
import { RecordScanner } from './record-scanner';
import type { CaptureFormat } from './types';

export interface DetectedFormat {
  readonly mode: 'json' | 'text';
  readonly format: CaptureFormat;
}

/** Recognises the format from one trimmed line: a whole JSON record, or Calico's text format. */
export function detectFromLine(t: string, inArray: boolean): DetectedFormat | undefined {
  if (t.startsWith('{') || t.startsWith('[')) {
    const candidate = t.startsWith('[') ? t.replace(/^\[\s*/, '').replace(/\s*[\],]*$/, '') : t.replace(/,$/, '');
    try {
      const o: unknown = JSON.parse(candidate);
      const kind = o && typeof o === 'object' && !Array.isArray(o) ? classifyObject(o as Record<string, unknown>) : undefined;
      if (kind) return { mode: 'json', format: formatOfObject(kind, t.startsWith('[') || inArray) };
    } catch {
      // not a whole object on one line
    }
    return undefined;
  }
  return looksLikeCalicoText(t) ? { mode: 'text', format: 'calico-text' } : undefined;
}

/** Recognises pretty-printed JSON from the first complete value in `text`. */
export function detectFromPrettyJson(text: string): DetectedFormat | undefined {
  const open = text.search(/\{/);
  if (open < 0) return undefined;
  let depth = 0;
  let inStr = false;
  let esc = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) {
      const value = text.slice(open, i + 1);
      let kind: ObjectKind | undefined;
      try {
        const o: unknown = JSON.parse(value);
        kind = o && typeof o === 'object' ? classifyObject(o as Record<string, unknown>) : undefined;
      } catch {
        // A broken first record (say a trailing comma): judge by its field names instead.
        kind = /"(source_name_aggr|reporter)"/.test(value) ? 'calico-enterprise' : /"(flow|l4|IP)"\s*:/.test(value) ? 'hubble' : undefined;
      }
      return kind ? { mode: 'json', format: formatOfObject(kind, text.trimStart().startsWith('[')) } : undefined;
    }
  }
  return undefined;
}

/**
 * How the lines of a recognised capture are read: `lines`, every line a record of its own (JSON
 * lines, or a JSON array with one element per line), so a broken line loses only itself;
 * `pretty`, records span lines (pretty-printed JSON); `text`, Calico's text format.
 */
export type LineMode = 'lines' | 'pretty' | 'text';

/** A format recognised, with the lines read while looking (to be read again in that format). */
export interface Recognised {
  readonly mode: LineMode;
  readonly format: CaptureFormat;
  readonly replay: readonly { readonly line: string; readonly no: number }[];
}

/**
 * Reads a capture's first lines until it recognises the format: from a whole record on one line
 * (detectFromLine), or from the first complete pretty-printed value, past broken ones
 * (detectFromPrettyJson). Gives up after `limits.detectLines` lines.
 */
export class FormatDetector {
  private readonly seen: { line: string; no: number }[] = [];
  /** The first 8 KiB or so, to say what the input looks like when it is not a capture. */
  private sample = '';
  /** Looks for a first pretty-printed record, past broken ones. */
  private probe: RecordScanner | undefined;
  private probed: DetectedFormat | undefined;

  constructor(private readonly limits: ParserLimits) {}

  /** Feeds the next line; the format once this line settles it, else undefined. */
  push(line: string, lineNo: number): Recognised | undefined {
    this.seen.push({ line, no: lineNo });
    if (this.sample.length < 8192) this.sample += line.slice(0, 8192) + '\n';
    let found = detectFromLine(line.trim(), this.sample.trimStart().startsWith('['));
    let mode: LineMode = found?.mode === 'text' ? 'text' : 'lines';
    if (!found) {
      this.probe ??= new RecordScanner(this.limits, { value: (text) => this.probeValue(text), bad: () => undefined }, true);
      this.probe.push(line, lineNo);
      found = this.probed;
      mode = 'pretty';
    }
    if (!found) return undefined;
    this.probe = undefined;
    return { mode, format: found.format, replay: this.seen.splice(0) };
  }

  /** True once `limits.detectLines` lines were read and none settled the format: the input is no capture. */
  get gaveUp(): boolean {
    return this.seen.length >= this.limits.detectLines;
  }

  /** What the lines read look like, to say why the input is not a capture ("the file is empty", "looks like YAML"). */
  describe(): string {
    return describeNonCapture(this.sample);
  }

  private probeValue(text: string): void {
    // Inside an array the value is an element: say so, for the array format.
    this.probed ??= detectFromPrettyJson(this.probe?.inArray ? `[${text}]` : text);
  }
}
