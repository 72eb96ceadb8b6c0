// A gzip file read member by member (RFC 1952), the way `gzip -dc` reads one: every member of a
// concatenation is decompressed, zero padding after the last is ignored, and other bytes after it
// ("trailing garbage") are reported and ignored instead of failing the read. zlib's own Gunzip
// treats such bytes as a broken next member and drops the output of the write they arrive in,
// which lost whole captures.
import * as zlib from 'node:zlib';

// zlib.crc32 is there from Node 20.15; without it the members' checksums go unchecked (their lengths still are).
const crc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

/** Runs `start` (which calls back when zlib took the input) and waits for that, or for the stream to fail or close. */
function settled(stream: zlib.InflateRaw, start: (cb: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('close', done);
      stream.off('end', done);
      resolve();
    };
    stream.once('close', done);
    stream.once('end', done);
    start(done);
  });
}

/** A zlib-style error, so that callers branch on `code` as they do for zlib's own. */
function gzipError(code: 'Z_DATA_ERROR' | 'Z_BUF_ERROR', message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Compressed bytes handed to zlib at a time. */
const PIECE_BYTES = 16 * 1024;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const RESERVED_FLAGS = 0xe0;

/** The length of the member header at the start of `b`, 'short' when more bytes are needed, 'bad' when it is none. */
function headerLength(b: Buffer): number | 'short' | 'bad' {
  if (b.length >= 1 && b[0] !== 0x1f) return 'bad';
  if (b.length >= 2 && b[1] !== 0x8b) return 'bad';
  if (b.length >= 3 && b[2] !== 8) return 'bad';
  if (b.length >= 4 && (b[3] & RESERVED_FLAGS) !== 0) return 'bad';
  if (b.length < 10) return 'short';
  const flags = b[3];
  let at = 10;
  if (flags & FEXTRA) {
    if (b.length < at + 2) return 'short';
    at += 2 + b.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = b.indexOf(0, at);
    if (end < 0) return 'short';
    at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  return b.length < at ? 'short' : at;
}

/** Bytes after the last gzip member that are no member (nor zero padding): where they start and how many there are. */
export interface TrailingData {
  readonly offset: number;
  readonly size: number;
}

/** Decompresses the gzip members of a byte stream one after another; see the file comment. */
export class GzipMembers {
  /** Compressed bytes consumed so far: where damage was found, when the read fails. */
  position = 0;
  /** Set when bytes that are no gzip member followed the last one (they were not decompressed). */
  trailing?: TrailingData;

  private buf: Buffer = Buffer.alloc(0);
  /** The file offset of `buf[0]`. */
  private base = 0;
  private ended = false;

  constructor(private readonly size: number) {}

  /** The decompressed bytes of every member of `source`, in order. Throws like zlib on damage (`code` Z_DATA_ERROR or Z_BUF_ERROR). */
  async *read(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const chunks = source[Symbol.asyncIterator]();
    for (let member = 0; ; member++) {
      let header = headerLength(this.buf);
      while (header === 'short' && (await this.more(chunks))) header = headerLength(this.buf);
      if (member > 0 && (header === 'bad' || header === 'short')) {
        const at = this.base;
        if (this.buf.length > 0 && !(await this.restIsZero(chunks))) this.trailing = { offset: at, size: this.size - at };
        return;
      }
      if (header === 'bad') throw gzipError('Z_DATA_ERROR', 'incorrect header check');
      if (header === 'short') throw gzipError('Z_BUF_ERROR', 'unexpected end of file');
      this.consume(header);
      yield* this.body(chunks);
      await this.trailer(chunks);
    }
  }

  private crc = 0;
  private length = 0;

  /** Inflates one member's deflate data, leaving what follows it in `buf`. */
  private async *body(chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
    const inflater = zlib.createInflateRaw();
    const out: Buffer[] = [];
    let failure: Error | undefined;
    let done = false;
    inflater.on('data', (d: Buffer) => out.push(d));
    inflater.on('error', (e: Error) => (failure = e));
    inflater.on('end', () => (done = true));
    const start = this.base;
    let written = 0;
    this.crc = 0;
    this.length = 0;
    const ready = (): Buffer[] => {
      const bufs = out.splice(0);
      for (const b of bufs) {
        if (crc32) this.crc = crc32(b, this.crc);
        this.length = (this.length + b.length) % 2 ** 32;
      }
      return bufs;
    };
    try {
      for (;;) {
        if (this.buf.length === 0 && !(await this.more(chunks))) {
          // The file ends: what zlib still holds comes out, or it says the stream was cut short.
          if (!done) await settled(inflater, (cb) => inflater.end(cb));
          this.position = start + inflater.bytesWritten;
          yield* ready();
          if (failure) throw failure;
          return;
        }
        // A piece at a time: a compressed chunk can hold fifty times its size of capture.
        const chunk = this.buf.subarray(0, PIECE_BYTES);
        this.buf = this.buf.subarray(chunk.length);
        await settled(inflater, (cb) => inflater.write(chunk, cb));
        written += chunk.length;
        this.position = start + inflater.bytesWritten;
        yield* ready();
        if (failure) throw failure;
        // zlib stops taking input at the end of the deflate data: the rest is the trailer and beyond.
        if (done || inflater.bytesWritten < written) {
          const rest = chunk.subarray(chunk.length - (written - inflater.bytesWritten));
          this.buf = this.buf.length > 0 ? Buffer.concat([rest, this.buf]) : rest;
          this.base = start + inflater.bytesWritten;
          return;
        }
      }
    } finally {
      inflater.destroy();
    }
  }

  /** Reads and checks a member's trailer: the CRC-32 and length of what it decompressed to. */
  private async trailer(chunks: AsyncIterator<Buffer>): Promise<void> {
    while (this.buf.length < 8) if (!(await this.more(chunks))) throw gzipError('Z_BUF_ERROR', 'unexpected end of file');
    const crc = this.buf.readUInt32LE(0);
    const length = this.buf.readUInt32LE(4);
    this.position = this.base + 8;
    if (crc32 && crc !== this.crc) throw gzipError('Z_DATA_ERROR', 'incorrect data check');
    if (length !== this.length) throw gzipError('Z_DATA_ERROR', 'incorrect length check');
    this.consume(8);
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.base += n;
    this.position = this.base;
  }

  private async more(chunks: AsyncIterator<Buffer>): Promise<boolean> {
    if (this.ended) return false;
    const next = await chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length > 0 ? Buffer.concat([this.buf, next.value]) : next.value;
    return true;
  }

  /** True when every byte left is zero (padding gzip itself ignores). */
  private async restIsZero(chunks: AsyncIterator<Buffer>): Promise<boolean> {
    for (;;) {
      if (this.buf.some((b) => b !== 0)) return false;
      this.base += this.buf.length;
      this.buf = Buffer.alloc(0);
      if (!(await this.more(chunks))) return true;
    }
  }
}
