// Readers of the objects in a cluster snapshot. Each returns undefined for an object too malformed
// to use, so one bad item never costs the rest of the snapshot.
import { ownerFromControllerName } from '../flows/identity';
import { parseIp } from '../policy/cidr';
import type { SnapshotContainerPort, SnapshotPod, SnapshotProtocol, SnapshotService, SnapshotServicePort } from './types';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string' && x !== '');
const unique = (xs: readonly string[]): string[] => [...new Set(xs)];
const labelsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'string')) as Record<string, string>;

/** `namespace/name`, the key of every by-name index. */
export const nameKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * A key under which equal addresses meet and which sorts in numeric order: `fd00::1` and
 * `fd00:0:0::1` give the same key, IPv4 sorts before IPv6. A string that is not an IP keys as itself.
 */
export function ipKey(ip: string): string {
  const p = parseIp(ip);
  if (!p) return `x${ip.toLowerCase()}`;
  return p.v6 ? `6${p.value.toString(16).padStart(32, '0')}` : `4${p.value.toString(16).padStart(8, '0')}`;
}

/** A protocol field: absent means TCP (the API default); undefined for one Kubernetes does not know. */
export function protocolOf(v: unknown): SnapshotProtocol | undefined {
  if (v === undefined || v === null || v === '') return 'TCP';
  const p = typeof v === 'string' ? v.toUpperCase() : '';
  return p === 'TCP' || p === 'UDP' || p === 'SCTP' ? p : undefined;
}

/** A port number 1–65535, or undefined. */
export function portNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined;
}

/** A pod as read, and whether it has finished: a Succeeded or Failed pod gets no endpoints and its IP may be reused. */
export interface PodRecord {
  readonly pod: SnapshotPod;
  readonly terminal: boolean;
}

/**
 * The top-level workload of a pod, from its controller reference: a ReplicaSet becomes its
 * Deployment (the RS is `<deployment>-<pod-template-hash>`, by the label, else by the name's shape),
 * a Job `<cronjob>-<schedule>` its CronJob. A mirror pod's Node owner is no workload.
 */
function ownerOf(meta: Obj, labels: Readonly<Record<string, string>>): SnapshotPod['owner'] {
  const refs = arr(meta.ownerReferences).map(obj);
  const ref = refs.find((r) => r.controller === true) ?? (refs.length === 1 ? refs[0] : undefined);
  const kind = str(ref?.kind);
  const name = str(ref?.name);
  if (!kind || !name || kind === 'Node') return undefined;
  if (kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    if (hash && name.length > hash.length + 1 && name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
    }
    const deployment = ownerFromControllerName(name, kind);
    return deployment === name ? { kind, name } : { kind: 'Deployment', name: deployment };
  }
  if (kind === 'Job') {
    const cronJob = ownerFromControllerName(name, kind);
    return cronJob === name ? { kind, name } : { kind: 'CronJob', name: cronJob };
  }
  return { kind, name };
}

/** Container ports of the containers and of the sidecars (init containers that keep running), as `FindPort` reads them. */
function containerPorts(spec: Obj): SnapshotContainerPort[] {
  const sidecars = arr(spec.initContainers).filter((c) => obj(c).restartPolicy === 'Always');
  return [...arr(spec.containers), ...sidecars].flatMap((c) =>
    arr(obj(c).ports).flatMap((p): SnapshotContainerPort[] => {
      const o = obj(p);
      const containerPort = portNumber(o.containerPort);
      const protocol = protocolOf(o.protocol);
      if (containerPort === undefined || !protocol) return [];
      const name = str(o.name);
      return [name ? { name, containerPort, protocol } : { containerPort, protocol }];
    }),
  );
}

/** A `v1/Pod`; undefined without a name. */
export function readPod(o: Obj): PodRecord | undefined {
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const spec = obj(o.spec);
  const status = obj(o.status);
  const labels = labelsOf(meta.labels);
  const owner = ownerOf(meta, labels);
  const ips = unique([...arr(status.podIPs).flatMap((x) => strings([obj(x).ip])), ...strings([status.podIP])]);
  const pod: SnapshotPod = {
    namespace: str(meta.namespace) ?? 'default',
    name,
    ips,
    hostNetwork: spec.hostNetwork === true,
    labels,
    ...(owner ? { owner } : {}),
    ports: containerPorts(spec),
  };
  return { pod, terminal: status.phase === 'Succeeded' || status.phase === 'Failed' };
}

function readServicePort(v: unknown): SnapshotServicePort[] {
  const o = obj(v);
  const port = portNumber(o.port);
  const protocol = protocolOf(o.protocol);
  if (port === undefined || !protocol) return [];
  // A string of digits cannot be a port name (names need a letter), so it is the number written as a string.
  const target = typeof o.targetPort === 'string' && /^\d+$/.test(o.targetPort) ? Number(o.targetPort) : o.targetPort;
  // Absent (or 0, as the API server defaults it) means the same as `port`.
  const targetPort = target === undefined || target === null || target === '' || target === 0 ? port : (str(target) ?? portNumber(target));
  if (targetPort === undefined) return [];
  const name = str(o.name);
  const nodePort = portNumber(o.nodePort);
  return [{ ...(name ? { name } : {}), port, targetPort, protocol, ...(nodePort ? { nodePort } : {}) }];
}

/** A `v1/Service`; undefined without a name. An empty selector is no selector, as the API server stores it. */
export function readService(o: Obj): SnapshotService | undefined {
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const spec = obj(o.spec);
  const type = str(spec.type) ?? 'ClusterIP';
  const selector = labelsOf(spec.selector);
  const externalName = type === 'ExternalName' ? str(spec.externalName) : undefined;
  const lbIps = arr(obj(obj(o.status).loadBalancer).ingress).flatMap((i) => strings([obj(i).ip]));
  return {
    namespace: str(meta.namespace) ?? 'default',
    name,
    type,
    clusterIPs: unique([...strings(spec.clusterIPs), ...strings([spec.clusterIP])]).filter((ip) => ip !== 'None'),
    externalIPs: unique([...strings(spec.externalIPs), ...lbIps]),
    ...(Object.keys(selector).length > 0 ? { selector } : {}),
    ...(externalName ? { externalName } : {}),
    ports: arr(spec.ports).flatMap(readServicePort),
  };
}

/** A port of an EndpointSlice or Endpoints subset; `port` undefined means "all ports" (EndpointSlice API). */
export interface GroupPort {
  readonly name: string;
  readonly port?: number;
  readonly protocol: SnapshotProtocol;
}

/** One address of an endpoint, and the pod it is when its `targetRef` says so. */
export interface GroupEndpoint {
  readonly ip: string;
  readonly pod?: { readonly namespace: string; readonly name: string };
}

/** One EndpointSlice or one subset of a v1 Endpoints: addresses that share one list of ports. */
export interface EndpointGroup {
  readonly ports: readonly GroupPort[];
  readonly endpoints: readonly GroupEndpoint[];
}

function groupPorts(v: unknown): GroupPort[] {
  return arr(v).flatMap((p): GroupPort[] => {
    const o = obj(p);
    const protocol = protocolOf(o.protocol);
    if (!protocol) return [];
    const port = portNumber(o.port);
    return [{ name: str(o.name) ?? '', ...(port ? { port } : {}), protocol }];
  });
}

function endpoint(ip: string, targetRef: unknown, namespace: string): GroupEndpoint {
  const ref = obj(targetRef);
  const name = str(ref.name);
  return ref.kind === 'Pod' && name ? { ip, pod: { namespace: str(ref.namespace) ?? namespace, name } } : { ip };
}

/**
 * A `discovery.k8s.io/v1` EndpointSlice: the Service it belongs to (label `kubernetes.io/service-name`),
 * its own name and its group. Undefined without that label, and for `FQDN` slices (names, not addresses).
 */
export function readEndpointSlice(o: Obj): { service: string; name: string; group: EndpointGroup } | undefined {
  const meta = obj(o.metadata);
  const namespace = str(meta.namespace) ?? 'default';
  const service = str(obj(meta.labels)['kubernetes.io/service-name']);
  if (!service || o.addressType === 'FQDN') return undefined;
  const endpoints = arr(o.endpoints).flatMap((e) => strings(obj(e).addresses).map((ip) => endpoint(ip, obj(e).targetRef, namespace)));
  return { service: nameKey(namespace, service), name: str(meta.name) ?? '', group: { ports: groupPorts(o.ports), endpoints } };
}

/** A `v1/Endpoints` (named after its Service): one group per subset, ready and not-ready addresses alike. */
export function readEndpoints(o: Obj): { service: string; groups: EndpointGroup[] } | undefined {
  const meta = obj(o.metadata);
  const name = str(meta.name);
  if (!name) return undefined;
  const namespace = str(meta.namespace) ?? 'default';
  const groups = arr(o.subsets).map((s): EndpointGroup => {
    const subset = obj(s);
    const addresses = [...arr(subset.addresses), ...arr(subset.notReadyAddresses)].map(obj);
    return {
      ports: groupPorts(subset.ports),
      endpoints: addresses.flatMap((a) => strings([a.ip]).map((ip) => endpoint(ip, a.targetRef, namespace))),
    };
  });
  return { service: nameKey(namespace, name), groups };
}
