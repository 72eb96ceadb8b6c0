// The channel map pinned at compile time (`npm run typecheck` checks these types; vitest runs the
// rest): a change to an operation's arguments or reply must change this file too.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DraftPreview, DraftRun } from '../ai/run';
import type { FlowRecord } from '../flows/types';
import type { ServiceGraph } from '../graph/types';
import type { NetworkPolicy } from '../policy/types';
import { CHANNELS, EVENTS } from './channels';
import {
  CONTRACT,
  validateArgs,
  EVENT_NAMES,
  OPERATIONS,
  type AiDraftRequest,
  type AllowRequest,
  type AuditRecord,
  type BundlePreview,
  type BundleRequest,
  type DryRunFile,
  type EventName,
  type EventPayload,
  type LiveCaptureRequest,
  type NetpolApi,
  type NetpolHandlers,
  type OpenedCapture,
  type OpenedWorkspaceView,
  type Operation,
  type PatchedKey,
  type PatchedPolicies,
  type PromotionRequest,
  type RolloutRecord,
  type RolloutRequest,
  type RolloutTarget,
  type SavedWorkspace,
  type SoakCheckRequest,
  type SoakSummary,
  type Result,
  type SettingsView,
  type WorkspacePayload,
} from './contract';
import type { SETTINGS_PATCH } from './contract';
import type { SoakReport } from '../rollout/soak-types';
import type { z } from 'zod';

type Reply<T> = Promise<Result<T>>;

describe('the channel map (types)', () => {
  it('captures: open, sample, summary, graph, live, cancel, resolve', () => {
    expectTypeOf<NetpolHandlers['openCapture']>().toEqualTypeOf<() => Reply<OpenedCapture>>();
    expectTypeOf<NetpolHandlers['loadSample']>().toEqualTypeOf<() => Reply<OpenedCapture>>();
    expectTypeOf<NetpolHandlers['getSummary']>().toEqualTypeOf<() => Reply<OpenedCapture | null>>();
    expectTypeOf<NetpolHandlers['getGraph']>().toEqualTypeOf<() => Reply<ServiceGraph | null>>();
    expectTypeOf<NetpolHandlers['startCapture']>().toEqualTypeOf<(request: LiveCaptureRequest) => Reply<OpenedCapture>>();
    expectTypeOf<NetpolHandlers['stopCapture']>().toEqualTypeOf<() => Reply<null>>();
    expectTypeOf<NetpolHandlers['cancelOpen']>().toEqualTypeOf<() => Reply<null>>();
    expectTypeOf<NetpolHandlers['resolveWithCluster']>().toEqualTypeOf<(context: string) => Reply<OpenedCapture>>();
    expectTypeOf<OpenedCapture['savedTo']>().toEqualTypeOf<string | undefined>();
  });

  it('drops: a namespace, an optional server, DROPPED or (Cilium audit mode) AUDIT; nothing back', () => {
    expectTypeOf<NetpolHandlers['startDropWatch']>().toEqualTypeOf<
      (request: { namespace: string; server?: string; verdict?: 'DROPPED' | 'AUDIT' }) => Reply<null>
    >();
    expectTypeOf<NetpolHandlers['stopDropWatch']>().toEqualTypeOf<() => Reply<null>>();
  });

  it('settings and the write-only key', () => {
    expectTypeOf<NetpolHandlers['getSettings']>().toEqualTypeOf<() => Reply<SettingsView>>();
    expectTypeOf<NetpolHandlers['updateSettings']>().toEqualTypeOf<(patch: z.infer<typeof SETTINGS_PATCH>) => Reply<SettingsView>>();
    expectTypeOf<NetpolHandlers['setApiKey']>().toEqualTypeOf<(key: string) => Reply<{ apiKeySet: boolean }>>();
    expectTypeOf<NetpolHandlers['clearApiKey']>().toEqualTypeOf<() => Reply<{ apiKeySet: boolean }>>();
    // The key itself is never part of what comes back.
    expectTypeOf<SettingsView>().not.toHaveProperty('apiKey');
    expectTypeOf<z.infer<typeof SETTINGS_PATCH>>().not.toHaveProperty('apiKey');
  });

  it('kubectl: contexts, namespaces, policies, dry run, audit', () => {
    expectTypeOf<NetpolHandlers['kubeContexts']>().toEqualTypeOf<() => Reply<{ contexts: string[]; current?: string }>>();
    expectTypeOf<NetpolHandlers['kubeNamespaces']>().toEqualTypeOf<(context: string) => Reply<string[]>>();
    expectTypeOf<NetpolHandlers['existingPolicies']>().toEqualTypeOf<(context: string, namespace: string) => Reply<NetworkPolicy[]>>();
    expectTypeOf<NetpolHandlers['dryRun']>().toEqualTypeOf<(target: RolloutTarget, mode: 'client' | 'server') => Reply<DryRunFile[]>>();
    expectTypeOf<NetpolHandlers['auditLog']>().toEqualTypeOf<() => Reply<AuditRecord[]>>();
    expectTypeOf<AuditRecord['action']>().toEqualTypeOf<'apply' | 'delete'>();
  });

  it('rollouts: apply through a namespace map, roll back, check the soak, promote, list', () => {
    expectTypeOf<RolloutTarget>().toEqualTypeOf<{
      context: string;
      namespace: string;
      namespaceMap: string[];
      flavor: 'kubernetes' | 'cilium' | 'calico-staged';
      policies: string[];
    }>();
    expectTypeOf<Omit<RolloutRequest, 'mode'>>().toEqualTypeOf<RolloutTarget>();
    expectTypeOf<RolloutRequest['mode']>().toEqualTypeOf<'enforce' | 'audit'>();
    expectTypeOf<NetpolHandlers['applyRollout']>().toEqualTypeOf<(request: RolloutRequest) => Reply<RolloutRecord>>();
    expectTypeOf<NetpolHandlers['rollbackRollout']>().toEqualTypeOf<(id: string) => Reply<RolloutRecord>>();
    expectTypeOf<NetpolHandlers['promoteRollout']>().toEqualTypeOf<(request: PromotionRequest) => Reply<RolloutRecord>>();
    expectTypeOf<NetpolHandlers['listRollouts']>().toEqualTypeOf<() => Reply<RolloutRecord[]>>();
    // What the record keeps: where, what (names and hashes), how, when, and exactly what kubectl did.
    expectTypeOf<RolloutRecord['objects'][number]>().toEqualTypeOf<{
      readonly resource:
        'networkpolicy.networking.k8s.io' | 'ciliumnetworkpolicy.cilium.io' | 'stagedkubernetesnetworkpolicy.projectcalico.org';
      readonly name: string;
      readonly operation: 'created' | 'configured' | 'unchanged';
    }>();
    expectTypeOf<RolloutRecord['policies'][number]>().toEqualTypeOf<{
      readonly name: string;
      readonly sha256: string;
      readonly content?: string | undefined;
    }>();
    expectTypeOf<RolloutRecord['stage']>().toEqualTypeOf<'staging' | 'production'>();
    expectTypeOf<RolloutRecord['appliedAt']>().toEqualTypeOf<string>();
    // The soak: main computes it (checkSoak) and keeps the report in the record; the verdicts are the report's statuses.
    expectTypeOf<NetpolHandlers['checkSoak']>().toEqualTypeOf<(id: string, request: SoakCheckRequest) => Reply<RolloutRecord>>();
    expectTypeOf<NonNullable<RolloutRecord['soak']>['report']>().toEqualTypeOf<SoakReport>();
    expectTypeOf<SoakSummary['verdict']>().toEqualTypeOf<SoakReport['verdict']['status'] | 'not-run'>();
    expectTypeOf<Exclude<SoakSummary, { verdict: 'not-run' }>['hash']>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<RolloutRecord['promotion']>['soak']>().toEqualTypeOf<SoakSummary>();
    // A promotion names what it promotes and, at most, the typed override: the window sends no soak.
    expectTypeOf<PromotionRequest>().not.toHaveProperty('soak');
    expectTypeOf<PromotionRequest['override']>().toEqualTypeOf<string | undefined>();
    // A staged Calico rollout is soaked from a flow-log file main reads: the same request, the same record.
    expectTypeOf<NetpolHandlers['checkSoakFromFile']>().toEqualTypeOf<NetpolHandlers['checkSoak']>();
    // Allow names the flow; the rule is main's (its stored report's patch), and what is kept comes back.
    expectTypeOf<AllowRequest>().not.toHaveProperty('patch');
    expectTypeOf<NetpolHandlers['allowSoakFlow']>().toEqualTypeOf<(request: AllowRequest) => Reply<PatchedPolicies[]>>();
    expectTypeOf<NetpolHandlers['dropPatchedPolicies']>().toEqualTypeOf<(key: PatchedKey) => Reply<PatchedPolicies[]>>();
    // The workspace keeps the records and the patched policies main wrote; the renderer's payload has no say in them.
    expectTypeOf<SavedWorkspace['rollouts']>().toEqualTypeOf<RolloutRecord[] | undefined>();
    expectTypeOf<SavedWorkspace['patchedPolicies']>().toEqualTypeOf<PatchedPolicies[] | undefined>();
    expectTypeOf<WorkspacePayload>().not.toHaveProperty('rollouts');
    expectTypeOf<WorkspacePayload>().not.toHaveProperty('patchedPolicies');
  });

  it('workspaces: save, open, recover, restore, discard, autosave', () => {
    expectTypeOf<NetpolHandlers['saveWorkspace']>().toEqualTypeOf<(ws: WorkspacePayload) => Reply<{ file: string }>>();
    expectTypeOf<NetpolHandlers['openWorkspace']>().toEqualTypeOf<() => Reply<OpenedWorkspaceView>>();
    expectTypeOf<NetpolHandlers['recoverWorkspace']>().toEqualTypeOf<() => Reply<OpenedWorkspaceView | null>>();
    expectTypeOf<NetpolHandlers['restoreAutosave']>().toEqualTypeOf<() => Reply<OpenedWorkspaceView>>();
    expectTypeOf<NetpolHandlers['discardAutosave']>().toEqualTypeOf<() => Reply<null>>();
    expectTypeOf<NetpolHandlers['autosaveWorkspace']>().toEqualTypeOf<(ws: WorkspacePayload) => Reply<null>>();
    expectTypeOf<OpenedWorkspaceView['capture']>().toEqualTypeOf<OpenedCapture | undefined>();
  });

  it('bundles and AI drafts', () => {
    expectTypeOf<NetpolHandlers['previewBundle']>().toEqualTypeOf<(request: BundleRequest) => Reply<BundlePreview>>();
    expectTypeOf<NetpolHandlers['exportBundle']>().toEqualTypeOf<
      (request: BundleRequest, as: 'folder' | 'zip') => Reply<{ path: string; files: string[] }>
    >();
    expectTypeOf<NetpolHandlers['aiPreview']>().toEqualTypeOf<(request: AiDraftRequest) => Reply<DraftPreview>>();
    expectTypeOf<NetpolHandlers['aiDraft']>().toEqualTypeOf<(request: AiDraftRequest) => Reply<DraftRun>>();
    expectTypeOf<NetpolHandlers['aiCancel']>().toEqualTypeOf<() => Reply<null>>();
  });

  it('events: one subscription per event, with its payload', () => {
    expectTypeOf<NetpolApi['onDrop']>().toEqualTypeOf<(listener: (payload: FlowRecord) => void) => () => void>();
    expectTypeOf<NetpolApi['onAiDelta']>().toEqualTypeOf<(listener: (payload: { readonly text: string }) => void) => () => void>();
    expectTypeOf<EventPayload['readProgress']>().toEqualTypeOf<{
      readonly file: string;
      readonly bytesDone: number;
      readonly bytesTotal: number;
    }>();
    expectTypeOf<EventPayload['captureProgress']>().toEqualTypeOf<{
      readonly records: number;
      readonly connections: number;
      readonly elapsedMs: number;
    }>();
    expectTypeOf<NetpolApi['onRollouts']>().toEqualTypeOf<(listener: (payload: readonly RolloutRecord[]) => void) => () => void>();
    expectTypeOf<keyof NetpolApi>().toEqualTypeOf<
      Operation | 'onCaptureProgress' | 'onDrop' | 'onAiDelta' | 'onReadProgress' | 'onRollouts'
    >();
  });

  it('channel names exist for every operation and event, and for nothing else', () => {
    expectTypeOf<keyof typeof CHANNELS>().toEqualTypeOf<Operation>();
    expectTypeOf<keyof typeof EVENTS>().toEqualTypeOf<EventName>();
  });

  it('a handler with a wrong signature does not compile', () => {
    const wrongArgument: Pick<NetpolHandlers, 'kubeNamespaces'> = {
      // @ts-expect-error the context is a string
      kubeNamespaces: (context: number) => Promise.resolve({ ok: true, value: [String(context)] }),
    };
    const wrongReply: Pick<NetpolHandlers, 'setApiKey'> = {
      // @ts-expect-error the reply says whether a key is set, as a boolean
      setApiKey: (key: string) => Promise.resolve({ ok: true, value: { apiKeySet: key } }),
    };
    const notAResult: Pick<NetpolHandlers, 'getSummary'> = {
      // @ts-expect-error a handler answers with a Result, not the bare value
      getSummary: () => Promise.resolve(null),
    };
    expect([wrongArgument, wrongReply, notAResult]).toHaveLength(3);
  });
});

describe('the channel map (values)', () => {
  const policies = ['kind: NetworkPolicy'];
  const target = {
    context: 'kind-staging',
    namespace: 'payments-staging',
    namespaceMap: ['payments=payments-staging'],
    flavor: 'kubernetes',
    policies,
  };
  const promotion = { from: '0123456789abcdef', context: 'prod-eu', namespace: 'payments', namespaceMap: [], policies };

  it.each([
    ['a flavor no rollout applies', 'dryRun', [{ ...target, flavor: 'calico' }, 'server']],
    ['a target namespace that is not a name', 'applyRollout', [{ ...target, namespace: '../x', mode: 'enforce' }]],
    ['a mode that is neither enforce nor audit', 'applyRollout', [{ ...target, mode: 'shadow' }]],
    ['a rollout id that could be a path', 'rollbackRollout', ['../../audit']],
    ['a context read as a flag', 'promoteRollout', [{ ...promotion, context: '--kubeconfig=/x' }]],
    ['a soak check of a rollout id that could be a path', 'checkSoak', ['../x', { selection: { version: 1, pruned: [] } }]],
    ['a soak check without the selection', 'checkSoak', ['0123456789abcdef', {}]],
    ['a cycle of no time', 'checkSoak', ['0123456789abcdef', { selection: { version: 1, pruned: [] }, cycleHours: 0 }]],
    ['a file soak without the selection', 'checkSoakFromFile', ['0123456789abcdef', {}]],
    ['a file soak of a rollout id that could be a path', 'checkSoakFromFile', ['../x', { selection: { version: 1, pruned: [] } }]],
    [
      'an Allow without the policies',
      'allowSoakFlow',
      [{ from: '0123456789abcdef', edge: 'a->b:1/TCP', namespace: 'payments', policies: [] }],
    ],
    [
      'an Allow for a namespace that is no name',
      'allowSoakFlow',
      [{ from: '0123456789abcdef', edge: 'a->b:1/TCP', namespace: '../x', policies }],
    ],
    ['an Allow that brings its own rule', 'allowSoakFlow', [{ from: 'x', edge: 'a->b:1/TCP', namespace: 'payments', policies }]],
    ['a removal of a flavor no rollout has', 'dropPatchedPolicies', [{ namespace: 'payments', flavor: 'calico' }]],
  ] as const)('refuses %s', (_what, op, args) => {
    expect(validateArgs(op, [...args])).toMatchObject({ ok: false });
  });

  it('takes a rollout, a rollback by id, a soak check, and a promotion with or without an override', () => {
    expect(validateArgs('applyRollout', [{ ...target, mode: 'audit' }]).ok).toBe(true);
    expect(validateArgs('rollbackRollout', ['0123456789abcdef']).ok).toBe(true);
    expect(validateArgs('checkSoak', ['0123456789abcdef', { selection: { version: 1, pruned: [] }, cycleHours: 36 }]).ok).toBe(true);
    expect(validateArgs('promoteRollout', [{ ...promotion, override: 'payments' }]).ok).toBe(true);
    expect(validateArgs('promoteRollout', [promotion]).ok).toBe(true);
    expect(validateArgs('checkSoakFromFile', ['0123456789abcdef', { selection: { version: 1, pruned: [] }, cycleHours: 8 }]).ok).toBe(true);
    expect(validateArgs('allowSoakFlow', [{ from: '0123456789abcdef', edge: 'a->b:1/TCP', namespace: 'payments', policies }]).ok).toBe(
      true,
    );
    expect(validateArgs('dropPatchedPolicies', [{ namespace: 'payments', flavor: 'calico-staged' }]).ok).toBe(true);
  });

  it('one distinct channel per operation and event, the ones the preload uses', () => {
    for (const op of OPERATIONS) expect(CONTRACT[op].channel).toBe(CHANNELS[op]);
    expect(OPERATIONS.slice().sort()).toEqual(Object.keys(CHANNELS).sort());
    expect(EVENT_NAMES.slice().sort()).toEqual(Object.keys(EVENTS).sort());
    const all = [...Object.values(CHANNELS), ...Object.values(EVENTS)];
    expect(new Set(all).size).toBe(all.length);
  });
});
