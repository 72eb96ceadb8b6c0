/** IPC channel names, one per operation and event. Kept free of dependencies: the sandboxed preload imports it. */
export const CHANNELS = {
  openCapture: 'capture:open',
  loadSample: 'capture:load-sample',
  getSummary: 'capture:get-summary',
  getGraph: 'capture:get-graph',
  startCapture: 'capture:start-live',
  stopCapture: 'capture:stop-live',
  startDropWatch: 'drops:start',
  stopDropWatch: 'drops:stop',
  getSettings: 'settings:get',
  updateSettings: 'settings:update',
  setApiKey: 'secrets:set-api-key',
  clearApiKey: 'secrets:clear-api-key',
  kubeContexts: 'kube:contexts',
  kubeNamespaces: 'kube:namespaces',
  existingPolicies: 'kube:existing-policies',
  dryRun: 'kube:dry-run',
  applyPolicies: 'kube:apply',
  rollback: 'kube:rollback',
  auditLog: 'kube:audit-log',
  saveWorkspace: 'workspace:save',
  openWorkspace: 'workspace:open',
  recoverWorkspace: 'workspace:recover',
  autosaveWorkspace: 'workspace:autosave',
  previewBundle: 'bundle:preview',
  exportBundle: 'bundle:export',
  aiPreview: 'ai:preview',
  aiDraft: 'ai:draft',
  aiCancel: 'ai:cancel',
} as const;

/** Main → renderer events. */
export const EVENTS = {
  captureProgress: 'event:capture-progress',
  drop: 'event:drop',
  aiDelta: 'event:ai-delta',
} as const;
