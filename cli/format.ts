import { oneLine } from '../shared/flows/one-line';
import { formatDuration } from '../shared/graph/warnings';
import type { CaptureSummary } from '../shared/graph/summary';

const n = (x: number): string => x.toLocaleString('en-US');

/** The human-readable form of `summarize`. */
export function formatSummary(s: CaptureSummary): string {
  const rows: [string, string][] = [
    ['capture', s.file],
    ['format', s.format ?? 'unknown'],
    ['window', s.window ? `${s.window.start} → ${s.window.end} (${formatDuration(s.window.durationMs)})` : 'no timestamps'],
    ['flows', `${n(s.flows)} flow events, both directions, each once (${n(s.replies)} of them replies; ${n(s.records)} records read)`],
    ['connections', n(s.connections)],
    [
      'bad lines',
      s.badLines === 0
        ? '0'
        : `${n(s.badLines)}${s.badLineSamples[0] ? ` (first: line ${s.badLineSamples[0].line}, ${s.badLineSamples[0].reason})` : ''}`,
    ],
    ['lost events', n(s.lostEvents)],
    ['namespaces', s.namespaces.join(', ') || '-'],
    ['workloads', n(s.workloads)],
    ['entities', s.entities.join(', ') || '-'],
    ['external', `${n(s.externalAddresses)} address(es)`],
    ['edges', `${n(s.edges)}${s.droppedEdges ? ` (${n(s.droppedEdges)} with dropped flows)` : ''}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  // One row per line, whatever a file name or a quoted bad line holds.
  let out = rows.map(([k, v]) => `${k.padEnd(width)}  ${oneLine(v)}`).join('\n') + '\n';
  if (s.warnings.length > 0) {
    out += '\nwarnings:\n' + s.warnings.map((w) => `  ! ${oneLine(w.message)}`).join('\n') + '\n';
  }
  return out;
}
