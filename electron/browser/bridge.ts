// The browser host's bridge: `window.netpol` over HTTP, as the preload gives it over IPC. Bundled
// for the browser (out/browser/bridge.js) and served as the page's first script, before the app's.
import { netpolApi, type Transport } from '../../shared/api/client';
import type { ArgsOf, EventName, Operation, ReplyOf, Result } from '../../shared/api/contract';
import { API_PREFIX, EVENTS_PATH, TOKEN_HEADER } from './paths';

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
