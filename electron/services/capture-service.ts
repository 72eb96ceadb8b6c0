import type { OpenedCapture, Result } from '../../shared/api/contract';
import { CaptureError } from '../../shared/flows/types';
import type { CaptureAnalysis } from '../../shared/graph/analysis';
import { summarize } from '../../shared/graph/summary';
import { analyzeFile, type ReadOptions } from '../../shared/node/read-capture';
import type { Dialogs } from './ports';

export interface CaptureServicePorts {
  readonly dialogs: Dialogs;
  /** The capture that ships with the app. */
  readonly samplePath: string;
  readonly read?: (file: string, opts?: ReadOptions) => Promise<CaptureAnalysis>;
}

/** Opens captures and keeps the one in use; only summaries and graphs leave the main process. */
export class CaptureService {
  private current: { analysis: CaptureAnalysis; sample: boolean } | undefined;

  constructor(private readonly ports: CaptureServicePorts) {}

  async openCapture(): Promise<Result<OpenedCapture>> {
    let file: string | undefined;
    try {
      file = await this.ports.dialogs.chooseCaptureFile();
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: (e as Error).message } };
    }
    if (!file) return { ok: false, error: { code: 'cancelled', message: 'No file was chosen.' } };
    return this.open(file, false);
  }

  loadSample(): Promise<Result<OpenedCapture>> {
    return this.open(this.ports.samplePath, true);
  }

  /** Opens a capture named by a workspace (no dialog: the user chose the workspace). */
  openFile(file: string): Promise<Result<OpenedCapture>> {
    return this.open(file, false);
  }

  getSummary(): Promise<Result<OpenedCapture | null>> {
    const c = this.current;
    return Promise.resolve({ ok: true, value: c ? { summary: summarize(c.analysis), sample: c.sample } : null });
  }

  /** Makes a capture read elsewhere (a live capture) the open one. */
  adopt(analysis: CaptureAnalysis): void {
    this.current = { analysis, sample: false };
  }

  /** The graph of the open capture, for later operations in main. */
  get analysis(): CaptureAnalysis | undefined {
    return this.current?.analysis;
  }

  private async open(file: string, sample: boolean): Promise<Result<OpenedCapture>> {
    try {
      const analysis = await (this.ports.read ?? analyzeFile)(file);
      // A failed open keeps the capture that was open before.
      this.current = { analysis, sample };
      return { ok: true, value: { summary: summarize(analysis), sample } };
    } catch (e) {
      if (e instanceof CaptureError) return { ok: false, error: { code: 'unusable-input', message: e.message } };
      return { ok: false, error: { code: 'internal', message: `${file}: ${(e as Error).message}` } };
    }
  }
}
