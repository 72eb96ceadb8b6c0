import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiError, AuditRecord, DryRunFile, Result, RolloutRecord } from '../../shared/api/contract';
import type { FlowRecord } from '../../shared/flows/types';
import { unmapFlow } from '../../shared/rollout/flow-namespaces';
import { auditMechanism, modeGuide, type RolloutFlavor, type RolloutMode } from '../../shared/rollout/mode';
import { kubeBlocked, useKubeContexts } from './kube';
import { AuditLog } from './rollout/AuditLog';
import { DropWatch } from './rollout/DropWatch';
import { ModeGuide } from './rollout/ModeGuide';
import { PromoteDialog } from './rollout/PromoteDialog';
import { RolloutList } from './rollout/RolloutList';
import { targetMap } from './rollout/target';
import './rollout/rollout.css';

interface Props {
  /** Namespace → the YAML of each policy for it, in the flavor shown. */
  readonly policiesFor: (namespace: string) => string[];
  readonly namespaces: readonly string[];
  readonly onAllowDrop: (drop: FlowRecord) => void;
  /** The flavor shown: what is applied. */
  readonly flavor: RolloutFlavor;
}

/**
 * Rollout: where to (context, target namespace and the namespace map), in which mode (with what
 * each CNI needs for audit), dry-run and apply through main's confirmation, the workspace's
 * rollouts (rollback, promotion), the live drop watch, and the audit log.
 */
export function RolloutPanel({ policiesFor, namespaces, onAllowDrop, flavor }: Props) {
  const [source, setSource] = useState(namespaces[0] ?? '');
  const [target, setTarget] = useState(namespaces[0] ?? '');
  const [others, setOthers] = useState('');
  const [chosenMode, setMode] = useState<RolloutMode>('enforce');
  // Staged policies only ever audit.
  const mode: RolloutMode = flavor === 'calico-staged' ? 'audit' : chosenMode;
  const [results, setResults] = useState<DryRunFile[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [rollouts, setRollouts] = useState<readonly RolloutRecord[]>([]);
  const [promoting, setPromoting] = useState<RolloutRecord | null>(null);
  const [busy, setBusy] = useState(false);
  const [kubeError, setKubeError] = useState<ApiError | null>(null);
  const { contexts, context, setContext, loaded } = useKubeContexts(setKubeError);

  const reload = useCallback(() => {
    void window.netpol.auditLog().then((r) => r.ok && setAudit(r.value));
    void window.netpol.listRollouts().then((r) => r.ok && setRollouts(r.value));
  }, []);
  useEffect(() => {
    reload();
    return window.netpol.onRollouts(setRollouts);
  }, [reload]);

  const run = async <T,>(f: () => Promise<Result<T>>, done: (v: T) => void): Promise<void> => {
    setError(null);
    setMessage(null);
    setBusy(true);
    const r = await f();
    setBusy(false);
    if (r.ok) done(r.value);
    else setError(r.error);
    reload();
  };

  const policies = source ? policiesFor(source) : [];
  const map = useMemo(() => targetMap(source, target, others), [source, target, others]);
  const mechanism = auditMechanism(flavor, mode);
  const guide = modeGuide(flavor, mode, context || 'CONTEXT', target || 'NAMESPACE');
  // Why Dry-run and Apply are greyed out, said above them (and on each as its tooltip).
  const blocked =
    kubeBlocked({ error: kubeError, loaded, contexts }) ??
    (policies.length === 0
      ? `No policies for ${source || 'this namespace'}: tick it under Lock down on the Policies tab.`
      : !map.ok
        ? map.problem
        : typeof mechanism === 'object'
          ? mechanism.problem
          : undefined);
  const request = map.ok ? { context, namespace: target, namespaceMap: [...map.pairs], flavor, policies } : undefined;
  const disabled = blocked !== undefined || !context || !request || busy;
  const actionProps = { disabled, 'aria-describedby': blocked ? 'rollout-blocked' : undefined, title: blocked };
  const allowDrop = (d: FlowRecord): void => onAllowDrop(map.ok ? unmapFlow(d, map.map) : d);

  return (
    <section className="rollout" aria-label="Rollout">
      <div className="row">
        <label>
          Context{' '}
          <select aria-label="Kube context" value={context} onChange={(e) => setContext(e.target.value)}>
            {contexts.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Policies for{' '}
          <select
            aria-label="Namespace to roll out"
            value={source}
            onChange={(e) => {
              // The target follows the source until the user makes it another namespace.
              if (target === source) setTarget(e.target.value);
              setSource(e.target.value);
            }}
          >
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          to namespace <input aria-label="Target namespace" value={target} onChange={(e) => setTarget(e.target.value.trim())} />
        </label>
      </div>
      <div className="row">
        <label className="grow">
          Other namespaces their rules name{' '}
          <input
            aria-label="Other namespace pairs"
            placeholder="data=data-staging"
            value={others}
            onChange={(e) => setOthers(e.target.value)}
          />
        </label>
      </div>
      <p className="hint" data-field="map">
        {policies.length} {flavor} policies for {source || 'this namespace'}
        {map.ok && map.pairs.length > 0 ? `; namespace map ${map.pairs.join(', ')}` : ''}.
      </p>
      <fieldset className="row mode" aria-label="Mode">
        <label>
          <input
            type="radio"
            name="rollout-mode"
            checked={mode === 'enforce'}
            disabled={flavor === 'calico-staged'}
            onChange={() => setMode('enforce')}
          />{' '}
          Enforce
        </label>
        <label>
          <input type="radio" name="rollout-mode" checked={mode === 'audit'} onChange={() => setMode('audit')} /> Audit
        </label>
      </fieldset>
      <ModeGuide guide={guide} />
      {blocked && (
        <p className="blocked" role="note" id="rollout-blocked" data-testid="rollout-blocked">
          {blocked}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          {...actionProps}
          onClick={() => request && void run(() => window.netpol.dryRun(request, 'client'), setResults)}
        >
          Dry-run (client)
        </button>
        <button
          type="button"
          {...actionProps}
          onClick={() => request && void run(() => window.netpol.dryRun(request, 'server'), setResults)}
        >
          Dry-run (server)
        </button>
        <button
          type="button"
          className="primary"
          {...actionProps}
          onClick={() =>
            request &&
            void run(
              () => window.netpol.applyRollout({ ...request, mode }),
              (r) => setMessage(`Applied to ${r.targetNamespace} on ${r.context}: ${r.objects.length} object(s). Recorded below.`),
            )
          }
        >
          Apply to staging…
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
          {error.hint ? ` ${error.hint}` : ''}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {results && (
        <ul aria-label="Dry-run results">
          {results.map((r) => (
            <li key={r.file} className={r.ok ? 'ok' : 'bad'}>
              <code>{r.file}</code>: {r.output}
            </li>
          ))}
        </ul>
      )}
      <h3>Rollouts</h3>
      <RolloutList
        rollouts={rollouts}
        busy={busy}
        onRollback={(r) =>
          void run(
            () => window.netpol.rollbackRollout(r.id),
            (v) => setMessage(`Rolled back ${v.targetNamespace} on ${v.context}: ${v.rollback?.deleted.length ?? 0} deleted.`),
          )
        }
        onPromote={setPromoting}
      />
      {promoting && (
        <PromoteDialog
          staging={promoting}
          contexts={contexts}
          policies={policiesFor(promoting.sourceNamespaces[0] ?? '')}
          onDone={(r) => {
            setMessage(`Promoted to ${r.targetNamespace} on ${r.context}: ${r.objects.length} object(s).`);
            reload();
          }}
          onClose={() => setPromoting(null)}
        />
      )}
      <DropWatch
        namespace={target}
        verdict={mechanism === 'cilium-audit-mode' ? 'AUDIT' : 'DROPPED'}
        onAllowDrop={allowDrop}
        onError={setError}
      />
      <h3>Audit log</h3>
      <AuditLog entries={audit} />
    </section>
  );
}
