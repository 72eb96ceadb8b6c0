import { cidrContains, parseCidr } from './cidr';
import { selectorMatches } from './selectors';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PolicyProtocol, PolicyType, RuleRef } from './types';
import { ruleRefText } from './types';

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: PolicyProtocol;
}

/** A pod as policies see it: namespace, labels, address and named ports. */
export interface ClusterPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip?: string;
  readonly ports?: readonly ContainerPort[];
}

export interface ClusterModel {
  readonly pods: readonly ClusterPod[];
  /** Labels of each namespace (`kubernetes.io/metadata.name` included). */
  readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type ConnectionEnd = { readonly kind: 'pod'; readonly pod: ClusterPod } | { readonly kind: 'ip'; readonly ip: string };

export interface Connection {
  readonly src: ConnectionEnd;
  readonly dst: ConnectionEnd;
  readonly protocol: PolicyProtocol;
  readonly port: number;
}

export interface DirectionResult {
  /** Some policy selects the pod for this direction. */
  readonly isolated: boolean;
  /** The first rule (in policy order) that allows the connection. */
  readonly allowedBy?: RuleRef;
  /** The policies that select the pod for this direction. */
  readonly isolatingPolicies: readonly string[];
}

export interface Verdict {
  readonly allowed: boolean;
  /** Null when the source is not a pod (nothing restricts its egress). */
  readonly egress: DirectionResult | null;
  /** Null when the destination is not a pod. */
  readonly ingress: DirectionResult | null;
  readonly explanation: string;
}

/** `policyTypes`, or what Kubernetes infers when it is absent. */
export function effectivePolicyTypes(p: NetworkPolicy): readonly PolicyType[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return (p.spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

export const policyId = (p: NetworkPolicy): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

function nsLabels(cluster: ClusterModel, ns: string): Readonly<Record<string, string>> {
  return cluster.namespaceLabels[ns] ?? { 'kubernetes.io/metadata.name': ns };
}

/** Does one `from`/`to` entry select the other end of the connection? */
export function peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, other: ConnectionEnd, cluster: ClusterModel): boolean {
  if (peer.ipBlock) {
    // ipBlock names addresses outside the cluster; pods are selected by labels (as netpol-analyzer does).
    if (other.kind !== 'ip') return false;
    const cidr = parseCidr(peer.ipBlock.cidr);
    if (!cidr || !cidrContains(cidr, other.ip)) return false;
    return !(peer.ipBlock.except ?? []).some((e) => {
      const x = parseCidr(e);
      return x !== undefined && cidrContains(x, other.ip);
    });
  }
  if (!peer.podSelector && !peer.namespaceSelector) return false; // `{}` is invalid: it selects nothing
  if (other.kind !== 'pod') return false;
  const pod = other.pod;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, nsLabels(cluster, pod.namespace))) return false;
  } else if (pod.namespace !== policyNamespace) return false;
  return selectorMatches(peer.podSelector, pod.labels);
}

/** Does a rule's port list admit the connection? Named ports resolve on the destination pod. */
export function portsMatch(ports: readonly NetworkPolicyPort[] | undefined, conn: Connection): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== conn.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return conn.port >= p.port && conn.port <= (p.endPort ?? p.port);
    if (/^\d+$/.test(p.port)) {
      const n = Number(p.port);
      return conn.port >= n && conn.port <= (p.endPort ?? n);
    }
    if (conn.dst.kind !== 'pod') return false;
    return (conn.dst.pod.ports ?? []).some(
      (cp) => cp.name === p.port && (cp.protocol ?? 'TCP') === conn.protocol && cp.containerPort === conn.port,
    );
  });
}

function direction(
  policies: readonly NetworkPolicy[],
  cluster: ClusterModel,
  pod: ClusterPod,
  conn: Connection,
  dir: 'ingress' | 'egress',
): DirectionResult {
  const type: PolicyType = dir === 'ingress' ? 'Ingress' : 'Egress';
  const isolating: string[] = [];
  let allowedBy: RuleRef | undefined;
  for (const p of policies) {
    const ns = p.metadata.namespace ?? 'default';
    if (ns !== pod.namespace || !effectivePolicyTypes(p).includes(type) || !selectorMatches(p.spec.podSelector, pod.labels)) continue;
    const id = policyId(p);
    isolating.push(id);
    if (allowedBy) continue;
    const rules = dir === 'ingress' ? (p.spec.ingress ?? []) : (p.spec.egress ?? []);
    const other = dir === 'ingress' ? conn.src : conn.dst;
    rules.forEach((rule, index) => {
      if (allowedBy) return;
      const peers = 'from' in rule ? rule.from : (rule as { to?: readonly NetworkPolicyPeer[] }).to;
      const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, ns, other, cluster));
      if (peerOk && portsMatch(rule.ports, conn)) allowedBy = { policy: id, direction: dir, index };
    });
  }
  return { isolated: isolating.length > 0, allowedBy, isolatingPolicies: isolating };
}

function endText(e: ConnectionEnd): string {
  return e.kind === 'pod' ? `${e.pod.namespace}/${e.pod.name}` : e.ip;
}

/**
 * Kubernetes NetworkPolicy semantics: a connection needs the source pod's egress and the
 * destination pod's ingress; a pod not selected for a direction is open in it, and the rules of
 * all policies selecting it combine as a union.
 */
export function evaluate(policies: readonly NetworkPolicy[], cluster: ClusterModel, conn: Connection): Verdict {
  const egress = conn.src.kind === 'pod' ? direction(policies, cluster, conn.src.pod, conn, 'egress') : null;
  const ingress = conn.dst.kind === 'pod' ? direction(policies, cluster, conn.dst.pod, conn, 'ingress') : null;
  const egressOk = !egress || !egress.isolated || !!egress.allowedBy;
  const ingressOk = !ingress || !ingress.isolated || !!ingress.allowedBy;
  const part = (name: string, r: DirectionResult | null, ok: boolean): string =>
    !r || !r.isolated
      ? `${name} not restricted`
      : ok
        ? `${name} allowed by ${ruleRefText(r.allowedBy!)}`
        : `${name} denied: selected by ${r.isolatingPolicies.join(', ')}, and no rule matches`;
  return {
    allowed: egressOk && ingressOk,
    egress,
    ingress,
    // Built on demand: verifying a large graph evaluates many connections and reads few of these.
    get explanation(): string {
      const what = `${endText(conn.src)} -> ${endText(conn.dst)}:${conn.port}/${conn.protocol}`;
      return `${what} is ${egressOk && ingressOk ? 'allowed' : 'denied'}: ${part('egress', egress, egressOk)}; ${part('ingress', ingress, ingressOk)}.`;
    },
  };
}
