// The covered window: never more than the flows show.
import { describe, expect, it } from 'vitest';
import type { GraphEdge, ServiceGraph } from '../graph/types';
import { batchWindows, coversTimeOfDay, DAY_MS, soakWindow } from './soak-window';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12);

const graph = (start: number | null, end: number | null, edges: [string, number, number][] = []): ServiceGraph => ({
  nodes: [
    { id: 'shop/web', kind: 'workload', label: 'web', namespace: 'shop' },
    { id: 'shop/job', kind: 'workload', label: 'job', namespace: 'shop' },
    { id: 'other/x', kind: 'workload', label: 'x', namespace: 'other' },
  ],
  edges: edges.map(
    ([key, first, last]) =>
      ({
        key,
        source: key.split('->')[0],
        target: key.split('->')[1].split(':')[0],
        evidence: { firstSeen: first, lastSeen: last },
      }) as unknown as GraphEdge,
  ),
  namespaces: ['shop'],
  window: start === null || end === null ? null : { start, end },
  warnings: [],
});

describe('coversTimeOfDay', () => {
  it.each([
    // [window from, to] against a time of day seen on another day
    [T0, T0 + DAY_MS, T0 - 10 * H, T0 - 10 * H + 5 * 60_000, true],
    [T0, T0 + 10 * H, T0 - 10 * H, T0 - 10 * H + 5 * 60_000, false],
    // 02:00–02:05 needs its end too: a window ending at 02:03 does not hold it whole.
    [T0, T0 + 14 * H + 3 * 60_000, T0 - 10 * H, T0 - 10 * H + 5 * 60_000, false],
    [T0, T0 + 14 * H + 5 * 60_000, T0 - 10 * H, T0 - 10 * H + 5 * 60_000, true],
    // Seen later than the window (the original after the soak): the same time of day days before counts.
    [T0, T0 + 20 * H, T0 + 3 * DAY_MS + 2 * H, T0 + 3 * DAY_MS + 3 * H, true],
  ])('window %i–%i holds %i–%i: %s', (from, to, start, end, covered) => {
    expect(coversTimeOfDay(from, to, start, end)).toBe(covered);
  });
});

describe('batchWindows', () => {
  it('finds the edges of the source namespaces seen briefly in a long capture, run together', () => {
    const original = graph(T0 - DAY_MS, T0, [
      ['shop/job->shop/web:80/TCP', T0 - 10 * H, T0 - 10 * H + 60_000],
      ['shop/job->other/x:53/UDP', T0 - 10 * H + 5 * 60_000, T0 - 10 * H + 6 * 60_000],
      ['shop/web->other/x:443/TCP', T0 - DAY_MS, T0],
      ['other/x->other/x:1/TCP', T0 - 5 * H, T0 - 5 * H],
    ]);
    expect(batchWindows(original, new Set(['shop']))).toEqual({
      windows: [{ start: T0 - 10 * H, end: T0 - 10 * H + 6 * 60_000, edges: ['shop/job->other/x:53/UDP', 'shop/job->shop/web:80/TCP'] }],
    });
  });

  it('says why none is known: no original, or one too short to tell', () => {
    expect(batchWindows(undefined, new Set(['shop'])).note).toMatch(/no original capture was given/);
    expect(batchWindows(graph(T0, T0 + 35_000), new Set(['shop'])).note).toMatch(/covers 35 s, less than 12 h/);
  });
});

describe('soakWindow', () => {
  const shop = new Set(['shop']);
  it('a window from the apply past the cycle covers it', () => {
    // The first flow half a minute after the apply: the span counts from it, not from the apply.
    const w = soakWindow(graph(T0 + 30_000, T0 + DAY_MS + 60_000), T0, DAY_MS, undefined, shop);
    expect(w).toMatchObject({ reachesApply: true, coveredMs: DAY_MS + 30_000, shortfalls: [], startsBeforeApply: false });
    expect(soakWindow(graph(T0 + 30_000, T0 + DAY_MS + 20_000), T0, DAY_MS, undefined, shop).shortfalls).toHaveLength(1);
  });

  it('a window shorter than the cycle says how much was covered and how long to go', () => {
    const w = soakWindow(graph(T0 - 60_000, T0 + 6 * H), T0, DAY_MS, undefined, shop);
    expect(w.shortfalls).toEqual([
      'the flows cover 6 h 0 min since the apply, less than the 24 h 0 min cycle (18 h 0 min to go, until 2026-11-02T12:00:00.000Z)',
    ]);
  });

  it('a buffer that did not reach back to the apply is a shortfall, however long it covers, with what it covered', () => {
    const w = soakWindow(graph(T0 + 6 * H, T0 + 2 * DAY_MS), T0, DAY_MS, undefined, shop);
    expect(w.reachesApply).toBe(false);
    expect(w.coveredMs).toBe(2 * DAY_MS - 6 * H);
    expect(w.shortfalls).toEqual([
      "the flows read start at 2026-11-01T18:00:00.000Z, 6 h 0 min after the apply at 2026-11-01T12:00:00.000Z: what came before was not read (Hubble's buffer did not reach back); they cover 42 h 0 min of the 24 h 0 min cycle",
    ]);
  });

  it('flows only from before the apply, or without times, cover nothing', () => {
    expect(soakWindow(graph(T0 - 2 * H, T0 - H), T0, DAY_MS, undefined, shop)).toMatchObject({
      coveredMs: 0,
      reachesApply: false,
      startsBeforeApply: true,
      shortfalls: ['every flow read is from before the apply at 2026-11-01T12:00:00.000Z (the last at 2026-11-01T11:00:00.000Z)'],
    });
    expect(soakWindow(graph(null, null), T0, DAY_MS, undefined, shop).shortfalls).toEqual([
      'the flows read carry no time, so they cover nothing since the apply',
    ]);
  });

  it('a window that covers the cycle but not the hour of the batch traffic falls short, naming it', () => {
    const original = graph(T0 - 2 * DAY_MS, T0 - DAY_MS, [
      ['shop/job->shop/web:80/TCP', T0 - DAY_MS - 10 * H, T0 - DAY_MS - 10 * H + 60_000],
    ]);
    const w = soakWindow(graph(T0, T0 + 8 * H), T0, 8 * H, original, shop);
    expect(w.batch.map((b) => [b.seen, b.covered])).toEqual([['2026-10-31 02:00–02:01 UTC', false]]);
    expect(w.shortfalls).toEqual([
      'the original capture saw batch traffic at 2026-10-31 02:00–02:01 UTC (shop/job->shop/web:80/TCP), and the flows read do not cover that time of day',
    ]);
    expect(soakWindow(graph(T0, T0 + 15 * H), T0, 8 * H, original, shop)).toMatchObject({ shortfalls: [], batch: [{ covered: true }] });
  });
});
