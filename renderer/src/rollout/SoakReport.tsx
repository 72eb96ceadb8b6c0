import { useState } from 'react';
import type { RolloutRecord } from '../../../shared/api/contract';
import type { SoakFlow } from '../../../shared/rollout/soak-types';
import { timeText } from './target';
import { batchText, CLASS_TEXT, countsText, flowLogHint, flowReason, readiness, windowText } from './soak-text';

interface Props {
  readonly record: RolloutRecord;
  /** Set while an operation runs: the buttons wait, and say so. */
  readonly busy: boolean;
  /**
   * "Check soak": main reads the flows since the apply, over a cycle of these hours, with hubble or,
   * for staged Calico policies (whose verdicts hubble never sees), from a flow-log file the user gives.
   */
  readonly onCheck: (cycleHours: number) => void;
  /** "Allow": the missing rule added to the policies, for a new rollout. */
  readonly onAllow: (flow: SoakFlow) => void;
  /** Rules already added from this soak, by edge: their Allow says so. */
  readonly allowed: ReadonlySet<string>;
}

/**
 * A staging rollout's soak, as main last computed it: the window covered against the cycle and the
 * batch hours, each flow that was not forwarded with its class and reason (a missing rule with its
 * Allow), and whether it is ready to promote, or why not.
 */
export function SoakReport({ record, busy, onCheck, onAllow, allowed }: Props) {
  const report = record.soak?.report;
  const [hours, setHours] = useState(String(Math.round((report?.window.cycleMs ?? 86_400_000) / 3_600_000)));
  const cycle = Number(hours);
  const cycleProblem =
    Number.isInteger(cycle) && cycle >= 1 && cycle <= 2160 ? undefined : 'The cycle is a whole number of hours, 1 to 2160.';
  const ready = readiness(record);
  const checkId = `soak-cycle-${record.id}`;
  const fromFile = record.flavor === 'calico-staged';
  return (
    <section className="soak-report" aria-label="Soak" data-status={report?.verdict.status ?? 'not-run'}>
      <div className="row">
        <label htmlFor={checkId}>Cycle (hours)</label>
        <input id={checkId} className="hours" inputMode="numeric" value={hours} onChange={(e) => setHours(e.target.value.trim())} />
        <button type="button" disabled={busy || cycleProblem !== undefined} onClick={() => onCheck(cycle)}>
          {fromFile ? 'Check soak from a flow-log file…' : 'Check soak'}
        </button>
        {(busy || cycleProblem) && <span className="reason">{cycleProblem ?? 'Waiting for the operation under way.'}</span>}
      </div>
      {fromFile && (
        <p className="hint" data-field="flow-log-hint">
          {flowLogHint(record)}
        </p>
      )}
      <p className={ready.ready ? 'readiness ready' : 'readiness'} data-field="readiness">
        {ready.text}
      </p>
      {record.soakError && (
        <p className="error" role="alert">
          The last check ({timeText(record.soakError.at)}) failed: {record.soakError.message}
        </p>
      )}
      {report && record.soak && (
        <>
          <p data-field="window">{windowText(report, fromFile)}</p>
          <p data-field="batch">{batchText(report)}</p>
          {report.window.shortfalls.length > 0 && (
            <ul className="shortfalls" aria-label="Why the window falls short">
              {report.window.shortfalls.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          )}
          <ul className="soak-flows" aria-label="Flows not forwarded">
            {report.flows.length === 0 && <li>None: every flow read since the apply was forwarded.</li>}
            {report.flows.map((f) => (
              <li key={f.edge} data-class={f.class}>
                <div className="flow-head">
                  <span className="class">{CLASS_TEXT[f.class]}</span> <code>{f.edge}</code> <span className="events">{countsText(f)}</span>
                </div>
                <div className="why">{flowReason(f)}</div>
                {f.class === 'missing-rule' && (
                  <div className="row">
                    <button
                      type="button"
                      disabled={allowed.has(f.edge) || !f.patch || f.patch.rules.length === 0}
                      onClick={() => onAllow(f)}
                    >
                      {allowed.has(f.edge) ? 'Rule added' : 'Allow'}
                    </button>
                    {f.patch?.inexpressible && <span className="reason">{f.patch.inexpressible}</span>}
                    {allowed.has(f.edge) && <span className="reason">Added to the policies: apply them to staging again.</span>}
                  </div>
                )}
              </li>
            ))}
          </ul>
          <p className="hint" data-field="soak-source">
            Read {timeText(record.soak.checkedAt)} with <code>{record.soak.source}</code>
            {record.soak.liveDrops > 0 ? `, plus ${record.soak.liveDrops} drop(s) the live watch saw that hubble no longer held` : ''}.
            Report <code>sha256 {report.sha256.slice(0, 16)}…</code>
          </p>
        </>
      )}
    </section>
  );
}
