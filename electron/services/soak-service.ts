// The soak of a rollout, in the app: the flows of its target namespace since the apply, read with
// the user's hubble (`hubble observe --namespace NS --since APPLIED --output jsonpb`, through the one
// process runner), plus the drops the live watch saw that hubble's buffer no longer holds, or, for
// staged Calico policies (whose verdicts hubble never sees), from a flow-log file the user gives,
// read by the capture reader; judged by shared/rollout/soak (the one soak computation the CLI uses
// too) against the policies this app applied. The report is stored in the rollout's record;
// promotion reads it from there.
import type { RolloutRecord, RolloutSoak } from '../../shared/api/contract';
import { CaptureParser } from '../../shared/flows/parser';
import path from 'node:path';
import type { CaptureFormat, FlowRecord } from '../../shared/flows/types';
import { countsOf } from '../../shared/graph/analysis';
import { GraphBuilder } from '../../shared/graph/builder';
import type { Selection } from '../../shared/graph/selection';
import type { ServiceGraph } from '../../shared/graph/types';
import type { PolicyDocument } from '../../shared/policy/documents';
import { parsePolicies } from '../../shared/policy/yaml';
import { DEFAULT_LIMITS } from '../../shared/flows/limits';
import type { CaptureAnalysis } from '../../shared/graph/analysis';
import { analyzeFile, type ReadOptions } from '../../shared/node/capture/read-capture';
import { parseNamespaceMap } from '../../shared/rollout/namespace-map';
import { DEFAULT_CYCLE_MS, soakReport } from '../../shared/rollout/soak';
import { apiError, ServiceError } from './errors';
import type { KubectlService } from './kubectl-service';
import type { ChosenCapture } from './ports';
import { checkCaptureRequest, observeArgs } from './live-capture';
import { RunError, type ProcessRunner } from './process-runner';
import { sha256 } from './rollout-policies';
import { remainingObjects, type RolloutService } from './rollout-service';

export interface SoakPorts {
  readonly runner: ProcessRunner;
  readonly kubectl: Pick<KubectlService, 'auditEntries'>;
  readonly rollouts: RolloutService;
  /** The graph of the capture open now: the one the policies were generated from, whose batch hours the soak must cover. */
  readonly original: () => ServiceGraph | undefined;
  readonly now?: () => Date;
  /** Lets the user pick a flow-log file (in the browser host: the one the page uploaded); undefined when they cancel. */
  readonly chooseFlowLog?: () => Promise<ChosenCapture | undefined>;
  /** The capture reader (Open capture's); analyzeFile when not given. */
  readonly read?: (file: string, opts?: ReadOptions) => Promise<CaptureAnalysis>;
}

/** What one soak check reads besides the record: the selection the policies were generated with, and the cycle. */
export interface SoakOptions {
  readonly selection: Selection;
  /** The business cycle, ms; 24 h when not given. */
  readonly cycleMs?: number;
}

/** The most live drops kept per namespace between checks (the newest). */
export const MAX_LIVE_DROPS = 10_000;
/** How long one `hubble observe --since` may read: a day of a busy namespace takes a while. */
const READ_TIMEOUT_MS = 10 * 60_000;

/**
 * The policies a rollout applied, as documents: the files its record holds, each checked against
 * the sha-256 the record and this app's audit log give for it, so that the soak judges exactly what
 * was applied (a record a workspace brought, that this app never applied, is refused).
 */
async function appliedPolicies(record: RolloutRecord, kubectl: SoakPorts['kubectl']): Promise<PolicyDocument[]> {
  const { apply } = remainingObjects(await kubectl.auditEntries(), record.id);
  if (!apply)
    throw new ServiceError(
      'refused',
      `Rollout ${record.id} is not in this app's audit log, so what it applied is not known here: its soak is checked from the app that applied it.`,
    );
  const audited = new Map(apply.files.map((f) => [f.name, f.sha256]));
  const docs: PolicyDocument[] = [];
  for (const p of record.policies) {
    if (p.content === undefined)
      throw new ServiceError(
        'refused',
        `Rollout ${record.id} was recorded without its policy files (an earlier version of the app): roll the policies out again to soak them.`,
      );
    if (sha256(p.content) !== p.sha256 || audited.get(`${p.name}.yaml`) !== p.sha256)
      throw new ServiceError(
        'refused',
        `The file of ${p.name} in rollout ${record.id} is not the one this app applied (its sha256 differs from the audit log's): roll the policies out again to soak them.`,
      );
    const read = parsePolicies(p.content);
    if (read.problems.length > 0)
      throw new ServiceError('unusable-input', `The file of ${p.name} in rollout ${record.id} cannot be read: ${read.problems[0].message}`);
    docs.push(...read.policies, ...read.staged, ...read.cilium);
  }
  return docs;
}

/** Refuses a rollout that has nothing left in the cluster to soak. */
function soakable(record: RolloutRecord): void {
  if (record.rollback?.exitCode === 0)
    throw new ServiceError('refused', `Rollout ${record.id} was rolled back: nothing of it is left in the cluster to soak.`);
}

function appliedTime(record: RolloutRecord): number {
  const t = Date.parse(record.appliedAt);
  if (Number.isNaN(t)) throw new ServiceError('unusable-input', `Rollout ${record.id} has no readable apply time.`);
  return t;
}

const CALICO_FORMATS: ReadonlySet<CaptureFormat> = new Set(['calico-enterprise-json', 'calico-text', 'calico-goldmane-json']);

/**
 * Why the flows of a file cannot show a rollout's soak, if they cannot: none in its target
 * namespace; for staged Calico policies, flows that are not Calico's or that carry no pending policy
 * trace (`pending_policies`), so that nothing in them says what the staged policies would deny.
 */
export function flowLogProblem(record: RolloutRecord, graph: ServiceGraph, name: string): { message: string; hint: string } | undefined {
  const what = `the flows of ${record.targetNamespace} since ${record.appliedAt}`;
  if (!graph.namespaces.includes(record.targetNamespace))
    return {
      message: `${name} holds no flow of ${record.targetNamespace}, the namespace rollout ${record.id} was applied to (it has ${graph.namespaces.join(', ') || 'no namespace'}).`,
      hint: `Give ${what}.`,
    };
  if (record.flavor !== 'calico-staged') return undefined;
  if (!graph.format || !CALICO_FORMATS.has(graph.format))
    return {
      message: `${name} holds ${graph.format ?? 'unknown'} flows, not Calico's: they cannot show what staged Calico policies would deny.`,
      hint: `Give Calico's flow logs (or Goldmane's flows) of ${what}.`,
    };
  if (!graph.edges.some((e) => e.evidence.attribution.pending.length > 0 || Object.keys(e.evidence.attribution.pendingActions).length > 0))
    return {
      message: `No flow in ${name} carries a pending policy trace (pending_policies): nothing in it says what the staged policies would deny, so it cannot show a soak, clean or not.`,
      hint: `Give flow logs recorded with the staged policies in place, with their policies field (Calico Enterprise or Cloud flow logs, or Goldmane flows), of ${what}.`,
    };
  return undefined;
}

/** Soak checks of the workspace's rollouts, and the drops the live watch saw between them. */
export class SoakService {
  private readonly live = new Map<string, FlowRecord[]>();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly ports: SoakPorts) {}

  /** A drop (DROPPED, AUDIT) the live watch saw in `namespace`: folded into the next soak of a rollout there. */
  noteDrop(namespace: string, drop: FlowRecord): void {
    const list = this.live.get(namespace) ?? [];
    list.push(drop);
    if (list.length > MAX_LIVE_DROPS) list.splice(0, list.length - MAX_LIVE_DROPS);
    this.live.set(namespace, list);
  }

  /** Stops every check that is running (on quit, or when another workspace is opened). */
  cancelAll(): void {
    for (const ac of this.running.values()) ac.abort();
    this.running.clear();
  }

  /**
   * Checks a rollout's soak now and stores the report in its record (returned). A check that fails
   * (hubble missing or failing, the record not this app's) is stored as the record's `soakError`,
   * the last report kept, and thrown.
   */
  check(id: string, o: SoakOptions): Promise<RolloutRecord> {
    return this.stored(id, (record) => this.compute(record, o));
  }

  /**
   * Checks a rollout's soak from a flow-log file the user picks (Calico flow logs or Goldmane flows
   * of the target namespace since the apply), read as Open capture reads a capture, and stores the
   * report as check does. A closed dialog is `dismissed` and changes nothing.
   */
  async checkFile(id: string, o: SoakOptions): Promise<RolloutRecord> {
    const record = this.ports.rollouts.get(id);
    const file = await this.ports.chooseFlowLog?.();
    if (!file) throw new ServiceError('dismissed', 'No file was chosen.');
    return this.stored(record.id, (r) => this.computeFromFile(r, file, o));
  }

  /** Stores what `compute` gives for a rollout, or why it failed (the last report kept), and throws that failure. */
  private async stored(id: string, compute: (record: RolloutRecord) => Promise<RolloutSoak>): Promise<RolloutRecord> {
    const record = this.ports.rollouts.get(id);
    try {
      return this.ports.rollouts.recordSoak(id, { soak: await compute(record) });
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'cancelled') throw e;
      const err = apiError(e);
      this.ports.rollouts.recordSoak(id, {
        error: { at: this.now().toISOString(), message: `${err.message}${err.hint ? ` ${err.hint}` : ''}` },
      });
      throw e;
    }
  }

  /**
   * Checks every staging rollout still in place (a workspace was opened again); each failure is
   * stored with its rollout, none stops the others. Resolves when all are done.
   */
  async checkAll(o: Omit<SoakOptions, 'cycleMs'>): Promise<void> {
    for (const r of this.ports.rollouts.list()) {
      // A staged Calico rollout is soaked from a file the user gives, never read again on its own.
      if (r.stage !== 'staging' || r.rollback?.exitCode === 0 || r.flavor === 'calico-staged') continue;
      try {
        await this.check(r.id, { ...o, cycleMs: r.soak?.report.window.cycleMs ?? DEFAULT_CYCLE_MS });
      } catch {
        // Stored with the rollout, and shown there.
      }
    }
  }

  private now(): Date {
    return (this.ports.now ?? (() => new Date()))();
  }

  private async compute(record: RolloutRecord, o: SoakOptions): Promise<RolloutSoak> {
    soakable(record);
    // Hubble is Cilium's: it never sees what Calico's staged policies would deny (pending_policies).
    if (record.flavor === 'calico-staged')
      throw new ServiceError(
        'refused',
        `Rollout ${record.id} holds Calico staged policies: what they would deny is in Calico's flow logs (pending_policies), which hubble does not read.`,
        `Use "Check soak from a flow-log file…" with the flow logs of ${record.targetNamespace} since ${record.appliedAt}, or run: netpol-studio soak FLOWS --policies DIR --applied-at ${record.appliedAt}${record.namespaceMap.map((m) => ` --target-namespace ${m}`).join('')}`,
      );
    const appliedAt = appliedTime(record);
    const policies = await appliedPolicies(record, this.ports.kubectl);
    const request = { namespace: record.targetNamespace, window: { kind: 'since' as const, since: record.appliedAt } };
    const problem = checkCaptureRequest(request);
    if (problem) throw new RunError('invalid-argument', 'hubble', problem);
    const args = observeArgs(request);
    const { graph, liveDrops } = await this.read(record, args, appliedAt);
    return this.judge(record, graph, policies, o, { source: `hubble ${args.join(' ')}`, liveDrops });
  }

  /**
   * The soak from a flow-log file: read with the capture reader and its limits, refused when it
   * cannot show what the rollout's policies would do (no flow of the target namespace; for staged
   * policies, flows that are not Calico's or carry no pending policy trace, which would read as clean).
   */
  private async computeFromFile(record: RolloutRecord, file: ChosenCapture, o: SoakOptions): Promise<RolloutSoak> {
    soakable(record);
    // A record without a readable apply time is refused before the file is read.
    appliedTime(record);
    const policies = await appliedPolicies(record, this.ports.kubectl);
    this.running.get(record.id)?.abort();
    const ac = new AbortController();
    this.running.set(record.id, ac);
    let analysis: CaptureAnalysis;
    try {
      // Open capture's reader, with its limits: a flow log is read as any capture is.
      analysis = await (this.ports.read ?? analyzeFile)(file.path, { signal: ac.signal, ...(file.name ? { name: file.name } : {}) });
    } catch (e) {
      if (ac.signal.aborted)
        throw new ServiceError('cancelled', `The soak check of rollout ${record.id} was stopped; its last report stays.`);
      throw e;
    } finally {
      if (this.running.get(record.id) === ac) this.running.delete(record.id);
    }
    const { graph, stats } = analysis;
    const name = file.name ?? path.basename(file.path);
    const problem = flowLogProblem(record, graph, name);
    if (problem) throw new ServiceError('unusable-input', problem.message, problem.hint);
    return this.judge(record, graph, policies, o, {
      source: `flow-log file ${name} (${graph.format}, ${stats.records} records)`,
      liveDrops: 0,
    });
  }

  /** The report of the flows read, against the applied policies, the selection and the cycle, as stored. */
  private async judge(
    record: RolloutRecord,
    graph: ServiceGraph,
    policies: PolicyDocument[],
    o: SoakOptions,
    read: Pick<RolloutSoak, 'source' | 'liveDrops'>,
  ): Promise<RolloutSoak> {
    const original = this.ports.original();
    const report = await soakReport({
      flows: graph,
      policies,
      appliedAt: appliedTime(record),
      cycleMs: o.cycleMs ?? DEFAULT_CYCLE_MS,
      selection: o.selection,
      namespaceMap: parseNamespaceMap(record.namespaceMap),
      ...(original ? { original } : {}),
    });
    return { report, checkedAt: this.now().toISOString(), ...read };
  }

  /**
   * The flows hubble returns, into a graph, with the live drops of the namespace since the apply
   * that fall outside what it returned: Hubble's ring buffer holds a contiguous stretch of the
   * newest flows, so a drop inside that stretch is already among them, and one before it was lost.
   */
  private async read(
    record: RolloutRecord,
    args: readonly string[],
    appliedAt: number,
  ): Promise<{ graph: ServiceGraph; liveDrops: number }> {
    this.running.get(record.id)?.abort();
    const ac = new AbortController();
    this.running.set(record.id, ac);
    const builder = new GraphBuilder();
    const parser = new CaptureParser(`hubble ${args.join(' ')}`, (ev) => builder.addEvent(ev));
    let n = 0;
    try {
      await this.ports.runner.stream('hubble', args, {
        signal: ac.signal,
        timeoutMs: READ_TIMEOUT_MS,
        onLine: (line) => {
          if (line.trim()) parser.pushLine(line, ++n);
        },
        maxLineChars: DEFAULT_LIMITS.maxRecordChars,
        onOverlongLine: () => parser.skipOverlongLine(++n, DEFAULT_LIMITS.maxRecordChars, 'characters'),
      });
    } catch (e) {
      if (e instanceof RunError && e.kind === 'cancelled')
        throw new ServiceError('cancelled', `The soak check of rollout ${record.id} was stopped; its last report stays.`);
      throw e;
    } finally {
      if (this.running.get(record.id) === ac) this.running.delete(record.id);
    }
    const stats = n === 0 ? { ...parser.stats, format: 'hubble-jsonpb' as const } : parser.end();
    const { minTime, maxTime } = builder.partial();
    let liveDrops = 0;
    for (const d of this.live.get(record.targetNamespace) ?? [])
      if (d.time >= appliedAt && (d.time < minTime || d.time > maxTime)) {
        builder.add(d);
        liveDrops++;
      }
    return { graph: builder.build(stats.format, countsOf(stats)), liveDrops };
  }
}
