import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { EventName, EventPayload, NetpolHandlers } from '../../shared/api/contract';
import { createAppApi } from './app-api';
import { CaptureService } from './capture-service';
import { KubectlService } from './kubectl-service';
import { LiveCapture } from './live-capture';
import { ProcessRunner } from './process-runner';
import { RolloutService } from './rollout-service';
import { SoakService } from './soak-service';
import type { ConfirmRequest, Dialogs } from './ports';
import { SecretStore, type Encryptor } from './secrets';
import { SettingsService, type KeyValueStore } from './settings';
import { WorkspaceService } from './workspace';

export interface ComposeOptions {
  /** The app's data folder: captures, staging, audit log, secrets, autosave. */
  readonly dataDir: string;
  readonly samplePath: string;
  readonly store: KeyValueStore;
  readonly encryptor: Encryptor;
  readonly dialogs: Dialogs & {
    chooseWorkspaceToSave(): Promise<string | undefined>;
    chooseWorkspaceToOpen(): Promise<string | undefined>;
    chooseBundlePath(as: 'folder' | 'zip'): Promise<string | undefined>;
    confirm(r: ConfirmRequest): Promise<boolean>;
  };
  readonly emit: <E extends EventName>(event: E, payload: EventPayload[E]) => void;
  /** Environment for child processes (PATH with the stand-ins in tests). */
  readonly env?: NodeJS.ProcessEnv;
  /** Search this PATH instead of asking the login shell (tests, the browser host). */
  readonly searchPath?: string;
  /** The clock of applies, rollbacks and soak checks (tests replay a rollout of a recorded day). */
  readonly now?: () => Date;
  /**
   * Why this host cannot ask a native confirmation, when it cannot (the browser host without a
   * confirmer): apply, delete and promote are then always refused, and the window says so up front.
   */
  readonly noConfirmation?: string;
  /** The host the services run under: the browser host cannot change tool paths from Settings, and its hints say so. */
  readonly host?: 'desktop' | 'browser';
}

export interface ComposedServices {
  readonly api: NetpolHandlers;
  readonly runner: ProcessRunner;
  readonly workspaces: WorkspaceService;
  readonly settings: SettingsService;
  /** On quit: stops every child (hubble, kubectl) and writes the pending autosave; resolves when it is on disk. */
  shutdown(): Promise<void>;
}

/** Builds the services with their ports; Electron's main, the browser host and the tests all use this. */
export function composeServices(o: ComposeOptions): ComposedServices {
  // Captures, staged policies, the audit log, the key and unsaved work: the owner's alone, also
  // when the folder was made looser before.
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(o.dataDir, 0o700);
  const settings = new SettingsService(o.store);
  const runner = new ProcessRunner({
    binaryPaths: () => {
      const s = settings.get();
      return { hubble: s.hubblePath || undefined, kubectl: s.kubectlPath || undefined };
    },
    env: o.env,
    host: o.host,
    searchPath: o.searchPath !== undefined ? () => Promise.resolve(o.searchPath!) : undefined,
  });
  const captures = new CaptureService({ samplePath: o.samplePath, dialogs: o.dialogs, onProgress: (p) => o.emit('readProgress', p) });
  const kubectl = new KubectlService({
    runner,
    confirm: (r) => o.dialogs.confirm(r),
    productionPatterns: () => settings.get().productionPatterns,
    stagingDir: path.join(o.dataDir, 'staging'),
    auditLog: path.join(o.dataDir, 'audit.log'),
    ...(o.now ? { now: o.now } : {}),
  });
  // Each change of the rollouts is told to the window, which autosaves the workspace that holds them.
  const rollouts = new RolloutService({ kubectl, changed: (records) => o.emit('rollouts', records) });
  const soaks = new SoakService({
    runner,
    kubectl,
    rollouts,
    original: () => captures.analysis?.graph,
    chooseFlowLog: () => o.dialogs.chooseFlowLogFile(),
    ...(o.now ? { now: o.now } : {}),
  });
  const workspaces = new WorkspaceService(path.join(o.dataDir, 'autosave.workspace.json'));
  const api = createAppApi({
    captures,
    live: new LiveCapture({ runner, captureDir: path.join(o.dataDir, 'captures') }),
    runner,
    kubectl,
    rollouts,
    soaks,
    settings,
    secrets: new SecretStore(o.encryptor, path.join(o.dataDir, 'secrets', 'ai-api-key.bin')),
    workspaces,
    chooseWorkspaceToSave: () => o.dialogs.chooseWorkspaceToSave(),
    chooseWorkspaceToOpen: () => o.dialogs.chooseWorkspaceToOpen(),
    chooseBundlePath: (as) => o.dialogs.chooseBundlePath(as),
    confirm: (r) => o.dialogs.confirm(r),
    emit: o.emit,
    ...(o.noConfirmation ? { noConfirmation: o.noConfirmation } : {}),
  });
  const shutdown = async (): Promise<void> => {
    soaks.cancelAll();
    runner.killAll();
    // Unsaved work stays in the autosave copy, so the next start can offer it back.
    await workspaces.flush();
  };
  return { api, runner, workspaces, settings, shutdown };
}
