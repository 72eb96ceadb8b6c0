// What the flows read since an apply cover, against the business cycle and the hours the original
// capture saw its batch traffic. A window is judged by the first and last flow time read: Hubble's
// ring buffer holds a contiguous stretch of the newest flows, so where its first flow is later than
// the apply, what came before was lost, and that is said with how much was covered.
import type { ServiceGraph } from '../graph/types';
import { formatDuration } from '../graph/warnings';
import { formatWindow } from '../policy/format';
import type { BatchWindow, SoakWindow } from './soak-types';

export const DAY_MS = 86_400_000;
/**
 * How long after the apply the first flow may be read and the flows still count as reaching back:
 * `--since TIME` starts at the first flow after it, and a namespace in use talks at least every few
 * minutes. A later first flow is taken as the buffer not reaching back.
 */
export const START_SLACK_MS = 5 * 60_000;
/** An original capture shorter than this cannot tell batch traffic from the rest: every edge is seen briefly. */
export const BATCH_MIN_CAPTURE_MS = 12 * 3_600_000;
/** Longest an edge may have been seen for to count as batch traffic (and at most a quarter of the capture). */
export const BATCH_MAX_SPAN_MS = 2 * 3_600_000;
/** Batch edges seen within this of each other run together (one nightly job's several connections). */
const BATCH_JOIN_MS = 15 * 60_000;

/**
 * The stretches of the day the original capture saw traffic only then: its edges with an end in the
 * source namespaces seen for at most two hours (and a quarter of the capture), merged where they run
 * together. Needs a capture of 12 h or more; otherwise, or without one, `note` says why none is known.
 */
export function batchWindows(
  original: ServiceGraph | undefined,
  sourceNamespaces: ReadonlySet<string>,
): { windows: { start: number; end: number; edges: string[] }[]; note?: string } {
  if (!original) return { windows: [], note: 'no original capture was given, so the hours of its batch traffic are not known' };
  const w = original.window;
  const span = w ? w.end - w.start : 0;
  if (!w || span < BATCH_MIN_CAPTURE_MS)
    return {
      windows: [],
      note: `the original capture covers ${w ? formatDuration(span) : 'no time'}, less than ${formatDuration(BATCH_MIN_CAPTURE_MS)}: too short to tell batch traffic from the rest`,
    };
  const nsOf = new Map(original.nodes.map((n) => [n.id, n.namespace]));
  const limit = Math.min(BATCH_MAX_SPAN_MS, span / 4);
  const brief = original.edges
    .filter((e) => sourceNamespaces.has(nsOf.get(e.source) ?? '') || sourceNamespaces.has(nsOf.get(e.target) ?? ''))
    .flatMap((e) => {
      const { firstSeen: a, lastSeen: b } = e.evidence;
      return a !== null && b !== null && b - a <= limit ? [{ start: a, end: b, edges: [e.key] }] : [];
    })
    .sort((x, y) => x.start - y.start);
  const windows: { start: number; end: number; edges: string[] }[] = [];
  for (const b of brief) {
    const last = windows[windows.length - 1];
    if (last && b.start <= last.end + BATCH_JOIN_MS) {
      last.end = Math.max(last.end, b.end);
      last.edges.push(...b.edges);
    } else windows.push({ ...b, edges: [...b.edges] });
  }
  for (const x of windows) x.edges.sort();
  return { windows };
}

/** Does [from, to] hold the time of day [start, end] whole, on some day? */
export function coversTimeOfDay(from: number, to: number, start: number, end: number): boolean {
  const k = Math.ceil((from - start) / DAY_MS);
  const s = start + k * DAY_MS;
  return s + (end - start) <= to;
}

/**
 * The window of the flows read: from the first to the last flow time, against the apply, the cycle
 * and the batch hours. `shortfalls` says each way it falls short, with how much was covered.
 */
export function soakWindow(
  flows: ServiceGraph,
  appliedAt: number,
  cycleMs: number,
  original: ServiceGraph | undefined,
  sourceNamespaces: ReadonlySet<string>,
): SoakWindow {
  const first = flows.window?.start ?? null;
  const last = flows.window?.end ?? null;
  const from = first === null ? appliedAt : Math.max(first, appliedAt);
  const coveredMs = last === null ? 0 : Math.max(0, last - from);
  const reachesApply = first !== null && last !== null && last >= appliedAt && first <= appliedAt + START_SLACK_MS;
  const batch = batchWindows(original, sourceNamespaces);
  const windows: BatchWindow[] = batch.windows.map((b) => ({
    ...b,
    seen: formatWindow(b.start, b.end),
    covered: last !== null && coversTimeOfDay(from, last, b.start, b.end),
  }));
  const applied = new Date(appliedAt).toISOString();
  const cycle = formatDuration(cycleMs);
  const shortfalls: string[] = [];
  if (first === null || last === null) shortfalls.push('the flows read carry no time, so they cover nothing since the apply');
  else if (last < appliedAt)
    shortfalls.push(`every flow read is from before the apply at ${applied} (the last at ${new Date(last).toISOString()})`);
  else {
    if (!reachesApply)
      shortfalls.push(
        `the flows read start at ${new Date(first).toISOString()}, ${formatDuration(first - appliedAt)} after the apply at ${applied}: what came before was not read (Hubble's buffer did not reach back); they cover ${formatDuration(coveredMs)} of the ${cycle} cycle`,
      );
    else if (coveredMs < cycleMs)
      shortfalls.push(
        `the flows cover ${formatDuration(coveredMs)} since the apply, less than the ${cycle} cycle (${formatDuration(cycleMs - coveredMs)} to go, until ${new Date(appliedAt + cycleMs).toISOString()})`,
      );
    for (const b of windows.filter((x) => !x.covered))
      shortfalls.push(
        `the original capture saw batch traffic at ${b.seen} (${b.edges.join(', ')}), and the flows read do not cover that time of day`,
      );
  }
  return {
    appliedAt,
    cycleMs,
    first,
    last,
    reachesApply,
    coveredMs,
    startsBeforeApply: first !== null && first < appliedAt,
    batch: windows,
    ...(batch.note ? { batchNote: batch.note } : {}),
    shortfalls,
  };
}
