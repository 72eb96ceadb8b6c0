/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics as connection sets, in three values.
 * Source: the Kubernetes API reference for NetworkPolicySpec and the concepts page "Network
 * Policies" (a pod is isolated in a direction once a policy with that policyType selects it; the
 * rules of all such policies combine as a union; a connection needs the source's egress and the
 * destination's ingress; a rule with no `from`/`to` matches every peer, with no `ports` every port;
 * a peer with both namespaceSelector and podSelector is one peer (AND); ipBlock names addresses
 * outside the cluster, as np-guard/netpol-analyzer reads it; named ports resolve on the destination
 * pod). Verified by the replay of netpol-analyzer's connlist test suite.
 */
import { blockRanges, parseIp, rangeCovers, rangesOverlap, type IpRange } from '../cidr';
import type {
  LabelSelector,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyType,
  RuleRef,
} from '../types';
import { PeerIndex, type RuleAnchors } from './peer-index';
import { allOf, connOf, NO_CONNS, union, type L4Protocol } from './conn-set';
import {
  directionDetail,
  directionSum,
  type DirectionSum,
  EVERYTHING,
  addResidentNode,
  exactly,
  NOTHING,
  pairAllowance,
  type Allowance,
  type DirectionDetail,
  type PairDetail,
  type ResidentNode,
  type Point,
} from './allowance';
import { hiddenKeys, namespaceLabelsOf, selectorMatch, withSnapshotHint, triOr, type End, type PodEnd, type Tri } from './model';

/** `policyTypes`, or what Kubernetes infers when it is absent (Ingress, plus Egress when there are egress rules). */
export function effectivePolicyTypes(p: NetworkPolicy): readonly PolicyType[] {
  if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return (p.spec.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

const ids = new WeakMap<object, string>();

/** `namespace/name` of a namespaced policy (the namespace defaults to `default`); computed once per metadata object. */
export const policyId = (p: { metadata: { name: string; namespace?: string } }): string => {
  let id = ids.get(p.metadata);
  if (id === undefined) ids.set(p.metadata, (id = `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`));
  return id;
};

/** A peer answer with the reason when it is 'maybe'. */
interface PeerMatch {
  readonly match: Tri;
  readonly why?: string;
}

const NODE_ENTITIES = new Set(['host', 'remote-node', 'kube-apiserver', 'health', 'ingress']);

/** Ranges a `network` end (a flow log's aggregated address) may be in, and where nodes live. */
const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];
const PRIVATE = PRIVATE_RANGES.flatMap((c) => blockRanges(c));

/**
 * A block wide enough that an address the capture does not give may plausibly be in it: shorter
 * than /16 (IPv4) or /48 (IPv6). An unknown address is not taken to be one of a few named addresses.
 */
function isWide(r: IpRange): boolean {
  return r.end - r.start + 1n > (r.v6 ? 1n << 80n : 1n << 16n);
}

function blockMatch(peer: NetworkPolicyPeer, other: End): PeerMatch {
  const ranges = blockRanges(peer.ipBlock!.cidr, peer.ipBlock!.except ?? []);
  const holds = (ip: string): boolean => {
    const p = parseIp(ip);
    return !!p && ranges.some((r) => r.v6 === p.v6 && r.start <= p.value && p.value <= r.end);
  };
  switch (other.kind) {
    case 'pod':
      return { match: 'no' };
    case 'address':
      return { match: holds(other.ip) ? 'yes' : 'no' };
    case 'range':
      return {
        match: ranges.some((r) => rangeCovers(r, other.range)) ? 'yes' : ranges.some((r) => rangesOverlap(r, other.range)) ? 'maybe' : 'no',
      };
    case 'entity':
      if (other.entity === 'world') {
        if (other.ip) return { match: holds(other.ip) ? 'yes' : 'no' };
        return ranges.some(isWide) ? { match: 'maybe', why: `the address behind ${other.id} is not in the capture` } : { match: 'no' };
      }
      if (NODE_ENTITIES.has(other.entity)) {
        if (other.ip && !holds(other.ip)) return { match: 'no' };
        // Without its address, a node is taken to be in a private range (where nodes live) and in no narrow public block.
        const may = other.ip ? true : ranges.some((r) => isWide(r) || PRIVATE.some((p) => rangesOverlap(p, r)));
        return may
          ? {
              match: 'maybe',
              why: `whether ipBlock ${peer.ipBlock!.cidr} matches ${other.id} depends on its address and the CNI (Cilium matches ipBlocks against nodes only with policy-cidr-match-mode=nodes)`,
            }
          : { match: 'no' };
      }
      return { match: 'no' };
    case 'opaque': {
      if (other.within) {
        const priv = PRIVATE;
        const inPrivate = ranges.some((r) => priv.some((p) => rangesOverlap(r, p)));
        const outside = ranges.some((r) => !priv.some((p) => rangeCovers(p, r)));
        const may = other.within === 'private' ? inPrivate : outside;
        return may ? { match: 'maybe', why: other.why } : { match: 'no' };
      }
      return ranges.length > 0 ? { match: 'maybe', why: other.why } : { match: 'no' };
    }
  }
}

/** Does one `from`/`to` entry select the other end? */
export function peerMatch(peer: NetworkPolicyPeer, policyNamespace: string, other: End): PeerMatch {
  if (peer.ipBlock) return blockMatch(peer, other);
  if (!peer.podSelector && !peer.namespaceSelector) return { match: 'no' }; // `{}` is invalid: it selects nothing
  if (other.kind === 'opaque' && !other.within) return { match: 'maybe', why: other.why };
  if (other.kind !== 'pod') return { match: 'no' };
  let whyNs: string | undefined;
  if (peer.namespaceSelector) {
    const ns = namespaceLabelsOf(other);
    const m = selectorMatch(
      peer.namespaceSelector,
      ns.labels,
      ns.complete ? undefined : (k) => k !== 'kubernetes.io/metadata.name',
      `the labels of namespace ${other.namespace}`,
    );
    if (m.match === 'no') return { match: 'no' };
    if (m.match === 'maybe') whyNs = `${m.why}: give a cluster snapshot that lists namespaces`;
  } else if (other.namespace !== policyNamespace) return { match: 'no' };
  const m = selectorMatch(peer.podSelector, other.labels, hiddenKeys(other), `the labels of ${other.id}`);
  if (m.match === 'no') return { match: 'no' };
  if (m.match === 'maybe' || whyNs) return { match: 'maybe', why: whyNs ?? withSnapshotHint(m.why) };
  return { match: 'yes' };
}

/** `ports` lists without named ports, by their text: generated policies repeat a few lists thousands of times. */
const portCache = new Map<string, { allowance: Allowance }>();
const ALL_PORTS = { allowance: EVERYTHING };

/**
 * What a rule's `ports` allow towards `dst`: every port and protocol when empty; a protocol's every
 * port when `port` is absent; `port`–`endPort`; a named port resolved on the destination's pods
 * ('maybe' for every port of the protocol when their container ports are not known).
 */
export function portsAllowance(ports: readonly NetworkPolicyPort[] | undefined, dst: End): { allowance: Allowance; why?: string } {
  if (!ports || ports.length === 0) return ALL_PORTS;
  let text = '';
  for (const p of ports) text += `${p.protocol ?? ''}/${p.port ?? ''}-${p.endPort ?? ''},`;
  const cached = portCache.get(text);
  if (cached) return cached;
  let sure = NO_CONNS;
  let maybe = NO_CONNS;
  let named = false;
  let why: string | undefined;
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    if (p.port === undefined) sure = union(sure, allOf(proto));
    else if (typeof p.port === 'number' || /^\d+$/.test(p.port)) {
      const n = Number(p.port);
      sure = union(sure, connOf(proto, n, p.endPort ?? n));
    } else {
      named = true;
      const r = namedPort(p.port, proto, dst);
      sure = union(sure, r.sure);
      maybe = union(maybe, r.maybe);
      why ??= r.why;
    }
  }
  if (!named) {
    const result = { allowance: exactly(sure) };
    if (portCache.size >= 4096) portCache.clear();
    portCache.set(text, result);
    return result;
  }
  return { allowance: { sure, maybe: union(sure, maybe) }, why };
}

function namedPort(name: string, proto: L4Protocol, dst: End): Allowance & { why?: string } {
  if (dst.kind !== 'pod') {
    // A named port names a container port: an address outside the cluster has none.
    if (dst.kind === 'opaque' && !dst.within) return { sure: NO_CONNS, maybe: allOf(proto), why: dst.why };
    return NOTHING;
  }
  if (!dst.podPorts) {
    return {
      sure: NO_CONNS,
      maybe: allOf(proto),
      why: `named port "${name}" cannot be resolved: the input has no container port names for ${dst.id} (give a cluster snapshot with --snapshot)`,
    };
  }
  const values = new Set<number | undefined>();
  for (const pod of dst.podPorts) values.add(pod.find((c) => c.name === name && (c.protocol ?? 'TCP') === proto)?.containerPort);
  const numbers = [...values].filter((v): v is number => v !== undefined);
  let set = NO_CONNS;
  for (const n of numbers) set = union(set, connOf(proto, n, n));
  if (values.size === 1 && numbers.length === 1) return exactly(set);
  return { sure: NO_CONNS, maybe: set, why: `named port "${name}" means different ports on the pods of ${dst.id}` };
}

/** A required label of a selector (its first matchLabels entry), for the peer index; undefined when it has none. */
function anchorOf(sel: LabelSelector | undefined): readonly [string, string] | undefined {
  for (const k in sel?.matchLabels ?? {}) return [k, sel!.matchLabels![k]];
  return undefined;
}

/** One required pod label per peer of a rule; undefined when a peer may pick pods by something else (no peers, ipBlock, namespaces only). */
function ruleAnchors(peers: readonly NetworkPolicyPeer[] | undefined): RuleAnchors {
  if (!peers || peers.length === 0) return undefined;
  const out: (readonly [string, string])[] = [];
  for (const peer of peers) {
    const a = peer.ipBlock ? undefined : anchorOf(peer.podSelector);
    if (!a) return undefined;
    out.push(a);
  }
  return out;
}

/** One direction of a policy, read once: its rules, their peers and refs, and (on first use) the index of their peers. */
interface CompiledRules {
  readonly rules: readonly (NetworkPolicyIngressRule | NetworkPolicyEgressRule)[];
  /** `from` (ingress) or `to` (egress) of each rule. */
  readonly peers: readonly (readonly NetworkPolicyPeer[] | undefined)[];
  readonly refs: readonly RuleRef[];
  index?: PeerIndex;
  /** Each rule's `ports`, once read, when they name no port by name (those resolve on each destination). */
  readonly ports: ({ allowance: Allowance; why?: string } | undefined)[];
}

/** A NetworkPolicy read once per engine: its id, namespace, the directions it isolates, and its rules. */
export interface CompiledPolicy {
  readonly policy: NetworkPolicy;
  readonly id: string;
  readonly namespace: string;
  readonly ingress?: CompiledRules;
  readonly egress?: CompiledRules;
}

function compileRules(
  id: string,
  direction: 'ingress' | 'egress',
  rules: readonly (NetworkPolicyIngressRule | NetworkPolicyEgressRule)[],
): CompiledRules {
  return {
    rules,
    peers: rules.map((r) => (direction === 'ingress' ? (r as NetworkPolicyIngressRule).from : (r as NetworkPolicyEgressRule).to)),
    refs: rules.map((_, index) => ({ policy: id, direction, index })),
    ports: [],
  };
}

/** Compiles a policy: a direction is there when the policy isolates it (its effective policyTypes). */
function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const id = policyId(policy);
  const types = effectivePolicyTypes(policy);
  return {
    policy,
    id,
    namespace: policy.metadata.namespace ?? 'default',
    ...(types.includes('Ingress') ? { ingress: compileRules(id, 'ingress', policy.spec.ingress ?? []) } : {}),
    ...(types.includes('Egress') ? { egress: compileRules(id, 'egress', policy.spec.egress ?? []) } : {}),
  };
}

/** The positions of a direction's rules whose peers could pick `other`, ascending: a superset, each still matched in full. */
function candidateRules(c: CompiledRules, other: End): readonly number[] {
  const index = (c.index ??= new PeerIndex(c.peers.map(ruleAnchors)));
  if (other.kind !== 'pod') return index.all;
  return index.candidates(other.labels, hiddenKeys(other));
}

/** What rule `i` of a compiled direction allows at L4 towards `dst`, kept when it does not depend on `dst`. */
function rulePorts(list: CompiledRules, i: number, dst: End): { allowance: Allowance; why?: string } {
  const ports = list.rules[i].ports;
  const a = portsAllowance(ports, dst);
  if (!ports || ports.every((p) => p.port === undefined || typeof p.port === 'number' || /^\d+$/.test(p.port))) list.ports[i] = a;
  return a;
}

/** A policy that selects a pod, surely or maybe (with the reason). */
export interface SelectingPolicy {
  readonly compiled: CompiledPolicy;
  readonly match: Tri;
  readonly why?: string;
}

/** Policies indexed by namespace, and, once asked, by the pod they select. */
export class KubernetesPolicies {
  private readonly byNs = new Map<string, CompiledPolicy[]>();
  /** Per namespace, its policies filed under a label their podSelector requires. */
  private readonly selectorIndex = new Map<string, PeerIndex>();
  private readonly selecting = new WeakMap<PodEnd, readonly SelectingPolicy[]>();
  /** Every rule's ref, in policy order (ingress rules, then egress rules, of each policy). */
  readonly ruleRefs: readonly RuleRef[];

  constructor(readonly policies: readonly NetworkPolicy[]) {
    const refs: RuleRef[] = [];
    for (const p of policies) {
      const c = compilePolicy(p);
      (this.byNs.get(c.namespace) ?? this.byNs.set(c.namespace, []).get(c.namespace)!).push(c);
      // Rules of a direction the policy does not isolate are dead, but they are still rules to report.
      refs.push(...(c.ingress?.refs ?? compileRules(c.id, 'ingress', p.spec.ingress ?? []).refs));
      refs.push(...(c.egress?.refs ?? compileRules(c.id, 'egress', p.spec.egress ?? []).refs));
    }
    this.ruleRefs = refs;
  }

  /** The policies that select the pod (surely or maybe), in policy order; computed once per pod end. */
  selectingOf(pod: PodEnd): readonly SelectingPolicy[] {
    let list = this.selecting.get(pod);
    if (!list) {
      const all = this.byNs.get(pod.namespace) ?? [];
      let index = this.selectorIndex.get(pod.namespace);
      if (!index)
        this.selectorIndex.set(
          pod.namespace,
          (index = new PeerIndex(all.map((c) => ruleAnchors([{ podSelector: c.policy.spec.podSelector }])))),
        );
      list = index.candidates(pod.labels, hiddenKeys(pod)).flatMap((i) => {
        const compiled = all[i];
        const m = policySelects(compiled.policy, pod);
        return m.match === 'no' ? [] : [{ compiled, ...m }];
      });
      this.selecting.set(pod, list);
    }
    return list;
  }
}

/** Does the policy select the pod (three values), with the reason when 'maybe'. */
export function policySelects(p: NetworkPolicy, pod: PodEnd): { match: Tri; why?: string } {
  const m = selectorMatch(p.spec.podSelector, pod.labels, hiddenKeys(pod), `the labels of ${pod.id}`);
  return m.match === 'maybe' ? { match: 'maybe', why: `${m.why}, so whether ${policyId(p)} selects it is not known` } : m;
}

/** Judges one `from`/`to` entry against the other end: Kubernetes' reading (`peerMatch`), or a CNI's. */
export type PeerJudge = (peer: NetworkPolicyPeer, policyNamespace: string, other: End) => PeerMatch;

/**
 * Adds the NetworkPolicy rules that may apply to `self` in one direction with `other` to `out`: each
 * policy selecting `self` for that direction isolates it, and each of its rules whose ports may
 * matter and whose peers may pick `other` allows its ports (surely only when both the policy and a
 * peer surely apply). `judgePeer` reads a peer: Kubernetes semantics by default; Cilium passes its own
 * reading of ipBlock. `dst` is the connection's destination, where named ports resolve.
 */
export function addNetworkPolicyRules(
  index: KubernetesPolicies,
  self: PodEnd,
  other: End,
  direction: 'ingress' | 'egress',
  dst: End,
  out: DirectionSum,
  judgePeer: PeerJudge = peerMatch,
): void {
  for (const sel of index.selectingOf(self)) {
    const c = sel.compiled;
    const list = c[direction];
    if (!list) continue;
    out.selecting.add(c.id, sel.match === 'yes');
    if (sel.match !== 'yes') (out.unknowns ??= new Set()).add(sel.why!);
    if (list.rules.length === 0) continue;
    for (const i of candidateRules(list, other)) {
      // Ports first: at one point, a rule for other ports is skipped before its peer is matched.
      const ports = list.ports[i] ?? rulePorts(list, i, dst);
      if (!out.sum.admits(ports.allowance)) continue;
      const peers = list.peers[i];
      let match: Tri = 'yes';
      let why: string[] | undefined;
      if (peers && peers.length > 0) {
        match = 'no';
        for (const peer of peers) {
          const m = judgePeer(peer, c.namespace, other);
          match = triOr(match, m.match);
          if (m.match === 'maybe' && m.why) (why ??= []).push(m.why);
          if (match === 'yes') break;
        }
      }
      if (match === 'no') continue;
      if (ports.why) (why ??= []).push(ports.why);
      const certain = match === 'yes' && sel.match === 'yes';
      const allowance: Allowance = certain ? ports.allowance : { sure: NO_CONNS, maybe: ports.allowance.maybe };
      if (match === 'yes' && sel.match !== 'yes') (why ??= []).push(sel.why!);
      const ref = list.refs[i];
      out.rules.push(why ? { ref, allowance, why } : { ref, allowance });
      if (why) for (const w of why) (out.unknowns ??= new Set()).add(w);
      out.sum.add(allowance);
    }
  }
}

/** Kubernetes NetworkPolicy semantics for a pod's own node (see addResidentNode). */
const RESIDENT_NODE: ResidentNode = {
  ingress: "Kubernetes: a NetworkPolicy cannot block a pod's own node (kubelet probes come from it); only a CNI's own policy can",
  egress:
    "Kubernetes documents that traffic to and from a pod's own node is always allowed, but CNIs differ (Cilium blocks egress to the host unless a policy allows it): whether the policies stop it depends on the CNI; the Cilium flavor decides it (toEntities: host)",
};

/**
 * What the NetworkPolicies allow `self` in one direction with `other` (its egress to `other` as
 * destination, or its ingress from `other` as source); `dst` is the connection's destination, where
 * named ports resolve. Null when `self` is not a pod: nothing restricts it.
 */
export function kubernetesDirection(
  index: KubernetesPolicies,
  self: End,
  other: End,
  direction: 'ingress' | 'egress',
  dst: End,
  at?: Point,
): DirectionDetail | null {
  if (self.kind !== 'pod') return null;
  const out = directionSum(at);
  addNetworkPolicyRules(index, self, other, direction, dst, out);
  addResidentNode(out, direction, other, RESIDENT_NODE);
  return directionDetail(self, direction, out);
}

/** Both directions of a connection from `src` to `dst`: the source's egress and the destination's ingress (at one point, when given). */
export function kubernetesPair(index: KubernetesPolicies, src: End, dst: End, at?: Point): PairDetail {
  const egress = kubernetesDirection(index, src, dst, 'egress', dst, at);
  const ingress = kubernetesDirection(index, dst, src, 'ingress', dst, at);
  return { egress, ingress, allowance: pairAllowance(egress, ingress) };
}
