// One record's text into a capture event, or the reason it is not one: JSON of a Hubble flow or a
// Calico flow log, or a line of Calico's text format. Where the text came from (which line, cut
// short or not) is the parser's to say.
import { calicoTextEvent, classifyObject, eventOfObject, isCalicoTextHeader } from './classify';
import type { HubbleDecoder } from './hubble';
import { shapeOf } from './record-scanner';
import { BadRecord, type CaptureEvent } from './types';

/**
 * Decodes one record's JSON text. `singleLine`: the text is a whole line of JSON lines, so an
 * unclosed string or bracket is named as such. `hubble` is the read's own decoder (its caches
 * belong to that read). Never throws: a bad record is a BadRecord with its reason.
 */
export function decodeJsonRecord(text: string, singleLine: boolean, hubble: HubbleDecoder): CaptureEvent | BadRecord {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return new BadRecord(invalidJsonReason(text, singleLine, e), true);
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return new BadRecord('expected a JSON object');
  const rec = o as Record<string, unknown>;
  const kind = classifyObject(rec);
  if (!kind)
    return new BadRecord(
      'JSON object is neither a Hubble flow nor a Calico flow log (no "flow", "source"/"l4", "Key" or "source_name" field)',
    );
  return decodeWith(() => eventOfObject(kind, rec, hubble));
}

/** Decodes one line of Calico's text format; undefined for a blank line, a comment or the header. */
export function decodeCalicoTextLine(line: string): CaptureEvent | BadRecord | undefined {
  const t = line.trim();
  if (t === '' || t.startsWith('#') || isCalicoTextHeader(t)) return undefined;
  return decodeWith(() => calicoTextEvent(t));
}

/** The event `make` builds, or its error's message as the reason (the format readers throw on bad content). */
function decodeWith(make: () => CaptureEvent): CaptureEvent | BadRecord {
  try {
    return make();
  } catch (e) {
    return new BadRecord(e instanceof Error ? e.message : String(e));
  }
}

/** Why `text` is not JSON, in words: too deep, not closed on its line, or JSON.parse's message. */
function invalidJsonReason(text: string, singleLine: boolean, e: unknown): string {
  if (e instanceof RangeError) return `nested too deep to read (${e.message}); skipped`;
  if (singleLine) {
    const shape = shapeOf(text);
    if (shape.inString) return 'invalid JSON: a string is not closed on this line (each line must hold one whole record)';
    if (shape.open > 0) return `invalid JSON: the record is not closed on this line (${shape.open} bracket(s) left open)`;
  }
  return `invalid JSON: ${e instanceof Error ? e.message : String(e)}`;
}
