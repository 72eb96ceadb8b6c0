import { callOperation, CONTRACT, OPERATIONS, validateArgs, type NetpolHandlers } from '../shared/api/contract';

/** The part of Electron's IpcMain (or a test double) that handlers are registered on. */
export interface IpcRegistry {
  handle(
    channel: string,
    listener: (event: { readonly senderFrame: { readonly url: string } | null }, ...args: unknown[]) => unknown,
  ): void;
}

/**
 * Registers one handler per contract operation. Each request is checked for its sender (our own
 * frame only) and its arguments (the contract's schema) before the service sees it.
 */
export function registerIpc(ipc: IpcRegistry, api: NetpolHandlers, isTrustedUrl: (url: string) => boolean): void {
  for (const op of OPERATIONS) {
    ipc.handle(CONTRACT[op].channel, async (event, ...args) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) {
        return {
          ok: false,
          error: { code: 'invalid-request', message: `Refused ${op}: the request did not come from the app's own window.` },
        };
      }
      const valid = validateArgs(op, args);
      if (!valid.ok) return { ok: false, error: { code: 'invalid-request', message: `Refused ${valid.reason}` } };
      return await callOperation(api, op, valid.args);
    });
  }
}
