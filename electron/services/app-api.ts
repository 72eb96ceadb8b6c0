import type {
  BundleRequest,
  EventName,
  EventPayload,
  NetpolHandlers,
  OpenedCapture,
  OpenedWorkspaceView,
  SettingsView,
  WorkspacePayload,
} from '../../shared/api/contract';
import { applyDraftTake } from '../../shared/ai/adopt';
import type { DraftPreview } from '../../shared/ai/run';
import { messagesText } from '../../shared/ai/prompt';
import { summarize } from '../../shared/graph/summary';
import { prepareDraft, runDraft } from '../../shared/node/ai/ai-draft';
import { parseSelection } from '../../shared/graph/selection';
import { buildBundle, TOOL_VERSION } from '../../shared/bundle/bundle';
import { generate } from '../../shared/policy/generate';
import { generateCilium } from '../../shared/policy/cilium';
import { stagedSet } from '../../shared/policy/staged';
import { writeBundle } from '../../shared/node/bundle/write-bundle';
import { fileSha256 } from '../../shared/node/bundle/write-bundle';
import type { CaptureService } from './capture-service';
import type { KubectlService } from './kubectl-service';
import type { RolloutService } from './rollout-service';
import type { SoakService } from './soak-service';
import { allowSoakFlow } from './soak-allow';
import { watchDrops, type LiveCapture } from './live-capture';
import { apiError, attempt, ServiceError } from './errors';
import type { ConfirmRequest } from './ports';
import type { ProcessRunner } from './process-runner';
import { hostOf, originOf, type SecretStore } from './secrets';
import { guardedChanges } from './settings-guard';
import type { SettingsService } from './settings';
import type { OpenedWorkspace, WorkspaceService } from './workspace';

export interface AppPorts {
  readonly captures: CaptureService;
  readonly live: LiveCapture;
  readonly runner: ProcessRunner;
  readonly kubectl: KubectlService;
  readonly rollouts: RolloutService;
  readonly soaks: SoakService;
  readonly settings: SettingsService;
  readonly secrets: SecretStore;
  readonly workspaces: WorkspaceService;
  /** Native file dialogs for workspaces; undefined when the user cancels. */
  readonly chooseWorkspaceToSave: () => Promise<string | undefined>;
  readonly chooseWorkspaceToOpen: () => Promise<string | undefined>;
  /** Where to write a bundle; undefined when the user cancels. */
  readonly chooseBundlePath: (as: 'folder' | 'zip') => Promise<string | undefined>;
  /** A native confirmation in main (the one kubectl apply uses); true only when the user confirmed. */
  readonly confirm: (r: ConfirmRequest) => Promise<boolean>;
  /** Why this host cannot ask a native confirmation, when it cannot (see ComposeOptions). */
  readonly noConfirmation?: string;
  /** Sends an event to the renderer. */
  readonly emit: <E extends EventName>(event: E, payload: EventPayload[E]) => void;
}

/** The request/reply API, backed by the services; Electron's main and the browser host both serve it. */
export function createAppApi(p: AppPorts): NetpolHandlers {
  let drops: AbortController | undefined;
  let drafting: AbortController | undefined;

  const openAnalysis = () => {
    const analysis = p.captures.analysis;
    if (!analysis) throw new ServiceError('invalid-request', 'Open a capture first: a draft is made from its flows.');
    return analysis;
  };
  let workspaceFile: string | undefined;

  const bundleFor = async (request: BundleRequest) => {
    const analysis = p.captures.analysis;
    if (!analysis) throw new ServiceError('invalid-request', 'Open a capture first: a bundle is made from one.');
    const selection = parseSelection(request.selection);
    const { flavor = 'kubernetes', ...options } = request.options;
    if (flavor === 'cilium' && request.ai)
      throw new ServiceError('invalid-request', 'A taken AI draft is NetworkPolicy: export it with the Kubernetes flavor.');
    const generated = generate(analysis.graph, selection, options);
    // A taken draft is read and reviewed again here: main never trusts what the renderer showed.
    const taken = request.ai ? applyDraftTake(generated, request.ai, analysis.graph, selection) : undefined;
    const k8s = taken?.set ?? generated;
    const set =
      flavor === 'cilium' ? generateCilium(analysis.graph, selection, options) : flavor === 'calico-staged' ? stagedSet(k8s) : k8s;
    return buildBundle({
      ai: taken && request.ai ? { model: request.ai.model, take: request.ai.take, review: taken.review } : undefined,
      summary: summarize(analysis),
      graph: analysis.graph,
      selection,
      set,
      captureSha256: await fileSha256(analysis.file),
      toolVersion: TOOL_VERSION,
    });
  };

  /** A workspace with its capture opened (when it is still there, and a file), as the renderer needs it. */
  const withCapture = async (opened: OpenedWorkspace): Promise<OpenedWorkspaceView> => {
    // Only a capture that is there and a regular file is opened (one that changed is, with its warning).
    if (opened.captureWarning && opened.captureWarning.code !== 'capture-changed') return opened;
    try {
      return { ...opened, capture: await p.captures.openFile(opened.workspace.capture.path, opened.workspace.capture.name) };
    } catch (e) {
      return {
        ...opened,
        captureWarning: { code: 'capture-unreadable', message: `The capture could not be opened: ${apiError(e).message}` },
      };
    }
  };

  /**
   * The stored key and the origin it may be sent to. A key stored before keys were bound belongs to
   * the endpoint it was being sent to then: the one set now.
   */
  const boundKey = async (): Promise<{ key: string; origin: string | undefined } | undefined> => {
    const stored = await p.secrets.stored();
    return stored && { key: stored.key, origin: stored.origin ?? originOf(p.settings.get().aiBaseUrl) };
  };

  /** The key, only when it is bound to the origin of `endpoint`: it never goes to a host the user did not send it to. */
  const keyFor = async (endpoint: string): Promise<string | undefined> => {
    const key = await boundKey();
    const origin = originOf(endpoint);
    return key && origin !== undefined && key.origin === origin ? key.key : undefined;
  };

  const settingsView = async (): Promise<SettingsView> => {
    const key = await boundKey();
    return {
      ...p.settings.get(),
      apiKeySet: key !== undefined,
      ...(key?.origin ? { apiKeyFor: hostOf(key.origin) } : {}),
      keyStorage: p.secrets.storage(),
      ...(p.noConfirmation ? { noConfirmation: p.noConfirmation } : {}),
    };
  };

  // The rollouts come from main's own records, never from the renderer's payload.
  const fullWorkspace = async (ws: WorkspacePayload) => {
    const analysis = p.captures.analysis;
    if (!analysis) throw new ServiceError('invalid-request', 'Open a capture first: a workspace belongs to one.');
    const rollouts = p.rollouts.list();
    const patchedPolicies = p.rollouts.patchedPolicies();
    return {
      version: 1 as const,
      capture: { path: analysis.file, sha256: await fileSha256(analysis.file), ...(analysis.name ? { name: analysis.name } : {}) },
      ...ws,
      savedAt: new Date().toISOString(),
      ...(rollouts.length > 0 ? { rollouts } : {}),
      ...(patchedPolicies.length > 0 ? { patchedPolicies } : {}),
    };
  };
  // The rollouts' version last written with the workspace: a rollout is written at once, not after the autosave's delay.
  let rolloutsWritten = p.rollouts.version;
  /** The records of a workspace just opened replace the last one's; checks of the last one's soaks stop. */
  const adoptRollouts = (opened: OpenedWorkspace): void => {
    p.soaks.cancelAll();
    p.rollouts.adopt(opened.workspace.rollouts, opened.workspace.patchedPolicies);
    rolloutsWritten = p.rollouts.version;
  };
  /**
   * A workspace opened again: the soak of each staging rollout is read again in the background
   * (hubble may take a while), with the workspace's selection; each result reaches the window as a
   * `rollouts` event, and a failure is stored with its rollout.
   */
  const resoak = (opened: OpenedWorkspace): void => {
    if (!opened.workspace.rollouts?.length) return;
    void p.soaks.checkAll({ selection: parseSelection(opened.workspace.selection) });
  };

  return {
    openCapture: () => attempt(() => p.captures.openCapture()),
    loadSample: () => attempt(() => p.captures.loadSample()),
    getSummary: () => attempt(() => p.captures.summary()),
    getGraph: () => attempt(() => p.captures.analysis?.graph ?? null),
    resolveWithCluster: (context) =>
      attempt(async () => {
        if (!p.captures.analysis) throw new ServiceError('invalid-request', 'Open a capture first: the snapshot resolves its flows.');
        return p.captures.resolveWith(await p.kubectl.clusterSnapshot(context));
      }),

    startCapture: (request) =>
      attempt(async (): Promise<OpenedCapture> => {
        const r = await p.live.start(request, (progress) => p.emit('captureProgress', progress));
        p.captures.adopt(r.analysis);
        return { summary: summarize(r.analysis), sample: false, savedTo: r.file };
      }),
    stopCapture: () =>
      attempt(() => {
        p.live.stop();
        return Promise.resolve(null);
      }),

    startDropWatch: (request) =>
      attempt(async () => {
        // Say now when hubble is missing, rather than let the watch end quietly.
        await p.runner.resolve('hubble');
        drops?.abort();
        const ac = new AbortController();
        drops = ac;
        // The watch runs until stopped; when hubble fails later, the watch simply ends.
        // Each drop is shown, and kept for the next soak of a rollout there (hubble's buffer may lose it).
        const onDrop = (d: Parameters<typeof p.soaks.noteDrop>[1]): void => {
          p.soaks.noteDrop(request.namespace, d);
          p.emit('drop', d);
        };
        void watchDrops(p.runner, request, ac.signal, onDrop).catch(() => undefined);
        return null;
      }),
    stopDropWatch: () =>
      attempt(() => {
        drops?.abort();
        drops = undefined;
        return Promise.resolve(null);
      }),

    getSettings: () => attempt(settingsView),
    updateSettings: (patch) =>
      attempt(async () => {
        const change = p.settings.validate(patch);
        const key = await boundKey();
        // Another kubectl or hubble, the key sent to another origin, a weaker production guard: each
        // only after a native confirmation; nothing is saved unless every one was confirmed.
        for (const g of guardedChanges(p.settings.get(), change, key?.origin))
          if (!(await p.confirm(g.ask))) throw new ServiceError('refused', g.refused, g.hint);
        await p.settings.update(change);
        const origin = change.aiBaseUrl === undefined ? undefined : originOf(change.aiBaseUrl);
        if (key && origin && origin !== key.origin) await p.secrets.rebind(origin);
        return settingsView();
      }),
    setApiKey: (key) =>
      attempt(async () => {
        // The key is bound to the endpoint's origin, and sent nowhere else.
        const origin = originOf(p.settings.get().aiBaseUrl);
        if (!origin)
          throw new ServiceError('invalid-request', 'Set the AI endpoint first: a key is stored for one endpoint and sent only there.');
        await p.secrets.set(key, origin);
        return { apiKeySet: await p.secrets.isSet() };
      }),
    clearApiKey: () =>
      attempt(async () => {
        await p.secrets.clear();
        return { apiKeySet: false };
      }),

    findTool: (tool) => attempt(async () => ({ path: await p.runner.resolve(tool) })),
    kubeContexts: () => attempt(() => p.kubectl.contexts()),
    kubeNamespaces: (context) => attempt(() => p.kubectl.namespaces(context)),
    existingPolicies: (context, namespace) => attempt(() => p.kubectl.existingPolicies(context, namespace)),
    dryRun: (target, mode) => attempt(() => p.rollouts.dryRun(target, mode)),
    applyRollout: (request) => attempt(() => p.rollouts.apply(request)),
    rollbackRollout: (id) => attempt(() => p.rollouts.rollback(id)),
    promoteRollout: (request) => attempt(() => p.rollouts.promote(request)),
    checkSoak: (id, request) =>
      attempt(() =>
        p.soaks.check(id, {
          selection: parseSelection(request.selection),
          ...(request.cycleHours !== undefined ? { cycleMs: request.cycleHours * 3_600_000 } : {}),
        }),
      ),
    checkSoakFromFile: (id, request) =>
      attempt(() =>
        p.soaks.checkFile(id, {
          selection: parseSelection(request.selection),
          ...(request.cycleHours !== undefined ? { cycleMs: request.cycleHours * 3_600_000 } : {}),
        }),
      ),
    allowSoakFlow: (request) => attempt(() => allowSoakFlow(p.rollouts, request)),
    listPatchedPolicies: () => attempt(() => p.rollouts.patchedPolicies()),
    dropPatchedPolicies: (key) => attempt(() => p.rollouts.setPatched(key, undefined)),
    listRollouts: () => attempt(() => p.rollouts.list()),
    auditLog: () => attempt(async () => [...(await p.kubectl.auditEntries())]),

    saveWorkspace: (ws) =>
      attempt(async () => {
        const file = workspaceFile ?? (await p.chooseWorkspaceToSave());
        if (!file) throw new ServiceError('dismissed', 'No file was chosen.');
        const version = p.rollouts.version;
        await p.workspaces.save(file, await fullWorkspace(ws));
        rolloutsWritten = version;
        workspaceFile = file;
        await p.settings.addRecent(file);
        return { file };
      }),
    openWorkspace: () =>
      attempt(async () => {
        const file = await p.chooseWorkspaceToOpen();
        if (!file) throw new ServiceError('dismissed', 'No file was chosen.');
        const opened = await p.workspaces.open(file);
        adoptRollouts(opened);
        workspaceFile = file;
        await p.settings.addRecent(file);
        const view = { ...(await withCapture(opened)), file };
        resoak(opened);
        return view;
      }),
    recoverWorkspace: () =>
      attempt(async () => {
        const ws = await p.workspaces.recover();
        return ws ? { workspace: ws, file: undefined } : null;
      }),
    restoreAutosave: () =>
      attempt(async () => {
        const opened = await p.workspaces.openAutosave();
        if (!opened) throw new ServiceError('invalid-request', 'There is no unsaved work to restore.');
        adoptRollouts(opened);
        const view = await withCapture(opened);
        resoak(opened);
        return view;
      }),
    discardAutosave: () =>
      attempt(async () => {
        await p.workspaces.discardAutosave();
        return null;
      }),
    previewBundle: (request) =>
      attempt(async () => {
        const files = await bundleFor(request);
        return {
          files: files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content) })),
          report: files.find((f) => f.path === 'REPORT.md')?.content ?? '',
        };
      }),
    exportBundle: (request, as) =>
      attempt(async () => {
        const target = await p.chooseBundlePath(as);
        if (!target) throw new ServiceError('dismissed', 'No place was chosen.');
        const out = as === 'zip' && !target.toLowerCase().endsWith('.zip') ? `${target}.zip` : target;
        const files = await bundleFor(request);
        // The save dialog already asked before replacing an existing file or folder; the writer still
        // replaces only a bundle it wrote, holding nothing else (a `refused` error says so otherwise).
        await writeBundle(files, out, { force: true });
        return { path: out, files: files.map((f) => f.path) };
      }),
    aiPreview: (request) =>
      attempt(async (): Promise<DraftPreview> => {
        const analysis = openAnalysis();
        const s = p.settings.get();
        const prepared = await prepareDraft(analysis.graph, parseSelection(request.selection), request, s.aiModel);
        return {
          text: messagesText(prepared.messages),
          model: s.aiModel,
          endpoint: hostOf(s.aiBaseUrl),
          sentEdges: prepared.payload.sentEdges.length,
          omittedEdges: prepared.payload.omittedEdges.length,
          estimatedTokens: prepared.payload.estimatedTokens,
          tokenBudget: prepared.payload.tokenBudget,
          promptSha256: prepared.promptSha256,
        };
      }),
    aiDraft: (request) =>
      attempt(async () => {
        const analysis = openAnalysis();
        const s = p.settings.get();
        drafting?.abort();
        const ac = new AbortController();
        drafting = ac;
        try {
          return await runDraft(
            analysis.graph,
            parseSelection(request.selection),
            request,
            { baseUrl: s.aiBaseUrl, model: s.aiModel, apiKey: await keyFor(s.aiBaseUrl) },
            { signal: ac.signal, stream: request.stream ?? true, onDelta: (text) => p.emit('aiDelta', { text }) },
          );
        } finally {
          if (drafting === ac) drafting = undefined;
        }
      }),
    cancelOpen: () =>
      attempt(() => {
        p.captures.cancel();
        return Promise.resolve(null);
      }),
    aiCancel: () =>
      attempt(() => {
        drafting?.abort();
        drafting = undefined;
        return Promise.resolve(null);
      }),
    autosaveWorkspace: (ws) =>
      attempt(async () => {
        const version = p.rollouts.version;
        p.workspaces.autosave(await fullWorkspace(ws));
        // A new rollout (or rollback) must survive a crash right after it: written now, not in two seconds.
        if (version !== rolloutsWritten) {
          await p.workspaces.flush();
          rolloutsWritten = version;
        }
        return null;
      }),
  };
}
