// The browser host: serves the built renderer, its bridge, and the main-process services over a
// loopback-only, token-protected HTTP API, so the real UI runs in a plain browser (`npm start`
// where no Electron binary exists, and the e2e tests). Requests go through the same dispatch as IPC.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { EventName, NetpolHandlers } from '../../shared/api/contract';
import { createDispatch } from '../dispatch';
import { CONTENT_SECURITY_POLICY } from '../security';
import { API_PREFIX, BRIDGE_PATH, EVENTS_PATH, TOKEN_HEADER, UPLOAD_PATH } from './paths';
import { UploadRefused, type UploadInbox } from './upload';

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
  /** The bundled bridge (out/browser/bridge.js), served as the page's first script. */
  readonly bridgeFile: string;
  /** The services' handlers, reached through the one dispatch both hosts use. */
  readonly api: NetpolHandlers;
  readonly events?: EventHub;
  readonly port?: number;
  /** Where a capture the user picks in the page is streamed to (without it, uploads are refused). */
  readonly uploads?: UploadInbox;
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

const MAX_BODY = 1 << 20;

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

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new BodyTooLarge('request body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the host on 127.0.0.1 (an ephemeral port unless one is given). */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = randomBytes(24).toString('hex');
  const root = path.resolve(opts.rendererDir);
  let allowedHost = '';
  // Only our own page sends requests: a browser names it in the Origin of every POST.
  const dispatch = createDispatch(opts.api, (sender) => sender.url === `http://${allowedHost}`);

  const api = async (req: IncomingMessage, res: ServerResponse, op: string): Promise<void> => {
    if (req.method !== 'POST' || !sameToken(String(req.headers[TOKEN_HEADER] ?? ''), token)) return send(res, 403, 'forbidden');
    let args: unknown[];
    try {
      const body = JSON.parse(await readBody(req)) as { args?: unknown };
      args = Array.isArray(body.args) ? (body.args as unknown[]) : [];
    } catch (e) {
      return send(res, e instanceof BodyTooLarge ? 413 : 400, `bad request: ${(e as Error).message}`);
    }
    const reply = await dispatch(op, args, { url: req.headers.origin ?? '' });
    return send(res, 200, JSON.stringify(reply), 'application/json');
  };

  // The page streams a picked capture here: our own page (token and Origin), its length said and bounded.
  const upload = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    if (
      req.method !== 'POST' ||
      !opts.uploads ||
      !sameToken(String(req.headers[TOKEN_HEADER] ?? ''), token) ||
      req.headers.origin !== `http://${allowedHost}`
    )
      return send(res, 403, 'forbidden');
    try {
      await opts.uploads.receive(req, name);
      return send(res, 200, '{}', 'application/json');
    } catch (e) {
      if (!(e instanceof UploadRefused)) throw e;
      // The rest of a refused body is not read: the connection closes after the answer.
      res.setHeader('connection', 'close');
      return send(res, e.status, e.message);
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      // Loopback only, and only under our own Host name (no DNS rebinding).
      if (req.headers.host !== allowedHost) return send(res, 421, 'wrong host');
      const url = new URL(req.url ?? '/', `http://${allowedHost}`);
      if (url.pathname.startsWith(API_PREFIX)) return api(req, res, url.pathname.slice(API_PREFIX.length));
      if (url.pathname === UPLOAD_PATH) return upload(req, res, url.searchParams.get('name') ?? '');
      if (url.pathname === BRIDGE_PATH) return send(res, 200, await readFile(opts.bridgeFile), TYPES['.js']);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Event streams stay open until their page goes; closing the host ends them.
        server.closeAllConnections();
      }),
  };
}
