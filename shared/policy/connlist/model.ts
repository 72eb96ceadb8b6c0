import type { NetworkPolicy } from '../types';

/** A workload as netpol-analyzer names it: `ns/name[Kind]`, with one representative pod. */
export interface WorkloadPeer {
  readonly kind: 'workload';
  readonly namespace: string;
  readonly name: string;
  readonly workloadKind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
}

export interface ConnlistModel {
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly workloads: readonly WorkloadPeer[];
  readonly policies: readonly NetworkPolicy[];
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

/** Builds the model from Kubernetes objects (Lists already flattened): namespaces, workloads, policies. */
export function buildModel(objects: readonly Obj[]): ConnlistModel {
  const namespaces = new Map<string, Record<string, string>>();
  const workloads = new Map<string, WorkloadPeer>();
  const policies: NetworkPolicy[] = [];
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
  return { namespaces, workloads: [...workloads.values()], policies };
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
