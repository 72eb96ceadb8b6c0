import { readFile, rm, stat } from 'node:fs/promises';
import { SAVED_WORKSPACE as WORKSPACE_SCHEMA, type CaptureWarning, type SavedWorkspace } from '../../shared/api/contract';
import { writeFileAtomic } from '../../shared/node/fs/atomic-write';
import { NotARegularFileError } from '../../shared/node/fs/regular-file';
import { fileSha256 } from '../../shared/node/bundle/write-bundle';
import { ServiceError } from './errors';

/** A workspace: what the renderer sends (pruning with reasons, options, notes), plus the capture it was made from. */
export type Workspace = SavedWorkspace;

export interface OpenedWorkspace {
  readonly workspace: Workspace;
  /** Set when the capture file changed (or vanished) since the workspace was saved. */
  readonly captureWarning?: CaptureWarning;
}

/** A workspace holds what was pruned and why, notes and AI runs: readable by its owner only, written whole or not at all. */
const writeWorkspace = (file: string, text: string): Promise<void> => writeFileAtomic(file, text, { mode: 0o600 });

/** Saving, opening, autosave and crash recovery of workspaces. */
export class WorkspaceService {
  private autosaveTimer: NodeJS.Timeout | undefined;
  private pending: Workspace | undefined;

  constructor(
    /** Where the autosave copy lives (the app's data folder). */
    private readonly autosaveFile: string,
    private readonly autosaveDelayMs = 2000,
  ) {}

  async save(file: string, ws: Workspace): Promise<void> {
    const checked = WORKSPACE_SCHEMA.parse(ws);
    await writeWorkspace(file, JSON.stringify(checked, null, 2) + '\n');
    // A deliberate save makes the autosave copy obsolete.
    this.cancelAutosave();
    await rm(this.autosaveFile, { force: true });
  }

  async open(file: string): Promise<OpenedWorkspace> {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new ServiceError('unusable-input', `${file}: not a readable workspace (${(e as Error).message}).`);
    }
    const parsed = WORKSPACE_SCHEMA.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ServiceError('unusable-input', `${file}: not a netpol-studio workspace: ${issue.path.join('.')}: ${issue.message}.`);
    }
    const ws = parsed.data;
    let captureWarning: CaptureWarning | undefined;
    // The capture as the user knows it: a file picked in a browser by its own name, not the host's copy.
    const shown = ws.capture.name ?? ws.capture.path;
    try {
      if ((await fileSha256(ws.capture.path)) !== ws.capture.sha256) {
        captureWarning = {
          code: 'capture-changed',
          message: `The capture ${shown} has changed since this workspace was saved: its flows may not match the pruning and notes.`,
        };
      }
    } catch (e) {
      // A workspace names its capture by path, and a workspace can come from anyone: a device or a
      // pipe there is refused (hashing /dev/zero never ends), never read.
      captureWarning =
        e instanceof NotARegularFileError
          ? {
              code: 'capture-unreadable',
              message: `The capture path ${ws.capture.path} names ${e.what}, not a file: a workspace's capture must be a regular file. It was not read; open the capture file to continue.`,
            }
          : {
              code: 'capture-missing',
              message: `The capture ${shown} is no longer there: open it from its new place to continue.`,
            };
    }
    return { workspace: ws, captureWarning };
  }

  /** Schedules an autosave of the latest state (debounced). */
  autosave(ws: Workspace): void {
    this.pending = ws;
    clearTimeout(this.autosaveTimer);
    this.autosaveTimer = setTimeout(() => void this.flush(), this.autosaveDelayMs);
    this.autosaveTimer.unref?.();
  }

  /** Writes a pending autosave now (also on quit). */
  async flush(): Promise<void> {
    const ws = this.pending;
    this.pending = undefined;
    clearTimeout(this.autosaveTimer);
    if (ws) await writeWorkspace(this.autosaveFile, JSON.stringify(WORKSPACE_SCHEMA.parse(ws)) + '\n');
  }

  /** After a crash: the autosaved workspace, if one is left over. */
  async recover(): Promise<Workspace | undefined> {
    try {
      await stat(this.autosaveFile);
    } catch {
      return undefined;
    }
    try {
      return WORKSPACE_SCHEMA.parse(JSON.parse(await readFile(this.autosaveFile, 'utf8')));
    } catch {
      return undefined;
    }
  }

  /** The autosaved workspace opened as a file is (with the check of its capture), if one is left over. */
  async openAutosave(): Promise<OpenedWorkspace | undefined> {
    return (await this.recover()) ? this.open(this.autosaveFile) : undefined;
  }

  /** A clean quit: nothing to recover next time. */
  async discardAutosave(): Promise<void> {
    this.cancelAutosave();
    await rm(this.autosaveFile, { force: true });
  }

  private cancelAutosave(): void {
    clearTimeout(this.autosaveTimer);
    this.pending = undefined;
  }
}
