import type { ApiError, OpenedCapture } from '../../shared/api/contract';
import { formatCount } from '../../shared/policy/format';
import { formatDuration } from '../../shared/graph/warnings';
import { fileName } from '../../shared/graph/summary';
import { useState } from 'react';
import { Banner } from './Banner';
import { useKubeContexts } from './kube';

const n = formatCount;

/** Warnings a cluster snapshot can answer: Service frontends with no known backend, workloads whose records had no labels. */
const SNAPSHOT_HELPS = new Set(['unresolved-service', 'unlabelled-workloads']);

/** Takes a snapshot of the context and reads the capture again with it; the error when that failed. */
type Resolve = (context: string) => Promise<ApiError | undefined>;

/**
 * The headline figures of the open capture, and the warnings to read before trusting it. When a
 * cluster snapshot would resolve what the capture cannot, it offers to take one (`onResolve`).
 */
export function SummaryView({ opened, onResolve }: { readonly opened: OpenedCapture; readonly onResolve?: Resolve }) {
  const s = opened.summary;
  const rows: [string, string][] = [
    ['Format', s.format ?? 'unknown'],
    ['Time window', s.window ? `${s.window.start} → ${s.window.end} (${formatDuration(s.window.durationMs)})` : 'no timestamps'],
    ['Flows', `${n(s.flows)} flow events, both directions, each once (${n(s.replies)} of them replies; ${n(s.records)} records read)`],
    ['Connections', n(s.connections)],
    ['Namespaces', s.namespaces.join(', ') || '–'],
    ['Workloads', n(s.workloads)],
    ['Entities', s.entities.join(', ') || '–'],
    ['External addresses', n(s.externalAddresses)],
    ['Edges', `${n(s.edges)}${s.droppedEdges ? ` (${n(s.droppedEdges)} with dropped flows)` : ''}`],
    ['Bad lines', n(s.badLines)],
    ['Lost events', n(s.lostEvents)],
    ...(opened.snapshot ? [['Resolved with', opened.snapshot] as [string, string]] : []),
  ];
  const snapshotHelps = !opened.snapshot && onResolve && s.warnings.some((w) => SNAPSHOT_HELPS.has(w.code));
  return (
    <section className="summary" aria-label="Capture summary">
      <h2>
        {opened.sample ? 'Sample capture' : 'Capture'} <span className="file">{fileName(s.file)}</span>
      </h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k} className="row">
            <dt>{k}</dt>
            <dd data-field={k}>{v}</dd>
          </div>
        ))}
      </dl>
      {s.warnings.length > 0 && (
        <section className="warnings" aria-label="Warnings">
          <h3>Read before trusting policies from this capture</h3>
          <ul>
            {s.warnings.map((w, i) => (
              <li key={`${w.code}-${i}`} data-code={w.code}>
                {w.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {snapshotHelps && <ResolveWithCluster onResolve={onResolve} />}
      {s.badLineSamples.length > 0 && (
        <section className="bad-lines" aria-label="Bad lines">
          <h3>Lines that could not be read</h3>
          <ul>
            {s.badLineSamples.map((b) => (
              <li key={b.line}>
                line {b.line}: {b.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/**
 * Takes a snapshot of a cluster (in main, read-only) to resolve Services and labels the capture
 * cannot. A snapshot that fails is shown here, beside the button: the capture stays as it is.
 */
function ResolveWithCluster({ onResolve }: { readonly onResolve: Resolve }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ context: string; error: ApiError } | null>(null);
  const resolve = async (c: string): Promise<void> => {
    setBusy(true);
    setFailure(null);
    const e = await onResolve(c);
    setBusy(false);
    if (e) setFailure({ context: c, error: e });
  };
  const { contexts, context, setContext, loaded } = useKubeContexts((e) => setError(e.hint ? `${e.message} ${e.hint}` : e.message));
  return (
    <section className="resolve" aria-label="Resolve with the cluster">
      <h3>Resolve with the cluster</h3>
      <p>
        Some flows go to Services or workloads this capture alone cannot name. A snapshot of the cluster (
        <code>kubectl get svc,endpointslices,pods,namespaces -A -o json</code>, read-only, under your kubeconfig) gives Services their
        backends and workloads their labels.
      </p>
      {error && <p className="error">{error}</p>}
      {!error && loaded && contexts.length === 0 && (
        <p className="error">
          kubectl knows no context: add your cluster to your kubeconfig (`kubectl config get-contexts` lists them), then open this capture
          again.
        </p>
      )}
      <label>
        Context{' '}
        <select aria-label="Kube context for the snapshot" value={context} onChange={(e) => setContext(e.target.value)}>
          {contexts.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>{' '}
      <button type="button" disabled={!context || busy} onClick={() => void resolve(context)}>
        {busy ? 'Taking a snapshot…' : 'Take a snapshot and resolve'}
      </button>
      {failure &&
        (failure.error.code === 'cancelled' ? (
          <p className="hint" role="status">
            {failure.error.message}
          </p>
        ) : (
          <Banner kind="error" label="Snapshot failed" onClose={() => setFailure(null)}>
            <strong>The snapshot of {failure.context} failed; the capture is unchanged.</strong> <span>{failure.error.message}</span>
            {failure.error.hint && <p>{failure.error.hint}</p>}
          </Banner>
        ))}
    </section>
  );
}
