import type { NetworkPolicy } from '../types';
import type { ConnSet } from './portset';

/** A workload as netpol-analyzer names it: `ns/name[Kind]`, with one representative pod. */
export interface WorkloadPeer {
  readonly kind: 'workload';
  readonly namespace: string;
  readonly name: string;
  readonly workloadKind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
}

/** The peer netpol-analyzer adds when Ingress or Route objects are given: the cluster's ingress controller. */
export interface IngressControllerPeer {
  readonly kind: 'ingress-controller';
}

/** A Service port: `targetPort` (a number or a container port's name) is on the pods; without it, `port` is. */
export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
}

/** A Service with a selector (one without selects nothing here, as in netpol-analyzer): whom it selects, its ports. */
export interface ServiceEntry {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
}

/**
 * Where an Ingress or Route sends traffic: a Service in its own namespace, and the port it names there
 * (an Ingress: the Service port's number or name; a Route: `port.targetPort`, a number or a name), or
 * none for every port of the Service.
 */
export interface IngressBackend {
  readonly service: string;
  readonly port?: number | string;
}

/** A `networking.k8s.io/v1` Ingress or an OpenShift `route.openshift.io/v1` Route, reduced to its Service backends. */
export interface IngressRoute {
  readonly kind: 'Ingress' | 'Route';
  readonly namespace: string;
  readonly name: string;
  readonly backends: readonly IngressBackend[];
}

export interface ConnlistModel {
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly workloads: readonly WorkloadPeer[];
  readonly policies: readonly NetworkPolicy[];
  readonly services: readonly ServiceEntry[];
  /** Ingresses and Routes, in the order they were read. */
  readonly ingressRoutes: readonly IngressRoute[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const labelsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'string')) as Record<string, string>;

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);

function containerPorts(podSpec: Obj): WorkloadPeer['ports'] {
  const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as unknown[]) : [];
  return containers
    .flatMap((c) => (Array.isArray(obj(c).ports) ? (obj(c).ports as unknown[]) : []))
    .map((p) => {
      const o = obj(p);
      return { name: str(o.name), containerPort: Number(o.containerPort), protocol: str(o.protocol) };
    });
}

function servicePorts(spec: Obj): ServicePort[] {
  return (Array.isArray(spec.ports) ? (spec.ports as unknown[]) : []).map((p) => {
    const o = obj(p);
    const target = typeof o.targetPort === 'number' || typeof o.targetPort === 'string' ? o.targetPort : undefined;
    return { name: str(o.name), port: Number(o.port), targetPort: target === 0 || target === '' ? undefined : target };
  });
}

/** An Ingress backend's Service (`spec.defaultBackend`, `spec.rules[].http.paths[].backend`); resource backends name none. */
function ingressBackend(backend: unknown): IngressBackend[] {
  const svc = obj(obj(backend).service);
  const name = str(svc.name);
  if (!name) return [];
  const port = obj(svc.port);
  return [{ service: name, port: str(port.name) || (typeof port.number === 'number' && port.number !== 0 ? port.number : undefined) }];
}

/** The Services an Ingress or Route sends traffic to (targets of another kind than Service are left out, as upstream does). */
function ingressBackends(kind: 'Ingress' | 'Route', spec: Obj): IngressBackend[] {
  if (kind === 'Ingress') {
    const rules = Array.isArray(spec.rules) ? (spec.rules as unknown[]) : [];
    const paths = rules.flatMap((r) => {
      const http = obj(obj(r).http);
      return Array.isArray(http.paths) ? (http.paths as unknown[]) : [];
    });
    return [...(spec.defaultBackend ? ingressBackend(spec.defaultBackend) : []), ...paths.flatMap((p) => ingressBackend(obj(p).backend))];
  }
  // No port (or 0, or "") means every port of the Service.
  const target = obj(spec.port).targetPort;
  const port = (typeof target === 'number' && target !== 0) || (typeof target === 'string' && target !== '') ? target : undefined;
  const targets = [spec.to, ...(Array.isArray(spec.alternateBackends) ? (spec.alternateBackends as unknown[]) : [])].map(obj);
  return targets.flatMap((t) =>
    (t.kind === undefined || t.kind === '' || t.kind === 'Service') && str(t.name) ? [{ service: str(t.name)!, port }] : [],
  );
}

/** Builds the model from Kubernetes objects (Lists already flattened): namespaces, workloads, policies, Services, Ingresses and Routes. */
export function buildModel(objects: readonly Obj[]): ConnlistModel {
  const namespaces = new Map<string, Record<string, string>>();
  const workloads = new Map<string, WorkloadPeer>();
  const policies: NetworkPolicy[] = [];
  const services: ServiceEntry[] = [];
  const ingressRoutes: IngressRoute[] = [];
  const ensureNs = (ns: string): void => {
    if (!namespaces.has(ns)) namespaces.set(ns, { 'kubernetes.io/metadata.name': ns });
  };
  for (const o of objects) {
    const kind = str(o.kind);
    const meta = obj(o.metadata);
    const name = str(meta.name) ?? '';
    const ns = str(meta.namespace) || 'default';
    if (kind === 'Namespace') {
      namespaces.set(name, { ...labelsOf(meta.labels), 'kubernetes.io/metadata.name': name });
    } else if (kind === 'NetworkPolicy') {
      ensureNs(ns);
      policies.push({ ...(o as unknown as NetworkPolicy), metadata: { ...(o as unknown as NetworkPolicy).metadata, namespace: ns } });
    } else if (kind === 'Pod') {
      // Pods from manifests take part whether or not they were scheduled (manifests rarely carry status).
      ensureNs(ns);
      const owners = Array.isArray(meta.ownerReferences) ? (meta.ownerReferences as unknown[]).map(obj) : [];
      const owner = owners.find((r) => r.controller === true && r.kind !== 'Node');
      const peer: WorkloadPeer = {
        kind: 'workload',
        namespace: ns,
        name: owner ? (str(owner.name) ?? name) : name,
        workloadKind: owner ? (str(owner.kind) ?? 'Pod') : 'Pod',
        labels: labelsOf(meta.labels),
        ports: containerPorts(obj(o.spec)),
      };
      const key = `${ns}/${peer.name}[${peer.workloadKind}]`;
      if (!workloads.has(key)) workloads.set(key, peer);
    } else if (kind === 'Service') {
      const spec = obj(o.spec);
      if (spec.selector && typeof spec.selector === 'object')
        services.push({ namespace: ns, name, selector: labelsOf(spec.selector), ports: servicePorts(spec) });
    } else if (kind === 'Ingress' || kind === 'Route') {
      ingressRoutes.push({ kind, namespace: ns, name, backends: ingressBackends(kind, obj(o.spec)) });
    } else if (kind && WORKLOAD_KINDS.has(kind)) {
      ensureNs(ns);
      const spec = obj(o.spec);
      const template = kind === 'CronJob' ? obj(obj(obj(spec.jobTemplate).spec).template) : obj(spec.template);
      const key = `${ns}/${name}[${kind}]`;
      if (!workloads.has(key)) {
        workloads.set(key, {
          kind: 'workload',
          namespace: ns,
          name,
          workloadKind: kind,
          labels: labelsOf(obj(template.metadata).labels),
          ports: containerPorts(obj(template.spec)),
        });
      }
    }
  }
  return { namespaces, workloads: [...workloads.values()], policies, services, ingressRoutes };
}

/** Kubernetes objects in parsed YAML/JSON documents, with `List` kinds flattened. */
export function flattenObjects(docs: readonly unknown[]): Obj[] {
  const out: Obj[] = [];
  const visit = (v: unknown, impliedKind?: string): void => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, impliedKind));
    const o = obj(v);
    // Items of a typed list (PodList, NamespaceList…) may leave out their kind.
    const kind = typeof o.kind === 'string' ? o.kind : impliedKind;
    if (!kind) return;
    if (kind.endsWith('List') && Array.isArray(o.items)) {
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      (o.items as unknown[]).forEach((x) => visit(x, itemKind));
    } else out.push(o.kind === kind ? o : { ...o, kind });
  };
  docs.forEach((d) => visit(d));
  return out;
}

/**
 * A range of addresses outside the cluster, one of the disjoint pieces the policies' ipBlocks cut
 * an address family into (IPv6 only when some ipBlock is IPv6).
 */
export interface IpPeer {
  readonly kind: 'ip';
  readonly v6: boolean;
  readonly start: bigint;
  readonly end: bigint;
}

export type ConnlistPeer = WorkloadPeer | IpPeer | IngressControllerPeer;

/** What the policies allow from one peer to another. */
export interface PeerConnSet {
  readonly src: ConnlistPeer;
  readonly dst: ConnlistPeer;
  readonly conn: ConnSet;
}
