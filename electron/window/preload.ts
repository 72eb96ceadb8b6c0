// Preload: exposes `window.netpol` over Electron's IPC: one function per contract operation, one
// subscription per event, and nothing generic (no raw ipcRenderer).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS } from '../../shared/api/channels';
import { netpolApi } from '../../shared/api/client';

contextBridge.exposeInMainWorld(
  'netpol',
  netpolApi({
    invoke: (op, args) => ipcRenderer.invoke(CHANNELS[op], ...args),
    subscribe: (event, listener) => {
      const wrapped = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipcRenderer.on(EVENTS[event], wrapped);
      return () => void ipcRenderer.removeListener(EVENTS[event], wrapped);
    },
  }),
);
