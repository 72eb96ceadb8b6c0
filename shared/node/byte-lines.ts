import { forEachLine } from '../flows/lines';

/**
 * Splits raw bytes into numbered lines without holding more than one partial line. UTF-8 is
 * safe to split at `\n`. A line longer than `maxLineBytes` is skipped (reported, not kept).
 */
export class ByteLineReader {
  private carry: Buffer | undefined;
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
    const head = this.carry;
    this.carry = undefined;
    const body = chunk.subarray(from, last + 1);
    this.consumed += (head?.length ?? 0) + body.length;
    const text = this.decoder.decode(head ? Buffer.concat([head, body]) : body);
    this.lineNo += forEachLine(text, this.lineNo + 1, (line, no) => this.onLine(line, no, true));
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
  }

  /** The file ended: a last line without a newline is handed out as such. */
  end(): void {
    if (this.overlong) {
      this.onOverlong(++this.lineNo);
      this.overlong = false;
    } else if (this.carry) {
      const line = this.decoder.decode(this.carry).replace(/\r$/, '');
      this.carry = undefined;
      this.onLine(line, ++this.lineNo, false);
    }
  }

  private hold(bytes: Buffer): void {
    if (this.overlong) {
      this.consumed += bytes.length;
      return;
    }
    this.carry = this.carry ? Buffer.concat([this.carry, bytes]) : Buffer.from(bytes);
    if (this.carry.length > this.maxLineBytes) {
      this.consumed += this.carry.length;
      this.carry = undefined;
      this.overlong = true;
    }
  }
}
