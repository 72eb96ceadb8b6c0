import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../flows/limits';
import { CaptureParser } from '../../flows/parser';
import { captureLines } from './capture-lines';

const FLOW = JSON.stringify({
  flow: {
    IP: { source: '10.0.0.1', destination: '10.0.0.2' },
    l4: { TCP: { source_port: 40000, destination_port: 80 } },
    source: {},
    destination: {},
  },
});

/** Reads `text` as bytes in chunks of `chunk` bytes, with a record limit of 200 characters (lines held up to 400 bytes). */
function read(text: string, chunk: number) {
  const parser = new CaptureParser('t.jsonl', () => undefined, { ...DEFAULT_LIMITS, maxRecordChars: 200 });
  const lines = captureLines(parser, { ...DEFAULT_LIMITS, maxRecordChars: 200 });
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += chunk) lines.push(bytes.subarray(at, at + chunk));
  lines.end();
  return parser.end();
}

describe('captureLines', () => {
  it.each([1, 7, 4096])('skips a line over 400 bytes wherever the chunks fall (%i bytes), saying why in the surest unit', (chunk) => {
    // 402 bytes may be 134 characters (these are 205): only the bytes are sure. 601 bytes are over 200 characters.
    const text = [FLOW, `{"x":"${'é'.repeat(197)}"}`, FLOW, `{"x":"${'a'.repeat(593)}"}`, FLOW].join('\n');
    const stats = read(text, chunk);
    expect(stats.records).toBe(3);
    expect(stats.lines).toBe(5);
    expect(stats.badSamples).toEqual([
      { line: 2, reason: 'line is longer than 400 bytes; skipped' },
      { line: 4, reason: 'line is longer than 200 characters; skipped' },
    ]);
  });
});
