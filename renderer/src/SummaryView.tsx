import type { OpenedCapture } from '../../shared/api/contract';
import { formatCount } from '../../shared/policy/format';
import { formatDuration } from '../../shared/graph/warnings';

const n = formatCount;

/** The headline figures of the open capture, and the warnings to read before trusting it. */
export function SummaryView({ opened }: { readonly opened: OpenedCapture }) {
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
  ];
  return (
    <section className="summary" aria-label="Capture summary">
      <h2>
        {opened.sample ? 'Sample capture' : 'Capture'} <span className="file">{s.file.split(/[\\/]/).pop()}</span>
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
            {s.warnings.map((w) => (
              <li key={w.code} data-code={w.code}>
                {w.message}
              </li>
            ))}
          </ul>
        </section>
      )}
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
