/** The main process's view of the outside world, injected so services run without Electron. */
export interface Dialogs {
  /** Lets the user pick a capture file; undefined when they cancel. */
  chooseCaptureFile(): Promise<ChosenCapture | undefined>;
  /** Lets the user pick a flow-log file to soak a rollout from (Calico flow logs, Goldmane flows); undefined when they cancel. */
  chooseFlowLogFile(): Promise<ChosenCapture | undefined>;
}

/** A capture file the user picked: where to read it, and what they call it when that is not its path (an upload). */
export interface ChosenCapture {
  readonly path: string;
  readonly name?: string;
}

/** What a native confirmation dialog in main asks; the renderer can neither answer nor skip it. */
export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly confirmLabel: string;
}
