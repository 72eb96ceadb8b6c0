import { forEachLine } from '../flows/lines';

/**
 * Splits raw bytes into numbered lines without holding more than one partial line. UTF-8 is
 * safe to split at `\n`. A line longer than `maxLineBytes` is skipped (reported, not kept).
 */
export class ByteLineReader {
  // The pieces of a line that has not ended yet, joined once when it does (not once per chunk).
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overlong = false;
  private readonly decoder = new TextDecoder('utf-8');
  /** Number of the last line handed out. */
  lineNo: number;
  /** Bytes of complete lines handed out so far. */
  consumed = 0;

  constructor(
    private readonly onLine: (line: string, lineNo: number, endedWithNewline: boolean) => void,
    private readonly onOverlong: (lineNo: number) => void,
    private readonly maxLineBytes: number,
    firstLineNo = 1,
  ) {
    this.lineNo = firstLineNo - 1;
  }

  push(chunk: Buffer): void {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.hold(chunk);
      return;
    }
    let from = 0;
    if (this.overlong) {
      // The rest of the endless line ends at this chunk's first newline.
      from = chunk.indexOf(10) + 1;
      this.consumed += from;
      this.overlong = false;
      this.onOverlong(++this.lineNo);
    }
    const body = chunk.subarray(from, last + 1);
    this.consumed += this.carryBytes + body.length;
    const text = this.decoder.decode(this.carry.length > 0 ? Buffer.concat([...this.carry, body]) : body);
    this.carry = [];
    this.carryBytes = 0;
    this.lineNo += forEachLine(text, this.lineNo + 1, (line, no) => this.onLine(line, no, true));
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
  }

  /** The file ended: a last line without a newline is handed out as such. */
  end(): void {
    if (this.overlong) {
      this.onOverlong(++this.lineNo);
      this.overlong = false;
    } else if (this.carry.length > 0) {
      const line = this.decoder.decode(Buffer.concat(this.carry)).replace(/\r$/, '');
      this.carry = [];
      this.carryBytes = 0;
      this.onLine(line, ++this.lineNo, false);
    }
  }

  private hold(bytes: Buffer): void {
    if (this.overlong) {
      this.consumed += bytes.length;
      return;
    }
    // A copy: the caller may reuse its buffer (the worker reads into one).
    this.carry.push(Buffer.from(bytes));
    this.carryBytes += bytes.length;
    if (this.carryBytes > this.maxLineBytes) {
      this.consumed += this.carryBytes;
      this.carry = [];
      this.carryBytes = 0;
      this.overlong = true;
    }
  }
}
