import type { PatchedPolicies, RolloutRecord } from '../../../shared/api/contract';
import { timeText } from './target';

interface Props {
  /** The policies with rules added from soaks, as main keeps them in the workspace. */
  readonly patched: readonly PatchedPolicies[];
  readonly rollouts: readonly RolloutRecord[];
  readonly busy: boolean;
  /** Why nothing can be applied here at all (no native confirmation in this host). */
  readonly mutationBlocked?: string;
  /** Applies the patched set again where the rollout its last rule came from went. */
  readonly onApplyAgain: (p: PatchedPolicies, from: RolloutRecord) => void;
  readonly onRemove: (p: PatchedPolicies) => void;
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);

/** The newest staging rollout that applied exactly these policies, if one did. */
export function appliedAs(p: PatchedPolicies, rollouts: readonly RolloutRecord[]): RolloutRecord | undefined {
  return [...rollouts].reverse().find((r) => r.stage === 'staging' && r.sourcePolicies !== undefined && same(r.sourcePolicies, p.policies));
}

/**
 * The rules added with Allow, kept with the workspace (a restart keeps them): which flows, whether
 * the set with them was applied since, and "Apply to staging again" to where their soak was.
 */
export function AddedRules({ patched, rollouts, busy, mutationBlocked, onApplyAgain, onRemove }: Props) {
  if (patched.length === 0) return null;
  return (
    <section className="added-rules" aria-label="Rules added from soaks">
      <h3>Rules added from soaks</h3>
      {patched.map((p) => {
        const from = rollouts.find((r) => r.id === p.from);
        const applied = appliedAs(p, rollouts);
        const reason =
          mutationBlocked ??
          (busy
            ? 'Waiting for the operation under way.'
            : !from
              ? `Rollout ${p.from} is no longer in this workspace: apply them with the fields above.`
              : undefined);
        return (
          <div key={`${p.namespace} ${p.flavor}`} className="added" data-namespace={p.namespace} data-flavor={p.flavor}>
            <p>
              The {p.flavor} policies of {p.namespace} carry {p.added.length === 1 ? 'a rule' : `${p.added.length} rules`} added with Allow,
              kept with this workspace:
            </p>
            <ul aria-label={`Rules added to ${p.namespace}`}>
              {p.added.map((a) => (
                <li key={`${a.rollout} ${a.edge}`}>
                  <code>{a.edge}</code> (soak of rollout {a.rollout})
                </li>
              ))}
            </ul>
            <p className="hint" data-field="applied">
              {applied
                ? `Applied as rollout ${applied.id} (${timeText(applied.appliedAt)}): Check soak there; its promotion sends these policies.`
                : from
                  ? `Not applied since: apply them to ${from.targetNamespace} on ${from.context} again, then Check soak.`
                  : 'Not applied since.'}
            </p>
            <div className="row">
              <button
                type="button"
                className={applied ? undefined : 'primary'}
                disabled={reason !== undefined}
                onClick={() => from && onApplyAgain(p, from)}
              >
                Apply to staging again…
              </button>
              <button type="button" disabled={busy} onClick={() => onRemove(p)}>
                Remove the added rules
              </button>
              {reason && <span className="reason">{reason}</span>}
            </div>
          </div>
        );
      })}
    </section>
  );
}
