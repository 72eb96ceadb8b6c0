import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingHandlers } from '../../shared/testing/recording-handlers';
import { createEventHub, startHost, type EventHub, type RunningHost } from './server';

/** A renderer folder and a bridge file of known content, and handlers that record their calls. */
function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-server-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<html><head><title>t</title></head></html>');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer');
  const bridgeFile = path.join(dir, 'bridge.js');
  writeFileSync(bridgeFile, 'window.bridged = true;');
  return { rendererDir, bridgeFile, ...recordingHandlers() };
}

/** A raw request, so the Host header can be what an attacker's page would send. */
function raw(url: string, o: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const u = new URL(url);
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: o.method ?? 'GET',
        headers: { host: o.host ?? u.host, ...o.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

let host: RunningHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** Starts a host over a fresh `setup()` (closed after the test): its page URL, token and origin, and the calls its handlers saw. */
async function start(events?: EventHub) {
  const s = setup();
  const { url, token } = (host = await startHost({ rendererDir: s.rendererDir, bridgeFile: s.bridgeFile, api: s.api, events }));
  return { url, token, origin: new URL(url).origin, calls: s.calls };
}

describe('the browser host', () => {
  it('serves the page only with its token, the bridge first, under a strict CSP', async () => {
    const { url, origin } = await start();
    expect((await raw(`${origin}/`)).status).toBe(403);
    expect((await raw(`${origin}/?token=wrong`)).status).toBe(403);
    const page = await raw(url);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/^<html><head>\n {4}<script src="\/__netpol\/bridge\.js"><\/script><title>/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    const bridge = await raw(`${origin}/__netpol/bridge.js`);
    expect(bridge).toMatchObject({ status: 200, body: 'window.bridged = true;' });
    expect(bridge.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers only under its own Host name (a rebound DNS name gets nothing)', async () => {
    const { url, token, origin, calls } = await start();
    const port = new URL(url).port;
    for (const wrong of [`evil.example:${port}`, `localhost:${port}`, `127.0.0.1.evil.example:${port}`, '127.0.0.1']) {
      expect((await raw(url, { host: wrong })).status).toBe(421);
      const call = await raw(`${origin}/__netpol/api/loadSample`, {
        host: wrong,
        method: 'POST',
        headers: { 'x-netpol-token': token, origin },
        body: '{"args":[]}',
      });
      expect(call.status).toBe(421);
    }
    expect(calls).toEqual([]);
  });

  it('refuses API calls without the token, by GET, or from another origin; serves its own page', async () => {
    const { token, origin, calls } = await start();
    const call = (headers: Record<string, string>, method = 'POST', body = '{"args":[]}') =>
      raw(`${origin}/__netpol/api/loadSample`, { method, headers, body });
    expect((await call({ origin })).status).toBe(403);
    expect((await call({ origin, 'x-netpol-token': 'wrong' })).status).toBe(403);
    expect((await call({ origin, 'x-netpol-token': token }, 'GET', '')).status).toBe(403);
    const foreign = await call({ origin: 'http://evil.example', 'x-netpol-token': token });
    expect(JSON.parse(foreign.body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((await call({ origin, 'x-netpol-token': token }, 'POST', '{not json')).status).toBe(400);
    expect((await call({ origin, 'x-netpol-token': token }, 'POST', JSON.stringify({ args: ['x'.repeat(1 << 20)] }))).status).toBe(413);
    expect(calls).toEqual([]);
    const ok = await call({ origin, 'x-netpol-token': token });
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: 'loadSample' });
    const unknown = await raw(`${origin}/__netpol/api/constructor`, {
      method: 'POST',
      headers: { origin, 'x-netpol-token': token },
      body: '{}',
    });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(calls.map((c) => c.op)).toEqual(['loadSample']);
  });

  it('serves nothing outside the renderer folder', async () => {
    const { origin } = await start();
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt']) expect(await raw(`${origin}${p}`)).toMatchObject({ status: 404 });
    // An encoded slash survives URL parsing and is decoded by the host: refused, not followed.
    expect(await raw(`${origin}/..%2Fsecret.txt`)).toMatchObject({ status: 403, body: 'forbidden' });
  });

  it('forwards events over a token-protected event stream', async () => {
    const hub = createEventHub();
    const { token, origin } = await start(hub);
    expect((await fetch(`${origin}/__netpol/events?token=wrong`)).status).toBe(403);
    const res = await fetch(`${origin}/__netpol/events?token=${token}`);
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    hub.emit('captureProgress', { records: 1, flows: 1, connections: 1, elapsedMs: 5 });
    const { value } = (await reader.read()) as { value?: Uint8Array };
    expect(new TextDecoder().decode(value)).toBe(
      `data: ${JSON.stringify({ event: 'captureProgress', payload: { records: 1, flows: 1, connections: 1, elapsedMs: 5 } })}\n\n`,
    );
    await reader.cancel();
  });
});
