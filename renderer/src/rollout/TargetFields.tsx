import type { TargetMap } from './target';

interface Props {
  readonly contexts: readonly string[];
  readonly context: string;
  readonly onContext: (c: string) => void;
  readonly namespaces: readonly string[];
  readonly source: string;
  readonly onSource: (ns: string) => void;
  readonly target: string;
  readonly onTarget: (ns: string) => void;
  readonly others: string;
  readonly onOthers: (pairs: string) => void;
  /** The map the fields make, or which field is wrong and why: said next to that field. */
  readonly map: TargetMap;
}

/** Where a rollout goes: the kube context, whose policies, the target namespace, and the other namespaces their rules name; each with its label. */
export function TargetFields(p: Props) {
  const bad = (field: 'target' | 'others') => (!p.map.ok && p.map.field === field ? p.map.problem : undefined);
  const targetProblem = bad('target');
  const othersProblem = bad('others');
  return (
    <>
      <div className="row fields">
        <label htmlFor="rollout-context">Kube context</label>
        <select id="rollout-context" value={p.context} onChange={(e) => p.onContext(e.target.value)}>
          {p.contexts.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <label htmlFor="rollout-source">Namespace to roll out</label>
        <select id="rollout-source" value={p.source} onChange={(e) => p.onSource(e.target.value)}>
          {p.namespaces.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <label htmlFor="rollout-target">Target namespace</label>
        <input
          id="rollout-target"
          value={p.target}
          placeholder={`${p.source || 'payments'}-staging`}
          aria-invalid={targetProblem !== undefined}
          aria-describedby={targetProblem ? 'rollout-target-problem' : undefined}
          onChange={(e) => p.onTarget(e.target.value.trim())}
        />
      </div>
      {targetProblem && (
        <p className="field-problem" id="rollout-target-problem">
          {targetProblem}
        </p>
      )}
      <div className="row fields">
        <label htmlFor="rollout-others">Other namespace pairs</label>
        <input
          id="rollout-others"
          className="grow"
          placeholder="data=data-staging, audit=audit-staging"
          value={p.others}
          aria-invalid={othersProblem !== undefined}
          aria-describedby={othersProblem ? 'rollout-others-problem' : undefined}
          onChange={(e) => p.onOthers(e.target.value)}
        />
      </div>
      {othersProblem && (
        <p className="field-problem" id="rollout-others-problem" role="alert">
          {othersProblem}
        </p>
      )}
    </>
  );
}
