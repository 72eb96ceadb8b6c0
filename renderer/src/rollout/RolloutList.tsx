import type { RolloutRecord } from '../../../shared/api/contract';
import type { SoakFlow } from '../../../shared/rollout/soak-types';
import { SoakReport } from './SoakReport';
import { objectsByOrigin, rolloutState, timeText } from './target';

interface Props {
  readonly rollouts: readonly RolloutRecord[];
  readonly onRollback: (r: RolloutRecord) => void;
  readonly onPromote: (r: RolloutRecord) => void;
  /** Set while an operation runs: the buttons wait. */
  readonly busy: boolean;
  /** Why Roll back and Promote cannot run here at all (no native confirmation in this host). */
  readonly mutationBlocked?: string;
  readonly onCheckSoak: (r: RolloutRecord, cycleHours: number) => void;
  /** "Check soak from a flow-log file…" (staged Calico rollouts, whose verdicts hubble never sees). */
  readonly onCheckSoakFromFile: (r: RolloutRecord, cycleHours: number) => void;
  readonly onAllow: (r: RolloutRecord, flow: SoakFlow) => void;
  /** Edges whose missing rule was added, by rollout id. */
  readonly allowed: ReadonlyMap<string, ReadonlySet<string>>;
}

const NONE: ReadonlySet<string> = new Set();

const MODE_TEXT = { enforce: 'enforce', audit: 'audit' } as const;

/** Why Roll back (and Promote) are greyed out for a rollout, in words; undefined when they are not. */
function actionReason(r: RolloutRecord, busy: boolean, live: boolean, created: number, blocked: string | undefined): string | undefined {
  if (blocked) return blocked;
  if (busy) return 'Waiting for the operation under way.';
  if (!live) return 'Rolled back: nothing of it is left to delete or promote.';
  if (created === 0) return 'Roll back: this rollout created nothing (what it configured existed before, and is never deleted).';
  return undefined;
}

/** The workspace's rollouts, newest first: where, how, when, and exactly what each created. */
export function RolloutList({
  rollouts,
  onRollback,
  onPromote,
  busy,
  mutationBlocked,
  onCheckSoak,
  onCheckSoakFromFile,
  onAllow,
  allowed,
}: Props) {
  if (rollouts.length === 0) return <p className="hint">No rollout yet: Apply records one here, with what it created.</p>;
  return (
    <ol className="rollout-list" aria-label="Rollouts">
      {[...rollouts].reverse().map((r) => {
        const { created, existed } = objectsByOrigin(r);
        const live = !r.rollback || r.rollback.exitCode !== 0;
        return (
          <li key={r.id} aria-label={`Rollout ${r.id}`} data-stage={r.stage}>
            <h4>
              {r.stage === 'production' ? 'Production' : 'Staging'}: {r.targetNamespace} on {r.context}
            </h4>
            <dl>
              <dt>Applied</dt>
              <dd data-field="applied">{timeText(r.appliedAt)}</dd>
              <dt>Namespaces</dt>
              <dd data-field="map">
                {r.namespaceMap.length > 0 ? r.namespaceMap.join(', ') : `${r.sourceNamespaces.join(', ')} (as generated)`}
              </dd>
              <dt>Mode</dt>
              <dd data-field="mode">
                {MODE_TEXT[r.mode]} · {r.flavor}
              </dd>
              <dt>State</dt>
              <dd data-field="state" className={r.exitCode !== 0 || r.rollback?.exitCode ? 'bad' : undefined}>
                {rolloutState(r)}
              </dd>
              <dt>Created</dt>
              <dd data-field="created">{created.length > 0 ? created.map((o) => o.name).join(', ') : 'nothing'}</dd>
              {existed.length > 0 && (
                <>
                  <dt>Existed before</dt>
                  <dd data-field="existed" title="Rollback never deletes what was there before this rollout.">
                    {existed.map((o) => `${o.name} (${o.operation})`).join(', ')}
                  </dd>
                </>
              )}
              <dt>Policies</dt>
              <dd data-field="policies">
                {r.policies.map((p) => (
                  <span key={p.name} title={`sha256 ${p.sha256}`}>
                    {p.name} <code>{p.sha256.slice(0, 8)}</code>{' '}
                  </span>
                ))}
              </dd>
              {r.promotion && (
                <>
                  <dt>Promoted from</dt>
                  <dd data-field="promotion">
                    {r.promotion.from}; soak {r.promotion.soak.verdict}
                    {r.promotion.override ? ' (overridden by typing the namespace)' : ''}
                  </dd>
                </>
              )}
            </dl>
            {r.stage === 'staging' && live && (
              <SoakReport
                record={r}
                busy={busy}
                onCheck={(h) => (r.flavor === 'calico-staged' ? onCheckSoakFromFile(r, h) : onCheckSoak(r, h))}
                onAllow={(f) => onAllow(r, f)}
                allowed={allowed.get(r.id) ?? NONE}
              />
            )}
            <div className="row">
              <button type="button" disabled={busy || !live || created.length === 0 || !!mutationBlocked} onClick={() => onRollback(r)}>
                Roll back…
              </button>
              {r.stage === 'staging' && (
                <button type="button" disabled={busy || !!r.rollback || !!mutationBlocked} onClick={() => onPromote(r)}>
                  Promote to production…
                </button>
              )}
              {actionReason(r, busy, live, created.length, mutationBlocked) && (
                <span className="reason">{actionReason(r, busy, live, created.length, mutationBlocked)}</span>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
