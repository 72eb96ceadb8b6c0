// Rollouts as records: apply to a target namespace (through a namespace map, in enforce or audit
// mode), roll back exactly what was created, promote to production on a clean soak or a typed
// override. The workspace keeps the records; what a rollback may delete comes from this app's own
// audit log, never from a record a workspace file (which can come from anyone) brings along.
import { randomBytes } from 'node:crypto';
import type {
  AuditRollout,
  PatchedPolicies,
  PromotionRequest,
  RolloutRecord,
  RolloutRequest,
  RolloutSoak,
  RolloutTarget,
  SoakSummary,
} from '../../shared/api/contract';
import { objectRefText, type ObjectRef } from '../../shared/rollout/kubectl-output';
import { auditMechanism } from '../../shared/rollout/mode';
import { soakReportHash } from '../../shared/rollout/soak';
import { soakSummary } from '../../shared/rollout/soak-summary';
import { ServiceError } from './errors';
import type { AuditEntry, FileResult, KubectlService, MutationIntent } from './kubectl-service';
import { prepareRollout } from './rollout-policies';

export interface RolloutPorts {
  readonly kubectl: KubectlService;
  /** Told after every change of the records (apply, rollback, promotion, a workspace opened). */
  readonly changed?: (records: readonly RolloutRecord[]) => void;
  /** A fresh rollout id (16 hex digits). */
  readonly newId?: () => string;
}

const MODE_WORDS = { enforce: 'enforce', audit: 'audit (nothing is dropped by these policies)' } as const;

/** The objects of a rollout still there, as its audit entries tell: what its apply created, less what its rollbacks deleted. */
export function remainingObjects(entries: readonly AuditEntry[], id: string): { apply: AuditEntry | undefined; remaining: ObjectRef[] } {
  let apply: AuditEntry | undefined;
  let remaining: ObjectRef[] = [];
  for (const e of entries) {
    if (e.rollout?.id !== id) continue;
    if (e.action === 'apply') {
      apply = e;
      remaining = (e.rollout.applied ?? []).filter((o) => o.operation === 'created').map(({ resource, name }) => ({ resource, name }));
    } else if (e.exitCode === 0) remaining = [];
    else {
      const gone = new Set((e.rollout.deleted ?? []).map(objectRefText));
      remaining = remaining.filter((o) => !gone.has(objectRefText(o)));
    }
  }
  return { apply, remaining };
}

const patchedKey = (p: Pick<PatchedPolicies, 'namespace' | 'flavor'>): string => `${p.namespace} ${p.flavor}`;

/** Which rollout an audit entry is about, without what one entry did (its objects) or how it was promoted. */
function identity(r: AuditRollout): Omit<AuditRollout, 'applied' | 'deleted'> {
  return { id: r.id, stage: r.stage, flavor: r.flavor, mode: r.mode, sourceNamespaces: r.sourceNamespaces, namespaceMap: r.namespaceMap };
}

/** The rollouts of the open workspace, and the operations that make and undo them. */
export class RolloutService {
  private readonly records = new Map<string, RolloutRecord>();
  /** Policies with rules added from soaks, by `namespace flavor`: kept with the records, in the workspace. */
  private readonly patched = new Map<string, PatchedPolicies>();
  /** Counts changes, so that the autosave knows when the records it wrote are out of date. */
  private changes = 0;

  constructor(private readonly ports: RolloutPorts) {}

  /** How many times the records changed: the autosave writes at once when this moved. */
  get version(): number {
    return this.changes;
  }

  /** The records, oldest first. */
  list(): RolloutRecord[] {
    return [...this.records.values()].sort((a, b) => (a.appliedAt < b.appliedAt ? -1 : a.appliedAt > b.appliedAt ? 1 : 0));
  }

  /**
   * The records (and patched policies) of a workspace just opened (or restored) replace those of the
   * one before. Not a change to tell the window about: they are what the workspace file already holds.
   */
  adopt(records: readonly RolloutRecord[] | undefined, patched: readonly PatchedPolicies[] = []): void {
    this.records.clear();
    for (const r of records ?? []) this.records.set(r.id, r);
    this.patched.clear();
    for (const p of patched) this.patched.set(patchedKey(p), p);
  }

  /** The policies with rules added from soaks, by namespace then flavor. */
  patchedPolicies(): PatchedPolicies[] {
    return [...this.patched.values()].sort((a, b) => (patchedKey(a) < patchedKey(b) ? -1 : patchedKey(a) > patchedKey(b) ? 1 : 0));
  }

  /** The patched policies kept for a source namespace and flavor, if any. */
  patchedFor(namespace: string, flavor: PatchedPolicies['flavor']): PatchedPolicies | undefined {
    return this.patched.get(patchedKey({ namespace, flavor }));
  }

  /** Keeps (or, with `undefined`, drops) the patched policies of a namespace and flavor; written with the workspace at once. */
  setPatched(key: Pick<PatchedPolicies, 'namespace' | 'flavor'>, value: PatchedPolicies | undefined): PatchedPolicies[] {
    if (value) this.patched.set(patchedKey(key), value);
    else if (!this.patched.delete(patchedKey(key))) return this.patchedPolicies();
    this.touch();
    return this.patchedPolicies();
  }

  /** A dry run of the policies as they would be applied (mapped, checked). */
  dryRun(target: RolloutTarget, mode: 'client' | 'server'): Promise<FileResult[]> {
    return this.ports.kubectl.dryRun(target.context, prepareRollout(target), mode);
  }

  /**
   * Applies a rollout after main's confirmation and records it. When kubectl fails after creating
   * some objects the record is kept with exactly those (so that rollback can delete them) and the
   * failure is thrown, naming them.
   */
  async apply(r: RolloutRequest): Promise<RolloutRecord> {
    const mechanism = auditMechanism(r.flavor, r.mode);
    if (typeof mechanism === 'object') throw new ServiceError('invalid-request', mechanism.problem);
    const prepared = prepareRollout(r);
    const rollout = this.auditRollout('staging', r, prepared.sourceNamespaces, prepared.mapPairs);
    const result = await this.ports.kubectl.apply(r.context, prepared, {
      verb: 'Apply',
      production: 'by-name',
      details: [`Flavor: ${r.flavor}; mode: ${MODE_WORDS[r.mode]}`],
      rollout,
    });
    return this.recordApply(rollout, r.context, prepared.namespace, prepared.policies, result, r.policies);
  }

  /**
   * Promotes a staging rollout: the same policies (checked against the hashes its apply recorded),
   * mapped to the production context and namespace, enforced. Only on a clean soak; otherwise the
   * user must have typed the production namespace's name, and that override is audited. Always
   * confirmed twice.
   */
  async promote(r: PromotionRequest): Promise<RolloutRecord> {
    const staging = this.records.get(r.from);
    if (!staging) throw new ServiceError('invalid-request', `There is no rollout ${r.from} in this workspace to promote.`);
    if (staging.stage !== 'staging') throw new ServiceError('invalid-request', 'Only a staging rollout is promoted.');
    if (staging.rollback)
      throw new ServiceError('refused', `Rollout ${r.from} was rolled back: roll the policies out to staging again first.`);
    const applied = remainingObjects(await this.ports.kubectl.auditEntries(), r.from).apply;
    if (!applied?.rollout)
      throw new ServiceError('refused', `Rollout ${r.from} is not in this app's audit log: only a rollout applied from here is promoted.`);
    // What soaked was only part of the set: its soak says nothing about the rest.
    if (applied.exitCode !== 0)
      throw new ServiceError('refused', `Rollout ${r.from} was applied only in part: roll the whole set out to staging first.`);
    this.checkSame(r.policies, applied);
    const soak = await this.storedSoak(staging);
    const overridden = this.soakGate(r, soak);
    const prepared = prepareRollout(
      { namespace: r.namespace, namespaceMap: r.namespaceMap, flavor: applied.rollout.flavor, policies: r.policies },
      { promote: true },
    );
    const promotion = { from: r.from, soak, ...(overridden ? { override: { typed: r.override ?? '' } } : {}) };
    const rollout: Omit<AuditRollout, 'applied' | 'deleted'> = {
      ...this.auditRollout('production', { flavor: prepared.flavor, mode: 'enforce' }, prepared.sourceNamespaces, prepared.mapPairs),
      promotion,
    };
    const soakLine =
      soak.verdict === 'not-run'
        ? `Soak: none was run (${soak.headline})`
        : `Soak: ${soak.verdict}, ${soak.headline} (report sha256 ${soak.hash}, checked ${staging.soak?.checkedAt ?? ''})`;
    const result = await this.ports.kubectl.apply(r.context, prepared, {
      verb: 'Promote',
      production: 'always',
      details: [
        `Promotes rollout ${staging.id}: ${staging.targetNamespace} on ${staging.context}, applied ${staging.appliedAt}`,
        soakLine,
        ...(overridden ? [`Override: the soak is not clean; "${r.override}" was typed to promote anyway`] : []),
        `Flavor: ${prepared.flavor}; mode: enforce`,
      ],
      rollout,
    });
    return this.recordApply(rollout, r.context, prepared.namespace, prepared.policies, result, r.policies, overridden);
  }

  /** Deletes exactly what a rollout created, as this app's audit log recorded it; what existed before is never deleted. */
  async rollback(id: string): Promise<RolloutRecord> {
    const record = this.records.get(id);
    if (!record) throw new ServiceError('invalid-request', `There is no rollout ${id} in this workspace.`);
    const { apply, remaining } = remainingObjects(await this.ports.kubectl.auditEntries(), id);
    if (!apply?.rollout)
      throw new ServiceError(
        'refused',
        `Rollout ${id} is not in this app's audit log, so nothing it created is known here: nothing was deleted.`,
        'A rollout is rolled back from the app that applied it.',
      );
    if (remaining.length === 0)
      throw new ServiceError(
        'refused',
        'Nothing this rollout created is left to delete: policies it configured or left unchanged existed before it, and are never deleted.',
      );
    const intent: MutationIntent = {
      verb: 'Roll back (delete)',
      production: record.stage === 'production' ? 'always' : 'by-name',
      details: [`Rollout ${id}, applied ${apply.time}: only what it created`],
      rollout: identity(apply.rollout),
    };
    const result = await this.ports.kubectl.delete(apply.context, apply.namespace, remaining, intent);
    const updated: RolloutRecord = { ...record, rollback: { at: result.at, exitCode: result.exitCode, deleted: result.objects } };
    this.records.set(id, updated);
    this.touch();
    if (result.exitCode !== 0)
      throw new ServiceError(
        'command-failed',
        `kubectl failed while rolling back: ${result.objects.length} of ${remaining.length} deleted. ${result.output}`,
        'Roll back again to delete the rest.',
      );
    return updated;
  }

  private auditRollout(
    stage: 'staging' | 'production',
    r: Pick<RolloutRequest, 'flavor' | 'mode'>,
    sourceNamespaces: readonly string[],
    namespaceMap: readonly string[],
  ): Omit<AuditRollout, 'applied' | 'deleted'> {
    return {
      id: (this.ports.newId ?? (() => randomBytes(8).toString('hex')))(),
      stage,
      flavor: r.flavor,
      mode: r.mode,
      sourceNamespaces,
      namespaceMap,
    };
  }

  /** The record of an apply; one that failed having created nothing is not a rollout, only its audit entry stays. */
  private recordApply(
    rollout: Omit<AuditRollout, 'applied' | 'deleted'>,
    context: string,
    namespace: string,
    policies: readonly { name: string; sha256: string; content: string }[],
    result: Awaited<ReturnType<KubectlService['apply']>>,
    sourcePolicies: readonly string[],
    override = false,
  ): RolloutRecord {
    const created = result.objects.filter((o) => o.operation === 'created');
    if (result.exitCode !== 0 && result.objects.length === 0)
      throw new ServiceError('command-failed', `kubectl failed and applied nothing: ${result.output}`);
    const record: RolloutRecord = {
      id: rollout.id,
      stage: rollout.stage,
      context,
      sourceNamespaces: rollout.sourceNamespaces,
      targetNamespace: namespace,
      namespaceMap: rollout.namespaceMap,
      flavor: rollout.flavor,
      mode: rollout.mode,
      policies: policies.map((p) => ({ name: p.name, sha256: p.sha256, content: p.content })),
      sourcePolicies: [...sourcePolicies],
      appliedAt: result.at,
      exitCode: result.exitCode,
      objects: result.objects,
      ...(rollout.promotion ? { promotion: { ...rollout.promotion, override } } : {}),
    };
    this.records.set(record.id, record);
    this.touch();
    if (result.exitCode !== 0)
      throw new ServiceError(
        'command-failed',
        `kubectl failed after applying ${result.objects.length} of ${policies.length} (created: ${created.map((o) => o.name).join(', ') || 'none'}). The rollout is recorded with exactly those; Roll back deletes what it created. kubectl said: ${result.output}`,
      );
    return record;
  }

  /** The policies sent for a promotion must be the ones that soaked: mapped as staging mapped them, the same files by hash. */
  private checkSame(policies: readonly string[], applied: AuditEntry): void {
    const r = applied.rollout!;
    const again = prepareRollout({ namespace: applied.namespace, namespaceMap: r.namespaceMap, flavor: r.flavor, policies });
    const soaked = new Map(applied.files.map((f) => [f.name, f.sha256]));
    const now = new Map(again.policies.map((p) => [`${p.name}.yaml`, p.sha256]));
    const differ = [...new Set([...soaked.keys(), ...now.keys()])].filter((f) => soaked.get(f) !== now.get(f)).sort();
    if (differ.length > 0)
      throw new ServiceError(
        'refused',
        `These are not the policies that soaked in staging (${differ.join(', ')} changed since): roll the new set out to staging first.`,
      );
  }

  /**
   * The soak main stored for a staging rollout, summarised; a report whose hash no longer matches
   * its contents (a workspace edited by hand) is refused rather than believed.
   */
  private async storedSoak(staging: RolloutRecord): Promise<SoakSummary> {
    return soakSummary(await this.checkedSoak(staging, 'promote'));
  }

  /** The soak stored for a rollout, its hash checked (`refused` when it does not match: the workspace was edited by hand). */
  async checkedSoak(record: RolloutRecord, then: string): Promise<RolloutSoak | undefined> {
    const soak = record.soak;
    if (soak && (await soakReportHash(soak.report)) !== soak.report.sha256)
      throw new ServiceError(
        'refused',
        `The soak report stored for rollout ${record.id} does not match its sha256: the workspace was changed outside the app. Check soak again, then ${then}.`,
      );
    return soak;
  }

  /** True when the promotion goes ahead on an override; throws `refused` when the soak is not clean and no right name was typed. */
  private soakGate(r: PromotionRequest, soak: SoakSummary): boolean {
    if (soak.verdict === 'clean') return false;
    const why = soak.verdict === 'not-run' ? 'No soak report says staging was clean' : `The soak is not clean (${soak.headline})`;
    if (r.override === undefined)
      throw new ServiceError(
        'refused',
        `${why}: nothing was promoted. To promote anyway, type the production namespace's name (${r.namespace}); the override is written to the audit log.`,
      );
    if (r.override !== r.namespace)
      throw new ServiceError(
        'refused',
        `"${r.override}" is not ${r.namespace}: type the production namespace's name to override the soak.`,
      );
    return true;
  }

  /**
   * Stores the soak main computed for a rollout (or why the check failed, keeping the last report),
   * and tells the window. Throws `invalid-request` for a rollout not in this workspace.
   */
  recordSoak(id: string, result: { readonly soak: RolloutSoak } | { readonly error: { at: string; message: string } }): RolloutRecord {
    const record = this.records.get(id);
    if (!record) throw new ServiceError('invalid-request', `There is no rollout ${id} in this workspace.`);
    const updated: RolloutRecord =
      'soak' in result ? { ...record, soak: result.soak, soakError: undefined } : { ...record, soakError: result.error };
    this.records.set(id, updated);
    this.touch();
    return updated;
  }

  /** One record, or `invalid-request` naming the id. */
  get(id: string): RolloutRecord {
    const record = this.records.get(id);
    if (!record) throw new ServiceError('invalid-request', `There is no rollout ${id} in this workspace.`);
    return record;
  }

  private touch(): void {
    this.changes++;
    this.ports.changed?.(this.list());
  }
}
