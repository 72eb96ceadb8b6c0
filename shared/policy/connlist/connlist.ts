import { allAddresses, blockRanges, ipText } from '../cidr';
import { KubernetesPolicies, kubernetesDirection } from '../engine/kubernetes';
import type { End, PodEnd } from '../engine/model';
import type { NetworkPolicy, NetworkPolicyPeer } from '../types';
import { ingressConnections } from './ingress';
import type { ConnlistModel, ConnlistPeer, IpPeer, PeerConnSet, WorkloadPeer } from './model';

export type { ConnlistPeer, IpPeer, PeerConnSet } from './model';
import { ALL_CONNS, connString, intersect, isEmpty, type ConnSet } from './portset';

export interface PeerConnection {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

export function peerName(p: ConnlistPeer): string {
  if (p.kind === 'ingress-controller') return '{ingress-controller}';
  return p.kind === 'ip' ? `${ipText(p.start, p.v6)}-${ipText(p.end, p.v6)}[External]` : `${p.namespace}/${p.name}[${p.workloadKind}]`;
}

/**
 * Cuts the address space at the edges of every ipBlock (excepts taken out) of the given rule
 * peers: all of IPv4 always (as netpol-analyzer does), IPv6 when some ipBlock is IPv6.
 */
export function ipAtoms(peers: readonly NetworkPolicyPeer[]): IpPeer[] {
  const bounds = { v4: new Set<bigint>([0n, allAddresses(false).end + 1n]), v6: new Set<bigint>() };
  for (const p of peers) {
    if (!p.ipBlock) continue;
    for (const r of blockRanges(p.ipBlock.cidr, p.ipBlock.except ?? [])) {
      const set = r.v6 ? bounds.v6 : bounds.v4;
      if (r.v6 && set.size === 0) [0n, allAddresses(true).end + 1n].forEach((b) => set.add(b));
      set.add(r.start);
      set.add(r.end + 1n);
    }
  }
  const atoms = (set: Set<bigint>, v6: boolean): IpPeer[] => {
    const sorted = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return sorted.slice(0, -1).map((start, i) => ({ kind: 'ip', v6, start, end: sorted[i + 1] - 1n }));
  };
  return [...atoms(bounds.v4, false), ...atoms(bounds.v6, true)];
}

function rulePeers(policies: readonly NetworkPolicy[], dir: 'ingress' | 'egress'): NetworkPolicyPeer[] {
  return policies.flatMap((p) =>
    dir === 'ingress' ? (p.spec.ingress ?? []).flatMap((r) => r.from ?? []) : (p.spec.egress ?? []).flatMap((r) => r.to ?? []),
  );
}

/** The policy engine's view of a connlist peer: a manifest's workload is known completely. */
function endOf(model: ConnlistModel, p: ConnlistPeer, cache: Map<ConnlistPeer, End>): End {
  let end = cache.get(p);
  if (end) return end;
  if (p.kind === 'ip') end = { kind: 'range', id: peerName(p), range: { v6: p.v6, start: p.start, end: p.end } };
  else if (p.kind === 'ingress-controller') end = { kind: 'opaque', id: peerName(p), why: 'the ingress controller' };
  else
    end = {
      kind: 'pod',
      id: peerName(p),
      namespace: p.namespace,
      labels: p.labels,
      labelsComplete: true,
      namespaceLabels: model.namespaces.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace },
      podPorts: [
        p.ports.flatMap((c) =>
          Number.isInteger(c.containerPort) ? [{ ...c, protocol: (c.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP' }] : [],
        ),
      ],
    } satisfies PodEnd;
  cache.set(p, end);
  return end;
}

/** The engine for a model, with its peers' ends, made once per model. */
const engines = new WeakMap<ConnlistModel, { index: KubernetesPolicies; ends: Map<ConnlistPeer, End> }>();
function engineOf(model: ConnlistModel): { index: KubernetesPolicies; ends: Map<ConnlistPeer, End> } {
  let e = engines.get(model);
  if (!e) engines.set(model, (e = { index: new KubernetesPolicies(model.policies), ends: new Map() }));
  return e;
}

/** What the policy engine surely allows from `src` to `dst` (netpol-analyzer lists what is allowed for certain). */
function allowed(model: ConnlistModel, src: ConnlistPeer, dst: ConnlistPeer): ConnSet {
  const { index, ends } = engineOf(model);
  const a = endOf(model, src, ends);
  const b = endOf(model, dst, ends);
  const egress = kubernetesDirection(index, a, b, 'egress', b);
  const ingress = kubernetesDirection(index, b, a, 'ingress', b);
  return intersect(egress?.allowance.sure ?? ALL_CONNS, ingress?.allowance.sure ?? ALL_CONNS);
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
  return allowed(model, src, dst);
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
      const conn = allowed(model, src, dst);
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
