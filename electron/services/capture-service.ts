import type { OpenedCapture, ReadProgressEvent } from '../../shared/api/contract';
import { CaptureError } from '../../shared/flows/types';
import type { CaptureAnalysis } from '../../shared/graph/analysis';
import { summarize } from '../../shared/graph/summary';
import type { ClusterSnapshot } from '../../shared/cluster/snapshot';
import { analyzeFile, type ReadOptions } from '../../shared/node/capture/read-capture';
import { captureName, unusableCapture } from '../../shared/graph/analysis';
import { ServiceError } from './errors';
import type { Dialogs } from './ports';

export interface CaptureServicePorts {
  readonly dialogs: Pick<Dialogs, 'chooseCaptureFile'>;
  /** The capture that ships with the app. */
  readonly samplePath: string;
  readonly read?: (file: string, opts?: ReadOptions) => Promise<CaptureAnalysis>;
  /** How far the read of a capture is (a few times a second at most). */
  readonly onProgress?: (p: ReadProgressEvent) => void;
}

function openedOf(c: { analysis: CaptureAnalysis; sample: boolean; snapshot?: string }): OpenedCapture {
  return c.snapshot
    ? { summary: summarize(c.analysis), sample: c.sample, snapshot: c.snapshot }
    : { summary: summarize(c.analysis), sample: c.sample };
}

/**
 * Opens captures and keeps the one in use; only summaries and graphs leave the main process.
 * Failures are thrown: a CaptureError for a file that is not a capture, a ServiceError otherwise.
 */
export class CaptureService {
  private current: { analysis: CaptureAnalysis; sample: boolean; snapshot?: string } | undefined;
  private reading: AbortController | undefined;

  constructor(private readonly ports: CaptureServicePorts) {}

  async openCapture(): Promise<OpenedCapture> {
    const chosen = await this.ports.dialogs.chooseCaptureFile();
    if (!chosen) throw new ServiceError('dismissed', 'No file was chosen.');
    return this.open(chosen.path, false, undefined, chosen.name);
  }

  loadSample(): Promise<OpenedCapture> {
    return this.open(this.ports.samplePath, true);
  }

  /** Stops the read in progress; the capture open before stays open. */
  cancel(): void {
    this.reading?.abort();
  }

  /** Opens a capture named by a workspace (no dialog: the user chose the workspace), under the name the user knew it by. */
  openFile(file: string, name?: string): Promise<OpenedCapture> {
    return this.open(file, false, undefined, name);
  }

  /** The summary of the capture open now, if any. */
  summary(): OpenedCapture | null {
    return this.current ? openedOf(this.current) : null;
  }

  /**
   * Reads the open capture again with a cluster snapshot: Service frontends resolved to their
   * backends, labels for workloads whose records carried none. A failed read keeps what was open.
   */
  resolveWith(snapshot: ClusterSnapshot): Promise<OpenedCapture> {
    const c = this.current;
    if (!c) return Promise.reject(new ServiceError('invalid-request', 'Open a capture first: the snapshot resolves its flows.'));
    return this.open(c.analysis.file, c.sample, snapshot, c.analysis.name);
  }

  /** Makes a capture read elsewhere (a live capture) the open one. */
  adopt(analysis: CaptureAnalysis): void {
    this.current = { analysis, sample: false };
  }

  /** The graph of the open capture, for later operations in main. */
  get analysis(): CaptureAnalysis | undefined {
    return this.current?.analysis;
  }

  /** Reads `file`; messages and the summary call it `name` when given (an upload's picked name), else by its path. */
  private async open(file: string, sample: boolean, snapshot?: ClusterSnapshot, name?: string): Promise<OpenedCapture> {
    const shown = captureName({ file, name });
    this.reading?.abort();
    const ac = new AbortController();
    this.reading = ac;
    let last = 0;
    const onProgress = (p: { bytesDone: number; bytesTotal: number }): void => {
      const now = Date.now();
      if (now - last < 100 && p.bytesDone < p.bytesTotal) return;
      last = now;
      this.ports.onProgress?.({ file: shown, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal });
    };
    try {
      const analysis = await (this.ports.read ?? analyzeFile)(file, { signal: ac.signal, onProgress, snapshot, ...(name ? { name } : {}) });
      // A file with no flow to draw is refused, as the CLI refuses it: an empty workbench would say nothing true.
      const unusable = unusableCapture(analysis);
      if (unusable) throw unusable;
      // A failed open keeps the capture that was open before.
      this.current = snapshot ? { analysis, sample, snapshot: snapshot.source } : { analysis, sample };
      return openedOf(this.current);
    } catch (e) {
      if (ac.signal.aborted) throw new ServiceError('cancelled', `Reading ${shown} was cancelled; the capture open before stays open.`);
      if (e instanceof CaptureError) throw e;
      throw new ServiceError('internal', `${shown}: ${(e as Error).message}`);
    } finally {
      if (this.reading === ac) this.reading = undefined;
    }
  }
}
