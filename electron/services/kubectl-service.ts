import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { buildModel, flattenObjects, type ConnlistModel } from '../../shared/policy/connlist/model';
import type { AuditRecord } from '../../shared/api/contract';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../shared/cluster/snapshot';
import type { NetworkPolicy } from '../../shared/policy/types';
import { parsePolicies } from '../../shared/policy/yaml';
import { isContextName, isNamespaceName, isObjectName } from '../../shared/cluster/names';
import { ServiceError } from './errors';
import type { ConfirmRequest } from './ports';
import { RunError, stderrSummary, type ProcessRunner, type RunResult } from './process-runner';

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

/** What an apply or delete did; one that was refused (not confirmed, nothing to roll back) throws a `refused` ServiceError. */
export interface MutationResult {
  readonly status: 'applied' | 'deleted';
  readonly output: string;
}

/** True when a context or namespace name looks like production, by the configured patterns. */
export function looksLikeProduction(name: string, patterns: readonly string[]): boolean {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  return patterns.some((p) => words.includes(p.toLowerCase()));
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

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * kubectl under the user's own kubeconfig. Reading is free; apply and delete run only after a
 * native confirmation in main that names the context, namespace and files (twice for names that
 * look like production), and each is written to the audit log.
 */
export class KubectlService {
  private lastApply: { context: string; namespace: string; dir: string; files: string[] } | undefined;

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

  /** `apply --dry-run=client|server`, file by file. */
  async dryRun(context: string, namespace: string, policiesYaml: readonly string[], mode: 'client' | 'server'): Promise<FileResult[]> {
    check(context, namespace);
    const staged = await this.stage(namespace, policiesYaml);
    const results: FileResult[] = [];
    for (const file of staged.files) {
      try {
        const r = await this.ports.runner.run(
          'kubectl',
          [`--context=${context}`, 'apply', `--dry-run=${mode}`, '-n', namespace, '-f', file],
          { timeoutMs: 60_000 },
        );
        results.push({ file: path.basename(file), ok: true, output: r.stdout.trim() });
      } catch (e) {
        if (!(e instanceof RunError) || e.kind !== 'exited') throw e;
        results.push({ file: path.basename(file), ok: false, output: e.details.stderrTail?.trim() || e.message });
      }
    }
    await rm(staged.dir, { recursive: true, force: true });
    return results;
  }

  /** Applies after confirmation; the files are kept so that the apply can be rolled back. */
  async apply(context: string, namespace: string, policiesYaml: readonly string[]): Promise<MutationResult> {
    check(context, namespace);
    const staged = await this.stage(namespace, policiesYaml);
    const names = staged.files.map((f) => path.basename(f));
    try {
      await this.confirmMutation('Apply', context, namespace, names);
    } catch (e) {
      await rm(staged.dir, { recursive: true, force: true });
      throw e;
    }
    const result = await this.mutate('apply', context, namespace, staged.files);
    if (result.status === 'applied') this.lastApply = { context, namespace, dir: staged.dir, files: staged.files };
    return result;
  }

  /** Deletes what the last apply created, after confirmation. */
  async rollback(): Promise<MutationResult> {
    const last = this.lastApply;
    if (!last) throw new ServiceError('refused', 'Nothing was applied in this session, so there is nothing to roll back.');
    await this.confirmMutation(
      'Roll back (delete)',
      last.context,
      last.namespace,
      last.files.map((f) => path.basename(f)),
    );
    const result = await this.mutate('delete', last.context, last.namespace, last.files);
    if (result.status === 'deleted') {
      this.lastApply = undefined;
      await rm(last.dir, { recursive: true, force: true });
    }
    return result;
  }

  async auditEntries(): Promise<AuditEntry[]> {
    try {
      return (await readFile(this.ports.auditLog, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEntry);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /** Only NetworkPolicies for `namespace` may be applied; each is written to its own file. */
  private async stage(namespace: string, policiesYaml: readonly string[]): Promise<{ dir: string; files: string[] }> {
    const policies: NetworkPolicy[] = [];
    for (const [i, text] of policiesYaml.entries()) {
      const parsed = parsePolicies(text);
      if (parsed.problems.length > 0) throw new RunError('invalid-argument', 'kubectl', `policy ${i + 1}: ${parsed.problems[0].message}`);
      if (parsed.cilium.length > 0)
        throw new RunError(
          'invalid-argument',
          'kubectl',
          `policy ${i + 1}: only NetworkPolicies are applied from here, not ${parsed.cilium[0].kind}.`,
        );
      policies.push(...parsed.policies);
    }
    if (policies.length === 0) throw new RunError('invalid-argument', 'kubectl', 'There are no NetworkPolicies to send.');
    const wrong = policies.find((p) => (p.metadata.namespace ?? namespace) !== namespace);
    if (wrong)
      throw new RunError(
        'invalid-argument',
        'kubectl',
        `${wrong.metadata.name} is for namespace ${wrong.metadata.namespace}, not ${namespace}.`,
      );
    const dir = path.join(this.ports.stagingDir, `${namespace}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    for (const p of policies) {
      if (!isObjectName(p.metadata.name))
        throw new RunError('invalid-argument', 'kubectl', `"${p.metadata.name}" is not a valid policy name.`);
      const file = path.join(dir, `${p.metadata.name}.yaml`);
      // One text per policy keeps its comments; otherwise each policy is written out on its own.
      await writeFile(
        file,
        policiesYaml.length === policies.length ? policiesYaml[files.length] : stringify({ ...p, metadata: { ...p.metadata, namespace } }),
      );
      files.push(file);
    }
    return { dir, files };
  }

  /** Resolves when the user confirmed (twice for a production name); throws a `refused` ServiceError otherwise. */
  private async confirmMutation(verb: string, context: string, namespace: string, files: readonly string[]): Promise<void> {
    const detail = `Context: ${context}\nNamespace: ${namespace}\nFiles:\n${files.map((f) => `  ${f}`).join('\n')}`;
    const ok = await this.ports.confirm({
      title: `${verb} NetworkPolicies`,
      message: `${verb} ${files.length} NetworkPolicies in ${namespace} on ${context}?`,
      detail,
      confirmLabel: verb,
    });
    if (!ok) throw new ServiceError('refused', 'Not confirmed: nothing was sent to the cluster.');
    const patterns = this.ports.productionPatterns();
    if (looksLikeProduction(context, patterns) || looksLikeProduction(namespace, patterns)) {
      const again = await this.ports.confirm({
        title: 'This looks like production',
        message: `"${looksLikeProduction(context, patterns) ? context : namespace}" looks like a production name. ${verb} there anyway?`,
        detail: `${detail}\n\nnetpol-studio is meant for staging first. Confirm again only if you are sure.`,
        confirmLabel: `${verb} in production`,
      });
      if (!again) throw new ServiceError('refused', 'The production guard was not confirmed twice: nothing was sent to the cluster.');
    }
  }

  private async mutate(action: 'apply' | 'delete', context: string, namespace: string, files: readonly string[]): Promise<MutationResult> {
    const args = [`--context=${context}`, action, '-n', namespace, ...files.flatMap((f) => ['-f', f])];
    let exitCode = 0;
    let output = '';
    try {
      output = (await this.ports.runner.run('kubectl', args, { timeoutMs: 120_000 })).stdout.trim();
    } catch (e) {
      if (!(e instanceof RunError) || e.kind !== 'exited') throw e;
      exitCode = typeof e.details.code === 'number' ? e.details.code : 1;
      output = e.message;
    }
    const entry: AuditEntry = {
      time: (this.ports.now ?? (() => new Date()))().toISOString(),
      action,
      context,
      namespace,
      files: await Promise.all(files.map(async (f) => ({ name: path.basename(f), sha256: sha256(await readFile(f, 'utf8')) }))),
      exitCode,
      output: output.slice(-4000),
    };
    await mkdir(path.dirname(this.ports.auditLog), { recursive: true });
    await appendFile(this.ports.auditLog, JSON.stringify(entry) + '\n', { mode: 0o600 });
    if (exitCode !== 0) throw new RunError('exited', 'kubectl', output, { code: exitCode });
    return { status: action === 'apply' ? 'applied' : 'deleted', output };
  }
}
