/**
 * One connection against a set of Kubernetes NetworkPolicies, with the explanation: the policy
 * engine (engine/) answering for pods described by a ClusterModel. Kept for the callers that
 * describe pods this way (the AI review, flow-level diff); verify works on the engine directly.
 */
import { has } from './engine/conn-set';
import { flowVerdict, type Verdict3 } from './engine';
import { KubernetesPolicies, kubernetesPair, peerMatch, portsAllowance } from './engine/kubernetes';
import type { End, PodEnd } from './engine/model';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PolicyProtocol, RuleRef } from './types';

export { effectivePolicyTypes, policyId } from './engine/kubernetes';

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
  /** True only when surely allowed (`verdict` says when it cannot be decided). */
  readonly allowed: boolean;
  readonly verdict: Verdict3;
  /** Null when the source is not a pod (nothing restricts its egress). */
  readonly egress: DirectionResult | null;
  /** Null when the destination is not a pod. */
  readonly ingress: DirectionResult | null;
  readonly explanation: string;
}

const ends = new WeakMap<object, End>();

/** The engine's view of a ClusterModel end (the model's pods are taken as fully known). */
export function toEnd(e: ConnectionEnd, cluster: ClusterModel): End {
  const key = e.kind === 'pod' ? e.pod : e;
  const hit = ends.get(key);
  if (hit) return hit;
  const end: End =
    e.kind === 'ip'
      ? { kind: 'address', id: e.ip, ip: e.ip }
      : ({
          kind: 'pod',
          id: `${e.pod.namespace}/${e.pod.name}`,
          namespace: e.pod.namespace,
          labels: e.pod.labels,
          labelsComplete: true,
          namespaceLabels: cluster.namespaceLabels[e.pod.namespace],
          ...(e.pod.ports ? { podPorts: [e.pod.ports] } : {}),
        } satisfies PodEnd);
  ends.set(key, end);
  return end;
}

const indexes = new WeakMap<readonly NetworkPolicy[], KubernetesPolicies>();

/**
 * Kubernetes NetworkPolicy semantics (see engine/kubernetes.ts): a connection needs the source
 * pod's egress and the destination pod's ingress; a pod not selected for a direction is open in it,
 * and the rules of all policies selecting it combine as a union.
 */
export function evaluate(policies: readonly NetworkPolicy[], cluster: ClusterModel, conn: Connection): Verdict {
  let index = indexes.get(policies);
  if (!index) indexes.set(policies, (index = new KubernetesPolicies(policies)));
  const src = toEnd(conn.src, cluster);
  const dst = toEnd(conn.dst, cluster);
  const v = flowVerdict(kubernetesPair(index, src, dst), { src, dst, protocol: conn.protocol, port: conn.port });
  const dir = (d: typeof v.egress, rule: RuleRef | undefined): DirectionResult | null =>
    d ? { isolated: d.isolated !== 'no', allowedBy: rule, isolatingPolicies: [...d.isolating, ...d.maybeIsolating] } : null;
  return {
    allowed: v.verdict === 'allowed',
    verdict: v.verdict,
    egress: dir(v.egress, v.egressRule),
    ingress: dir(v.ingress, v.ingressRule),
    get explanation() {
      return v.explanation;
    },
  };
}

/** Does one `from`/`to` entry surely select the other end of the connection? */
export function peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, other: ConnectionEnd, cluster: ClusterModel): boolean {
  return peerMatch(peer, policyNamespace, toEnd(other, cluster)).match === 'yes';
}

/** Does a rule's port list surely admit the connection? Named ports resolve on the destination pod. */
export function portsMatch(ports: readonly NetworkPolicyPort[] | undefined, conn: Connection, cluster?: ClusterModel): boolean {
  const dst = toEnd(conn.dst, cluster ?? { pods: [], namespaceLabels: {} });
  return has(portsAllowance(ports, dst).allowance.sure, conn.protocol, conn.port);
}
