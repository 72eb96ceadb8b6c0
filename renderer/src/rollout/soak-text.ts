// What the Rollout tab says of a soak report, as data: the window it covered (and plainly when
// hubble's buffer did not reach back to the apply), the batch hours, each flow's class, and whether
// the rollout is ready to promote or why not. The report is main's (shared/rollout/soak); nothing
// here judges a flow again.
import type { RolloutRecord } from '../../../shared/api/contract';
import { formatDuration } from '../../../shared/graph/warnings';
import type { SoakClass, SoakFlow, SoakReport } from '../../../shared/rollout/soak-types';

/** Each class in the words of the tab. */
export const CLASS_TEXT: Record<SoakClass, string> = {
  'missing-rule': 'missing rule',
  expected: 'expected (pruned)',
  'denied-by-other': 'denied by another policy',
  'outside-rollout': 'outside this rollout',
  undecided: 'undecided',
};

/** An epoch-ms time as the tab shows it, the same on every machine: `2021-11-10 12:00 UTC`. */
export const instantText = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The window the flows cover, in one line: from when to when, how many hours of the cycle, and
 * whether it reaches back to the apply (`fromFile`: the flows came from a flow-log file, not hubble).
 */
export function windowText(r: SoakReport, fromFile = false): string {
  const w = r.window;
  const cycle = formatDuration(w.cycleMs);
  if (w.first === null || w.last === null)
    return `No flow was read since the apply at ${instantText(w.appliedAt)}: nothing of the ${cycle} cycle is covered.`;
  const covered = `${formatDuration(w.coveredMs)} of the ${cycle} cycle covered, ${instantText(Math.max(w.first, w.appliedAt))} → ${instantText(w.last)}`;
  return w.reachesApply
    ? `${covered}, from the apply on.`
    : `${covered}. ${fromFile ? 'The flow log given does' : "Hubble's buffer did"} not reach back to the apply at ${instantText(w.appliedAt)}: the ${formatDuration(Math.max(0, w.first - w.appliedAt))} before its first flow were not read.`;
}

/** The batch hours the original capture saw, and whether the soak covered each; or why none are known. */
export function batchText(r: SoakReport): string {
  const w = r.window;
  if (w.batch.length === 0) return `Batch hours: ${w.batchNote ?? 'the original capture saw no batch traffic'}.`;
  return `Batch hours required: ${w.batch.map((b) => `${b.seen} (${b.covered ? 'covered' : 'not covered yet'})`).join('; ')}.`;
}

/** Events of a flow by what stopped them: `2 AUDIT`, `3 DROPPED, 1 pending deny`. */
export function countsText(f: SoakFlow): string {
  const c = f.counts;
  return [c.dropped ? `${c.dropped} DROPPED` : '', c.audit ? `${c.audit} AUDIT` : '', c.pendingDeny ? `${c.pendingDeny} pending deny` : '']
    .filter(Boolean)
    .join(', ');
}

/** The reason beside a flow: the pruned edge's reason, the policies that denied it, or the report's explanation. */
export function flowReason(f: SoakFlow): string {
  if (f.class === 'expected' && f.pruned)
    return f.pruned.reason ?? (f.pruned.by === 'dropped' ? 'dropped when captured' : 'pruned by hand');
  if (f.class === 'denied-by-other' && f.deniedBy) return `by ${f.deniedBy.join(', ')}`;
  return f.explanation;
}

/** Whether a staging rollout may be promoted without an override, and the one line that says why (not). */
export function readiness(r: RolloutRecord): { readonly ready: boolean; readonly text: string } {
  if (r.stage !== 'staging') return { ready: false, text: 'A production rollout is not promoted.' };
  if (r.rollback?.exitCode === 0) return { ready: false, text: 'Not ready to promote: this rollout was rolled back.' };
  if (r.exitCode !== 0) return { ready: false, text: 'Not ready to promote: it was applied only in part; roll the whole set out again.' };
  const soak = r.soak?.report;
  if (!soak)
    return {
      ready: false,
      text:
        r.flavor === 'calico-staged'
          ? "Not ready to promote: no soak yet. Check soak from a flow-log file reads Calico's flow logs since the apply."
          : 'Not ready to promote: no soak yet. Check soak reads the flows since the apply.',
    };
  if (soak.verdict.status === 'clean') return { ready: true, text: `Ready to promote: ${soak.verdict.headline}.` };
  return { ready: false, text: `Not ready to promote: ${soak.verdict.headline}.` };
}

/**
 * What file "Check soak from a flow-log file…" wants for a staged Calico rollout, in the words of
 * Calico's docs: the flow logs of the target namespace since the apply, with their policy traces
 * (Calico Enterprise or Calico Cloud flow logs, the JSON records of "Flow log data types"; on Calico
 * Open Source, Goldmane's flows through its flow logs API, reached by port-forward).
 */
export function flowLogHint(r: Pick<RolloutRecord, 'targetNamespace' | 'appliedAt' | 'context'>): string {
  return (
    `Give Calico's flow logs of ${r.targetNamespace} since ${timeOf(r.appliedAt)}, with their policies field (pending_policies says what the staged policies would do): ` +
    `Calico Enterprise or Calico Cloud flow logs (the JSON records of "Flow log data types", exported from their Elasticsearch), or Goldmane's flows on Calico Open Source ` +
    `(its flow logs API: kubectl --context=${r.context} port-forward -n calico-system svc/goldmane 7443:7443, then Flows.List), one JSON record a line.`
  );
}

const timeOf = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : instantText(t);
};
