// A cluster snapshot (`kubectl get svc,endpointslices,pods,namespaces -A -o json`) indexed so the graph can
// resolve Service addresses to backends, unlabelled pods to labels, and named ports to numbers.
import { flattenObjects } from '../policy/connlist/model';
import { resolveBackends } from './backends';
import type { ClusterSnapshot, SnapshotPod, SnapshotService, SnapshotServicePort, SnapshotBackend, SnapshotProtocol } from './types';
import { ipKey, nameKey, readEndpoints, readEndpointSlice, readPod, readService, type EndpointGroup, type PodRecord } from './parse';

export type {
  ClusterSnapshot,
  SnapshotBackend,
  SnapshotContainerPort,
  SnapshotPod,
  SnapshotProtocol,
  SnapshotService,
  SnapshotServicePort,
} from './types';

/** Why a snapshot cannot be used; code branches on `code`, people read the message. */
export type SnapshotErrorCode = 'no-files' | 'unreadable' | 'syntax' | 'no-cluster-objects';

/** The command whose output a snapshot is, for messages that say how to take one. */
export const SNAPSHOT_COMMAND = 'kubectl get svc,endpointslices,pods,namespaces -A -o json > snapshot.json';

/** A snapshot that cannot be used at all; the message starts with its source and says what to do. */
export class SnapshotError extends Error {
  constructor(
    readonly source: string,
    readonly code: SnapshotErrorCode,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'SnapshotError';
  }
}

const CLUSTER_KINDS = new Set(['Pod', 'Service', 'EndpointSlice', 'Endpoints', 'Namespace']);
const byName = <T extends { readonly namespace: string; readonly name: string }>(a: T, b: T): number =>
  a.namespace === b.namespace ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.namespace < b.namespace ? -1 : 1;
const push = <T>(map: Map<string, T[]>, key: string, value: T): void => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};
const frontendKey = (key: string, port: number, protocol: SnapshotProtocol): string => `${key} ${port}/${protocol}`;

/** `ipKey` remembered: the graph asks about the same few thousand addresses once per flow, millions of times. */
function rememberedIpKey(): (ip: string) => string {
  const keys = new Map<string, string>();
  return (ip) => {
    let key = keys.get(ip);
    if (key === undefined) {
      if (keys.size >= 1 << 16) keys.clear();
      keys.set(ip, (key = ipKey(ip)));
    }
    return key;
  };
}

/**
 * Reads Kubernetes objects (Lists flattened: `kind: List` / `*List` with `items`) into a snapshot
 * indexed once by name, IP, workload and Service frontend; objects of other kinds and malformed
 * objects are skipped, and an object met twice (several files) keeps its last copy. Throws
 * SnapshotError `no-cluster-objects` (with `source` in the message) when nothing is a Pod,
 * Service, EndpointSlice or Endpoints.
 */
export function parseClusterSnapshot(objects: readonly unknown[], source: string): ClusterSnapshot {
  const podRecords = new Map<string, PodRecord>();
  const serviceMap = new Map<string, SnapshotService>();
  const slices = new Map<string, Map<string, EndpointGroup>>();
  const endpoints = new Map<string, readonly EndpointGroup[]>();
  const namespaces = new Map<string, Readonly<Record<string, string>>>();
  let seen = 0;
  for (const o of flattenObjects(objects)) {
    if (typeof o.kind !== 'string' || !CLUSTER_KINDS.has(o.kind)) continue;
    seen++;
    if (o.kind === 'Pod') {
      const r = readPod(o);
      if (r) podRecords.set(nameKey(r.pod.namespace, r.pod.name), r);
    } else if (o.kind === 'Service') {
      const s = readService(o);
      if (s) serviceMap.set(nameKey(s.namespace, s.name), s);
    } else if (o.kind === 'Namespace') {
      const meta = (o.metadata ?? {}) as { name?: unknown; labels?: unknown };
      if (typeof meta.name === 'string') {
        const labels =
          meta.labels && typeof meta.labels === 'object'
            ? Object.fromEntries(
                Object.entries(meta.labels as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
              )
            : {};
        namespaces.set(meta.name, { ...labels, 'kubernetes.io/metadata.name': meta.name });
      }
    } else if (o.kind === 'EndpointSlice') {
      const s = readEndpointSlice(o);
      if (s) slices.set(s.service, (slices.get(s.service) ?? new Map<string, EndpointGroup>()).set(s.name, s.group));
    } else {
      const e = readEndpoints(o);
      if (e) endpoints.set(e.service, e.groups);
    }
  }
  if (seen === 0) {
    throw new SnapshotError(
      source,
      'no-cluster-objects',
      `holds no Pod, Service, EndpointSlice, Endpoints or Namespace. Take the snapshot with \`${SNAPSHOT_COMMAND}\`.`,
    );
  }

  const records = [...podRecords.values()].sort((a, b) => byName(a.pod, b.pod));
  const pods = records.map((r) => r.pod);
  const services = [...serviceMap.values()].sort(byName);

  const byIp = new Map<string, PodRecord>();
  const byNamespace = new Map<string, PodRecord[]>();
  const byWorkload = new Map<string, SnapshotPod[]>();
  for (const r of records) {
    const { pod } = r;
    push(byNamespace, pod.namespace, r);
    if (pod.owner) push(byWorkload, nameKey(pod.namespace, pod.owner.name), pod);
    if (pod.hostNetwork) continue;
    for (const ip of pod.ips) {
      // A finished pod keeps its IP in status after the IP went to a new pod: the running one wins.
      const held = byIp.get(ipKey(ip));
      if (!held || (held.terminal && !r.terminal)) byIp.set(ipKey(ip), r);
    }
  }

  const frontends = new Map<string, { readonly service: SnapshotService; readonly port: SnapshotServicePort }>();
  for (const service of services) {
    for (const ip of [...service.clusterIPs, ...service.externalIPs]) {
      for (const port of service.ports) {
        const key = frontendKey(ipKey(ip), port.port, port.protocol);
        if (!frontends.has(key)) frontends.set(key, { service, port });
      }
    }
  }

  const keyOf = rememberedIpKey();
  const namedPort = (pod: SnapshotPod, name: string, protocol: SnapshotProtocol): number | undefined =>
    pod.ports.find((p) => p.name === name && p.protocol === protocol)?.containerPort;
  const pod = (namespace: string, name: string): SnapshotPod | undefined => podRecords.get(nameKey(namespace, name))?.pod;
  const sources = {
    groups: (namespace: string, service: string): readonly EndpointGroup[] | undefined => {
      const key = nameKey(namespace, service);
      const fromSlices = slices.get(key);
      return fromSlices ? [...fromSlices.values()] : endpoints.get(key);
    },
    pod,
    podsIn: (namespace: string): readonly PodRecord[] => byNamespace.get(namespace) ?? [],
    namedPort,
  };
  // The graph asks once per flow; a big capture asks about the same few ports millions of times.
  const cache = new WeakMap<SnapshotService, Map<SnapshotServicePort, readonly SnapshotBackend[]>>();

  return {
    source,
    pods,
    services,
    pod,
    podByIp: (ip) => byIp.get(keyOf(ip))?.pod,
    podsOfWorkload: (namespace, name) => byWorkload.get(nameKey(namespace, name)) ?? [],
    service: (namespace, name) => serviceMap.get(nameKey(namespace, name)),
    serviceByFrontend: (ip, port, protocol) => frontends.get(frontendKey(keyOf(ip), port, protocol)),
    backends(service, port) {
      const perService = cache.get(service) ?? new Map<SnapshotServicePort, readonly SnapshotBackend[]>();
      cache.set(service, perService);
      let found = perService.get(port);
      if (!found) perService.set(port, (found = Object.freeze(resolveBackends(service, port, sources))));
      return found;
    },
    namespaceLabels: (namespace) => namespaces.get(namespace),
    namedPort,
  };
}
