// Preload: exposes `window.netpol` over Electron's IPC: one function per contract operation, one
// subscription per event, and nothing generic (no raw ipcRenderer).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS } from '../../shared/api/channels';
import { netpolApi, type Transport } from '../../shared/api/client';
import type { ArgsOf, Operation, ReplyOf, Result } from '../../shared/api/contract';

// Main answers every invoke with the Result its contract entry names (dispatch guarantees the
// shape); this is the one place the renderer takes main's word for a reply's type.
const ipc: Transport = {
  invoke: <K extends Operation>(op: K, args: ArgsOf<K>) => ipcRenderer.invoke(CHANNELS[op], ...args) as Promise<Result<ReplyOf<K>>>,
  subscribe: (event, listener) => {
    const wrapped = (_e: IpcRendererEvent, payload: Parameters<typeof listener>[0]): void => listener(payload);
    ipcRenderer.on(EVENTS[event], wrapped);
    return () => void ipcRenderer.removeListener(EVENTS[event], wrapped);
  },
};

contextBridge.exposeInMainWorld('netpol', netpolApi(ipc));
