import { utf8Lines, type LineSplitter } from '../../flows/lines';
import type { ParserLimits } from '../../flows/limits';
import type { CaptureParser } from '../../flows/parser';

/**
 * The byte splitter a capture file is read with, feeding `parser` (the reader's thread and each
 * parser thread alike). A line is not held past twice the record limit in bytes; a longer one is
 * skipped and counted as a bad line. Its reason is the parser's own ("longer than N characters")
 * when its length proves it (UTF-8 spends at most 3 bytes on a UTF-16 unit), else in bytes.
 */
export function captureLines(parser: CaptureParser, limits: ParserLimits): LineSplitter<Uint8Array> {
  const chars = limits.maxRecordChars;
  const maxBytes = chars * 2;
  return utf8Lines((line, no, nl) => parser.pushLine(line, no, nl), {
    limit: {
      maxLength: maxBytes,
      onOverlong: (no, bytes) =>
        bytes > 3 * chars ? parser.skipOverlongLine(no, chars, 'characters') : parser.skipOverlongLine(no, maxBytes, 'bytes'),
    },
  });
}
