import { isDnsPort } from './keys';
import type { GraphEdge, GraphNode, GraphWarning, ServiceGraph } from './types';

/** What the reader counted, for the warnings that are about the capture rather than the graph. */
export interface CaptureCounts {
  readonly badLines: number;
  readonly firstBadLine?: { readonly line: number; readonly reason: string };
  readonly lostEvents: number;
  readonly truncatedLastLine: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Formats a duration in words: `3 min 20 s`, `5 h 12 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function list(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The warnings a user must see before trusting policies generated from this graph. */
export function graphWarnings(
  graph: Pick<ServiceGraph, 'nodes' | 'edges' | 'window'>,
  dnsClients: ReadonlySet<string>,
  counts: CaptureCounts,
): GraphWarning[] {
  const out: GraphWarning[] = [];
  const edges: readonly GraphEdge[] = graph.edges;
  if (edges.length === 0) {
    out.push({ code: 'no-flows', message: 'The capture holds no connections to build a graph from.' });
  }
  const workloads = new Map<string, GraphNode>(graph.nodes.filter((n) => n.kind === 'workload').map((n) => [n.id, n]));
  const egressWithoutDns = [
    ...new Set(
      edges.filter((e) => workloads.has(e.source) && !isDnsPort(e.protocol, e.port) && !dnsClients.has(e.source)).map((e) => e.source),
    ),
  ].sort();
  if (egressWithoutDns.length > 0) {
    out.push({
      code: 'no-dns',
      message: `${egressWithoutDns.length} workload(s) made connections but no DNS lookup from them was seen (capture window too short?): ${list(egressWithoutDns)}. Their generated egress policy may block DNS.`,
      subjects: egressWithoutDns,
    });
  }
  if (counts.lostEvents > 0) {
    out.push({
      code: 'lost-events',
      message: `Hubble lost ${counts.lostEvents} event(s) during the capture, so some flows are missing. Capture again with a narrower filter or a larger Hubble buffer.`,
    });
  }
  if (graph.window) {
    const span = graph.window.end - graph.window.start;
    if (span < DAY_MS) {
      out.push({
        code: 'short-window',
        message: `The capture covers ${formatDuration(span)}, less than 24 hours: nightly jobs, backups and batch traffic may be missing.`,
      });
    }
  }
  const dropped = edges.filter((e) => (e.evidence.verdicts.DROPPED ?? 0) > 0);
  if (dropped.length > 0) {
    const events = dropped.reduce((n, e) => n + (e.evidence.verdicts.DROPPED ?? 0), 0);
    out.push({
      code: 'dropped-flows',
      message: `${events} dropped flow event(s) on ${dropped.length} edge(s); edges that were only ever dropped start pruned.`,
      subjects: dropped.map((e) => e.key),
    });
  }
  if (counts.badLines > 0) {
    const first = counts.firstBadLine ? ` (first at line ${counts.firstBadLine.line}: ${counts.firstBadLine.reason})` : '';
    out.push({ code: 'bad-lines', message: `${counts.badLines} line(s) could not be read and were skipped${first}.` });
  }
  if (counts.truncatedLastLine) {
    out.push({
      code: 'truncated',
      message: 'The capture ends in the middle of a record: it was cut short, and the last record was skipped.',
    });
  }
  return out;
}
