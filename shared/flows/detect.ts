import { classifyObject, formatOfObject, looksLikeCalicoText, type ObjectKind } from './classify';
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
