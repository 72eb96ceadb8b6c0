// Per-connection parts of the edges to Service frontends. A Service with several backends splits its
// frontend edge by connection: each connection's part goes to the backend its translated flow
// reached, and what no translation places stays on the Service. Only frontend edges keep slices;
// their number is bounded by the tracked connections (see builder.ts).
import { isPrivateAddress } from './warnings';
import type { FlowRecord, ObservationSide, Peer, Verdict } from '../flows/types';
import {
  addCapped,
  addRecordExtra,
  connGuessed,
  emptyEdge,
  emptyExtra,
  hasExtra,
  mergeExtra,
  SIDES,
  type ConnSlice,
  type EdgeAcc,
  type SideAcc,
} from './accumulators';

export type { ConnSlice } from './accumulators';

/**
 * True for an edge whose target may be a Service frontend (a Service Hubble named, or a private
 * address nothing names, as a ClusterIP is): such an edge keeps what each connection brought.
 */
export function mayBeFrontend(dst: Peer, r: FlowRecord): boolean {
  if (typeof r.port !== 'number' || r.protocol.startsWith('ICMP')) return false;
  return dst.kind === 'service' || (dst.kind === 'external' && isPrivateAddress(dst.ip));
}

/** Adds one settled record of connection `conn` (seen at `side`) to the edge's slices. */
export function addToSlice(slices: Map<number, ConnSlice>, conn: number, r: FlowRecord, side: ObservationSide, start: number): void {
  let s = slices.get(conn);
  if (!s) slices.set(conn, (s = { counts: [0, 0, 0, 0, 0, 0], first: Infinity, last: -Infinity }));
  const i = SIDES.indexOf(side) * 2;
  s.counts[i] += r.count;
  if (r.isReply) s.counts[i + 1] += r.count;
  if (r.verdict !== 'FORWARDED') {
    const k = `${side}|${r.isReply ? 1 : 0}|${r.verdict}`;
    (s.other ??= {})[k] = (s.other[k] ?? 0) + r.count;
  }
  if (Number.isFinite(r.time)) {
    s.first = Math.min(s.first, start);
    s.last = Math.max(s.last, r.time);
  }
  if (r.srcPod !== undefined && (s.pod === undefined || r.srcPod < s.pod)) s.pod = r.srcPod;
  if (hasExtra(r)) addRecordExtra(() => (s.extra ??= emptyExtra()), r);
}

/** Adds another builder's slices of the same edge (worker threads, merged edges). */
export function mergeSlices(into: Map<number, ConnSlice>, from: ReadonlyMap<number, ConnSlice>): void {
  for (const [c, x] of from) {
    const s = into.get(c);
    if (!s) {
      into.set(c, x);
      continue;
    }
    x.counts.forEach((n, i) => (s.counts[i] += n));
    for (const [k, n] of Object.entries(x.other ?? {})) (s.other ??= {})[k] = (s.other[k] ?? 0) + n;
    s.first = Math.min(s.first, x.first);
    s.last = Math.max(s.last, x.last);
    if (x.pod !== undefined && (s.pod === undefined || x.pod < s.pod)) s.pod = x.pod;
    if (x.extra) mergeExtra((s.extra ??= emptyExtra()), x.extra);
  }
}

/** The part of frontend edge `e` its connections `conns` brought, as an edge of its own (towards `target`). */
export function partOf(e: EdgeAcc, conns: Iterable<number>, target: string, port: number): EdgeAcc {
  const part = emptyEdge(e.source, target, e.protocol, port);
  for (const c of conns) {
    const v = e.conns.get(c);
    if (v !== undefined) {
      part.conns.set(c, v);
      if (connGuessed(v)) part.uncertain++;
    }
    const s = e.slices?.get(c);
    if (!s) continue;
    SIDES.forEach((side, k) => {
      const acc = part.sides[side];
      const [total, replies] = [s.counts[2 * k], s.counts[2 * k + 1]];
      acc.total += total;
      acc.replies += replies;
      // FORWARDED is what the other verdicts leave.
      let [requestsLeft, repliesLeft] = [total - replies, replies];
      for (const [key, n] of Object.entries(s.other ?? {})) {
        const [at, reply, verdict] = key.split('|') as [ObservationSide, string, Verdict];
        if (at !== side) continue;
        bumpVerdict(reply === '1' ? acc.replyVerdicts : acc.verdicts, verdict, n);
        if (reply === '1') repliesLeft -= n;
        else requestsLeft -= n;
      }
      bumpVerdict(acc.verdicts, 'FORWARDED', requestsLeft);
      bumpVerdict(acc.replyVerdicts, 'FORWARDED', repliesLeft);
    });
    part.first = Math.min(part.first, s.first);
    part.last = Math.max(part.last, s.last);
    addCapped(part.srcPods, s.pod, 5);
    if (s.extra) mergeExtra((part.extra ??= emptyExtra()), s.extra);
    (part.slices ??= new Map()).set(c, s);
  }
  return part;
}

function bumpVerdict(v: SideAcc['verdicts'], verdict: Verdict, n: number): void {
  if (n > 0) v[verdict] = (v[verdict] ?? 0) + n;
}

/**
 * What is left of frontend edge `e` once `parts` (built by partOf) are taken away: its other
 * connections, and every record no slice holds (records without a connection to track).
 */
export function withoutParts(e: EdgeAcc, parts: readonly EdgeAcc[]): EdgeAcc {
  const rest = emptyEdge(e.source, e.target, e.protocol, e.port);
  const taken = new Set(parts.flatMap((p) => [...p.conns.keys()]));
  for (const side of SIDES) {
    const acc = rest.sides[side];
    const whole = e.sides[side];
    acc.total = whole.total - parts.reduce((n, p) => n + p.sides[side].total, 0);
    acc.replies = whole.replies - parts.reduce((n, p) => n + p.sides[side].replies, 0);
    for (const key of ['verdicts', 'replyVerdicts'] as const) {
      for (const [v, n] of Object.entries(whole[key])) {
        const left = n - parts.reduce((m, p) => m + (p.sides[side][key][v as Verdict] ?? 0), 0);
        if (left > 0) acc[key][v as Verdict] = left;
      }
    }
  }
  const sliced = [...e.conns.keys()].filter((c) => !taken.has(c));
  for (const c of sliced) rest.conns.set(c, e.conns.get(c)!);
  rest.connsCapped = e.connsCapped;
  // Guesses go with their connections; those no connection holds stay here.
  rest.uncertain = Math.max(0, e.uncertain - parts.reduce((n, p) => n + p.uncertain, 0));
  // The times of what is left: of its slices when they hold all of it, else the whole edge's.
  const left = sliced.map((c) => e.slices?.get(c));
  const all = left.every((s) => s !== undefined) && SIDES.every((side, k) => rest.sides[side].total === sum(left, 2 * k));
  for (const s of left) if (s) addCapped(rest.srcPods, s.pod, 5);
  if (all && left.length > 0) {
    for (const s of left) {
      rest.first = Math.min(rest.first, s.first);
      rest.last = Math.max(rest.last, s.last);
    }
  } else [rest.first, rest.last] = [e.first, e.last];
  if (rest.srcPods.size === 0) for (const p of e.srcPods) addCapped(rest.srcPods, p, 5);
  if (e.extra) {
    rest.extra = emptyExtra();
    mergeExtra(rest.extra, e.extra);
    for (const p of parts) if (p.extra) mergeExtra(rest.extra, p.extra, -1);
  }
  rest.service = e.service;
  return rest;
}

const sum = (slices: readonly (ConnSlice | undefined)[], i: number): number => slices.reduce((n, s) => n + (s?.counts[i] ?? 0), 0);
