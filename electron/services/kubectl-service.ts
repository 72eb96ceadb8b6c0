import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildModel, flattenObjects, type ConnlistModel } from '../../shared/policy/connlist/model';
import { AUDIT_RECORD, type AuditRecord, type AuditRollout } from '../../shared/api/contract';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../shared/cluster/snapshot';
import type { NetworkPolicy } from '../../shared/policy/types';
import { parsePolicies } from '../../shared/policy/yaml';
import { isContextName, isNamespaceName, looksLikeProduction } from '../../shared/cluster/names';
import { appliedObjects, deletedObjects, objectRefText, type AppliedObject, type ObjectRef } from '../../shared/rollout/kubectl-output';
import { FLAVOR_KIND, kindPlural } from '../../shared/rollout/mode';
import { namespaceMapText } from '../../shared/rollout/namespace-map';
import { ServiceError } from './errors';
import type { ConfirmRequest } from './ports';
import { RunError, stderrSummary, type ProcessRunner, type RunResult } from './process-runner';
import type { PreparedRollout } from './rollout-policies';

export type { ConfirmRequest } from './ports';

export interface KubectlPorts {
  readonly runner: ProcessRunner;
  /** A native dialog in main; true only when the user pressed the confirm button. */
  readonly confirm: (r: ConfirmRequest) => Promise<boolean>;
  /** Names that look like production (matched case-insensitively as whole words of the name). */
  readonly productionPatterns: () => readonly string[];
  /** Where policies to apply are written, one folder per operation. */
  readonly stagingDir: string;
  readonly auditLog: string;
  readonly now?: () => Date;
}

export interface FileResult {
  readonly file: string;
  readonly ok: boolean;
  readonly output: string;
}

/** One line of the audit log: the same record the renderer is shown. */
export type AuditEntry = AuditRecord;

/**
 * Why a mutation runs and how it is asked and recorded: the verb of its confirmation, whether it
 * always takes the second (production) confirmation or only for a production-like name, lines the
 * confirmation adds (mode, soak, override), and the rollout its audit entry belongs to.
 */
export interface MutationIntent {
  readonly verb: string;
  readonly production: 'by-name' | 'always';
  readonly details: readonly string[];
  readonly rollout: Omit<AuditRollout, 'applied' | 'deleted'>;
}

/** What kubectl did when it ran (a refusal throws a `refused` ServiceError and runs nothing). */
export interface MutationResult<T> {
  /** ISO time the command was started. */
  readonly at: string;
  readonly exitCode: number;
  /** What kubectl said it did, object by object, read from its output: exactly these, also when it failed half way. */
  readonly objects: readonly T[];
  /** kubectl's output: its lines on stdout, then what it said on stderr. */
  readonly output: string;
}

function check(context: string, namespace?: string): void {
  if (!isContextName(context)) throw new RunError('invalid-argument', 'kubectl', `"${context}" is not a kube context name.`);
  if (namespace !== undefined && !isNamespaceName(namespace))
    throw new RunError('invalid-argument', 'kubectl', `"${namespace}" is not a namespace name.`);
}

/**
 * A snapshot kubectl could not take, said as what failed (the context), kubectl's words once, and
 * what to do; other failures (not installed, cancelled) keep their own message and hint.
 */
function snapshotFailure(e: unknown, context: string): unknown {
  if (!(e instanceof RunError) || (e.kind !== 'exited' && e.kind !== 'timed-out')) return e;
  const said = e.kind === 'exited' ? stderrSummary(e.details.stderrTail ?? '') : e.message;
  return new RunError(e.kind, 'kubectl', `kubectl could not read the cluster of context "${context}"${said ? `: ${said}` : '.'}`, {
    ...e.details,
    hint:
      `Check that this context reaches its cluster and your login to it is current (\`kubectl --context=${context} get pods -A\` ` +
      'in a terminal should list pods), or choose another context.',
  });
}

/**
 * kubectl under the user's own kubeconfig. Reading is free; apply and delete run only after a
 * native confirmation in main that names the context, namespace and files (twice for names that
 * look like production), and each is written to the audit log.
 */
export class KubectlService {
  constructor(private readonly ports: KubectlPorts) {}

  async contexts(): Promise<{ contexts: string[]; current: string | undefined }> {
    const list = await this.ports.runner.run('kubectl', ['config', 'get-contexts', '-o', 'name'], { timeoutMs: 15_000 });
    let current: string | undefined;
    try {
      current = (await this.ports.runner.run('kubectl', ['config', 'current-context'], { timeoutMs: 15_000 })).stdout.trim() || undefined;
    } catch (e) {
      // No current context is a normal state of a kubeconfig.
      if (!(e instanceof RunError && e.kind === 'exited')) throw e;
    }
    return {
      contexts: list.stdout
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      current,
    };
  }

  async namespaces(context: string): Promise<string[]> {
    check(context);
    const r = await this.ports.runner.run('kubectl', [`--context=${context}`, 'get', 'namespaces', '-o', 'json'], { timeoutMs: 30_000 });
    return flattenObjects([JSON.parse(r.stdout) as unknown])
      .filter((o) => o.kind === 'Namespace')
      .map((o) => String((o.metadata as { name?: string } | undefined)?.name ?? ''))
      .filter(Boolean)
      .sort();
  }

  /** Pods, workloads, services and namespaces: named ports, namespace labels and who a selector matches. */
  async snapshot(context: string): Promise<ConnlistModel> {
    check(context);
    const r = await this.ports.runner.run(
      'kubectl',
      [`--context=${context}`, 'get', 'pods,deploy,sts,ds,job,cronjob,svc,ns', '-A', '-o', 'json'],
      { timeoutMs: 120_000 },
    );
    return buildModel(flattenObjects([JSON.parse(r.stdout) as unknown]));
  }

  /**
   * Services, EndpointSlices and pods of every namespace (`kubectl get svc,endpointslices,pods,namespaces -A
   * -o json`), indexed: what resolves a capture's Service frontends to backends and gives labels to
   * workloads whose records carried none. Read-only, under the user's own kubeconfig.
   */
  async clusterSnapshot(context: string): Promise<ClusterSnapshot> {
    check(context);
    let r: RunResult;
    try {
      r = await this.ports.runner.run(
        'kubectl',
        [`--context=${context}`, 'get', 'svc,endpointslices,pods,namespaces', '-A', '-o', 'json'],
        {
          timeoutMs: 120_000,
        },
      );
    } catch (e) {
      throw snapshotFailure(e, context);
    }
    let list: unknown;
    try {
      list = JSON.parse(r.stdout);
    } catch (e) {
      throw new RunError('invalid-argument', 'kubectl', `kubectl printed something that is not JSON (${(e as Error).message}).`);
    }
    return parseClusterSnapshot([list], `kubectl --context=${context}`);
  }

  /** The NetworkPolicies running in a namespace now, for the diff. */
  async existingPolicies(context: string, namespace: string): Promise<NetworkPolicy[]> {
    check(context, namespace);
    const r = await this.ports.runner.run('kubectl', [`--context=${context}`, 'get', 'networkpolicies', '-n', namespace, '-o', 'yaml'], {
      timeoutMs: 30_000,
    });
    return parsePolicies(r.stdout).policies;
  }

  /** `apply --dry-run=client|server` of a rollout's policies, file by file. */
  async dryRun(context: string, prepared: PreparedRollout, mode: 'client' | 'server'): Promise<FileResult[]> {
    check(context, prepared.namespace);
    const dir = await this.writeFiles(randomBytes(8).toString('hex'), prepared);
    const results: FileResult[] = [];
    try {
      for (const file of dir.files) {
        try {
          const r = await this.ports.runner.run(
            'kubectl',
            [`--context=${context}`, 'apply', `--dry-run=${mode}`, '-n', prepared.namespace, '-f', file],
            { timeoutMs: 60_000 },
          );
          results.push({ file: path.basename(file), ok: true, output: r.stdout.trim() });
        } catch (e) {
          if (!(e instanceof RunError) || e.kind !== 'exited') throw e;
          results.push({ file: path.basename(file), ok: false, output: e.details.stderrTail?.trim() || e.message });
        }
      }
    } finally {
      await rm(dir.dir, { recursive: true, force: true });
    }
    return results;
  }

  /**
   * Applies a rollout's policies after confirmation, and reads from kubectl's output exactly which
   * objects it created, configured or left unchanged: when kubectl fails after creating some, the
   * result (and the audit entry) says which. The files are removed afterwards; their hashes stay.
   */
  async apply(context: string, prepared: PreparedRollout, intent: MutationIntent): Promise<MutationResult<AppliedObject>> {
    check(context, prepared.namespace);
    const kind = FLAVOR_KIND[prepared.flavor];
    const map = prepared.map.size > 0 ? namespaceMapText(prepared.map) : 'none (applied as generated)';
    await this.confirmMutation(intent, context, prepared.namespace, {
      kind: kind.kind,
      count: prepared.policies.length,
      lines: [`Namespace map: ${map}`, ...intent.details, 'Files:', ...prepared.policies.map((p) => `  ${p.name}.yaml`)],
    });
    const dir = await this.writeFiles(intent.rollout.id, prepared);
    try {
      const ran = await this.mutate(context, ['apply', '-n', prepared.namespace, ...dir.files.flatMap((f) => ['-f', f])]);
      // Only objects of this apply count: kubectl's word about anything else is not a record of ours.
      const ours = new Set(prepared.policies.map((p) => p.name));
      const objects = appliedObjects(ran.stdout).filter((o) => o.resource === kind.resource && ours.has(o.name));
      const files = prepared.policies.map((p) => ({ name: `${p.name}.yaml`, sha256: p.sha256 }));
      await this.audit({
        time: ran.at,
        exitCode: ran.exitCode,
        output: ran.output,
        action: 'apply',
        context,
        namespace: prepared.namespace,
        files,
        rollout: { ...intent.rollout, applied: objects },
      });
      return { at: ran.at, exitCode: ran.exitCode, objects, output: ran.output };
    } finally {
      await rm(dir.dir, { recursive: true, force: true });
    }
  }

  /** Deletes these objects (and nothing else) after confirmation; an object already gone is no failure. */
  async delete(
    context: string,
    namespace: string,
    objects: readonly ObjectRef[],
    intent: MutationIntent,
  ): Promise<MutationResult<ObjectRef>> {
    check(context, namespace);
    if (objects.length === 0) throw new ServiceError('refused', 'There is nothing to delete.');
    await this.confirmMutation(intent, context, namespace, {
      kind: Object.values(FLAVOR_KIND).find((k) => k.resource === objects[0].resource)?.kind ?? 'policy',
      count: objects.length,
      lines: [...intent.details, 'Objects:', ...objects.map((o) => `  ${objectRefText(o)}`)],
    });
    const ran = await this.mutate(context, ['delete', '-n', namespace, '--ignore-not-found=true', ...objects.map(objectRefText)]);
    const asked = new Set(objects.map(objectRefText));
    const deleted = deletedObjects(ran.stdout).filter((o) => asked.has(objectRefText(o)));
    await this.audit({
      time: ran.at,
      action: 'delete',
      context,
      namespace,
      files: [],
      exitCode: ran.exitCode,
      output: ran.output,
      rollout: { ...intent.rollout, deleted },
    });
    return { at: ran.at, exitCode: ran.exitCode, objects: deleted, output: ran.output };
  }

  /** The audit log, oldest first; a line that is not an audit entry (edited by hand, cut short) is left out. */
  async auditEntries(): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.ports.auditLog, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return text.split('\n').flatMap((l) => {
      if (!l) return [];
      try {
        const r = AUDIT_RECORD.safeParse(JSON.parse(l));
        return r.success ? [r.data] : [];
      } catch {
        return [];
      }
    });
  }

  /** The policies as files, one per policy, in a private folder of their own (the id is hex: a safe name). */
  private async writeFiles(id: string, prepared: PreparedRollout): Promise<{ dir: string; files: string[] }> {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new RunError('invalid-argument', 'kubectl', `"${id}" is not a rollout id.`);
    const dir = path.join(this.ports.stagingDir, `${prepared.namespace}-${id}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    // Names were checked as DNS-1123 subdomains (prepareRollout): never a path of their own.
    for (const p of prepared.policies) {
      const file = path.join(dir, `${p.name}.yaml`);
      await writeFile(file, p.content, { mode: 0o600 });
      files.push(file);
    }
    return { dir, files };
  }

  /** Resolves when the user confirmed (twice for production); throws a `refused` ServiceError otherwise. */
  private async confirmMutation(
    intent: MutationIntent,
    context: string,
    namespace: string,
    what: { readonly kind: string; readonly count: number; readonly lines: readonly string[] },
  ): Promise<void> {
    const { verb } = intent;
    const kinds = kindPlural(what.kind);
    const detail = [`Context: ${context}`, `Namespace: ${namespace}`, ...what.lines].join('\n');
    const ok = await this.ports.confirm({
      title: `${verb} ${kinds}`,
      message: `${verb} ${what.count} ${what.count === 1 ? what.kind : kinds} in ${namespace} on ${context}?`,
      detail,
      confirmLabel: verb,
    });
    if (!ok) throw new ServiceError('refused', 'Not confirmed: nothing was sent to the cluster.');
    const patterns = this.ports.productionPatterns();
    const named = [context, namespace].find((n) => looksLikeProduction(n, patterns));
    if (named === undefined && intent.production !== 'always') return;
    const again = await this.ports.confirm({
      title: named !== undefined ? 'This looks like production' : 'This is production',
      message:
        named !== undefined
          ? `"${named}" looks like a production name. ${verb} there anyway?`
          : `${verb} applies to production: ${namespace} on ${context}. ${verb} there?`,
      detail: `${detail}\n\nnetpol-studio is meant for staging first. Confirm again only if you are sure.`,
      confirmLabel: `${verb} in production`,
    });
    if (!again) throw new ServiceError('refused', 'The production guard was not confirmed twice: nothing was sent to the cluster.');
  }

  /**
   * Runs one kubectl mutation, keeping every line it printed: when kubectl exits non-zero after
   * doing part of the work, those lines say which part.
   */
  private async mutate(
    context: string,
    args: readonly string[],
  ): Promise<{ at: string; exitCode: number; stdout: string; output: string }> {
    const at = (this.ports.now ?? (() => new Date()))().toISOString();
    const lines: string[] = [];
    let exitCode = 0;
    let said = '';
    try {
      said = (
        await this.ports.runner.stream('kubectl', [`--context=${context}`, ...args], {
          timeoutMs: 120_000,
          onLine: (l) => void lines.push(l),
        })
      ).stderr;
    } catch (e) {
      if (!(e instanceof RunError) || e.kind !== 'exited') throw e;
      exitCode = typeof e.details.code === 'number' ? e.details.code : 1;
      said = e.details.stderrTail ?? e.message;
    }
    const stdout = lines.join('\n');
    const output = [stdout.trim(), stderrSummary(said, 10, 3000)].filter(Boolean).join('\n');
    return { at, exitCode, stdout, output };
  }

  private async audit(entry: AuditEntry): Promise<void> {
    await mkdir(path.dirname(this.ports.auditLog), { recursive: true });
    await appendFile(this.ports.auditLog, JSON.stringify({ ...entry, output: entry.output.slice(-4000) }) + '\n', { mode: 0o600 });
  }
}
