// Stand-in services for tests of the hosts (dispatch, IPC, the browser host): every operation of the
// contract exists, records what it was called with, and answers as the test says. Tests only.
import type { NetpolHandlers } from '../api/contract';

/** One call a recording handler received: the operation's name and the arguments it was given. */
export interface RecordedCall {
  readonly op: string;
  readonly args: unknown[];
}

/**
 * Handlers for every operation that push each call onto `calls` (so a test can show that no handler
 * ran) and answer with `answer(op)`: by default `{ ok: true, value: op }`, which names the handler that ran.
 */
export function recordingHandlers(answer: (op: string) => Promise<unknown> = (op) => Promise.resolve({ ok: true, value: op })): {
  api: NetpolHandlers;
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const api = new Proxy({} as NetpolHandlers, {
    get:
      (_t, op: string) =>
      (...args: unknown[]) => {
        calls.push({ op, args });
        return answer(op);
      },
  });
  return { api, calls };
}
