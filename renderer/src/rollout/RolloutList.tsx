import type { RolloutRecord } from '../../../shared/api/contract';
import { objectsByOrigin, rolloutState, timeText } from './target';

interface Props {
  readonly rollouts: readonly RolloutRecord[];
  readonly onRollback: (r: RolloutRecord) => void;
  readonly onPromote: (r: RolloutRecord) => void;
  /** Set while an operation runs: the buttons wait. */
  readonly busy: boolean;
}

const MODE_TEXT = { enforce: 'enforce', audit: 'audit' } as const;

/** The workspace's rollouts, newest first: where, how, when, and exactly what each created. */
export function RolloutList({ rollouts, onRollback, onPromote, busy }: Props) {
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
            <div className="row">
              <button type="button" disabled={busy || !live || created.length === 0} onClick={() => onRollback(r)}>
                Roll back…
              </button>
              {r.stage === 'staging' && (
                <button type="button" disabled={busy || !!r.rollback} onClick={() => onPromote(r)}>
                  Promote to production…
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
