import type { EntityName } from './types';

/** Label keys that name a workload, in order of preference (DESIGN.md, "Workload identity"). */
export const IDENTITY_LABEL_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name'] as const;

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
  /** The strongest reserved entity among the labels (kube-apiserver wins over host). */
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
      // kube-apiserver endpoints also carry reserved:host or remote-node; the more specific name wins.
      if (e && (entity === undefined || e === 'kube-apiserver')) entity = e;
    } else if (source === 'cidr' || source === 'fqdn') {
      worldish = true;
    } else if (source === 'k8s' || source === 'container' || source === '') {
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
  readonly identity: Record<string, string>;
}

/**
 * Names a workload from its labels, then its owner, then its pod name
 * (`reviews-v1-545db77b95-s6jb8` → `reviews-v1`).
 */
export function workloadIdentity(
  labels: Readonly<Record<string, string>>,
  ownerName: string | undefined,
  podName: string | undefined,
): WorkloadIdentity | undefined {
  for (const key of IDENTITY_LABEL_KEYS) {
    const value = labels[key];
    if (value) return { name: value, identity: { [key]: value } };
  }
  const owner = ownerName || (podName ? ownerFromPodName(podName) : undefined);
  if (!owner) return undefined;
  // Without an identity label the best selector is the stable labels the pods carry.
  return { name: owner, identity: { ...labels } };
}

/** Strips the ReplicaSet hash and pod suffix, the DaemonSet/Job suffix, or the StatefulSet ordinal. */
export function ownerFromPodName(pod: string): string {
  const deploy = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(pod);
  if (deploy) return deploy[1];
  const random = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  if (random && /[0-9]/.test(pod.slice(-5))) return random[1];
  const ordinal = /^(.+)-\d+$/.exec(pod);
  if (ordinal) return ordinal[1];
  return pod;
}

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
