import { z } from 'zod';
import type { DraftPreview, DraftRun } from '../ai/run';
import type { FlowRecord } from '../flows/types';
import type { CaptureSummary } from '../graph/summary';
import type { ServiceGraph } from '../graph/types';
import type { NetworkPolicy } from '../policy/types';
import { CHANNELS, EVENTS } from './channels';

/** Why an operation did not produce a result, in words a person can act on. */
export interface ApiError {
  readonly code: 'unusable-input' | 'cancelled' | 'invalid-request' | 'not-installed' | 'command-failed' | 'refused' | 'internal';
  readonly message: string;
  /** What to do about it (install hints and the like). */
  readonly hint?: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** What the renderer learns about an opened capture: its summary, never its raw flows. */
export interface OpenedCapture {
  readonly summary: CaptureSummary;
  /** True for the built-in sample capture. */
  readonly sample: boolean;
  /** For a live capture: where the raw lines were saved. */
  readonly savedTo?: string;
  /** The cluster snapshot the graph was resolved with (Services to backends, labels for unlabelled workloads). */
  readonly snapshot?: string;
}

const namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .max(63);
const context = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+=-]+$/)
  .max(253)
  .refine((s) => !s.startsWith('-'), 'must not start with "-"');
const policyYaml = z.array(z.string().max(1_000_000)).min(1).max(2000);

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

const TOKENS = z.record(
  z
    .string()
    .regex(/^[A-Z_]+_\d+$/)
    .max(64),
  z.string().max(256),
);

/** An AI run as the workspace keeps it: the request's fingerprint, the model, the reply and the verdicts. */
export const AI_RUN_RECORD = z.object({
  id: z.string().max(64),
  time: z.string().max(64),
  model: z.string().max(256),
  endpoint: z.string().max(2048),
  promptSha256: z.string().regex(/^[0-9a-f]{64}$/),
  namespaces: z.array(namespace).max(1000),
  allowExternalIps: z.boolean(),
  sentEdges: z.number().int().min(0),
  omittedEdges: z.array(z.string().max(2048)).max(200_000),
  tokens: TOKENS,
  reply: z.string().max(2_000_000),
  error: z.object({ kind: z.string().max(32), message: z.string().max(4000) }).optional(),
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
    flavor: z.enum(['kubernetes', 'cilium']),
  }),
  notes: z.string().max(100_000),
  positions: z.record(z.string(), z.object({ x: z.number(), y: z.number() })).optional(),
  aiRuns: z.array(AI_RUN_RECORD).max(200).optional(),
  aiTaken: AI_TAKE.optional(),
});

export const BUNDLE_REQUEST = z.object({
  selection: WORKSPACE_PAYLOAD.shape.selection,
  options: z.object({ namespaces: z.array(namespace).min(1).max(1000), defaultDeny: z.boolean(), portRanges: z.boolean() }),
  ai: AI_TAKE.optional(),
});

/**
 * The whole IPC surface: one entry per operation, with its channel and the runtime schema of its
 * arguments. Main validates every request against `args` before it reaches a service.
 */
export const CONTRACT = {
  openCapture: { channel: CHANNELS.openCapture, args: z.tuple([]) },
  loadSample: { channel: CHANNELS.loadSample, args: z.tuple([]) },
  getSummary: { channel: CHANNELS.getSummary, args: z.tuple([]) },
  getGraph: { channel: CHANNELS.getGraph, args: z.tuple([]) },
  startCapture: { channel: CHANNELS.startCapture, args: z.tuple([LIVE_CAPTURE_REQUEST]) },
  stopCapture: { channel: CHANNELS.stopCapture, args: z.tuple([]) },
  startDropWatch: { channel: CHANNELS.startDropWatch, args: z.tuple([z.object({ namespace, server: z.string().max(260).optional() })]) },
  stopDropWatch: { channel: CHANNELS.stopDropWatch, args: z.tuple([]) },
  getSettings: { channel: CHANNELS.getSettings, args: z.tuple([]) },
  updateSettings: { channel: CHANNELS.updateSettings, args: z.tuple([SETTINGS_PATCH]) },
  setApiKey: { channel: CHANNELS.setApiKey, args: z.tuple([z.string().min(1).max(4096)]) },
  clearApiKey: { channel: CHANNELS.clearApiKey, args: z.tuple([]) },
  kubeContexts: { channel: CHANNELS.kubeContexts, args: z.tuple([]) },
  kubeNamespaces: { channel: CHANNELS.kubeNamespaces, args: z.tuple([context]) },
  existingPolicies: { channel: CHANNELS.existingPolicies, args: z.tuple([context, namespace]) },
  dryRun: { channel: CHANNELS.dryRun, args: z.tuple([context, namespace, policyYaml, z.enum(['client', 'server'])]) },
  applyPolicies: { channel: CHANNELS.applyPolicies, args: z.tuple([context, namespace, policyYaml]) },
  rollback: { channel: CHANNELS.rollback, args: z.tuple([]) },
  auditLog: { channel: CHANNELS.auditLog, args: z.tuple([]) },
  saveWorkspace: { channel: CHANNELS.saveWorkspace, args: z.tuple([WORKSPACE_PAYLOAD]) },
  openWorkspace: { channel: CHANNELS.openWorkspace, args: z.tuple([]) },
  recoverWorkspace: { channel: CHANNELS.recoverWorkspace, args: z.tuple([]) },
  restoreAutosave: { channel: CHANNELS.restoreAutosave, args: z.tuple([]) },
  discardAutosave: { channel: CHANNELS.discardAutosave, args: z.tuple([]) },
  autosaveWorkspace: { channel: CHANNELS.autosaveWorkspace, args: z.tuple([WORKSPACE_PAYLOAD]) },
  previewBundle: { channel: CHANNELS.previewBundle, args: z.tuple([BUNDLE_REQUEST]) },
  exportBundle: { channel: CHANNELS.exportBundle, args: z.tuple([BUNDLE_REQUEST, z.enum(['folder', 'zip'])]) },
  aiPreview: { channel: CHANNELS.aiPreview, args: z.tuple([AI_DRAFT_REQUEST]) },
  aiDraft: { channel: CHANNELS.aiDraft, args: z.tuple([AI_DRAFT_REQUEST]) },
  aiCancel: { channel: CHANNELS.aiCancel, args: z.tuple([]) },
  cancelOpen: { channel: CHANNELS.cancelOpen, args: z.tuple([]) },
  resolveWithCluster: { channel: CHANNELS.resolveWithCluster, args: z.tuple([context]) },
} as const;

export type Operation = keyof typeof CONTRACT;
export type ArgsOf<K extends Operation> = z.infer<(typeof CONTRACT)[K]['args']>;

export interface SettingsView {
  readonly hubblePath: string;
  readonly kubectlPath: string;
  readonly productionPatterns: readonly string[];
  readonly aiBaseUrl: string;
  readonly aiModel: string;
  readonly recentWorkspaces: readonly string[];
  readonly layout: { readonly hideNoise: boolean; readonly sidebarWidth: number };
  /** Whether an AI key is stored; the key itself never reaches the renderer. */
  readonly apiKeySet: boolean;
}

export interface LiveCaptureProgressEvent {
  readonly records: number;
  /** Connections tracked so far (flow events are counted per settled connection once the capture is read). */
  readonly connections: number;
  readonly elapsedMs: number;
}

export interface DryRunFile {
  readonly file: string;
  readonly ok: boolean;
  readonly output: string;
}

export interface AuditRecord {
  readonly time: string;
  readonly action: 'apply' | 'delete';
  readonly context: string;
  readonly namespace: string;
  readonly files: readonly { readonly name: string; readonly sha256: string }[];
  readonly exitCode: number;
  readonly output: string;
}

export type WorkspacePayload = z.infer<typeof WORKSPACE_PAYLOAD>;
export type AiDraftRequest = z.infer<typeof AI_DRAFT_REQUEST>;
export type AiRunRecord = z.infer<typeof AI_RUN_RECORD>;
export type AiTake = z.infer<typeof AI_TAKE>;
export type BundleRequest = z.infer<typeof BUNDLE_REQUEST>;

export interface BundlePreview {
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly report: string;
}

export interface OpenedWorkspaceView {
  readonly workspace: WorkspacePayload & { readonly capture: { readonly path: string; readonly sha256: string }; readonly savedAt: string };
  readonly captureWarning?: string;
  readonly file?: string;
  /** The workspace's capture, opened with it (absent when it is gone or unreadable). */
  readonly capture?: OpenedCapture;
}

/** `window.netpol`: one function per operation, and one subscription per event. */
export interface NetpolApi {
  /** Asks main to show a file dialog and read the chosen capture. */
  openCapture(): Promise<Result<OpenedCapture>>;
  /** Reads the capture that ships with the app. */
  loadSample(): Promise<Result<OpenedCapture>>;
  /** The summary of the capture open now, if any. */
  getSummary(): Promise<Result<OpenedCapture | null>>;
  /** The service graph of the capture open now, if any. */
  getGraph(): Promise<Result<ServiceGraph | null>>;
  /** Captures live with hubble; progress arrives through onCaptureProgress. */
  /**
   * Reads the open capture again, resolved with a snapshot main takes of the cluster (kubectl get
   * svc,endpointslices,pods,namespaces -A -o json, read-only, under the user's kubeconfig).
   */
  resolveWithCluster(context: string): Promise<Result<OpenedCapture>>;
  startCapture(request: z.infer<typeof LIVE_CAPTURE_REQUEST>): Promise<Result<OpenedCapture>>;
  /** Stops a live capture; what was captured is kept. */
  stopCapture(): Promise<Result<null>>;
  startDropWatch(request: { namespace: string; server?: string }): Promise<Result<null>>;
  stopDropWatch(): Promise<Result<null>>;
  getSettings(): Promise<Result<SettingsView>>;
  updateSettings(patch: z.infer<typeof SETTINGS_PATCH>): Promise<Result<SettingsView>>;
  /** Write-only: stores the AI key encrypted; only "a key is set" comes back. */
  setApiKey(key: string): Promise<Result<{ apiKeySet: boolean }>>;
  clearApiKey(): Promise<Result<{ apiKeySet: boolean }>>;
  kubeContexts(): Promise<Result<{ contexts: string[]; current: string | undefined }>>;
  kubeNamespaces(context: string): Promise<Result<string[]>>;
  existingPolicies(context: string, namespace: string): Promise<Result<NetworkPolicy[]>>;
  dryRun(context: string, namespace: string, policies: string[], mode: 'client' | 'server'): Promise<Result<DryRunFile[]>>;
  /** Goes through main's confirmation dialog; the renderer cannot skip it. */
  applyPolicies(context: string, namespace: string, policies: string[]): Promise<Result<{ status: string; output: string }>>;
  rollback(): Promise<Result<{ status: string; output: string }>>;
  auditLog(): Promise<Result<AuditRecord[]>>;
  saveWorkspace(ws: WorkspacePayload): Promise<Result<{ file: string }>>;
  openWorkspace(): Promise<Result<OpenedWorkspaceView>>;
  /** Whether unsaved work was left over (after a crash or a quit without saving), without opening it. */
  recoverWorkspace(): Promise<Result<OpenedWorkspaceView | null>>;
  /** Opens the left-over unsaved work, with its capture. */
  restoreAutosave(): Promise<Result<OpenedWorkspaceView>>;
  discardAutosave(): Promise<Result<null>>;
  autosaveWorkspace(ws: WorkspacePayload): Promise<Result<null>>;
  /** The bundle's file list and REPORT.md, without writing anything. */
  previewBundle(request: BundleRequest): Promise<Result<BundlePreview>>;
  /** Asks where to save (a folder, or a .zip), then writes the bundle there. */
  exportBundle(request: BundleRequest, as: 'folder' | 'zip'): Promise<Result<{ path: string; files: string[] }>>;
  /** The exact messages a draft request would send (scrubbed), without sending anything. */
  aiPreview(request: AiDraftRequest): Promise<Result<DraftPreview>>;
  /** Asks the configured model for a draft; the reply streams through onAiDelta and comes back reviewed. */
  aiDraft(request: AiDraftRequest): Promise<Result<DraftRun>>;
  aiCancel(): Promise<Result<null>>;
  /** Stops reading a capture file; the capture open before stays. */
  cancelOpen(): Promise<Result<null>>;
  onCaptureProgress(listener: (p: LiveCaptureProgressEvent) => void): () => void;
  onDrop(listener: (drop: FlowRecord) => void): () => void;
  onAiDelta(listener: (delta: AiDeltaEvent) => void): () => void;
  onReadProgress(listener: (p: ReadProgressEvent) => void): () => void;
}

/** How far main has read a capture file. */
export interface ReadProgressEvent {
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface AiDeltaEvent {
  readonly text: string;
}

export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
export type EventPayload = {
  captureProgress: LiveCaptureProgressEvent;
  drop: FlowRecord;
  aiDelta: AiDeltaEvent;
  readProgress: ReadProgressEvent;
};

type Subscription = 'onCaptureProgress' | 'onDrop' | 'onAiDelta' | 'onReadProgress';

// Every operation of the contract is a function of the API, and the rest are event subscriptions.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const CONTRACT_MATCHES_API: Exact<Operation, Exclude<keyof NetpolApi, Subscription>> = true;

/** Validates the arguments of one request; returns the parsed arguments or a readable reason. */
export function validateArgs(op: Operation, args: unknown[]): { ok: true; args: unknown[] } | { ok: false; reason: string } {
  const parsed = CONTRACT[op].args.safeParse(args);
  return parsed.success
    ? { ok: true, args: parsed.data }
    : { ok: false, reason: `${op}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}` };
}

export const OPERATIONS = Object.keys(CONTRACT) as Operation[];

/** The request/reply part of the API (no subscriptions): what main and the browser host implement. */
export type NetpolHandlers = Omit<NetpolApi, Subscription>;

/** Calls the handler of one operation with arguments that were validated against the contract. */
export function callOperation(api: NetpolHandlers, op: Operation, args: unknown[]): Promise<unknown> {
  const fn = api[op] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(api, args);
}
