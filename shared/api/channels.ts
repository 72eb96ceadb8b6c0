/** IPC channel names, one per operation. Kept free of dependencies: the sandboxed preload imports it. */
export const CHANNELS = {
  openCapture: 'capture:open',
  loadSample: 'capture:load-sample',
  getSummary: 'capture:get-summary',
} as const;
