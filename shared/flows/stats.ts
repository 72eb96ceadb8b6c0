// What a capture read counted: records by kind, and every bad line with its number (the first few
// with their reasons). The parser fills it; the file reader adds what only it can see (a damaged
// gzip stream, bytes after it) and merges the counts of its parser threads.
import { oneLine } from './one-line';
import type { BadLine, CaptureEvent, CaptureFormat } from './types';

/** How many node-status problems are kept with their lines (all are counted). */
export const KEEP_NODE_STATUS = 100;

/** A Hubble relay report that node(s) could not be reached, at a line of the capture. */
export interface NodeStatusAt {
  readonly state: string;
  readonly nodes: readonly string[];
  readonly message?: string;
  readonly line: number;
}

/** Where a compressed stream broke: everything after `afterLine` could not be read. */
export interface StreamDamage {
  /** The last complete line read before the damage. */
  readonly afterLine: number;
  /** About how far into the compressed file the damage was found (the decoder reads ahead a little). */
  readonly compressedByte: number;
  readonly compressedSize: number;
  readonly reason: string;
}

/** What one read of a capture counted; the reader's threads each fill their own, merged in the end. */
export interface ParserStats {
  format?: CaptureFormat;
  lines: number;
  /**
   * Records read, each line once (a flow seen at both ends is two). How many flow events and replies
   * an edge has is the graph's to say, per settled connection (EdgeEvidence.flows), never a record's
   * own reply flag.
   */
  records: number;
  nodeStatus: number;
  /** Node-status events saying nodes were unreachable: the first KEEP_NODE_STATUS, and how many in all. */
  readonly nodesUnavailable: NodeStatusAt[];
  nodesUnavailableEvents: number;
  lostEventRecords: number;
  lostEvents: number;
  skipped: number;
  badLines: number;
  readonly badSamples: BadLine[];
  truncatedLastLine: boolean;
  /** True when the cut-off last line is one of `badLines` (the `truncated` warning says that one, the bad lines the rest). */
  cutLineCounted?: boolean;
  /** Set by the file reader when a gzip stream broke before its end. */
  damaged?: StreamDamage;
  /** Set by the file reader when bytes that are no gzip data followed the gzip stream (they were ignored). */
  trailingData?: { readonly offset: number; readonly size: number };
}

/** Stats with nothing counted yet. */
export function emptyStats(): ParserStats {
  return {
    lines: 0,
    records: 0,
    nodeStatus: 0,
    nodesUnavailable: [],
    nodesUnavailableEvents: 0,
    lostEventRecords: 0,
    lostEvents: 0,
    skipped: 0,
    badLines: 0,
    badSamples: [],
    truncatedLastLine: false,
  };
}

/** Counts a bad line at `line`; its reason is kept (on one line) while fewer than `keep` are. */
export function countBadLine(stats: ParserStats, keep: number, line: number, reason: string): void {
  stats.badLines++;
  // One line per reason: JSON.parse messages quote the input, line breaks and all.
  if (stats.badSamples.length < keep) stats.badSamples.push({ line, reason: oneLine(reason) });
}

/** Counts a record read at `line` by what it was: a node-status report, lost events, or one to skip. */
export function countEvent(stats: ParserStats, ev: CaptureEvent, line: number): void {
  stats.records++;
  switch (ev.kind) {
    case 'node-status':
      stats.nodeStatus++;
      if (ev.status) {
        stats.nodesUnavailableEvents++;
        const { state, nodes, message } = ev.status;
        if (stats.nodesUnavailable.length < KEEP_NODE_STATUS)
          stats.nodesUnavailable.push({ state, nodes: [...nodes], ...(message !== undefined ? { message } : {}), line });
      }
      break;
    case 'lost-events':
      stats.lostEventRecords++;
      stats.lostEvents += Number.isFinite(ev.count) ? ev.count : 0;
      break;
    case 'skip':
      stats.skipped++;
      break;
  }
}
