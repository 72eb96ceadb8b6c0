// The builder's per-edge and per-node accumulators, and how they become the graph's nodes and
// evidence once a capture is read (the aggregation itself is in builder.ts).
import type { ObservationSide, Peer, Protocol, Verdict } from '../flows/types';
import type { EdgeEvidence, GraphNode } from './types';

export const SIDES: readonly ObservationSide[] = ['client', 'server', 'unknown'];

export interface SideAcc {
  total: number;
  verdicts: Partial<Record<Verdict, number>>;
}

/** Mutable per-edge accumulator; plain data so it can cross a worker boundary. */
export interface EdgeAcc {
  source: string;
  target: string;
  protocol: Protocol;
  port: number | null;
  sides: Record<ObservationSide, SideAcc>;
  replies: number;
  /** 32-bit hashes of (client address, client port, server address). */
  conns: Set<number>;
  connsCapped: boolean;
  first: number;
  last: number;
  dropReasons: Map<string, number>;
  srcPods: Set<string>;
  dstPods: Set<string>;
  dnsNames: Set<string>;
  dns: Map<string, number>;
  http: Map<string, number>;
}

export interface NodeAcc {
  peer: Peer;
  labels?: Readonly<Record<string, string>>;
  pods: Set<string>;
}

function peerLabel(p: Peer): string {
  return p.kind === 'workload' ? p.name : p.kind === 'entity' ? p.entity : p.ip;
}

function sortedObject<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function nodeOf(id: string, n: NodeAcc, ipNames: Map<string, Set<string>>): GraphNode {
  const p = n.peer;
  const samplePods = [...n.pods].sort();
  switch (p.kind) {
    case 'workload':
      return {
        id,
        kind: 'workload',
        label: p.name,
        namespace: p.namespace,
        identity: p.identity,
        labels: n.labels ? sortedObject(Object.entries(n.labels)) : { ...p.identity },
        samplePods,
      };
    case 'entity':
      return { id, kind: 'entity', label: p.entity, entity: p.entity };
    case 'external': {
      const names = [...(ipNames.get(p.ip) ?? [])].sort();
      return { id, kind: 'external', label: names[0] ?? peerLabel(p), ip: p.ip, dnsNames: names };
    }
  }
}

export function evidenceOf(e: EdgeAcc, ipNames: Map<string, Set<string>>): EdgeEvidence {
  // An event seen at both ends is counted once: take the side that saw the most.
  let flows = 0;
  const verdicts: Partial<Record<Verdict, number>> = {};
  for (const side of SIDES) {
    flows = Math.max(flows, e.sides[side].total);
    for (const [v, n] of Object.entries(e.sides[side].verdicts)) {
      verdicts[v as Verdict] = Math.max(verdicts[v as Verdict] ?? 0, n);
    }
  }
  const dnsNames = new Set(e.dnsNames);
  if (e.target.startsWith('ip:')) for (const n of ipNames.get(e.target.slice(3)) ?? []) dnsNames.add(n);
  const byCount = <T extends { count: number }>(a: T[], key: (x: T) => string): T[] =>
    a.sort((x, y) => y.count - x.count || (key(x) < key(y) ? -1 : 1));
  return {
    flows,
    replies: e.replies,
    connections: e.conns.size,
    connectionsCapped: e.connsCapped,
    firstSeen: Number.isFinite(e.first) ? e.first : null,
    lastSeen: Number.isFinite(e.last) ? e.last : null,
    verdicts: sortedObject(Object.entries(verdicts)),
    dropReasons: sortedObject(e.dropReasons.entries()),
    samplePods: { src: [...e.srcPods].sort(), dst: [...e.dstPods].sort() },
    dnsNames: [...dnsNames].sort(),
    l7: {
      dns: byCount(
        [...e.dns].map(([query, count]) => ({ query, count })),
        (x) => x.query,
      ),
      http: byCount(
        [...e.http].map(([k, count]) => {
          const sp = k.indexOf(' ');
          return { method: k.slice(0, sp), path: k.slice(sp + 1), count };
        }),
        (x) => `${x.method} ${x.path}`,
      ),
    },
  };
}
