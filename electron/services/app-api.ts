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
import { prepareDraft, runDraft } from '../../shared/node/ai-draft';
import { parseSelection } from '../../shared/graph/selection';
import { buildBundle, TOOL_VERSION } from '../../shared/bundle/bundle';
import { generate } from '../../shared/policy/generate';
import { generateCilium } from '../../shared/policy/cilium';
import { writeBundle } from '../../shared/node/write-bundle';
import { fileSha256 } from '../../shared/node/write-bundle';
import type { CaptureService } from './capture-service';
import type { KubectlService } from './kubectl-service';
import { watchDrops, type LiveCapture } from './live-capture';
import { apiError, attempt, ServiceError } from './errors';
import type { ProcessRunner } from './process-runner';
import type { SecretStore } from './secrets';
import type { SettingsService } from './settings';
import type { OpenedWorkspace, WorkspaceService } from './workspace';

export interface AppPorts {
  readonly captures: CaptureService;
  readonly live: LiveCapture;
  readonly runner: ProcessRunner;
  readonly kubectl: KubectlService;
  readonly settings: SettingsService;
  readonly secrets: SecretStore;
  readonly workspaces: WorkspaceService;
  /** Native file dialogs for workspaces; undefined when the user cancels. */
  readonly chooseWorkspaceToSave: () => Promise<string | undefined>;
  readonly chooseWorkspaceToOpen: () => Promise<string | undefined>;
  /** Where to write a bundle; undefined when the user cancels. */
  readonly chooseBundlePath: (as: 'folder' | 'zip') => Promise<string | undefined>;
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
  const endpointHost = (url: string): string => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
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
    const set = flavor === 'cilium' ? generateCilium(analysis.graph, selection, options) : (taken?.set ?? generated);
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

  /** A workspace with its capture opened (when it is still there), as the renderer needs it. */
  const withCapture = async (opened: OpenedWorkspace): Promise<OpenedWorkspaceView> => {
    if (opened.captureWarning?.code === 'capture-missing') return opened;
    try {
      return { ...opened, capture: await p.captures.openFile(opened.workspace.capture.path) };
    } catch (e) {
      return {
        ...opened,
        captureWarning: { code: 'capture-unreadable', message: `The capture could not be opened: ${apiError(e).message}` },
      };
    }
  };

  const settingsView = async (): Promise<SettingsView> => ({ ...p.settings.get(), apiKeySet: await p.secrets.isSet() });

  const fullWorkspace = async (ws: WorkspacePayload) => {
    const analysis = p.captures.analysis;
    if (!analysis) throw new ServiceError('invalid-request', 'Open a capture first: a workspace belongs to one.');
    return {
      version: 1 as const,
      capture: { path: analysis.file, sha256: await fileSha256(analysis.file) },
      ...ws,
      savedAt: new Date().toISOString(),
    };
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
        void watchDrops(p.runner, request, ac.signal, (d) => p.emit('drop', d)).catch(() => undefined);
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
        p.settings.update(patch);
        return settingsView();
      }),
    setApiKey: (key) =>
      attempt(async () => {
        await p.secrets.set(key);
        return { apiKeySet: await p.secrets.isSet() };
      }),
    clearApiKey: () =>
      attempt(async () => {
        await p.secrets.clear();
        return { apiKeySet: false };
      }),

    kubeContexts: () => attempt(() => p.kubectl.contexts()),
    kubeNamespaces: (context) => attempt(() => p.kubectl.namespaces(context)),
    existingPolicies: (context, namespace) => attempt(() => p.kubectl.existingPolicies(context, namespace)),
    dryRun: (context, namespace, policies, mode) => attempt(() => p.kubectl.dryRun(context, namespace, policies, mode)),
    applyPolicies: (context, namespace, policies) => attempt(() => p.kubectl.apply(context, namespace, policies)),
    rollback: () => attempt(() => p.kubectl.rollback()),
    auditLog: () => attempt(async () => [...(await p.kubectl.auditEntries())]),

    saveWorkspace: (ws) =>
      attempt(async () => {
        const file = workspaceFile ?? (await p.chooseWorkspaceToSave());
        if (!file) throw new ServiceError('dismissed', 'No file was chosen.');
        await p.workspaces.save(file, await fullWorkspace(ws));
        workspaceFile = file;
        p.settings.addRecent(file);
        return { file };
      }),
    openWorkspace: () =>
      attempt(async () => {
        const file = await p.chooseWorkspaceToOpen();
        if (!file) throw new ServiceError('dismissed', 'No file was chosen.');
        const opened = await p.workspaces.open(file);
        workspaceFile = file;
        p.settings.addRecent(file);
        return { ...(await withCapture(opened)), file };
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
        return withCapture(opened);
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
        // The save dialog already asked before replacing an existing file or folder.
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
          endpoint: endpointHost(s.aiBaseUrl),
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
            { baseUrl: s.aiBaseUrl, model: s.aiModel, apiKey: await p.secrets.get() },
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
        p.workspaces.autosave(await fullWorkspace(ws));
        return null;
      }),
  };
}
