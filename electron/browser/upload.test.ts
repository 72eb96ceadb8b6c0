import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetpolHandlers } from '../../shared/api/contract';
import { TOKEN_HEADER, UPLOAD_PATH } from './paths';
import { startHost, type RunningHost } from './server';
import { uploadInbox, uploadName } from './upload';

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function setup(maxBytes?: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-upload-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<html><head></head></html>');
  const bridgeFile = path.join(dir, 'bridge.js');
  writeFileSync(bridgeFile, '');
  const uploads = uploadInbox(path.join(dir, 'uploads'), maxBytes);
  host = await startHost({ rendererDir, bridgeFile, api: {} as NetpolHandlers, uploads });
  const origin = new URL(host.url).origin;
  return { dir, uploads, origin, token: host.token };
}

/** POSTs a body as the page does (its token, its Origin), or as something else would. */
function post(url: string, body: string, headers: Record<string, string>) {
  const u = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('a capture streamed from the page (browser host)', () => {
  it('is stored in a folder of its own, private, under its own name, and opened next (once)', async () => {
    const s = await setup();
    const r = await post(`${s.origin}${UPLOAD_PATH}?name=${encodeURIComponent('../../etc/my capture.jsonl')}`, 'line\n', {
      [TOKEN_HEADER]: s.token,
      origin: s.origin,
    });
    expect(r.status).toBe(200);
    const { path: file, name } = s.uploads.take()!;
    // Stored under a safe name of its own; called what the user picked.
    expect(path.basename(file)).toBe('my_capture.jsonl');
    expect(name).toBe('my capture.jsonl');
    expect(path.dirname(path.dirname(file))).toBe(path.join(s.dir, 'uploads'));
    expect(readFileSync(file, 'utf8')).toBe('line\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(s.uploads.take()).toBeUndefined();
  });

  it.each<[string, (origin: string, token: string) => Record<string, string>]>([
    ['without the token', (o) => ({ origin: o })],
    ['with a wrong token', (o) => ({ origin: o, [TOKEN_HEADER]: 'x'.repeat(48) })],
    ['from another page (Origin)', (_o, t) => ({ origin: 'http://evil.example', [TOKEN_HEADER]: t })],
  ])('is refused %s, and nothing is stored', async (_what, headers) => {
    const s = await setup();
    const r = await post(`${s.origin}${UPLOAD_PATH}?name=a.jsonl`, 'x', headers(s.origin, s.token));
    expect(r.status).toBe(403);
    expect(s.uploads.take()).toBeUndefined();
  });

  it('is refused when larger than the host takes, with the reason', async () => {
    const s = await setup(4);
    const r = await post(`${s.origin}${UPLOAD_PATH}?name=a.jsonl`, 'too long', { [TOKEN_HEADER]: s.token, origin: s.origin });
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/larger than/);
    expect(s.uploads.take()).toBeUndefined();
  });

  it('keeps the last three uploads, so the capture open and the ones before it stay readable', async () => {
    const s = await setup();
    for (let i = 0; i < 5; i++)
      expect((await post(`${s.origin}${UPLOAD_PATH}?name=c${i}.jsonl`, `${i}`, { [TOKEN_HEADER]: s.token, origin: s.origin })).status).toBe(
        200,
      );
    const kept = readdirSync(path.join(s.dir, 'uploads')).flatMap((d) => readdirSync(path.join(s.dir, 'uploads', d)));
    expect(kept.sort()).toEqual(['c2.jsonl', 'c3.jsonl', 'c4.jsonl']);
  });

  it.each([
    ['capture.jsonl', 'capture.jsonl'],
    ['C:\\\\Users\\\\me\\\\flows.json.gz', 'flows.json.gz'],
    ['..', 'capture'],
    ['.hidden', 'hidden'],
    ['a b$c', 'a_b_c'],
  ])('names %j %j', (raw, safe) => {
    expect(uploadName(raw)).toBe(safe);
  });
});
