import { CaptureError } from '../flows/types';
import { CaptureParser } from '../flows/parser';
import type { ParserStats } from '../flows/stats';
import { forEachLine } from '../flows/lines';
import { GraphBuilder, type BuildOptions } from './builder';
import type { CaptureCounts } from './warnings';
import type { ServiceGraph } from './types';

/** A capture read into a graph, with what the reader counted. */
export interface CaptureAnalysis {
  /** Where the capture was read from. */
  readonly file: string;
  /**
   * What the user calls it, when that is not `file`: the name of the file picked in a browser,
   * which the host stored under a path of its own. Summaries and messages say this.
   */
  readonly name?: string;
  readonly graph: ServiceGraph;
  readonly stats: ParserStats;
}

/** The capture as the user calls it: the picked file's name, else its path. */
export function captureName(a: Pick<CaptureAnalysis, 'file' | 'name'>): string {
  return a.name ?? a.file;
}

/** What the warnings need from the reader's stats. */
export function countsOf(stats: ParserStats): CaptureCounts {
  return {
    badLines: stats.badLines,
    firstBadLine: stats.badSamples[0],
    lostEvents: stats.lostEvents,
    truncatedLastLine: stats.truncatedLastLine,
    ...(stats.cutLineCounted ? { cutLineCounted: true } : {}),
    skipped: stats.skipped,
    nodesUnavailable: stats.nodesUnavailable,
    nodesUnavailableEvents: stats.nodesUnavailableEvents,
    ...(stats.damaged ? { damaged: stats.damaged } : {}),
    ...(stats.trailingData ? { trailingData: stats.trailingData } : {}),
  };
}

/**
 * Reads a whole capture held in memory (small files, tests, the renderer's sample); a cluster
 * snapshot, when given, resolves Services and labels the capture alone cannot.
 */
export function analyzeText(text: string, file: string, options: BuildOptions = {}): CaptureAnalysis {
  const builder = new GraphBuilder();
  const parser = new CaptureParser(file, (ev) => builder.addEvent(ev));
  forEachLine(text, (line, no, nl) => parser.pushLine(line, no, nl));
  const stats = parser.end();
  return { file, graph: builder.build(stats.format, countsOf(stats), options), stats };
}

/**
 * Why a capture that was read is still unusable input, or undefined: it holds no flow to build a
 * graph from (only bad lines, node status or records without a protocol the tool reads).
 */
export function unusableCapture(a: CaptureAnalysis): CaptureError | undefined {
  if (a.graph.edges.length > 0) return undefined;
  const read = [
    `${a.stats.records.toLocaleString('en-US')} record(s) read`,
    ...(a.stats.badLines > 0 ? [`${a.stats.badLines.toLocaleString('en-US')} bad line(s)`] : []),
  ].join(', ');
  return new CaptureError(
    captureName(a),
    `holds no flows to build a graph from (${read}). Capture while the workloads talk (hubble observe -o jsonpb --follow), or check that this is the capture you meant.`,
  );
}
