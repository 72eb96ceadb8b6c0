// The browser host: serves the built renderer and the main-process services over a loopback-only,
// token-protected HTTP bridge, so the real UI runs in a plain browser (e2e tests, and `npm start`
// on machines without an Electron binary).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  callOperation,
  EVENT_NAMES,
  OPERATIONS,
  validateArgs,
  type EventName,
  type NetpolHandlers,
  type Operation,
} from '../../shared/api/contract';
import { CONTENT_SECURITY_POLICY } from '../../electron/security';

/** Where the host gets the events it forwards to the page (Server-Sent Events). */
export interface EventHub {
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
}

/** A simple hub: services emit, connected pages receive. */
export function createEventHub(): EventHub & { emit(event: EventName, payload: unknown): void } {
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  return {
    subscribe: (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    emit: (event, payload) => listeners.forEach((l) => l(event, payload)),
  };
}

export interface HostOptions {
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly api: NetpolHandlers;
  readonly events?: EventHub;
  readonly port?: number;
}

export interface RunningHost {
  /** The page to open, token included. */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const API_PREFIX = '/__netpol/api/';
const EVENTS_PATH = '/__netpol/events';
const BRIDGE_PATH = '/__netpol/bridge.js';
const MAX_BODY = 1 << 20;

/** `window.netpol` for the browser: one function per contract operation, one subscription per event. */
export function bridgeScript(): string {
  const fns = OPERATIONS.map((op) => `${op}: call(${JSON.stringify(op)})`);
  const subs = EVENT_NAMES.map((e) => `on${e[0].toUpperCase()}${e.slice(1)}: on(${JSON.stringify(e)})`);
  return `(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const call = (op) => (...args) =>
    fetch(${JSON.stringify(API_PREFIX)} + op, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-netpol-token': token },
      body: JSON.stringify({ args }),
    }).then((r) => r.json());
  const listeners = {};
  let source;
  const on = (name) => (listener) => {
    if (!source) {
      source = new EventSource(${JSON.stringify(EVENTS_PATH)} + '?token=' + encodeURIComponent(token));
      source.onmessage = (m) => {
        const { event, payload } = JSON.parse(m.data);
        (listeners[event] || []).forEach((l) => l(payload));
      };
    }
    (listeners[name] = listeners[name] || []).push(listener);
    return () => { listeners[name] = listeners[name].filter((l) => l !== listener); };
  };
  Object.defineProperty(window, 'netpol', { value: Object.freeze({
    ${[...fns, ...subs].join(',\n    ')}
  }), enumerable: true });
})();
`;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the host on 127.0.0.1 (an ephemeral port unless one is given). */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = randomBytes(24).toString('hex');
  const root = path.resolve(opts.rendererDir);
  let allowedHost = '';

  const server = createServer((req, res) => {
    void (async () => {
      // Loopback only, and only under our own Host name (no DNS rebinding).
      if (req.headers.host !== allowedHost) return send(res, 421, 'wrong host');
      const url = new URL(req.url ?? '/', `http://${allowedHost}`);
      if (url.pathname.startsWith(API_PREFIX)) {
        if (req.method !== 'POST' || !sameToken(String(req.headers['x-netpol-token'] ?? ''), token)) return send(res, 403, 'forbidden');
        const op = url.pathname.slice(API_PREFIX.length) as Operation;
        if (!OPERATIONS.includes(op)) return send(res, 404, 'no such operation');
        let args: unknown[];
        try {
          const body = JSON.parse(await readBody(req)) as { args?: unknown };
          args = Array.isArray(body.args) ? (body.args as unknown[]) : [];
        } catch (e) {
          return send(res, 400, `bad request: ${(e as Error).message}`);
        }
        const valid = validateArgs(op, args);
        const reply = valid.ok
          ? await callOperation(opts.api, op, valid.args)
          : { ok: false, error: { code: 'invalid-request', message: `Refused ${valid.reason}` } };
        return send(res, 200, JSON.stringify(reply), 'application/json');
      }
      if (url.pathname === BRIDGE_PATH) return send(res, 200, bridgeScript(), TYPES['.js']);
      if (url.pathname === EVENTS_PATH) {
        if (!sameToken(url.searchParams.get('token') ?? '', token) || !opts.events) return send(res, 403, 'forbidden');
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        const unsubscribe = opts.events.subscribe((event, payload) => res.write(`data: ${JSON.stringify({ event, payload })}\n\n`));
        res.on('close', unsubscribe);
        return;
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        if (!sameToken(url.searchParams.get('token') ?? '', token)) return send(res, 403, 'open the URL with its token');
        const html = await readFile(path.join(root, 'index.html'), 'utf8');
        // The bridge must define window.netpol before the app's module script runs.
        return send(res, 200, html.replace('<head>', `<head>\n    <script src="${BRIDGE_PATH}"></script>`), TYPES['.html']);
      }
      const file = path.resolve(root, '.' + decodeURIComponent(url.pathname));
      if (!file.startsWith(root + path.sep)) return send(res, 403, 'forbidden');
      try {
        return send(res, 200, await readFile(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
      } catch {
        return send(res, 404, 'not found');
      }
    })().catch((e: unknown) => send(res, 500, `host error: ${(e as Error).message}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  allowedHost = `127.0.0.1:${port}`;
  return {
    url: `http://${allowedHost}/?token=${token}`,
    token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
