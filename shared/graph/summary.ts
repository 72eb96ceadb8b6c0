import type { CaptureFormat } from '../flows/types';
import { captureName, type CaptureAnalysis } from './analysis';
import type { BadLine } from '../flows/types';
import type { WarningCode } from './types';

/** The headline figures of a capture: what `summarize --json` prints and the app shows first. */
export interface CaptureSummary {
  readonly file: string;
  readonly format: CaptureFormat | null;
  /** Flow events of every edge, both directions, each counted once (the sum of the edges' `flows`). */
  readonly flows: number;
  /** Records read, including events seen at both ends. */
  readonly records: number;
  /** How many of `flows` travelled server → client. */
  readonly replies: number;
  readonly connections: number;
  readonly badLines: number;
  readonly badLineSamples: readonly BadLine[];
  readonly lostEvents: number;
  readonly truncatedLastLine: boolean;
  readonly window: { readonly start: string; readonly end: string; readonly durationMs: number } | null;
  readonly namespaces: readonly string[];
  readonly workloads: number;
  readonly entities: readonly string[];
  readonly externalAddresses: number;
  readonly edges: number;
  readonly droppedEdges: number;
  readonly warnings: readonly { readonly code: WarningCode; readonly message: string }[];
}

/** The last part of a capture's path or name: what titles, headings and reports call it. */
export function fileName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The headline figures of a capture (named as the user calls it). */
export function summarize(a: CaptureAnalysis): CaptureSummary {
  const { graph, stats } = a;
  return {
    file: captureName(a),
    format: stats.format ?? null,
    flows: graph.edges.reduce((n, e) => n + e.evidence.flows, 0),
    records: stats.records,
    replies: graph.edges.reduce((n, e) => n + e.evidence.replies, 0),
    connections: graph.edges.reduce((n, e) => n + e.evidence.connections, 0),
    badLines: stats.badLines,
    badLineSamples: stats.badSamples,
    lostEvents: stats.lostEvents,
    truncatedLastLine: stats.truncatedLastLine,
    window: graph.window
      ? {
          start: new Date(graph.window.start).toISOString(),
          end: new Date(graph.window.end).toISOString(),
          durationMs: graph.window.end - graph.window.start,
        }
      : null,
    namespaces: graph.namespaces,
    workloads: graph.nodes.filter((n) => n.kind === 'workload').length,
    entities: graph.nodes.filter((n) => n.kind === 'entity').map((n) => n.label),
    externalAddresses: graph.nodes.filter((n) => n.kind === 'external').length,
    edges: graph.edges.length,
    droppedEdges: graph.edges.filter((e) => (e.evidence.verdicts.DROPPED ?? 0) > 0).length,
    warnings: graph.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}
