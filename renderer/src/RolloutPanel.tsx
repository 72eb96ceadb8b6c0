import { useCallback, useEffect, useState } from 'react';
import type { ApiError, AuditRecord, DryRunFile } from '../../shared/api/contract';
import type { FlowRecord } from '../../shared/flows/types';
import { peerKey } from '../../shared/graph/keys';
import { kubeBlocked, useKubeContexts } from './kube';

interface Props {
  /** Namespace → the YAML of each policy for it. */
  readonly policiesFor: (namespace: string) => string[];
  readonly namespaces: readonly string[];
  readonly onAllowDrop: (drop: FlowRecord) => void;
  /** The flavor shown: rollout applies NetworkPolicies (the Kubernetes flavor). */
  readonly flavor: 'kubernetes' | 'cilium';
}

const peerText = (p: FlowRecord['src']): string => peerKey(p).replace(/^(entity|ip):/, '');

/** Dry-run, apply to staging (through main's confirmation), rollback, the audit log, and the live drop watch. */
export function RolloutPanel({ policiesFor, namespaces, onAllowDrop, flavor }: Props) {
  const [namespace, setNamespace] = useState(namespaces[0] ?? '');
  const [results, setResults] = useState<DryRunFile[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [watching, setWatching] = useState(false);
  const [drops, setDrops] = useState<FlowRecord[]>([]);
  const [kubeError, setKubeError] = useState<ApiError | null>(null);
  const { contexts, context, setContext, loaded } = useKubeContexts(setKubeError);

  const loadAudit = useCallback(() => {
    void window.netpol.auditLog().then((r) => r.ok && setAudit(r.value));
  }, []);

  useEffect(() => {
    loadAudit();
    return window.netpol.onDrop((d) => setDrops((all) => [d, ...all].slice(0, 100)));
  }, [loadAudit]);

  const run = async <T,>(
    f: () => Promise<{ ok: true; value: T } | { ok: false; error: ApiError }>,
    done: (v: T) => void,
  ): Promise<void> => {
    setError(null);
    setMessage(null);
    const r = await f();
    if (r.ok) done(r.value);
    else setError(r.error);
    loadAudit();
  };

  const policies = namespace ? policiesFor(namespace) : [];
  // Why Dry-run and Apply are greyed out, said above them (and on each as its tooltip).
  const blocked =
    kubeBlocked({ error: kubeError, loaded, contexts }) ??
    (flavor !== 'kubernetes'
      ? 'Rollout applies NetworkPolicies: choose the Kubernetes flavor on the Policies tab.'
      : policies.length === 0
        ? `No policies for ${namespace || 'this namespace'}: tick it under Lock down on the Policies tab.`
        : undefined);
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
          Namespace{' '}
          <select aria-label="Namespace to roll out" value={namespace} onChange={(e) => setNamespace(e.target.value)}>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
      </div>
      <p className="hint">{policies.length} policies for this namespace.</p>
      {blocked && (
        <p className="blocked" role="note" id="rollout-blocked" data-testid="rollout-blocked">
          {blocked}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          disabled={blocked !== undefined || !context}
          aria-describedby={blocked ? 'rollout-blocked' : undefined}
          title={blocked}
          onClick={() => void run(() => window.netpol.dryRun(context, namespace, policies, 'client'), setResults)}
        >
          Dry-run (client)
        </button>
        <button
          type="button"
          disabled={blocked !== undefined || !context}
          aria-describedby={blocked ? 'rollout-blocked' : undefined}
          title={blocked}
          onClick={() => void run(() => window.netpol.dryRun(context, namespace, policies, 'server'), setResults)}
        >
          Dry-run (server)
        </button>
        <button
          type="button"
          className="primary"
          disabled={blocked !== undefined || !context}
          aria-describedby={blocked ? 'rollout-blocked' : undefined}
          title={blocked}
          onClick={() =>
            void run(
              () => window.netpol.applyPolicies(context, namespace, policies),
              (v) => setMessage(`Applied: ${v.output}`),
            )
          }
        >
          Apply to staging…
        </button>
        <button
          type="button"
          onClick={() =>
            void run(
              () => window.netpol.rollback(),
              (v) => setMessage(`Rolled back: ${v.output}`),
            )
          }
        >
          Roll back last apply
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
      <h3>Drops in {namespace || 'the namespace'}</h3>
      <button
        type="button"
        disabled={!namespace}
        onClick={() =>
          void run(
            () => (watching ? window.netpol.stopDropWatch() : window.netpol.startDropWatch({ namespace })),
            () => setWatching(!watching),
          )
        }
      >
        {watching ? 'Stop watching' : 'Watch drops'}
      </button>
      <ul aria-label="Drops">
        {drops.map((d, i) => (
          <li key={`${d.time}-${i}`}>
            {peerText(d.src)} → {peerText(d.dst)}:{d.port ?? ''}/{d.protocol} {d.dropReason ?? ''}{' '}
            <button type="button" onClick={() => onAllowDrop(d)}>
              Allow this flow
            </button>
          </li>
        ))}
      </ul>
      <h3>Audit log</h3>
      <ul aria-label="Audit log">
        {audit.map((a) => (
          <li key={`${a.time}-${a.action}`}>
            {a.time} {a.action} {a.namespace} on {a.context}: {a.files.length} file(s), exit {a.exitCode}
          </li>
        ))}
      </ul>
    </section>
  );
}
