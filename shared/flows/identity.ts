import type { EntityName, Unlabelled } from './types';

/** Label keys that name a workload, in order of preference (DESIGN.md, "Workload identity"). */
export const IDENTITY_LABEL_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'run'] as const;

/** Labels that change with every rollout, job run or pod: never part of an identity or selector. */
const UNSTABLE_LABEL_KEYS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
]);

/** True for labels no policy should select on (hashes, job and pod names, Cilium's own). */
export function isUnstableLabel(key: string): boolean {
  return (
    UNSTABLE_LABEL_KEYS.has(key) ||
    key.startsWith('io.cilium.') ||
    key.startsWith('io.kubernetes.') ||
    key === 'security.istio.io/tlsMode' ||
    key === 'service.istio.io/canonical-revision'
  );
}

const RESERVED: Record<string, EntityName> = {
  host: 'host',
  'remote-node': 'remote-node',
  world: 'world',
  'world-ipv4': 'world',
  'world-ipv6': 'world',
  'kube-apiserver': 'kube-apiserver',
  health: 'health',
  ingress: 'ingress',
  init: 'init',
  unmanaged: 'unmanaged',
  unknown: 'unknown',
};

/** Cilium's fixed numeric identities, for endpoints that carry no labels. */
const RESERVED_IDENTITY: Record<number, EntityName> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
  9: 'world',
  10: 'world',
};

export interface ParsedLabels {
  /** Kubernetes pod labels (`k8s:` source), stable ones only. */
  readonly pod: Record<string, string>;
  readonly namespace?: string;
  /** The strongest reserved entity among the labels (host wins over kube-apiserver, which wins over remote-node). */
  readonly entity?: EntityName;
  /** `cidr:` or `fqdn:` labels mean a world identity selected by address or name. */
  readonly worldish: boolean;
}

/** Splits Cilium's `source:key=value` labels into pod labels, namespace and reserved entity. */
export function parseCiliumLabels(labels: readonly string[] | undefined): ParsedLabels {
  const pod: Record<string, string> = {};
  let namespace: string | undefined;
  let entity: EntityName | undefined;
  let worldish = false;
  if (!labels) return { pod, worldish };
  for (const raw of labels) {
    if (typeof raw !== 'string') continue;
    const colon = raw.indexOf(':');
    const source = colon >= 0 ? raw.slice(0, colon) : '';
    const rest = colon >= 0 ? raw.slice(colon + 1) : raw;
    const eq = rest.indexOf('=');
    const key = eq >= 0 ? rest.slice(0, eq) : rest;
    const value = eq >= 0 ? rest.slice(eq + 1) : '';
    if (source === 'reserved') {
      const e = RESERVED[key];
      // An API server on the nodes also carries reserved:host or reserved:remote-node. The pod's own
      // node (host) wins: what matters to a policy is that it is the resident node, which no
      // NetworkPolicy can block and Cilium lets in (allow-localhost), whatever it runs; on another
      // node, kube-apiserver is the more specific name.
      if (e && (entity === undefined || (e === 'host' ? true : e === 'kube-apiserver' && entity !== 'host'))) entity = e;
    } else if (source === 'cidr' || source === 'fqdn') {
      worldish = true;
    } else if (source === 'k8s' || source === '') {
      // `container:` labels come from the container runtime: no Kubernetes selector can name them.
      if (key === 'io.kubernetes.pod.namespace') namespace = value;
      else if (!isUnstableLabel(key)) pod[key] = value;
    }
  }
  return { pod, namespace, entity, worldish };
}

export function entityForIdentity(identity: number | undefined): EntityName | undefined {
  return identity === undefined ? undefined : RESERVED_IDENTITY[identity];
}

export interface WorkloadIdentity {
  readonly name: string;
  /** The labels a podSelector uses; `{}` when none is known (then `unlabelled` says why). */
  readonly identity: Record<string, string>;
  readonly unlabelled?: Unlabelled;
}

const NAME_LABEL = 'app.kubernetes.io/name';
/** Kubernetes' recommended labels that, beside the name, tell installed applications apart. */
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * The name of one installed application (`app.kubernetes.io/instance`) of an application
 * (`app.kubernetes.io/name`), the way Helm names what it installs: the instance when it already
 * holds the name (`jaeger-default` of `jaeger-default`), the name when it holds the instance, else
 * `<instance>-<name>` (`orders-db-postgresql`: release orders-db of the postgresql chart). An
 * instance written `<namespace>.<name>` (as operators do) is read without its namespace.
 */
export function installedName(name: string, instance: string | undefined, namespace?: string): string {
  if (!instance) return name;
  const release = namespace && instance.startsWith(`${namespace}.`) ? instance.slice(namespace.length + 1) : instance;
  if (release.includes(name)) return release;
  if (name.includes(release)) return name;
  return `${release}-${name}`;
}

/**
 * Names a workload and picks the labels that select it (DESIGN.md, "Workload identity"): the first
 * of `app.kubernetes.io/name`, `app`, `k8s-app`, `name`, `run`; without one, every stable label the
 * pods carry, named after the owner (`ownerName`, else the pod name without its generated suffix).
 * `app.kubernetes.io/name` names an application, not an installation of it: its identity also
 * takes `app.kubernetes.io/instance` and `app.kubernetes.io/component` when the pods carry them
 * (two Helm releases of one chart are two workloads), named by installedName.
 * `labelsKnown` false means the record carried no labels at all, as opposed to none a policy can use.
 * Undefined when there is neither a label nor a name.
 */
export function workloadIdentity(
  labels: Readonly<Record<string, string>>,
  ownerName: string | undefined,
  podName: string | undefined,
  labelsKnown = true,
  namespace?: string,
): WorkloadIdentity | undefined {
  for (const key of IDENTITY_LABEL_KEYS) {
    const value = labels[key];
    if (!value) continue;
    if (key !== NAME_LABEL) return { name: value, identity: { [key]: value } };
    const identity: Record<string, string> = { [key]: value };
    for (const k of [INSTANCE_LABEL, COMPONENT_LABEL]) if (labels[k]) identity[k] = labels[k];
    return { name: installedName(value, labels[INSTANCE_LABEL], namespace), identity };
  }
  const owner = ownerName || (podName ? ownerFromPodName(podName) : undefined);
  if (!owner) return undefined;
  const identity = { ...labels };
  if (Object.keys(identity).length > 0) return { name: owner, identity };
  return { name: owner, identity, unlabelled: labelsKnown ? 'none' : 'not-captured' };
}

// Kubernetes generates name suffixes from this alphabet (apimachinery `rand.SafeEncodeString`:
// no vowels, no 0, 1 or 3), so a word like "proxy" or "https-v2" is never taken for one.
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
// A ReplicaSet's pod-template-hash: the safe alphabet since Kubernetes 1.11, decimal before.
const RS_HASH = `[0-9${SAFE.slice(0, 20)}]{6,10}`;
const POD_SUFFIX = `[${SAFE}]{5}`;
const DEPLOYMENT_POD = new RegExp(`^(.+)-${RS_HASH}-${POD_SUFFIX}$`);
const GENERATED_POD = new RegExp(`^(.+)-${POD_SUFFIX}$`);
const STATEFUL_POD = /^(.+)-\d+$/;
const REPLICASET = new RegExp(`^(.+)-${RS_HASH}$`);
// Words people name pods with that happen to fit the suffix alphabet.
const WORDS_LIKE_SUFFIXES = new Set(['https', 'crypt', 'scrpt', 'shtml', 'xhtml', 'nginx']);
// A CronJob names each Job `<cronjob>-<scheduled time in minutes since the epoch>`.
const CRONJOB_JOB = /^(.+)-\d{8,}$/;

/**
 * The workload a pod belongs to, from the name its controller generated:
 * - Deployment `<name>-<ReplicaSet hash>-<5 chars>` (a CronJob's Job pod `<name>-<schedule>-<5 chars>` alike),
 * - DaemonSet and Job `<name>-<5 chars>`,
 * - StatefulSet `<name>-<ordinal>`;
 * anything else is a bare pod named as it is. Semantics: Kubernetes `generateName` and
 * apimachinery's `SafeEncodeString`.
 */
export function ownerFromPodName(pod: string): string {
  const deploy = DEPLOYMENT_POD.exec(pod);
  if (deploy) return deploy[1];
  const generated = GENERATED_POD.exec(pod);
  if (generated && !WORDS_LIKE_SUFFIXES.has(pod.slice(-5))) return ownerFromControllerName(generated[1], 'Job');
  const ordinal = STATEFUL_POD.exec(pod);
  if (ordinal) return ordinal[1];
  return pod;
}

/**
 * The top-level workload behind a controller Hubble or Kubernetes names: a ReplicaSet
 * `<deployment>-<hash>` is its Deployment, a Job `<cronjob>-<schedule>` its CronJob.
 */
export function ownerFromControllerName(name: string, kind: string | undefined): string {
  if (kind === 'ReplicaSet') return REPLICASET.exec(name)?.[1] ?? name;
  if (kind === 'Job') return CRONJOB_JOB.exec(name)?.[1] ?? name;
  return name;
}

/**
 * The workload behind a Calico aggregated name (`nginx-86c57db685-*`, `web-*`, `rails-81531*`):
 * the prefix without its wildcard and without a ReplicaSet hash or CronJob schedule.
 */
export function ownerFromAggregatedName(aggr: string): string {
  const wildcard = /^(.*?)(-?)\*$/.exec(aggr);
  if (!wildcard) return ownerFromPodName(aggr);
  let prefix = wildcard[1];
  // `rails-81531*`: the aggregation cut the name inside the hash; drop the part of it that is left.
  if (!wildcard[2]) prefix = PARTIAL_HASH.exec(prefix)?.[1] ?? prefix;
  return REPLICASET.exec(prefix)?.[1] ?? CRONJOB_JOB.exec(prefix)?.[1] ?? prefix;
}

const PARTIAL_HASH = new RegExp(`^(.+)-[0-9${SAFE.slice(0, 20)}]+$`);

/** Parses Calico's label forms: `["k=v", …]`, `{labels:[…]}`, `{"k":"v"}` or `k=v | k2=v2`. */
export function parseKeyValueLabels(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (kv: string): void => {
    const eq = kv.indexOf('=');
    if (eq <= 0) return;
    const key = kv.slice(0, eq).trim();
    if (!isUnstableLabel(key)) out[key] = kv.slice(eq + 1).trim();
  };
  if (Array.isArray(input)) {
    for (const item of input) if (typeof item === 'string') add(item);
  } else if (typeof input === 'string') {
    if (input === '-' || input === '') return out;
    const trimmed = input.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return parseKeyValueLabels(JSON.parse(trimmed) as unknown);
      } catch {
        // fall through to the delimited forms
      }
    }
    for (const part of trimmed.replace(/^\[|\]$/g, '').split(/\s*[|,]\s*/)) add(part);
  } else if (input && typeof input === 'object') {
    const obj = input as Record<string, unknown>;
    if (Array.isArray(obj.labels)) return parseKeyValueLabels(obj.labels);
    for (const [key, value] of Object.entries(obj)) {
      if (typeof value === 'string' && !isUnstableLabel(key)) out[key] = value;
    }
  }
  return out;
}
