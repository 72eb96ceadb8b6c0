// Renaming workloads once a capture is read: pods whose records carried no labels are mapped onto
// the workload that owns them, from the capture itself or from a cluster snapshot.
import type { ClusterSnapshot, SnapshotPod } from '../cluster/snapshot';
import { isUnstableLabel, workloadIdentity } from '../flows/identity';
import type { WorkloadPeer } from '../flows/types';
import { addCapped, addOwners, type EdgeAcc, type NodeAcc } from './accumulators';
import { edgeKey, nodeKey } from './keys';

interface Remappable {
  readonly nodes: Map<string, NodeAcc>;
  readonly edges: Map<string, EdgeAcc>;
  readonly dnsClients: Set<string>;
}

/**
 * Moves nodes to new ids (`remap`: old id → new id, with the node to create when the new id is not
 * in the graph yet) and re-keys their edges, merging edges that meet under one key.
 */
export function remapNodes(
  s: Remappable,
  remap: ReadonlyMap<string, string | { readonly id: string; readonly node: NodeAcc }>,
  merge: (into: EdgeAcc, from: EdgeAcc) => void,
): void {
  if (remap.size === 0) return;
  const to = new Map<string, string>();
  for (const [id, target] of remap) {
    const next = typeof target === 'string' ? target : target.id;
    const from = s.nodes.get(id);
    const existing = s.nodes.get(next);
    if (next === id) {
      if (typeof target !== 'string' && from) {
        const pods = new Set(target.node.pods);
        for (const p of from.pods) addCapped(pods, p, 5);
        s.nodes.set(id, { ...target.node, pods });
      }
      continue;
    }
    if (existing) {
      if (from) for (const p of from.pods) addCapped(existing.pods, p, 5);
      if (from?.owners) addOwners(existing, from.owners);
    } else if (typeof target !== 'string') {
      const pods = new Set(target.node.pods);
      for (const p of from?.pods ?? []) addCapped(pods, p, 5);
      s.nodes.set(next, { ...target.node, pods });
    } else if (from) s.nodes.set(next, from);
    s.nodes.delete(id);
    if (s.dnsClients.delete(id)) s.dnsClients.add(next);
    to.set(id, next);
  }
  if (to.size === 0) return;
  for (const e of s.edges.values()) {
    const b = e.service?.backends;
    if (b?.some((x) => to.has(x.node))) e.service = { ...e.service!, backends: b.map((x) => ({ ...x, node: to.get(x.node) ?? x.node })) };
  }
  for (const [key, e] of [...s.edges]) {
    const source = to.get(e.source) ?? e.source;
    const target = to.get(e.target) ?? e.target;
    if (source === e.source && target === e.target) continue;
    s.edges.delete(key);
    const newKey = edgeKey(source, target, e.protocol, e.port);
    const mine = s.edges.get(newKey);
    if (mine) merge(mine, e);
    else s.edges.set(newKey, { ...e, source, target });
  }
}

const stable = (labels: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => !isUnstableLabel(k)));

/** The workload a snapshot pod belongs to, named and selected the way the capture names workloads. */
export function workloadOfPod(pod: SnapshotPod): { readonly peer: WorkloadPeer; readonly labels: Record<string, string> } | undefined {
  const labels = stable(pod.labels);
  const id = workloadIdentity(labels, pod.owner?.name, pod.name, true, pod.namespace);
  if (!id) return undefined;
  const peer: WorkloadPeer = id.unlabelled
    ? { kind: 'workload', namespace: pod.namespace, name: id.name, identity: id.identity, unlabelled: id.unlabelled }
    : { kind: 'workload', namespace: pod.namespace, name: id.name, identity: id.identity };
  return { peer, labels };
}

/**
 * Gives workloads whose records carried no labels the labels their pods have in the cluster
 * snapshot (found by the pod names seen, else by the workload's name), so that a selector can name
 * them, and the snapshot's pods as their samples when the records named none. Workloads the
 * snapshot does not know keep their state.
 */
export function relabelFromSnapshot(s: Remappable, snapshot: ClusterSnapshot, merge: (into: EdgeAcc, from: EdgeAcc) => void): void {
  const remap = new Map<string, { id: string; node: NodeAcc }>();
  for (const [id, n] of s.nodes) {
    const p = n.peer;
    if (p.kind !== 'workload' || Object.keys(p.identity).length > 0) continue;
    const pod =
      [...n.pods].map((name) => snapshot.pod(p.namespace, name)).find((x) => x !== undefined) ??
      snapshot.podsOfWorkload(p.namespace, p.name)[0];
    const w = pod && workloadOfPod(pod);
    if (!w || Object.keys(w.peer.identity).length === 0) continue;
    // Records that named no pod (Calico's aggregated `-`): the snapshot's pods are the samples.
    const pods = new Set(n.pods);
    if (pods.size === 0) for (const p of snapshot.podsOfWorkload(pod.namespace, pod.owner?.name ?? w.peer.name)) addCapped(pods, p.name, 5);
    if (pods.size === 0) pods.add(pod.name);
    remap.set(id, { id: nodeKey(w.peer), node: { peer: w.peer, labels: w.labels, pods, fromSnapshot: true } });
  }
  remapNodes(s, remap, merge);
}
