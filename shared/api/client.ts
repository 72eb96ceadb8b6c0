// `window.netpol` as both hosts expose it to the page: one function per operation and one
// subscription per event, over whatever carries the requests (Electron's IPC in the preload, HTTP
// in the browser host's bridge). Kept free of runtime dependencies: the sandboxed preload bundles it.
import type { ArgsOf, EventName, EventPayload, NetpolApi, Operation, ReplyOf, Result } from './contract';

/** How requests reach main and events come back; each host's page side supplies one. */
export interface Transport {
  invoke<K extends Operation>(operation: K, args: ArgsOf<K>): Promise<Result<ReplyOf<K>>>;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload[E]) => void): () => void;
}

/** The narrow API the renderer sees: nothing generic, no raw transport. */
export function netpolApi(t: Transport): NetpolApi {
  const call =
    <K extends Operation>(op: K) =>
    (...args: ArgsOf<K>) =>
      t.invoke(op, args);
  const on =
    <E extends EventName>(event: E) =>
    (listener: (payload: EventPayload[E]) => void) =>
      t.subscribe(event, listener);
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
    findTool: call('findTool'),
    kubeContexts: call('kubeContexts'),
    kubeNamespaces: call('kubeNamespaces'),
    existingPolicies: call('existingPolicies'),
    dryRun: call('dryRun'),
    applyRollout: call('applyRollout'),
    rollbackRollout: call('rollbackRollout'),
    promoteRollout: call('promoteRollout'),
    checkSoak: call('checkSoak'),
    checkSoakFromFile: call('checkSoakFromFile'),
    allowSoakFlow: call('allowSoakFlow'),
    listPatchedPolicies: call('listPatchedPolicies'),
    dropPatchedPolicies: call('dropPatchedPolicies'),
    listRollouts: call('listRollouts'),
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
    onRollouts: on('rollouts'),
    onReadProgress: on('readProgress'),
  };
}
