// The browser host's bridge: `window.netpol` over HTTP, as the preload gives it over IPC. Bundled
// for the browser (out/browser/bridge.js) and served as the page's first script, before the app's.
import { netpolApi, type Transport } from '../../shared/api/client';
import type { ArgsOf, EventName, Operation, ReplyOf, Result } from '../../shared/api/contract';
import type { BrowserHostApi } from '../../shared/api/browser-host';
import { API_PREFIX, EVENTS_PATH, MAX_UPLOAD_BYTES, TOKEN_HEADER, UPLOAD_PATH } from './paths';

const token = new URLSearchParams(location.search).get('token') ?? '';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();
let source: EventSource | undefined;

// The host answers every call with the Result its contract entry names (the one dispatch makes
// it); as in the preload, this is where the page takes main's word for a reply's type.
const http: Transport = {
  async invoke<K extends Operation>(op: K, args: ArgsOf<K>): Promise<Result<ReplyOf<K>>> {
    const res = await fetch(API_PREFIX + op, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify({ args }),
    });
    if (!res.ok) {
      return {
        ok: false,
        error: { code: 'invalid-request', message: `The browser host refused ${op} (${res.status}: ${await res.text()}).` },
      };
    }
    return (await res.json()) as Result<ReplyOf<K>>;
  },
  subscribe(event, listener) {
    // One stream for every event, opened by the first subscription.
    if (!source) {
      source = new EventSource(`${EVENTS_PATH}?token=${encodeURIComponent(token)}`);
      source.onmessage = (m: MessageEvent<string>) => {
        const { event: name, payload } = JSON.parse(m.data) as { event: EventName; payload: unknown };
        listeners.get(name)?.forEach((l) => l(payload));
      };
    }
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set.add(listener as Listener));
    return () => void set.delete(listener as Listener);
  },
};

Object.defineProperty(window, 'netpol', { value: Object.freeze(netpolApi(http)), enumerable: true });

// No native file dialog in a browser: the page picks the file and streams it here (XMLHttpRequest,
// for its upload progress), and main's openCapture reads it.
const host: BrowserHostApi = {
  uploadCapture(file, onProgress, signal) {
    if (file.size > MAX_UPLOAD_BYTES)
      return Promise.resolve({
        ok: false,
        error: {
          code: 'unusable-input',
          message: `${file.name} is larger than the ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB the browser host takes.`,
          hint: 'Start the app with `npm start -- --capture FILE` to read it from disk.',
        },
      });
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`);
      xhr.setRequestHeader(TOKEN_HEADER, token);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
      xhr.onload = () =>
        resolve(
          xhr.status === 200
            ? { ok: true, value: undefined }
            : {
                ok: false,
                error: { code: 'invalid-request', message: `The browser host refused ${file.name} (${xhr.status}: ${xhr.responseText}).` },
              },
        );
      xhr.onerror = () => resolve({ ok: false, error: { code: 'internal', message: `Sending ${file.name} to the browser host failed.` } });
      xhr.onabort = () => resolve({ ok: false, error: { code: 'cancelled', message: `Sending ${file.name} was cancelled.` } });
      signal.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  },
};
Object.defineProperty(window, 'netpolHost', { value: Object.freeze(host), enumerable: true });
