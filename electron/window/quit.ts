/** The part of Electron's `app` the quit guard needs (a double in tests). */
export interface QuittingApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Holds the app's quit until `shutdown` has finished (children stopped, the pending autosave on
 * disk), then quits for real. Electron does not wait for a promise in `before-quit`, so without
 * this the autosave the README promises on quit could be cut off. A quit asked for while the
 * shutdown runs waits for the same shutdown; a failed one is reported and the app still quits.
 */
export function quitAfterShutdown(app: QuittingApp, shutdown: () => Promise<void>, report: (e: unknown) => void): void {
  let state: 'running' | 'shutting-down' | 'done' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'done') return;
    event.preventDefault();
    if (state === 'shutting-down') return;
    state = 'shutting-down';
    void shutdown()
      .catch(report)
      .finally(() => {
        state = 'done';
        app.quit();
      });
  });
}
