/** Splits decoded text chunks into numbered lines (without `\n` or a trailing `\r`). */
export class LineSplitter {
  private rest = '';
  private lineNo = 0;

  constructor(private readonly onLine: (line: string, lineNo: number, endedWithNewline: boolean) => void) {}

  push(chunk: string): void {
    let text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(text.slice(start, end), ++this.lineNo, true);
      start = nl + 1;
    }
    this.rest = start < text.length ? text.slice(start) : '';
    text = '';
  }

  /** Lines seen so far (including a pending partial one once `end` is called). */
  get lines(): number {
    return this.lineNo;
  }

  end(): void {
    if (this.rest.length > 0) {
      const line = this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest;
      this.rest = '';
      this.onLine(line, ++this.lineNo, false);
    }
  }
}

/** Feeds every `\n`-terminated line of `text` to `onLine`, numbered from `firstLine`; returns the count. */
export function forEachLine(text: string, firstLine: number, onLine: (line: string, lineNo: number) => void): number {
  let no = firstLine;
  let start = 0;
  let nl: number;
  while ((nl = text.indexOf('\n', start)) !== -1) {
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    onLine(text.slice(start, end), no++);
    start = nl + 1;
  }
  return no - firstLine;
}
