// `netpol-studio soak`: the headless half of the rollout loop. Reads the flows of the target
// namespace since the apply, the policies rolled out and what was pruned, and says whether staging
// has been clean for a business cycle (shared/rollout/soak.ts).
import { formatDuration } from '../shared/graph/warnings';
import { oneLine } from '../shared/flows/one-line';
import { formatWindow } from '../shared/policy/format';
import type { NamespaceMap } from '../shared/rollout/namespace-map';
import { patchRuleYaml } from '../shared/rollout/patch';
import { DEFAULT_CYCLE_MS, soakReport, type SoakClass, type SoakFlow, type SoakReport } from '../shared/rollout/soak';
import { parseDuration, parseInstant, TimeFormatError } from '../shared/rollout/time';
import { readCapture } from './capture';
import { allLoaded, InputError, loadPolicies, selectionFor, UsageError, type CommandIo } from './policy-commands';

export interface SoakArgs {
  /** The flows of the target namespace(s) since the apply (`hubble observe --namespace NS --since TIME -o jsonpb`, a flow-log export). */
  readonly capture: string;
  /** The policies rolled out: a file or folder, any flavor. */
  readonly policies: string;
  /** `--applied-at`: RFC 3339 with its zone. */
  readonly appliedAt: string;
  /** `--cycle`: a duration (`24h`, `7d`); 24 h when absent. */
  readonly cycle?: string;
  readonly pruneFile?: string;
  /** `--original`: the capture the policies were generated from (batch hours; with it, edges only ever dropped there start pruned, as generate does). */
  readonly original?: string;
  readonly includeDropped: boolean;
  readonly namespaceMap: NamespaceMap;
  readonly snapshots?: readonly string[];
  readonly json: boolean;
}

function timeArg<T>(flag: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof TimeFormatError) throw new UsageError(`${flag}: ${e.message}`, false);
    throw e;
  }
}

/** `soak`: the report as text or JSON; exit 0 clean for the cycle, 1 missing rules or a window too short, 3 undecided. */
export async function soakCommand(a: SoakArgs, io: CommandIo): Promise<number> {
  const appliedAt = timeArg('--applied-at', () => parseInstant(a.appliedAt));
  const cycleMs = a.cycle === undefined ? DEFAULT_CYCLE_MS : timeArg('--cycle', () => parseDuration(a.cycle!));
  const loaded = await loadPolicies(a.policies, io);
  const policies = allLoaded(loaded);
  if (policies.length === 0)
    throw new InputError(
      `no NetworkPolicy, StagedKubernetesNetworkPolicy or CiliumNetworkPolicy found in ${a.policies}: give the policies rolled out`,
    );
  const { graph: flows, snapshot } = await readCapture(a.capture, a.snapshots, io);
  const original = a.original ? (await readCapture(a.original, [], io)).graph : undefined;
  // The prune file's keys are the original capture's: checked against it when it is given.
  const selection = await selectionFor(original, a.pruneFile, a.includeDropped, io);
  const report = await soakReport({
    flows,
    policies,
    appliedAt,
    cycleMs,
    selection,
    namespaceMap: a.namespaceMap,
    ...(original ? { original } : {}),
    ...(snapshot ? { snapshot } : {}),
  });
  io.out(a.json ? JSON.stringify(report, null, 2) + '\n' : soakText(report));
  // Policies that could not be read were not judged: a clean soak of the rest is not a clean rollout.
  if (loaded.unread > 0 && report.verdict.exitCode === 0) {
    io.err(`netpol-studio: ${loaded.unread} policy document(s) could not be read, so the soak cannot call the rollout clean\n`);
    return 3;
  }
  return report.verdict.exitCode;
}

const CLASS_TEXT: Record<SoakClass, string> = {
  'missing-rule': 'MISSING RULE',
  undecided: 'UNDECIDED',
  'denied-by-other': 'DENIED BY ANOTHER POLICY',
  'outside-rollout': 'OUTSIDE THIS ROLLOUT',
  expected: 'EXPECTED (pruned)',
};

const STATUS_TEXT: Record<SoakReport['verdict']['status'], string> = {
  clean: 'CLEAN',
  'missing-rules': 'MISSING RULES',
  'too-short': 'WINDOW TOO SHORT',
  undecided: 'UNDECIDED',
};

const indent = (text: string, by: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => by + l)
    .join('\n');

function countsText(f: SoakFlow): string {
  const c = f.counts;
  const parts = [
    c.dropped ? `${c.dropped} DROPPED` : '',
    c.audit ? `${c.audit} AUDIT` : '',
    c.pendingDeny ? `${c.pendingDeny} pending deny` : '',
  ];
  const when = f.firstSeen !== null ? `, ${formatWindow(f.firstSeen, f.lastSeen ?? f.firstSeen)}` : '';
  return `${parts.filter(Boolean).join(', ')}${when}`;
}

/** The soak report as text: the rollout, the covered window, each flow not forwarded with its class (and the rule for a missing one), the verdict. */
export function soakText(r: SoakReport): string {
  const w = r.window;
  const out: string[] = [];
  out.push(
    `rollout: ${r.policies.length} policies in ${r.scope.join(', ')}${r.namespaceMap.length ? ` (mapped ${r.namespaceMap.join(', ')})` : ''}`,
  );
  out.push(`applied at: ${new Date(w.appliedAt).toISOString()}; cycle: ${formatDuration(w.cycleMs)}`);
  out.push(
    w.first === null || w.last === null
      ? 'window: the flows read carry no time'
      : `window: ${new Date(w.first).toISOString()} → ${new Date(w.last).toISOString()}; ${formatDuration(w.coveredMs)} covered since the apply${w.reachesApply ? ', reaching back to it' : ', NOT reaching back to it'}`,
  );
  if (w.startsBeforeApply) out.push(`  flows from before the apply were read too; ${r.beforeApply} edge(s) seen only then are left out`);
  if (w.batch.length === 0) out.push(`batch traffic of the original capture: ${w.batchNote ?? 'none seen'}`);
  for (const b of w.batch)
    out.push(`batch traffic of the original capture: ${b.seen}: ${b.covered ? 'covered' : 'NOT covered'} (${b.edges.join(', ')})`);
  for (const s of w.shortfalls) out.push(`  ! ${oneLine(s)}`);
  for (const d of r.dataLoss) out.push(`  ! flows are missing (${d.code}): ${oneLine(d.message)}`);
  out.push('', `flows not forwarded since the apply: ${r.flows.length} edge(s)`);
  for (const f of r.flows) {
    out.push(`  ${CLASS_TEXT[f.class]} ${f.edge} (${countsText(f)})`, `    ${oneLine(f.explanation)}`);
    for (const d of f.decide ?? []) out.push(`    would decide it: ${oneLine(d)}`);
    if (f.patch?.inexpressible) out.push(`    no rule of this flavor can allow it: ${oneLine(f.patch.inexpressible)}`);
    for (const rule of f.patch?.rules ?? []) {
      out.push(
        rule.newPolicy
          ? `    add this policy (no rolled-out ${rule.kind} selects the workload so):`
          : `    add to ${rule.kind} ${rule.policy}:`,
      );
      out.push(indent(patchRuleYaml(rule), '      '));
    }
  }
  out.push('', `result: ${STATUS_TEXT[r.verdict.status]}: ${oneLine(r.verdict.headline)}`);
  out.push(`report sha256: ${r.sha256} (policies sha256: ${r.policiesSha256})`);
  return out.join('\n') + '\n';
}
