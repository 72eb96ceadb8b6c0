// Preload: exposes `window.netpol`: one function per contract operation, one subscription per
// event, and nothing generic (no raw ipcRenderer).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS } from '../../shared/api/channels';
import type { NetpolApi } from '../../shared/api/contract';

const invoke =
  (channel: string) =>
  (...args: unknown[]): Promise<never> =>
    ipcRenderer.invoke(channel, ...args) as Promise<never>;

const subscribe =
  <T>(channel: string) =>
  (listener: (payload: T) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, payload: T): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  };

const api: NetpolApi = {
  openCapture: invoke(CHANNELS.openCapture),
  loadSample: invoke(CHANNELS.loadSample),
  getSummary: invoke(CHANNELS.getSummary),
  getGraph: invoke(CHANNELS.getGraph),
  startCapture: invoke(CHANNELS.startCapture),
  stopCapture: invoke(CHANNELS.stopCapture),
  startDropWatch: invoke(CHANNELS.startDropWatch),
  stopDropWatch: invoke(CHANNELS.stopDropWatch),
  getSettings: invoke(CHANNELS.getSettings),
  updateSettings: invoke(CHANNELS.updateSettings),
  setApiKey: invoke(CHANNELS.setApiKey),
  clearApiKey: invoke(CHANNELS.clearApiKey),
  kubeContexts: invoke(CHANNELS.kubeContexts),
  kubeNamespaces: invoke(CHANNELS.kubeNamespaces),
  existingPolicies: invoke(CHANNELS.existingPolicies),
  dryRun: invoke(CHANNELS.dryRun),
  applyPolicies: invoke(CHANNELS.applyPolicies),
  rollback: invoke(CHANNELS.rollback),
  auditLog: invoke(CHANNELS.auditLog),
  saveWorkspace: invoke(CHANNELS.saveWorkspace),
  openWorkspace: invoke(CHANNELS.openWorkspace),
  recoverWorkspace: invoke(CHANNELS.recoverWorkspace),
  restoreAutosave: invoke(CHANNELS.restoreAutosave),
  discardAutosave: invoke(CHANNELS.discardAutosave),
  autosaveWorkspace: invoke(CHANNELS.autosaveWorkspace),
  previewBundle: invoke(CHANNELS.previewBundle),
  exportBundle: invoke(CHANNELS.exportBundle),
  aiPreview: invoke(CHANNELS.aiPreview),
  aiDraft: invoke(CHANNELS.aiDraft),
  aiCancel: invoke(CHANNELS.aiCancel),
  cancelOpen: invoke(CHANNELS.cancelOpen),
  resolveWithCluster: invoke(CHANNELS.resolveWithCluster),
  onCaptureProgress: subscribe(EVENTS.captureProgress),
  onDrop: subscribe(EVENTS.drop),
  onAiDelta: subscribe(EVENTS.aiDelta),
  onReadProgress: subscribe(EVENTS.readProgress),
};

contextBridge.exposeInMainWorld('netpol', api);
