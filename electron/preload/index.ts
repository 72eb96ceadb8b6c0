// Preload: exposes `window.netpol`, one function per contract operation, and nothing generic.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS } from '../../shared/api/channels';
import type { NetpolApi } from '../../shared/api/contract';

const api: NetpolApi = {
  openCapture: () => ipcRenderer.invoke(CHANNELS.openCapture),
  loadSample: () => ipcRenderer.invoke(CHANNELS.loadSample),
  getSummary: () => ipcRenderer.invoke(CHANNELS.getSummary),
};

contextBridge.exposeInMainWorld('netpol', api);
