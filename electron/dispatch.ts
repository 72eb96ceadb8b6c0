// The one way a request reaches the services, whichever host carried it: the Electron window's IPC
// or the browser host's HTTP bridge. Each host only says who sent the request.
import { callOperation, OPERATIONS, validateArgs, type NetpolHandlers, type Operation, type Result } from '../shared/api/contract';

/** Who sent a request, as its host saw it: the sending frame's URL (IPC) or the page's Origin (browser host). */
export interface Sender {
  readonly url: string;
}

/** Answers one request; never throws, and no service sees a request that was refused. */
export type Dispatch = (operation: string, args: readonly unknown[], sender: Sender) => Promise<Result<unknown>>;

const refused = (message: string): Result<never> => ({ ok: false, error: { code: 'invalid-request', message } });

const isOperation = (s: string): s is Operation => (OPERATIONS as readonly string[]).includes(s);

/**
 * Builds the dispatch over the services. A request is refused unless it names an operation of the
 * contract, comes from a sender the host trusts (the app's own page), and its arguments pass the
 * operation's schema; only then does the handler run, with the parsed arguments.
 */
export function createDispatch(handlers: NetpolHandlers, trusts: (sender: Sender) => boolean): Dispatch {
  return async (operation, args, sender) => {
    if (!isOperation(operation)) return refused(`Refused "${operation}": there is no such operation.`);
    if (!trusts(sender)) return refused(`Refused ${operation}: the request did not come from the app's own page.`);
    const valid = validateArgs(operation, [...args]);
    if (!valid.ok) return refused(`Refused ${valid.reason}`);
    try {
      return await callOperation(handlers, operation, valid.args);
    } catch (e) {
      // Handlers answer with a Result; a throw that escapes one is a defect, said as such.
      return { ok: false, error: { code: 'internal', message: `${operation} failed: ${(e as Error).message ?? String(e)}` } };
    }
  };
}
