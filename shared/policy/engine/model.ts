/**
 * What the policy engine evaluates: the two ends of a connection, with what is known and what is
 * not about them, and answers in three values (yes, no, maybe) so that a verdict never claims more
 * than the input shows.
 */
import { isUnstableLabel } from '../../flows/identity';
import type { LabelSelector } from '../types';
import type { IpRange } from '../cidr';

export type Labels = Readonly<Record<string, string>>;

/** A three-valued answer: 'maybe' when the input does not tell. */
export type Tri = 'yes' | 'no' | 'maybe';

export const triOr = (a: Tri, b: Tri): Tri => (a === 'yes' || b === 'yes' ? 'yes' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'no');
export const triAnd = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes');

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/**
 * A pod (or the pods of one workload, which share labels). `labels` undefined: the input carried no
 * labels for it, so whether a selector picks it is not known. `labelsComplete` false: the labels
 * came from Hubble, which leaves out some keys (pod-template-hash, statefulset pod names, job
 * names…); a selector on such a key is 'maybe'. `ports` undefined: container ports (for named
 * ports) are not known; `portsOf` lists the ports of each pod when they differ.
 */
export interface PodEnd {
  readonly kind: 'pod';
  /** A name for messages: the graph node id (`ns/name`) or `ns/name[Kind]`. */
  readonly id: string;
  readonly namespace: string;
  readonly labels?: Labels;
  readonly labelsComplete?: boolean;
  /** Label keys whose values differ among the pods this end stands for: a selector on one is 'maybe' (it picks some of them). */
  readonly varying?: ReadonlySet<string>;
  /** The namespace's labels; undefined when only its name is known. */
  readonly namespaceLabels?: Labels;
  /** Container ports of every pod of the workload (one list per pod); undefined when not known. */
  readonly podPorts?: readonly (readonly ContainerPort[])[];
  /** Extra Cilium identity labels (`io.cilium.k8s.policy.serviceaccount` …) when known. */
  readonly ciliumLabels?: Labels;
}

/** An address outside the cluster's pods, with the DNS names it was reached by. */
export interface AddressEnd {
  readonly kind: 'address';
  readonly id: string;
  readonly ip: string;
  readonly names?: readonly string[];
}

/** A range of addresses outside the cluster (netpol-analyzer's IP peers). */
export interface RangeEnd {
  readonly kind: 'range';
  readonly id: string;
  readonly range: IpRange;
}

/** A Cilium reserved identity: host, remote-node, kube-apiserver, world, health, ingress, init, unmanaged. */
export interface EntityEnd {
  readonly kind: 'entity';
  readonly id: string;
  readonly entity: string;
  readonly ip?: string;
}

/**
 * An end whose address or identity the input does not give: a Service frontend nothing resolved to
 * its backends, an address a flow log aggregated into "a public/private network".
 */
export interface OpaqueEnd {
  readonly kind: 'opaque';
  readonly id: string;
  /** Why it is not known, and what would tell. */
  readonly why: string;
  /** For aggregated networks: the addresses it may be. */
  readonly within?: 'public' | 'private';
}

export type End = PodEnd | AddressEnd | RangeEnd | EntityEnd | OpaqueEnd;

/** One connection: the server port (or ICMP type), undefined when the input does not give it. */
export interface Flow {
  readonly src: End;
  readonly dst: End;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6';
  readonly port?: number;
}

/**
 * Keys Hubble's identity labels leave out (Cilium's default label filter) or that this tool drops:
 * a selector on one of them cannot be judged from a capture's labels alone.
 */
export function isHiddenKey(key: string): boolean {
  return (isUnstableLabel(key) && key !== 'io.kubernetes.pod.namespace') || key.startsWith('annotation.');
}

export interface SelectorMatch {
  readonly match: Tri;
  /** Why it is 'maybe'. */
  readonly why?: string;
}

const YES: SelectorMatch = { match: 'yes' };
const NO: SelectorMatch = { match: 'no' };

/**
 * Kubernetes label-selector semantics in three values: matchLabels and matchExpressions all hold;
 * an empty selector matches everything. Unknown labels (`labels` undefined) make a non-empty
 * selector 'maybe'; so does a requirement on a key `hidden` says the labels may lack.
 * Source: k8s.io/apimachinery/pkg/labels (selector.go), LabelSelectorAsSelector.
 */
export function selectorMatch(
  sel: LabelSelector | undefined,
  labels: Labels | undefined,
  hidden: (key: string) => boolean | string = () => false,
  what = 'the labels',
): SelectorMatch {
  if (!sel) return YES;
  const wanted = sel.matchLabels;
  const keys = wanted ? Object.keys(wanted) : [];
  if (keys.length + (sel.matchExpressions?.length ?? 0) === 0) return YES;
  if (!labels) return { match: 'maybe', why: `${what} are not known` };
  let maybe: string | undefined;
  // matchLabels first, without closures: this is the engine's innermost loop.
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(labels, key)) {
      if (labels[key] !== wanted![key]) return NO;
      continue;
    }
    const h = hidden(key);
    if (!h) return NO;
    maybe ??= typeof h === 'string' ? h : `${what} as captured do not show "${key}"`;
  }
  const check = (key: string, ok: (has: boolean, value: string | undefined) => boolean): boolean => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const h = has ? false : hidden(key);
    if (h) {
      // The key may be there and was not shown (or differs among the pods): the requirement may hold either way.
      maybe ??= typeof h === 'string' ? h : `${what} as captured do not show "${key}"`;
      return true;
    }
    return ok(has, has ? labels[key] : undefined);
  };
  for (const req of sel.matchExpressions ?? []) {
    const values = req.values ?? [];
    let ok: boolean;
    switch (req.operator) {
      case 'In':
        ok = check(req.key, (has, value) => has && values.includes(value!));
        break;
      case 'NotIn':
        ok = check(req.key, (has, value) => !has || !values.includes(value!));
        break;
      case 'Exists':
        ok = check(req.key, (has) => has);
        break;
      case 'DoesNotExist':
        ok = check(req.key, (has) => !has);
        break;
      default:
        ok = false;
    }
    if (!ok) return NO;
  }
  return maybe ? { match: 'maybe', why: maybe } : YES;
}

/** The labels of a namespace as far as known: its name label always. */
export function namespaceLabelsOf(end: PodEnd): { labels: Labels; complete: boolean } {
  return end.namespaceLabels
    ? { labels: { ...end.namespaceLabels, 'kubernetes.io/metadata.name': end.namespace }, complete: true }
    : { labels: { 'kubernetes.io/metadata.name': end.namespace }, complete: false };
}

/** Where a named container port points on a pod end: 'yes' when every pod maps `name` to `port`. */
export function namedPortMatch(end: End, name: string, protocol: string, port: number | undefined): Tri {
  if (end.kind !== 'pod') return 'no';
  if (!end.podPorts) return 'maybe';
  let yes = 0;
  let no = 0;
  for (const ports of end.podPorts) {
    const cp = ports.find((p) => p.name === name && (p.protocol ?? 'TCP') === protocol);
    if (cp && port !== undefined && cp.containerPort === port) yes++;
    else if (cp && port === undefined) return 'maybe';
    else no++;
  }
  return yes > 0 && no === 0 ? 'yes' : yes > 0 ? 'maybe' : 'no';
}

/** The numbers a named port resolves to on the end's pods (empty when unknown or none). */
export function namedPortNumbers(end: End, name: string, protocol: string): number[] {
  if (end.kind !== 'pod' || !end.podPorts) return [];
  const out = new Set<number>();
  for (const ports of end.podPorts)
    for (const p of ports) if (p.name === name && (p.protocol ?? 'TCP') === protocol) out.add(p.containerPort);
  return [...out].sort((a, b) => a - b);
}

export function endText(e: End): string {
  return e.kind === 'address' ? e.ip : e.id;
}

const hiddenCache = new WeakMap<PodEnd, ((key: string) => boolean | string) | null>();

/**
 * Which label keys a pod end may have without its labels showing them: keys Hubble leaves out
 * (when the labels are not complete) and keys whose values differ among its pods (said as such).
 * Undefined when its labels are the whole truth.
 */
export function hiddenKeys(pod: PodEnd): ((key: string) => boolean | string) | undefined {
  let h = hiddenCache.get(pod);
  if (h === undefined) {
    const varying = pod.varying && pod.varying.size > 0 ? pod.varying : undefined;
    h =
      pod.labelsComplete && !varying
        ? null
        : (key: string) =>
            varying?.has(key)
              ? `the pods of ${pod.id} differ in label "${key}", so a selector on it picks some of them, and the capture does not say which pods made the flows`
              : !pod.labelsComplete && isHiddenKey(key);
    hiddenCache.set(pod, h);
  }
  return h ?? undefined;
}

/** What would decide a selector that is 'maybe' for a pod: a snapshot gives missing labels, but not which pods made the flows. */
export function withSnapshotHint(why: string | undefined): string {
  return why?.startsWith('the pods of ') ? why : `${why}: give a cluster snapshot`;
}
