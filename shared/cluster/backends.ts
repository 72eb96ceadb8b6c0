// Which pods or addresses a Service port sends to, and on which port: what NetworkPolicy sees once
// kube-proxy (or Cilium, or Calico's eBPF) has translated the Service address.
import { ipKey, type EndpointGroup, type GroupPort, type PodRecord } from './parse';
import type { SnapshotBackend, SnapshotPod, SnapshotProtocol, SnapshotService, SnapshotServicePort } from './types';

/** What backend resolution reads from the snapshot's indexes. */
export interface BackendSources {
  /** The EndpointSlices of a Service, else the subsets of its v1 Endpoints; undefined when the snapshot has neither. */
  groups(namespace: string, service: string): readonly EndpointGroup[] | undefined;
  pod(namespace: string, name: string): SnapshotPod | undefined;
  podsIn(namespace: string): readonly PodRecord[];
  namedPort(pod: SnapshotPod, name: string, protocol: SnapshotProtocol): number | undefined;
}

/**
 * The group port that carries a Service port: the one of the same name and protocol (kube-proxy's
 * `ServicePortName` match), or the only one when the Service has only one. Its number, else a numeric
 * `targetPort` (a group port with no number means every port).
 */
function groupPort(group: EndpointGroup, service: SnapshotService, port: SnapshotServicePort): number | undefined {
  const same = (p: GroupPort): boolean => p.protocol === port.protocol;
  const match =
    group.ports.find((p) => p.name === (port.name ?? '') && same(p)) ??
    (group.ports.length === 1 && service.ports.length === 1 && same(group.ports[0]) ? group.ports[0] : undefined);
  return match?.port ?? (typeof port.targetPort === 'number' ? port.targetPort : undefined);
}

const matches = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const sortKey = (b: SnapshotBackend): string => {
  const port = String(b.port).padStart(5, '0');
  return b.kind === 'pod' ? `0 ${b.pod.namespace} ${b.pod.name} ${port}` : `1 ${ipKey(b.ip)} ${port}`;
};

/** Sorted (pods by namespace and name, then addresses in numeric order) and without repeats. */
function sortUnique(found: readonly SnapshotBackend[]): SnapshotBackend[] {
  const byKey = new Map<string, SnapshotBackend>();
  for (const b of found) byKey.set(sortKey(b), b);
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as SnapshotBackend);
}

/**
 * The backends of one Service port (see `ClusterSnapshot.backends`): from its endpoint groups, or,
 * when the snapshot holds none for it, from its selector matched against running pods with the
 * `targetPort` resolved through each pod's container ports (Kubernetes `podutil.FindPort`).
 */
export function resolveBackends(service: SnapshotService, port: SnapshotServicePort, src: BackendSources): SnapshotBackend[] {
  if (service.type === 'ExternalName') return [];
  const found: SnapshotBackend[] = [];
  const groups = src.groups(service.namespace, service.name);
  if (groups) {
    for (const group of groups) {
      const number = groupPort(group, service, port);
      for (const e of group.endpoints) {
        const pod = e.pod && src.pod(e.pod.namespace, e.pod.name);
        const n = number ?? (pod && typeof port.targetPort === 'string' ? src.namedPort(pod, port.targetPort, port.protocol) : undefined);
        if (n === undefined) continue;
        // A targetRef to a pod the snapshot lacks still names an address traffic goes to.
        found.push(pod ? { kind: 'pod', pod, port: n } : { kind: 'address', ip: e.ip, port: n });
      }
    }
  } else if (service.selector) {
    for (const { pod, terminal } of src.podsIn(service.namespace)) {
      if (terminal || pod.ips.length === 0 || !matches(service.selector, pod.labels)) continue;
      const n = typeof port.targetPort === 'number' ? port.targetPort : src.namedPort(pod, port.targetPort, port.protocol);
      if (n !== undefined) found.push({ kind: 'pod', pod, port: n });
    }
  }
  return sortUnique(found);
}
