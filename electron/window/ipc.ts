import { CHANNELS } from '../../shared/api/channels';
import { OPERATIONS } from '../../shared/api/contract';
import type { Dispatch } from '../dispatch';

/** The part of Electron's IpcMain (or a test double) that handlers are registered on. */
export interface IpcRegistry {
  handle(
    channel: string,
    listener: (event: { readonly senderFrame: { readonly url: string } | null }, ...args: unknown[]) => unknown,
  ): void;
}

/** Registers one handler per contract operation, on its channel; each hands the request to the dispatch with its frame. */
export function registerIpc(ipc: IpcRegistry, dispatch: Dispatch): void {
  for (const op of OPERATIONS) {
    ipc.handle(CHANNELS[op], (event, ...args) => dispatch(op, args, { url: event.senderFrame?.url ?? '' }));
  }
}
