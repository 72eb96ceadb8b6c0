// `window.netpol` as both hosts expose it to the page: one function per operation and one
// subscription per event, over whatever carries the requests (Electron's IPC in the preload, HTTP
// in the browser host's bridge). Kept free of runtime dependencies: the sandboxed preload bundles it.
import type { EventName, NetpolApi, Operation } from './contract';

/** How requests reach main and events come back; each host's page side supplies one. */
export interface Transport {
  invoke(operation: Operation, args: unknown[]): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** The narrow API the renderer sees: nothing generic, no raw transport. */
export function netpolApi(t: Transport): NetpolApi {
  const call =
    (op: Operation) =>
    (...args: unknown[]): Promise<never> =>
      t.invoke(op, args) as Promise<never>;
  const on =
    (event: EventName) =>
    (listener: (payload: never) => void): (() => void) =>
      t.subscribe(event, listener as (payload: unknown) => void);
  return {
    openCapture: call('openCapture'),
    loadSample: call('loadSample'),
    getSummary: call('getSummary'),
    getGraph: call('getGraph'),
    startCapture: call('startCapture'),
    stopCapture: call('stopCapture'),
    startDropWatch: call('startDropWatch'),
    stopDropWatch: call('stopDropWatch'),
    getSettings: call('getSettings'),
    updateSettings: call('updateSettings'),
    setApiKey: call('setApiKey'),
    clearApiKey: call('clearApiKey'),
    kubeContexts: call('kubeContexts'),
    kubeNamespaces: call('kubeNamespaces'),
    existingPolicies: call('existingPolicies'),
    dryRun: call('dryRun'),
    applyPolicies: call('applyPolicies'),
    rollback: call('rollback'),
    auditLog: call('auditLog'),
    saveWorkspace: call('saveWorkspace'),
    openWorkspace: call('openWorkspace'),
    recoverWorkspace: call('recoverWorkspace'),
    restoreAutosave: call('restoreAutosave'),
    discardAutosave: call('discardAutosave'),
    autosaveWorkspace: call('autosaveWorkspace'),
    previewBundle: call('previewBundle'),
    exportBundle: call('exportBundle'),
    aiPreview: call('aiPreview'),
    aiDraft: call('aiDraft'),
    aiCancel: call('aiCancel'),
    cancelOpen: call('cancelOpen'),
    resolveWithCluster: call('resolveWithCluster'),
    onCaptureProgress: on('captureProgress'),
    onDrop: on('drop'),
    onAiDelta: on('aiDelta'),
    onReadProgress: on('readProgress'),
  };
}
