import { parseCidr } from '../cidr';
import { effectivePolicyTypes } from '../evaluate';
import { selectorMatches } from '../selectors';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../types';
import { ingressConnections } from './ingress';
import type { ConnlistModel, IngressControllerPeer, WorkloadPeer } from './model';
import { ALL_CONNS, connOf, connString, intersect, isEmpty, NO_CONNS, union, type ConnSet } from './portset';

/** An IPv4 range outside the cluster, one of the disjoint pieces the policies' ipBlocks cut the address space into. */
export interface IpPeer {
  readonly kind: 'ip';
  readonly start: number;
  readonly end: number;
}

export type ConnlistPeer = WorkloadPeer | IpPeer | IngressControllerPeer;

export interface PeerConnection {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

const V4_MAX = 2 ** 32 - 1;

function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function peerName(p: ConnlistPeer): string {
  if (p.kind === 'ingress-controller') return '{ingress-controller}';
  return p.kind === 'ip' ? `${ipText(p.start)}-${ipText(p.end)}[External]` : `${p.namespace}/${p.name}[${p.workloadKind}]`;
}

function v4Range(cidr: string): [number, number] | undefined {
  const c = parseCidr(cidr);
  if (!c || c.v6) return undefined;
  const start = Number(c.base);
  return [start, start + 2 ** (32 - c.bits) - 1];
}

/** An ipBlock as disjoint sorted intervals: its CIDR minus the union of its excepts. */
function blockIntervals(cidr: string, except: readonly string[]): [number, number][] {
  const whole = v4Range(cidr);
  if (!whole) return [];
  const holes = except
    .flatMap((e) => {
      const r = v4Range(e);
      return r ? [r] : [];
    })
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let from = whole[0];
  for (const [a, b] of holes) {
    if (b < from || a > whole[1]) continue;
    if (a > from) out.push([from, a - 1]);
    from = Math.max(from, b + 1);
  }
  if (from <= whole[1]) out.push([from, whole[1]]);
  return out;
}

/** Cuts 0.0.0.0–255.255.255.255 at the edges of every ipBlock (excepts taken out) of the given rule peers. */
export function ipAtoms(peers: readonly NetworkPolicyPeer[]): IpPeer[] {
  const bounds = new Set<number>([0, V4_MAX + 1]);
  for (const p of peers) {
    if (!p.ipBlock) continue;
    for (const [a, b] of blockIntervals(p.ipBlock.cidr, p.ipBlock.except ?? [])) {
      bounds.add(a);
      bounds.add(b + 1);
    }
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  return sorted.slice(0, -1).map((start, i) => ({ kind: 'ip', start, end: sorted[i + 1] - 1 }));
}

function rulePeers(policies: readonly NetworkPolicy[], dir: 'ingress' | 'egress'): NetworkPolicyPeer[] {
  return policies.flatMap((p) =>
    dir === 'ingress' ? (p.spec.ingress ?? []).flatMap((r) => r.from ?? []) : (p.spec.egress ?? []).flatMap((r) => r.to ?? []),
  );
}

function peerMatches(peer: NetworkPolicyPeer, policyNs: string, other: ConnlistPeer, model: ConnlistModel): boolean {
  if (peer.ipBlock) {
    if (other.kind !== 'ip') return false;
    const r = v4Range(peer.ipBlock.cidr);
    if (!r || other.start < r[0] || other.end > r[1]) return false;
    return !(peer.ipBlock.except ?? []).some((e) => {
      const x = v4Range(e);
      return x !== undefined && other.start <= x[1] && other.end >= x[0];
    });
  }
  if (!peer.podSelector && !peer.namespaceSelector) return false;
  if (other.kind !== 'workload') return false;
  if (peer.namespaceSelector) {
    const labels = model.namespaces.get(other.namespace) ?? { 'kubernetes.io/metadata.name': other.namespace };
    if (!selectorMatches(peer.namespaceSelector, labels)) return false;
  } else if (other.namespace !== policyNs) return false;
  return selectorMatches(peer.podSelector, other.labels);
}

function portsConn(ports: readonly NetworkPolicyPort[] | undefined, dst: ConnlistPeer): ConnSet {
  if (!ports || ports.length === 0) return ALL_CONNS;
  let acc = NO_CONNS;
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    if (p.port === undefined) acc = union(acc, connOf(proto, 1, 65535));
    else if (typeof p.port === 'number' || /^\d+$/.test(p.port)) {
      const n = Number(p.port);
      acc = union(acc, connOf(proto, n, p.endPort ?? n));
    } else if (dst.kind === 'workload') {
      const cp = dst.ports.find((c) => c.name === p.port && (c.protocol ?? 'TCP') === proto);
      if (cp) acc = union(acc, connOf(proto, cp.containerPort, cp.containerPort));
    }
  }
  return acc;
}

function allowed(model: ConnlistModel, self: ConnlistPeer, other: ConnlistPeer, dir: 'ingress' | 'egress', dst: ConnlistPeer): ConnSet {
  if (self.kind !== 'workload') return ALL_CONNS;
  const type = dir === 'ingress' ? 'Ingress' : 'Egress';
  const selecting = model.policies.filter(
    (p) =>
      (p.metadata.namespace ?? 'default') === self.namespace &&
      effectivePolicyTypes(p).includes(type) &&
      selectorMatches(p.spec.podSelector, self.labels),
  );
  if (selecting.length === 0) return ALL_CONNS;
  let acc = NO_CONNS;
  for (const p of selecting) {
    const ns = p.metadata.namespace ?? 'default';
    for (const rule of (dir === 'ingress' ? p.spec.ingress : p.spec.egress) ?? []) {
      const peers = dir === 'ingress' ? (rule as { from?: NetworkPolicyPeer[] }).from : (rule as { to?: NetworkPolicyPeer[] }).to;
      if (!peers || peers.length === 0 || peers.some((x) => peerMatches(x, ns, other, model))) acc = union(acc, portsConn(rule.ports, dst));
    }
  }
  return acc;
}

export interface PeerConnSet {
  readonly src: ConnlistPeer;
  readonly dst: ConnlistPeer;
  readonly conn: ConnSet;
}

/** The allowed connections between every pair of peers, as netpol-analyzer's `list` computes them. */
export function connlist(model: ConnlistModel): PeerConnection[] {
  return allConnections(model).map((c) => ({ src: peerName(c.src), dst: peerName(c.dst), conn: connString(c.conn) }));
}

/**
 * What the policies allow from `src` (a workload, or a pod standing in for a peer) to workload `dst`:
 * `src`'s egress intersected with `dst`'s ingress (all connections where no policy selects a side).
 */
export function allowedBetween(model: ConnlistModel, src: WorkloadPeer, dst: WorkloadPeer): ConnSet {
  return intersect(allowed(model, src, dst, 'egress', dst), allowed(model, dst, src, 'ingress', dst));
}

/**
 * `connections`, then the ingress controller's connections to the workloads that Ingresses and Routes
 * expose (`ingressConnections`): netpol-analyzer's whole list, still sorted by source, then destination
 * (`{ingress-controller}` sorts after every workload and address).
 */
export function allConnections(model: ConnlistModel): PeerConnSet[] {
  const byDst = (a: PeerConnSet, b: PeerConnSet): number =>
    peerName(a.dst) < peerName(b.dst) ? -1 : peerName(a.dst) > peerName(b.dst) ? 1 : 0;
  return [...connections(model), ...ingressConnections(model, allowedBetween).sort(byDst)];
}

/** The same, with the peers and connection sets as values (sorted by source, then destination). */
export function connections(model: ConnlistModel): PeerConnSet[] {
  if (model.workloads.length === 0) return [];
  const srcs: ConnlistPeer[] = [...ipAtoms(rulePeers(model.policies, 'ingress')), ...model.workloads];
  const dsts: ConnlistPeer[] = [...ipAtoms(rulePeers(model.policies, 'egress')), ...model.workloads];
  const out: { src: ConnlistPeer; dst: ConnlistPeer; conn: ConnSet; s: string; d: string }[] = [];
  for (const src of srcs) {
    for (const dst of dsts) {
      if (src.kind === 'ip' && dst.kind === 'ip') continue;
      const s = peerName(src);
      const d = peerName(dst);
      if (s === d) continue;
      const conn = intersect(allowed(model, src, dst, 'egress', dst), allowed(model, dst, src, 'ingress', dst));
      if (!isEmpty(conn)) out.push({ src, dst, conn, s, d });
    }
  }
  return out
    .sort((a, b) => (a.s !== b.s ? (a.s < b.s ? -1 : 1) : a.d < b.d ? -1 : a.d > b.d ? 1 : 0))
    .map(({ src, dst, conn }) => ({ src, dst, conn }));
}

export function connlistText(conns: readonly PeerConnection[]): string {
  return conns.map((c) => `${c.src} => ${c.dst} : ${c.conn}\n`).join('');
}

export function connlistJson(conns: readonly PeerConnection[]): string {
  return JSON.stringify(conns, null, 2);
}
