import { Readable } from 'node:stream';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipMembers } from './gzip-members';

/** A gzip member written by hand, with the optional header fields zlib's own writer never sets. */
function member(text: string, o: { name?: string; comment?: string; extra?: Buffer; headerCrc?: boolean } = {}): Buffer {
  const data = Buffer.from(text);
  const flags = (o.headerCrc ? 2 : 0) | (o.extra ? 4 : 0) | (o.name !== undefined ? 8 : 0) | (o.comment !== undefined ? 16 : 0);
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (o.extra) parts.push(Buffer.from([o.extra.length & 0xff, o.extra.length >> 8]), o.extra);
  if (o.name !== undefined) parts.push(Buffer.from(`${o.name}\0`, 'latin1'));
  if (o.comment !== undefined) parts.push(Buffer.from(`${o.comment}\0`, 'latin1'));
  if (o.headerCrc) parts.push(Buffer.from([0xab, 0xcd]));
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([...parts, deflateRawSync(data), trailer]);
}

/** `bytes` in pieces of `size` (1: every boundary falls inside a header, a body and a trailer). */
const pieces = (bytes: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size));

async function read(bytes: Buffer, size = 1 << 20): Promise<{ text: string; members: GzipMembers; error?: Error & { code?: string } }> {
  const members = new GzipMembers(bytes.length);
  const out: Buffer[] = [];
  try {
    for await (const b of members.read(Readable.from(pieces(bytes, size)))) out.push(b);
  } catch (e) {
    return { text: Buffer.concat(out).toString(), members, error: e as Error };
  }
  return { text: Buffer.concat(out).toString(), members };
}

describe('GzipMembers: a gzip file read the way gzip -dc reads it', () => {
  const a = 'first line\n'.repeat(500);
  const b = 'second member\n'.repeat(300);

  it.each([1, 7, 64, 1 << 20])('reads concatenated members and every optional header field, in pieces of %i bytes', async (size) => {
    const bytes = Buffer.concat([member(a, { name: 'a.jsonl', comment: 'x', extra: Buffer.from('ab'), headerCrc: true }), gzipSync(b)]);
    const r = await read(bytes, size);
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(a + b);
    expect(r.members.trailing).toBeUndefined();
  });

  it.each([1, 5, 1 << 20])('trailing garbage after the last member is reported with its offset, not fatal (pieces of %i)', async (size) => {
    const whole = Buffer.concat([gzipSync(a), gzipSync(b)]);
    const r = await read(Buffer.concat([whole, Buffer.from('garbage, not gzip\n')]), size);
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(a + b);
    expect(r.members.trailing).toEqual({ offset: whole.length, size: 18 });
  });

  it.each([
    ['one stray byte', Buffer.from([0x1f])],
    ['a gzip magic with another method', Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 0, 1, 2])],
    ['zeros, then text', Buffer.from('\0\0\0\0abc')],
  ])('%s after the stream is trailing data', async (_name, tail) => {
    const whole = gzipSync(a);
    const r = await read(Buffer.concat([whole, tail]), 3);
    expect(r.text).toBe(a);
    expect(r.members.trailing).toEqual({ offset: whole.length, size: tail.length });
  });

  it('zero padding after the stream is ignored without a word, as gzip does', async () => {
    const r = await read(Buffer.concat([gzipSync(a), Buffer.alloc(1000)]), 100);
    expect([r.text, r.members.trailing, r.error]).toEqual([a, undefined, undefined]);
  });

  it.each([
    [
      'a checksum that does not match',
      (g: Buffer) => Buffer.concat([g.subarray(0, -8), Buffer.from([0, 0, 0, 0]), g.subarray(-4)]),
      'Z_DATA_ERROR',
      'incorrect data check',
    ],
    [
      'a length that does not match',
      (g: Buffer) => Buffer.concat([g.subarray(0, -4), Buffer.from([1, 0, 0, 0])]),
      'Z_DATA_ERROR',
      'incorrect length check',
    ],
    ['a file cut inside the trailer', (g: Buffer) => g.subarray(0, -3), 'Z_BUF_ERROR', 'unexpected end of file'],
    ['a file cut inside the data', (g: Buffer) => g.subarray(0, Math.floor(g.length / 2)), 'Z_BUF_ERROR', 'unexpected end of file'],
    ['a file that is only a header', (g: Buffer) => g.subarray(0, 6), 'Z_BUF_ERROR', 'unexpected end of file'],
  ])('%s is damage, with zlib’s code', async (_name, damage, code, message) => {
    const r = await read(damage(gzipSync(a)), 50);
    expect(r.error).toMatchObject({ code, message });
  });

  it('a second member whose data is corrupt is damage after the first member was read whole', async () => {
    const second = gzipSync(b);
    for (let k = 12; k < 30; k++) second[k] ^= 0xff;
    const r = await read(Buffer.concat([gzipSync(a), second]));
    expect(r.error).toMatchObject({ code: 'Z_DATA_ERROR' });
    expect(r.text.startsWith(a)).toBe(true);
  });
});
