import { useEffect, useRef, useState } from 'react';
import type { ApiError, RolloutRecord, SoakSummary } from '../../../shared/api/contract';
import { soakSummary } from '../../../shared/rollout/soak-summary';
import { targetMap, timeText } from './target';

interface Props {
  /** The staging rollout, with the soak main stored for it (what main's promotion reads). */
  readonly staging: RolloutRecord;
  readonly contexts: readonly string[];
  /** The policies of the staging rollout's source namespace, as the window generates them now. */
  readonly policies: readonly string[];
  readonly onDone: (r: RolloutRecord) => void;
  readonly onClose: () => void;
}

const SOAK_WORDS: Record<SoakSummary['verdict'], string> = {
  clean: 'Clean for a business cycle: ready to promote.',
  'missing-rules': 'Not clean: flows with a missing rule.',
  'too-short': 'Not clean yet: the flows read do not cover a business cycle.',
  undecided: 'Not clean: some flows cannot be decided from what was read.',
  'not-run': 'No soak report: nothing says staging was clean.',
};

/**
 * "Promote to production": the production context and namespace, the soak's verdict, and, when it
 * is not clean, the production namespace's name to type to override it. Main checks all of it
 * again and asks twice in its own dialog before anything reaches the cluster.
 */
export function PromoteDialog({ staging, contexts, policies, onDone, onClose }: Props) {
  const soak = soakSummary(staging.soak);
  const ref = useRef<HTMLDialogElement>(null);
  const source = staging.sourceNamespaces[0] ?? staging.targetNamespace;
  const [context, setContext] = useState(contexts.find((c) => c !== staging.context) ?? staging.context);
  const [namespace, setNamespace] = useState(source);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const map = targetMap(source, namespace, '');
  const clean = soak.verdict === 'clean';
  const overrideOk = clean || typed === namespace;
  const promote = async (): Promise<void> => {
    if (!map.ok) return;
    setBusy(true);
    setError(null);
    const r = await window.netpol.promoteRollout({
      from: staging.id,
      context,
      namespace,
      namespaceMap: [...map.pairs],
      policies: [...policies],
      ...(clean ? {} : { override: typed }),
    });
    setBusy(false);
    if (r.ok) {
      onDone(r.value);
      ref.current?.close();
    } else setError(r.error);
  };
  return (
    <dialog ref={ref} className="promote-dialog" aria-label="Promote to production" onClose={onClose}>
      <h2>Promote to production</h2>
      <p>
        The policies of staging rollout <code>{staging.id}</code> ({staging.targetNamespace} on {staging.context}, applied{' '}
        {timeText(staging.appliedAt)}), the same files by hash, applied to production and enforced.
      </p>
      <div className="row">
        <label>
          Production context{' '}
          <select aria-label="Production context" value={context} onChange={(e) => setContext(e.target.value)}>
            {contexts.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Production namespace{' '}
          <input aria-label="Production namespace" value={namespace} onChange={(e) => setNamespace(e.target.value.trim())} />
        </label>
      </div>
      <p className="hint" data-field="map">
        {map.ok ? (map.pairs.length > 0 ? `Namespace map: ${map.pairs.join(', ')}` : `Applied to ${namespace} as generated.`) : map.problem}
      </p>
      <section className={clean ? 'soak clean' : 'soak not-clean'} aria-label="Soak">
        <strong>{SOAK_WORDS[soak.verdict]}</strong> {soak.headline}
        {soak.verdict !== 'not-run' && (
          <div className="hint">
            Report <code>sha256 {soak.hash}</code>
          </div>
        )}
      </section>
      {!clean && (
        <label className="override">
          <span>
            To promote anyway, type <strong>{namespace}</strong>: the override is written to the audit log.
          </span>
          <input aria-label="Type the production namespace to override" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
      )}
      <p className="hint">Main asks twice, in its own dialog, before anything is sent to {context}.</p>
      {error && (
        <p className="error" role="alert">
          {error.message}
          {error.hint ? ` ${error.hint}` : ''}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="primary" disabled={busy || !map.ok || !overrideOk} onClick={() => void promote()}>
          {clean ? 'Promote…' : 'Promote anyway…'}
        </button>
        <button type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
