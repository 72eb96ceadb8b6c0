// The IPC contract: every operation with its channel, the schema of its arguments (main validates
// every request against it) and the schema of its reply. Every type of the API is derived from
// these schemas, so main's handlers, the preload, the bridge and the renderer cannot drift apart.
import { z } from 'zod';
import { DRAFT_RUN, TOKENS, type DraftPreview, type DraftRun } from '../ai/run';
import { CONTEXT_NAME as context, NAMESPACE_NAME as namespace } from '../cluster/names';
import type { FlowRecord } from '../flows/types';
import type { CaptureSummary } from '../graph/summary';
import type { ServiceGraph } from '../graph/types';
import { FLAVORS } from '../policy/flavors';
import type { NetworkPolicy } from '../policy/types';
import { CHANNELS, EVENTS } from './channels';
import {
  ALLOW_REQUEST,
  AUDIT_ROLLOUT,
  PATCHED_KEY,
  PATCHED_POLICIES,
  PROMOTION_REQUEST,
  ROLLOUT_ID,
  ROLLOUT_RECORD,
  ROLLOUT_REQUEST,
  ROLLOUT_TARGET,
  SOAK_CHECK,
} from './rollout-schemas';

export * from './rollout-schemas';

/**
 * A reply or event made by main from a domain type of shared/: it carries the type, and is never
 * parsed (main built it; the renderer trusts main).
 */
const built = <T>() => z.custom<T>();

/** Why an operation did not produce a result, in words a person can act on. */
export const API_ERROR = z
  .object({
    /**
     * What happened, for code to branch on: `dismissed` the user closed a dialog without choosing
     * (nothing to report); `cancelled` the user stopped an operation that was running.
     */
    code: z.enum(['unusable-input', 'dismissed', 'cancelled', 'invalid-request', 'not-installed', 'command-failed', 'refused', 'internal']),
    message: z.string(),
    /** What to do about it (install hints and the like). */
    hint: z.string().optional(),
  })
  .readonly();
export type ApiError = z.infer<typeof API_ERROR>;

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** What the renderer learns about an opened capture: its summary, never its raw flows. */
export const OPENED_CAPTURE = z
  .object({
    summary: built<CaptureSummary>(),
    /** True for the built-in sample capture. */
    sample: z.boolean(),
    /** For a live capture: where the raw lines were saved. */
    savedTo: z.string().optional(),
    /** The cluster snapshot the graph was resolved with (Services to backends, labels for unlabelled workloads). */
    snapshot: z.string().optional(),
  })
  .readonly();
export type OpenedCapture = z.infer<typeof OPENED_CAPTURE>;

export const LIVE_CAPTURE_REQUEST = z.object({
  namespace,
  window: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('since'), since: z.string().max(64) }),
    z.object({ kind: z.literal('last'), last: z.number().int().min(1).max(10_000_000) }),
    z.object({
      kind: z.literal('follow'),
      seconds: z
        .number()
        .int()
        .min(1)
        .max(7 * 86_400),
    }),
  ]),
  server: z.string().max(260).optional(),
});

export const SETTINGS_PATCH = z
  .object({
    hubblePath: z.string().max(4096),
    kubectlPath: z.string().max(4096),
    productionPatterns: z.array(z.string().min(1).max(64)).max(32),
    aiBaseUrl: z.string().max(2048),
    aiModel: z.string().max(256),
    layout: z.object({ hideNoise: z.boolean(), sidebarWidth: z.number().int() }),
  })
  .partial()
  .strict();

const SELECTION = z.object({
  version: z.literal(1),
  pruned: z
    .array(z.object({ edge: z.string().max(2048), by: z.enum(['user', 'dropped']), reason: z.string().max(2000).optional() }))
    .max(200_000),
});

/** "Check soak": the selection the rolled-out policies were generated with (pruned edges are expected drops), and the cycle. */
export const SOAK_CHECK_REQUEST = SOAK_CHECK.extend({ selection: SELECTION });

/** An AI run as the workspace keeps it: the run, and the verdict and findings of its review. */
export const AI_RUN_RECORD = DRAFT_RUN.extend({
  verdict: z.enum(['pass', 'warnings', 'errors']).optional(),
  findings: z
    .array(
      z.object({
        severity: z.enum(['error', 'warning', 'info']),
        code: z.string().max(64),
        message: z.string().max(8000),
        subject: z.string().max(4096).optional(),
        fix: z.string().max(4000).optional(),
      }),
    )
    .max(10_000)
    .optional(),
});

export const AI_DRAFT_REQUEST = z.object({
  selection: SELECTION,
  namespaces: z.array(namespace).min(1).max(1000),
  allowExternalIps: z.boolean(),
  stream: z.boolean().optional(),
  /** The most (estimated) tokens of edge table to send; the rest is cut and reported. */
  tokenBudget: z.number().int().min(200).max(1_000_000).optional(),
});

const RULE_REF = z.object({
  policy: z.string().max(320),
  direction: z.enum(['ingress', 'egress']),
  index: z.number().int().min(0).max(100_000),
});

/** A draft (or some of its rules) taken into the policy set; main reads and checks the reply again. */
export const AI_TAKE = z.object({
  model: z.string().max(256),
  reply: z.string().max(2_000_000),
  tokens: TOKENS,
  take: z.union([z.literal('draft'), z.array(RULE_REF).min(1).max(10_000)]),
});

export const WORKSPACE_PAYLOAD = z.object({
  selection: SELECTION,
  options: z.object({
    namespaces: z.array(namespace).max(1000),
    defaultDeny: z.boolean(),
    portRanges: z.boolean(),
    flavor: z.enum(FLAVORS),
  }),
  notes: z.string().max(100_000),
  positions: z.record(z.string(), z.object({ x: z.number(), y: z.number() })).optional(),
  aiRuns: z.array(AI_RUN_RECORD).max(200).optional(),
  aiTaken: AI_TAKE.optional(),
});

/** A workspace as saved: what the renderer sends, plus the capture it was made from. */
export const SAVED_WORKSPACE = WORKSPACE_PAYLOAD.extend({
  version: z.literal(1),
  /** `name`: what the user called the capture when that is not its path (a file picked in a browser). */
  capture: z.object({ path: z.string().max(4096), sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().max(1024).optional() }),
  savedAt: z.string(),
  /** Rollouts made from this workspace; main writes them from its own record, never from the renderer's payload. */
  rollouts: z.array(ROLLOUT_RECORD).max(1000).optional(),
  /** Policies with rules added from soaks (Allow), per source namespace and flavor; main writes them from its own store too. */
  patchedPolicies: z.array(PATCHED_POLICIES).max(1000).optional(),
});

/** Why a workspace's capture may not match it, for code to branch on. */
export const CAPTURE_WARNING = z
  .object({
    code: z.enum(['capture-changed', 'capture-missing', 'capture-unreadable']),
    message: z.string(),
  })
  .readonly();

export const OPENED_WORKSPACE_VIEW = z
  .object({
    workspace: SAVED_WORKSPACE,
    /** Set when the capture changed, vanished or could not be read since the workspace was saved. */
    captureWarning: CAPTURE_WARNING.optional(),
    file: z.string().optional(),
    /** The workspace's capture, opened with it (absent when it is gone or unreadable). */
    capture: OPENED_CAPTURE.optional(),
  })
  .readonly();

export const SETTINGS_VIEW = z
  .object({
    hubblePath: z.string(),
    kubectlPath: z.string(),
    productionPatterns: z.array(z.string()).readonly(),
    aiBaseUrl: z.string(),
    aiModel: z.string(),
    recentWorkspaces: z.array(z.string()).readonly(),
    layout: z.object({ hideNoise: z.boolean(), sidebarWidth: z.number() }).readonly(),
    /** Whether an AI key is stored; the key itself never reaches the renderer. */
    apiKeySet: z.boolean(),
    /** The host the stored key is sent to, and only to (the endpoint's when it was stored or last confirmed). */
    apiKeyFor: z.string().optional(),
    /** Whether a key would be kept encrypted (not so without a keychain, or with Electron's basic_text store), and what that means. */
    keyStorage: z.object({ encrypted: z.boolean(), backend: z.string().optional(), message: z.string() }).readonly(),
    /** Why this host cannot ask a native confirmation (the browser host has no dialog): apply, delete and promote are then always refused. */
    noConfirmation: z.string().optional(),
  })
  .readonly();

export const DRY_RUN_FILE = z.object({ file: z.string(), ok: z.boolean(), output: z.string() }).readonly();

export const AUDIT_RECORD = z
  .object({
    time: z.string(),
    action: z.enum(['apply', 'delete']),
    context: z.string(),
    namespace: z.string(),
    files: z.array(z.object({ name: z.string(), sha256: z.string() }).readonly()).readonly(),
    exitCode: z.number(),
    output: z.string(),
    /** Set for rollouts (every apply and rollback since rollouts became records). */
    rollout: AUDIT_ROLLOUT.optional(),
  })
  .readonly();

export const BUNDLE_PREVIEW = z
  .object({
    files: z.array(z.object({ path: z.string(), bytes: z.number() }).readonly()).readonly(),
    report: z.string(),
  })
  .readonly();

export const BUNDLE_REQUEST = z.object({
  selection: WORKSPACE_PAYLOAD.shape.selection,
  options: z.object({
    namespaces: z.array(namespace).min(1).max(1000),
    defaultDeny: z.boolean(),
    portRanges: z.boolean(),
    /** NetworkPolicy (the default), CiliumNetworkPolicy, or Calico's StagedKubernetesNetworkPolicy. */
    flavor: z.enum(FLAVORS).optional(),
  }),
  /** A taken AI draft: NetworkPolicy, so only with the kubernetes flavor (or staged as Calico's preview of it). */
  ai: AI_TAKE.optional(),
});

/**
 * The whole IPC surface: one entry per operation, with its channel, the runtime schema of its
 * arguments (main validates every request against it before a service sees it) and its reply.
 */
export const CONTRACT = {
  /** Asks main to show a file dialog and read the chosen capture. */
  openCapture: { channel: CHANNELS.openCapture, args: z.tuple([]), reply: OPENED_CAPTURE },
  /** Reads the capture that ships with the app. */
  loadSample: { channel: CHANNELS.loadSample, args: z.tuple([]), reply: OPENED_CAPTURE },
  /** The summary of the capture open now, if any. */
  getSummary: { channel: CHANNELS.getSummary, args: z.tuple([]), reply: OPENED_CAPTURE.nullable() },
  /** The service graph of the capture open now, if any. */
  getGraph: { channel: CHANNELS.getGraph, args: z.tuple([]), reply: built<ServiceGraph>().nullable() },
  /** Captures live with hubble; progress arrives through onCaptureProgress. */
  startCapture: { channel: CHANNELS.startCapture, args: z.tuple([LIVE_CAPTURE_REQUEST]), reply: OPENED_CAPTURE },
  /** Stops a live capture; what was captured is kept. */
  stopCapture: { channel: CHANNELS.stopCapture, args: z.tuple([]), reply: z.null() },
  /**
   * Watches the flows a policy denies in a namespace: DROPPED, or (Cilium's policy audit mode) AUDIT,
   * the flows that would have been dropped. Each arrives through onDrop.
   */
  startDropWatch: {
    channel: CHANNELS.startDropWatch,
    args: z.tuple([z.object({ namespace, server: z.string().max(260).optional(), verdict: z.enum(['DROPPED', 'AUDIT']).optional() })]),
    reply: z.null(),
  },
  stopDropWatch: { channel: CHANNELS.stopDropWatch, args: z.tuple([]), reply: z.null() },
  getSettings: { channel: CHANNELS.getSettings, args: z.tuple([]), reply: SETTINGS_VIEW },
  updateSettings: { channel: CHANNELS.updateSettings, args: z.tuple([SETTINGS_PATCH]), reply: SETTINGS_VIEW },
  /** Write-only: stores the AI key encrypted; only "a key is set" comes back. */
  setApiKey: { channel: CHANNELS.setApiKey, args: z.tuple([z.string().min(1).max(4096)]), reply: z.object({ apiKeySet: z.boolean() }) },
  clearApiKey: { channel: CHANNELS.clearApiKey, args: z.tuple([]), reply: z.object({ apiKeySet: z.boolean() }) },
  /** Where hubble or kubectl would run from; not-installed, with what to do, when neither Settings nor the PATH has it. */
  findTool: { channel: CHANNELS.findTool, args: z.tuple([z.enum(['hubble', 'kubectl'])]), reply: z.object({ path: z.string() }) },
  kubeContexts: {
    channel: CHANNELS.kubeContexts,
    args: z.tuple([]),
    reply: z.object({ contexts: z.array(z.string()), current: z.string().optional() }),
  },
  kubeNamespaces: { channel: CHANNELS.kubeNamespaces, args: z.tuple([context]), reply: z.array(z.string()) },
  existingPolicies: { channel: CHANNELS.existingPolicies, args: z.tuple([context, namespace]), reply: built<NetworkPolicy[]>() },
  /** `kubectl apply --dry-run`, file by file, of the policies as main maps them to the target. */
  dryRun: {
    channel: CHANNELS.dryRun,
    args: z.tuple([ROLLOUT_TARGET, z.enum(['client', 'server'])]),
    reply: z.array(DRY_RUN_FILE),
  },
  /**
   * Applies a rollout after main's confirmation dialog (the renderer cannot skip it) and records it
   * with exactly what kubectl created; an apply that fails half way is recorded too, and says so.
   */
  applyRollout: { channel: CHANNELS.applyRollout, args: z.tuple([ROLLOUT_REQUEST]), reply: ROLLOUT_RECORD },
  /** Deletes exactly what a rollout created (as this app's audit log recorded it), after confirmation. */
  rollbackRollout: { channel: CHANNELS.rollbackRollout, args: z.tuple([ROLLOUT_ID]), reply: ROLLOUT_RECORD },
  /** Applies a staging rollout's policies to production: only on a clean soak or a typed override, always confirmed twice. */
  promoteRollout: { channel: CHANNELS.promoteRollout, args: z.tuple([PROMOTION_REQUEST]), reply: ROLLOUT_RECORD },
  /**
   * Reads the flows of a rollout's target namespace since its apply (`hubble observe --namespace NS
   * --since APPLIED --output jsonpb`), folds in what the live drop watch saw, and stores the soak
   * report (shared/rollout/soak) in the record, which is returned.
   */
  checkSoak: { channel: CHANNELS.checkSoak, args: z.tuple([ROLLOUT_ID, SOAK_CHECK_REQUEST]), reply: ROLLOUT_RECORD },
  /**
   * Reads a flow-log file the user picks (Calico flow logs or Goldmane flows of the target namespace
   * since the apply; in the browser host, the file the page uploaded) with the capture reader, and
   * stores the soak report it gives in the record, as checkSoak does: the soak of a staged Calico
   * rollout, whose verdicts hubble never sees.
   */
  checkSoakFromFile: { channel: CHANNELS.checkSoakFromFile, args: z.tuple([ROLLOUT_ID, SOAK_CHECK_REQUEST]), reply: ROLLOUT_RECORD },
  /** "Allow": adds the rule main's stored soak gives for a missing-rule flow to the source policies, kept in the workspace. */
  allowSoakFlow: { channel: CHANNELS.allowSoakFlow, args: z.tuple([ALLOW_REQUEST]), reply: z.array(PATCHED_POLICIES) },
  /** The policies with rules added from soaks, kept in the workspace open now. */
  listPatchedPolicies: { channel: CHANNELS.listPatchedPolicies, args: z.tuple([]), reply: z.array(PATCHED_POLICIES) },
  /** "Remove the added rules" of one source namespace and flavor. */
  dropPatchedPolicies: { channel: CHANNELS.dropPatchedPolicies, args: z.tuple([PATCHED_KEY]), reply: z.array(PATCHED_POLICIES) },
  /** The rollouts of the workspace open now, oldest first. */
  listRollouts: { channel: CHANNELS.listRollouts, args: z.tuple([]), reply: z.array(ROLLOUT_RECORD) },
  auditLog: { channel: CHANNELS.auditLog, args: z.tuple([]), reply: z.array(AUDIT_RECORD) },
  saveWorkspace: { channel: CHANNELS.saveWorkspace, args: z.tuple([WORKSPACE_PAYLOAD]), reply: z.object({ file: z.string() }) },
  openWorkspace: { channel: CHANNELS.openWorkspace, args: z.tuple([]), reply: OPENED_WORKSPACE_VIEW },
  /** Whether unsaved work was left over (after a crash or a quit without saving), without opening it. */
  recoverWorkspace: { channel: CHANNELS.recoverWorkspace, args: z.tuple([]), reply: OPENED_WORKSPACE_VIEW.nullable() },
  /** Opens the left-over unsaved work, with its capture. */
  restoreAutosave: { channel: CHANNELS.restoreAutosave, args: z.tuple([]), reply: OPENED_WORKSPACE_VIEW },
  discardAutosave: { channel: CHANNELS.discardAutosave, args: z.tuple([]), reply: z.null() },
  autosaveWorkspace: { channel: CHANNELS.autosaveWorkspace, args: z.tuple([WORKSPACE_PAYLOAD]), reply: z.null() },
  /** The bundle's file list and REPORT.md, without writing anything. */
  previewBundle: { channel: CHANNELS.previewBundle, args: z.tuple([BUNDLE_REQUEST]), reply: BUNDLE_PREVIEW },
  /** Asks where to save (a folder, or a .zip), then writes the bundle there. */
  exportBundle: {
    channel: CHANNELS.exportBundle,
    args: z.tuple([BUNDLE_REQUEST, z.enum(['folder', 'zip'])]),
    reply: z.object({ path: z.string(), files: z.array(z.string()) }),
  },
  /** The exact messages a draft request would send (scrubbed), without sending anything. */
  aiPreview: { channel: CHANNELS.aiPreview, args: z.tuple([AI_DRAFT_REQUEST]), reply: built<DraftPreview>() },
  /** Asks the configured model for a draft; the reply streams through onAiDelta and comes back reviewed. */
  aiDraft: { channel: CHANNELS.aiDraft, args: z.tuple([AI_DRAFT_REQUEST]), reply: built<DraftRun>() },
  aiCancel: { channel: CHANNELS.aiCancel, args: z.tuple([]), reply: z.null() },
  /** Stops reading a capture file; the capture open before stays. */
  cancelOpen: { channel: CHANNELS.cancelOpen, args: z.tuple([]), reply: z.null() },
  /**
   * Reads the open capture again, resolved with a snapshot main takes of the cluster (kubectl get
   * svc,endpointslices,pods,namespaces -A -o json, read-only, under the user's kubeconfig).
   */
  resolveWithCluster: { channel: CHANNELS.resolveWithCluster, args: z.tuple([context]), reply: OPENED_CAPTURE },
} as const;

/** Main → renderer events, with the schema of each payload. */
export const EVENT_CONTRACT = {
  captureProgress: {
    channel: EVENTS.captureProgress,
    payload: z.object({ records: z.number(), connections: z.number(), elapsedMs: z.number() }).readonly(),
  },
  drop: { channel: EVENTS.drop, payload: built<FlowRecord>() },
  aiDelta: { channel: EVENTS.aiDelta, payload: z.object({ text: z.string() }).readonly() },
  /** The rollouts changed (an apply, a rollback, a promotion): the window autosaves the workspace that holds them. */
  rollouts: { channel: EVENTS.rollouts, payload: z.array(ROLLOUT_RECORD).readonly() },
  /** How far main has read a capture file. */
  readProgress: {
    channel: EVENTS.readProgress,
    payload: z.object({ file: z.string(), bytesDone: z.number(), bytesTotal: z.number() }).readonly(),
  },
} as const;

export type Operation = keyof typeof CONTRACT;
/** The arguments of an operation, as its schema parses them. */
export type ArgsOf<K extends Operation> = z.infer<(typeof CONTRACT)[K]['args']>;
/** What an operation answers when it succeeds. */
export type ReplyOf<K extends Operation> = z.infer<(typeof CONTRACT)[K]['reply']>;

export type EventName = keyof typeof EVENT_CONTRACT;
export type EventPayload = { [E in EventName]: z.infer<(typeof EVENT_CONTRACT)[E]['payload']> };

/** The request/reply part of the API: what main's services implement, and what dispatch calls. */
export type NetpolHandlers = { readonly [K in Operation]: (...args: ArgsOf<K>) => Promise<Result<ReplyOf<K>>> };

/** The name of the subscription to an event: `captureProgress` → `onCaptureProgress`. */
export type Subscription<E extends EventName = EventName> = `on${Capitalize<E>}`;

/** `window.netpol`: one function per operation, and one subscription per event. */
export type NetpolApi = NetpolHandlers & {
  readonly [E in EventName as Subscription<E>]: (listener: (payload: EventPayload[E]) => void) => () => void;
};

export type SettingsView = z.infer<typeof SETTINGS_VIEW>;
export type DryRunFile = z.infer<typeof DRY_RUN_FILE>;
export type AuditRecord = z.infer<typeof AUDIT_RECORD>;
export type BundlePreview = z.infer<typeof BUNDLE_PREVIEW>;
export type SavedWorkspace = z.infer<typeof SAVED_WORKSPACE>;
export type CaptureWarning = z.infer<typeof CAPTURE_WARNING>;
export type OpenedWorkspaceView = z.infer<typeof OPENED_WORKSPACE_VIEW>;
export type WorkspacePayload = z.infer<typeof WORKSPACE_PAYLOAD>;
export type AiDraftRequest = z.infer<typeof AI_DRAFT_REQUEST>;
export type AiRunRecord = z.infer<typeof AI_RUN_RECORD>;
export type AiTake = z.infer<typeof AI_TAKE>;
export type SoakCheckRequest = z.infer<typeof SOAK_CHECK_REQUEST>;
export type BundleRequest = z.infer<typeof BUNDLE_REQUEST>;
export type LiveCaptureRequest = z.infer<typeof LIVE_CAPTURE_REQUEST>;
/** Live capture progress: records read, connections tracked so far (flow events are counted per settled connection once the capture is read). */
export type LiveCaptureProgressEvent = EventPayload['captureProgress'];
export type ReadProgressEvent = EventPayload['readProgress'];
export type AiDeltaEvent = EventPayload['aiDelta'];

export const OPERATIONS = Object.keys(CONTRACT) as Operation[];
export const EVENT_NAMES = Object.keys(EVENT_CONTRACT) as EventName[];

/** Validates the arguments of one request; returns the parsed arguments or a readable reason. */
export function validateArgs<K extends Operation>(op: K, args: unknown[]): { ok: true; args: ArgsOf<K> } | { ok: false; reason: string } {
  const parsed = CONTRACT[op].args.safeParse(args);
  return parsed.success
    ? { ok: true, args: parsed.data as ArgsOf<K> }
    : { ok: false, reason: `${op}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}` };
}

/** Calls the handler of one operation with arguments that were validated against the contract. */
export function callOperation<K extends Operation>(api: NetpolHandlers, op: K, args: ArgsOf<K>): Promise<Result<ReplyOf<K>>> {
  return api[op](...args);
}
