import { dataLossWarnings } from '../shared/graph/warnings';
import { unusableCapture, type CaptureAnalysis } from '../shared/graph/analysis';
import { analyzeFile } from '../shared/node/capture/read-capture';
import { readClusterSnapshot } from '../shared/node/cluster/read-snapshot';
import type { ClusterSnapshot } from '../shared/cluster/snapshot';

/**
 * Reads a capture for a command, resolved with the cluster snapshot files when any are given
 * (`--snapshot FILE`, repeatable). Throws CaptureError or SnapshotError with a message that
 * names the file and says what to do, a capture without flows included (`allowEmpty` keeps it,
 * for `summarize` to show what was read before it says so).
 */
export async function readCapture(
  capture: string,
  snapshots: readonly string[] = [],
  io?: { readonly err: (s: string) => void },
  opts: { readonly allowEmpty?: boolean } = {},
): Promise<CaptureAnalysis & { readonly snapshot?: ClusterSnapshot }> {
  const snapshot = snapshots.length > 0 ? await readClusterSnapshot(snapshots) : undefined;
  const analysis = await analyzeFile(capture, { snapshot });
  const unusable = opts.allowEmpty ? undefined : unusableCapture(analysis);
  if (unusable) throw unusable;
  // What a command decides from a capture that lost flows is said with the loss, first.
  for (const w of dataLossWarnings(analysis.graph.warnings))
    io?.err(`netpol-studio: warning: ${capture}: flows are missing (${w.code}): ${w.message}\n`);
  return { ...analysis, ...(snapshot ? { snapshot } : {}) };
}
