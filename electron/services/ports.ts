/** The main process's view of the outside world, injected so services run without Electron. */
export interface Dialogs {
  /** Lets the user pick a capture file; undefined when they cancel. */
  chooseCaptureFile(): Promise<string | undefined>;
}
