import { allConnections, peerName, type ConnlistPeer, type IpPeer, type PeerConnSet } from './connlist';
import { INGRESS_CONTROLLER } from './ingress';
import type { ConnlistModel } from './model';
import { connString } from './portset';

export type ConnDiffType = 'changed' | 'added' | 'removed';

export interface ConnDiffLine {
  readonly type: ConnDiffType;
  readonly src: string;
  readonly dst: string;
  readonly ref1: string;
  readonly ref2: string;
  /** `workload X added` when a peer exists only in one of the two. */
  readonly info: string;
}

/** Cuts every IP peer of both sides at the edges of all of them, so both sides speak of the same ranges. */
function refine(conns: readonly PeerConnSet[], bounds: readonly { readonly v6: boolean; readonly at: bigint }[]): PeerConnSet[] {
  const pieces = (p: IpPeer): IpPeer[] => {
    const cuts = bounds.filter((b) => b.v6 === p.v6 && b.at > p.start && b.at <= p.end).map((b) => b.at);
    const starts = [p.start, ...cuts];
    return starts.map((s, i) => ({ kind: 'ip', v6: p.v6, start: s, end: i + 1 < starts.length ? starts[i + 1] - 1n : p.end }));
  };
  return conns.flatMap((c) =>
    c.src.kind === 'ip'
      ? pieces(c.src).map((src) => ({ ...c, src }))
      : c.dst.kind === 'ip'
        ? pieces(c.dst).map((dst) => ({ ...c, dst }))
        : [c],
  );
}

interface Pair {
  first?: PeerConnSet;
  second?: PeerConnSet;
}

/** Joins touching IP ranges that have the same other end and the same connections on both sides. */
function mergeIpRanges(pairs: Map<string, Pair>): Map<string, Pair> {
  const out = new Map<string, Pair>();
  const groups = new Map<string, { ipIsSrc: boolean; pairs: Pair[] }>();
  for (const [key, pair] of pairs) {
    const c = (pair.first ?? pair.second)!;
    if (c.src.kind !== 'ip' && c.dst.kind !== 'ip') {
      out.set(key, pair);
      continue;
    }
    const ipIsSrc = c.src.kind === 'ip';
    const other = peerName(ipIsSrc ? c.dst : c.src);
    const g = `${ipIsSrc ? 'src' : 'dst'};${other};${pair.first ? connString(pair.first.conn) : ''};${pair.second ? connString(pair.second.conn) : ''}`;
    (groups.get(g) ?? groups.set(g, { ipIsSrc, pairs: [] }).get(g)!).pairs.push(pair);
  }
  for (const { ipIsSrc, pairs: list } of groups.values()) {
    const ranges = list
      .map((p) => (ipIsSrc ? (p.first ?? p.second)!.src : (p.first ?? p.second)!.dst) as IpPeer)
      .sort((a, b) => (a.v6 !== b.v6 ? (a.v6 ? 1 : -1) : a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const merged: IpPeer[] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && last.v6 === r.v6 && r.start <= last.end + 1n)
        merged[merged.length - 1] = { kind: 'ip', v6: r.v6, start: last.start, end: last.end > r.end ? last.end : r.end };
      else merged.push(r);
    }
    const proto = list[0];
    for (const ip of merged) {
      const rebuild = (c: PeerConnSet | undefined): PeerConnSet | undefined =>
        c ? (ipIsSrc ? { ...c, src: ip } : { ...c, dst: ip }) : undefined;
      const pair: Pair = { first: rebuild(proto.first), second: rebuild(proto.second) };
      const c = (pair.first ?? pair.second)!;
      out.set(`${peerName(c.src)};${peerName(c.dst)}`, pair);
    }
  }
  return out;
}

/** netpol-analyzer's semantic diff: how allowed connectivity changes from `ref1` to `ref2`, changed first, then added, then removed. */
export function connlistDiff(ref1: ConnlistModel, ref2: ConnlistModel): ConnDiffLine[] {
  const c1 = allConnections(ref1);
  const c2 = allConnections(ref2);
  const ipPeers = [...c1, ...c2].flatMap((c) => [c.src, c.dst]).filter((p): p is IpPeer => p.kind === 'ip');
  const bounds = [...new Map(ipPeers.flatMap((p) => [p.start, p.end + 1n].map((at) => [`${p.v6}/${at}`, { v6: p.v6, at }]))).values()].sort(
    (a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0),
  );
  const pairs = new Map<string, Pair>();
  for (const [list, first] of [[refine(c1, bounds), true] as const, [refine(c2, bounds), false] as const]) {
    for (const c of list) {
      const key = `${peerName(c.src)};${peerName(c.dst)}`;
      const pair = pairs.get(key) ?? {};
      if (first) pair.first = c;
      else pair.second = c;
      pairs.set(key, pair);
    }
  }
  const names1 = new Set(ref1.workloads.map((w) => peerName(w)));
  const names2 = new Set(ref2.workloads.map((w) => peerName(w)));
  const lines: Record<ConnDiffType, ConnDiffLine[]> = { changed: [], added: [], removed: [] };
  for (const pair of mergeIpRanges(pairs).values()) {
    const c = (pair.first ?? pair.second)!;
    const src = peerName(c.src);
    const dst = peerName(c.dst);
    const ref1Conn = pair.first ? connString(pair.first.conn) : 'No Connections';
    const ref2Conn = pair.second ? connString(pair.second.conn) : 'No Connections';
    if (pair.first && pair.second) {
      if (ref1Conn !== ref2Conn) lines.changed.push({ type: 'changed', src, dst, ref1: ref1Conn, ref2: ref2Conn, info: '' });
      continue;
    }
    const type: ConnDiffType = pair.first ? 'removed' : 'added';
    const others = pair.first ? names2 : names1;
    // Addresses and the ingress controller are never an added or removed workload.
    const missing = (p: ConnlistPeer, name: string): boolean => p.kind === 'workload' && !others.has(name);
    const gone = [missing(c.src, src) ? src : '', missing(c.dst, dst) ? dst : ''].filter(Boolean);
    lines[type].push({ type, src, dst, ref1: ref1Conn, ref2: ref2Conn, info: gone.length ? `workload ${gone.join(' and ')} ${type}` : '' });
  }
  return (['changed', 'added', 'removed'] as const).flatMap((t) => lines[t]);
}

const fromIngressController = (l: ConnDiffLine): boolean => l.src === peerName(INGRESS_CONTROLLER);

/** Changed, added, removed, each sorted; the ingress controller's lines after all others, in the same order (as upstream prints them). */
function sortedLines(lines: readonly ConnDiffLine[], line: (l: ConnDiffLine) => string): string[] {
  return [false, true].flatMap((ingress) =>
    (['changed', 'added', 'removed'] as const).flatMap((t) =>
      lines
        .filter((l) => l.type === t && fromIngressController(l) === ingress)
        .map(line)
        .sort(),
    ),
  );
}

export function connDiffText(lines: readonly ConnDiffLine[]): string {
  if (lines.length === 0) return '';
  return [
    'Connectivity diff:',
    ...sortedLines(
      lines,
      (l) =>
        `diff-type: ${l.type}, source: ${l.src}, destination: ${l.dst}, ref1: ${l.ref1}, ref2: ${l.ref2}${l.info ? `, workloads-diff-info: ${l.info}` : ''}`,
    ),
  ].join('\n');
}

const csvField = (f: string): string => (/[",\n\r]/.test(f) || f.startsWith(' ') ? `"${f.replace(/"/g, '""')}"` : f);

export function connDiffCsv(lines: readonly ConnDiffLine[]): string {
  if (lines.length === 0) return '';
  const rows = sortedLines(lines, (l) => [l.type, l.src, l.dst, l.ref1, l.ref2, l.info].join(';'));
  return (
    ['diff-type,source,destination,ref1,ref2,workloads-diff-info', ...rows.map((r) => r.split(';').map(csvField).join(','))].join('\n') +
    '\n'
  );
}

export function connDiffMarkdown(lines: readonly ConnDiffLine[]): string {
  if (lines.length === 0) return '';
  return [
    '| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |',
    '|-----------|--------|-------------|------|------|---------------------|',
    ...sortedLines(lines, (l) => `| ${l.type} | ${l.src} | ${l.dst} | ${l.ref1} | ${l.ref2} | ${l.info} |`),
  ].join('\n');
}
