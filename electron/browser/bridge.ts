// The browser host's bridge: `window.netpol` over HTTP, as the preload gives it over IPC. Bundled
// for the browser (out/browser/bridge.js) and served as the page's first script, before the app's.
import { netpolApi } from '../../shared/api/client';
import type { EventName } from '../../shared/api/contract';
import { API_PREFIX, EVENTS_PATH, TOKEN_HEADER } from './paths';

const token = new URLSearchParams(location.search).get('token') ?? '';

async function invoke(op: string, args: unknown[]): Promise<unknown> {
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
  return res.json();
}

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
let source: EventSource | undefined;

function subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
  // One stream for every event, opened by the first subscription.
  if (!source) {
    source = new EventSource(`${EVENTS_PATH}?token=${encodeURIComponent(token)}`);
    source.onmessage = (m: MessageEvent<string>) => {
      const { event: name, payload } = JSON.parse(m.data) as { event: EventName; payload: unknown };
      listeners.get(name)?.forEach((l) => l(payload));
    };
  }
  const set = listeners.get(event) ?? new Set();
  listeners.set(event, set.add(listener));
  return () => void set.delete(listener);
}

Object.defineProperty(window, 'netpol', { value: Object.freeze(netpolApi({ invoke, subscribe })), enumerable: true });
