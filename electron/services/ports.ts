/** The main process's view of the outside world, injected so services run without Electron. */
export interface Dialogs {
  /** Lets the user pick a capture file; undefined when they cancel. */
  chooseCaptureFile(): Promise<string | undefined>;
  /** Lets the user pick a flow-log file to soak a rollout from (Calico flow logs, Goldmane flows); undefined when they cancel. */
  chooseFlowLogFile(): Promise<string | undefined>;
}

/** What a native confirmation dialog in main asks; the renderer can neither answer nor skip it. */
export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly confirmLabel: string;
}
