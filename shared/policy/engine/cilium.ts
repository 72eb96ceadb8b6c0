/**
 * CiliumNetworkPolicy semantics (cilium.io/v2, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy,
 * with the Kubernetes NetworkPolicies Cilium enforces beside them) as connection sets, in three
 * values. Sources: docs.cilium.io "Policy Enforcement Modes", "Layer 3/4 examples", "Deny Policies",
 * and cilium/cilium pkg/policy/api (rule.go: ingress/egress "if omitted or empty, this rule does not
 * apply"; enableDefaultDeny: true for each direction that has rules unless set, any policy requesting
 * it wins), pkg/k8s/apis/cilium.io/utils (a namespaced policy's endpoint selectors are scoped to its
 * namespace unless they name io.kubernetes.pod.namespace), pkg/policy/api/entity.go (entities).
 * What this evaluator assumes of the agent's configuration (the defaults) is listed in the README.
 */
import { blockRanges, parseIp, rangeCovers, rangesOverlap, type IpRange } from '../cidr';
import type { CiliumIcmpField, CiliumNetworkPolicy, CiliumPolicySpec, CiliumPortRule, CiliumRule } from '../cilium-types';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, RuleRef } from '../types';
import {
  AllowanceSum,
  EVERYTHING,
  exactly,
  NOTHING,
  pairAllowance,
  subtractAllowance,
  type Point,
  type Allowance,
  type DirectionDetail,
  type PairDetail,
  type RuleAllowance,
  SelectingPolicies,
} from './allowance';
import { ALL_CONNS, ALL_L4, allOf, connOf, NO_CONNS, union, type ConnSet, type L4Protocol } from './conn-set';
import { effectivePolicyTypes, KubernetesPolicies, peerMatch, policyId, portsAllowance } from './kubernetes';
import { isHiddenKey, selectorMatch, triAnd, triOr, type End, type Labels, type PodEnd, type Tri } from './model';
import { PeerIndex, type RuleAnchors } from './peer-index';

const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** One rule set (a `spec` or one of `specs`) of one policy, with where it lives. */
interface RuleSet {
  readonly id: string;
  /** Position in the input, so that rules keep their order across the indexes. */
  readonly order: number;
  /** Undefined for a CiliumClusterwideNetworkPolicy. */
  readonly namespace?: string;
  readonly spec: CiliumPolicySpec;
  /** `specs[i]`, when the policy has several. */
  readonly specIndex?: number;
}

/** ICMP type names Cilium accepts (pkg/policy/api/icmp.go), IPv4 and IPv6. */
const ICMP4_NAMES: Record<string, number> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};
const ICMP6_NAMES: Record<string, number> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** An ICMP field as a connection set; undefined when its type is not a known name or number. */
export function icmpFieldSet(f: CiliumIcmpField): ConnSet | undefined {
  const v6 = f.family === 'IPv6';
  const type = typeof f.type === 'number' ? f.type : /^\d+$/.test(f.type) ? Number(f.type) : (v6 ? ICMP6_NAMES : ICMP4_NAMES)[f.type];
  if (type === undefined || type < 0 || type > 255) return undefined;
  return connOf(v6 ? 'ICMPv6' : 'ICMPv4', type, type);
}

/** Cilium's `port` text: a number, "0" (every port), or a named port. */
function portRuleAllowance(toPorts: readonly CiliumPortRule[], dst: End): { allowance: Allowance; why?: string } {
  let sure = NO_CONNS;
  let maybe = NO_CONNS;
  let why: string | undefined;
  for (const pr of toPorts) {
    const ports = pr.ports ?? [];
    if (ports.length === 0) {
      // A toPorts entry without ports (L7 only) restricts nothing at L4.
      sure = union(sure, ALL_L4);
      continue;
    }
    for (const p of ports) {
      const protos: L4Protocol[] = !p.protocol || p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol];
      const text = p.port ?? '0';
      if (/^\d+$/.test(text)) {
        const n = Number(text);
        for (const proto of protos)
          sure = union(sure, n === 0 ? allOf(proto) : connOf(proto, n, p.endPort && p.endPort > n ? p.endPort : n));
      } else {
        // A named port: the Kubernetes resolution (on the destination pod's container ports).
        for (const proto of protos) {
          const r = portsAllowance([{ protocol: proto, port: text }], dst);
          sure = union(sure, r.allowance.sure);
          maybe = union(maybe, r.allowance.maybe);
          why ??= r.why;
        }
      }
    }
  }
  return { allowance: { sure, maybe: union(sure, maybe) }, why };
}

/** A rule's L4 part when it names no port by name (then it does not depend on the destination). */
const l4Cache = new WeakMap<CiliumRule, { allowance: Allowance; why?: string } | null>();

/** What a rule allows at L4: toPorts and icmps together; with neither, every port and protocol. */
function l4Allowance(rule: CiliumRule, dst: End): { allowance: Allowance; why?: string } {
  let cached = l4Cache.get(rule);
  if (cached === undefined) {
    const named = (rule.toPorts ?? []).some((pr) => (pr.ports ?? []).some((p) => p.port !== undefined && !/^\d+$/.test(p.port)));
    cached = named ? null : computeL4(rule, dst);
    l4Cache.set(rule, cached);
  }
  return cached ?? computeL4(rule, dst);
}

function computeL4(rule: CiliumRule, dst: End): { allowance: Allowance; why?: string } {
  const hasPorts = (rule.toPorts?.length ?? 0) > 0;
  const hasIcmp = (rule.icmps?.length ?? 0) > 0;
  if (!hasPorts && !hasIcmp) return { allowance: exactly(ALL_CONNS) };
  let allowance: Allowance = NOTHING;
  let why: string | undefined;
  if (hasPorts) {
    const r = portRuleAllowance(rule.toPorts!, dst);
    allowance = r.allowance;
    why = r.why;
  }
  if (hasIcmp) {
    let icmp = NO_CONNS;
    for (const ic of rule.icmps!) for (const f of ic.fields ?? []) icmp = union(icmp, icmpFieldSet(f) ?? NO_CONNS);
    allowance = { sure: union(allowance.sure, icmp), maybe: union(allowance.maybe, icmp) };
  }
  return { allowance, why };
}

/** The labels Cilium gives a pod's identity (without source prefixes), and which keys may be missing. */
const identities = new WeakMap<PodEnd, { labels: Labels | undefined; hidden: (key: string) => boolean }>();
function podIdentity(pod: PodEnd): { labels: Labels | undefined; hidden: (key: string) => boolean } {
  let id = identities.get(pod);
  if (!id) identities.set(pod, (id = computeIdentity(pod)));
  return id;
}

function computeIdentity(pod: PodEnd): { labels: Labels | undefined; hidden: (key: string) => boolean } {
  if (!pod.labels) return { labels: undefined, hidden: () => true };
  const labels: Record<string, string> = { ...pod.labels, ...pod.ciliumLabels, [NS_KEY]: pod.namespace };
  if (pod.namespaceLabels) {
    for (const [k, v] of Object.entries(pod.namespaceLabels)) labels[NS_LABEL_PREFIX + k] = v;
  }
  labels[`${NS_LABEL_PREFIX}kubernetes.io/metadata.name`] = pod.namespace;
  const hidden = (key: string): boolean => {
    if (key.startsWith(NS_LABEL_PREFIX)) return !pod.namespaceLabels;
    if (key.startsWith('io.cilium.k8s.policy.')) return !pod.ciliumLabels;
    return !pod.labelsComplete && isHiddenKey(key);
  };
  return { labels, hidden };
}

/** Splits a selector key `source:key` into its source (`k8s`, `any`, `reserved`, …) and key. */
function splitKey(key: string): { source: string; key: string } {
  const colon = key.indexOf(':');
  // Label keys may hold a `/` prefix but never a `:` — a colon means a Cilium source prefix.
  return colon > 0 ? { source: key.slice(0, colon), key: key.slice(colon + 1) } : { source: 'any', key };
}

type Normalised = { selector: LabelSelector; reserved: string[]; other: boolean; empty: boolean; namesNamespace: boolean };
const normalised = new WeakMap<LabelSelector, Normalised>();

/** The selector with source prefixes taken off; `reserved` requirements listed apart (once per selector object). */
function normaliseSelector(sel: LabelSelector): Normalised {
  let n = normalised.get(sel);
  if (!n) {
    const base = normaliseOnce(sel);
    n = {
      ...base,
      empty: Object.keys(base.selector.matchLabels ?? {}).length === 0 && (base.selector.matchExpressions ?? []).length === 0,
      namesNamespace: mentionsNamespace(sel),
    };
    normalised.set(sel, n);
  }
  return n;
}

function normaliseOnce(sel: LabelSelector): { selector: LabelSelector; reserved: string[]; other: boolean } {
  const reserved: string[] = [];
  let other = false;
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const s = splitKey(k);
    if (s.source === 'reserved') reserved.push(s.key);
    else if (s.source === 'k8s' || s.source === 'any') matchLabels[s.key] = v;
    else other = true;
  }
  const matchExpressions = (sel.matchExpressions ?? []).flatMap((e) => {
    const s = splitKey(e.key);
    if (s.source === 'reserved') {
      reserved.push(s.key);
      return [];
    }
    if (s.source !== 'k8s' && s.source !== 'any') {
      other = true;
      return [];
    }
    return [{ ...e, key: s.key }];
  });
  return { selector: { matchLabels, matchExpressions }, reserved, other };
}

/** A peer selector that names the namespace (or namespace labels) is not scoped to the policy's namespace (utils.go). */
const mentionsNamespace = (sel: LabelSelector): boolean =>
  [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)].some((k) => {
    const key = splitKey(k).key;
    return key === NS_KEY || key.startsWith(NS_LABEL_PREFIX);
  });

/**
 * Does an endpoint selector pick `end`? In a namespaced policy a selector that does not name
 * io.kubernetes.pod.namespace is scoped to the policy's namespace (so `{}` means every pod of it).
 */
export function endpointSelectorMatch(
  sel: LabelSelector,
  policyNamespace: string | undefined,
  end: End,
  subject = false,
): { match: Tri; why?: string } {
  const { selector, reserved, other, empty, namesNamespace } = normaliseSelector(sel);
  if (other) return { match: 'maybe', why: 'the selector uses a label source this tool does not read' };
  if (end.kind === 'entity') {
    // Reserved identities carry `reserved:NAME` and nothing else a pod selector names.
    if (reserved.length > 0) return { match: reserved.every((r) => r === end.entity) && empty ? 'yes' : 'no' };
    return { match: 'no' };
  }
  if (end.kind === 'opaque' && !end.within) return { match: 'maybe', why: end.why };
  if (end.kind !== 'pod') return { match: 'no' };
  if (reserved.length > 0) return { match: 'no' };
  // A namespaced policy's endpointSelector always selects in its own namespace; its peer selectors do unless they name one.
  if (policyNamespace !== undefined && (subject || !namesNamespace) && end.namespace !== policyNamespace) return { match: 'no' };
  const id = podIdentity(end);
  const m = selectorMatch(selector, id.labels, id.hidden, `the labels of ${end.id}`);
  return m.match === 'maybe' ? { match: 'maybe', why: `${m.why}: give a cluster snapshot` } : m;
}

/** The entities each entity selector stands for (pkg/policy/api/entity.go). */
function entityMatch(name: string, end: End): { match: Tri; why?: string } {
  const inCluster = (e: End): Tri => {
    if (e.kind === 'pod') return 'yes';
    if (e.kind === 'entity') {
      if (e.entity === 'world') return 'no';
      if (e.entity === 'kube-apiserver') return 'maybe';
      return 'yes';
    }
    if (e.kind === 'opaque') return e.within ? 'no' : 'maybe';
    return 'no';
  };
  const isWorld = (e: End): Tri => {
    if (e.kind === 'address' || e.kind === 'range') return 'yes';
    if (e.kind === 'entity') return e.entity === 'world' ? 'yes' : e.entity === 'kube-apiserver' ? 'maybe' : 'no';
    if (e.kind === 'opaque') return e.within ? 'yes' : 'maybe';
    return 'no';
  };
  const family = (e: End): 'v4' | 'v6' | undefined => {
    const ip = e.kind === 'address' ? e.ip : e.kind === 'entity' ? e.ip : undefined;
    if (e.kind === 'range') return e.range.v6 ? 'v6' : 'v4';
    const p = ip ? parseIp(ip) : undefined;
    return p ? (p.v6 ? 'v6' : 'v4') : undefined;
  };
  let match: Tri;
  switch (name) {
    case 'all':
      match = 'yes';
      break;
    case 'world':
      match = isWorld(end);
      break;
    case 'world-ipv4':
    case 'world-ipv6': {
      const w = isWorld(end);
      const f = family(end);
      match = w === 'no' ? 'no' : f === undefined ? 'maybe' : f === (name === 'world-ipv4' ? 'v4' : 'v6') ? w : 'no';
      break;
    }
    case 'cluster':
      match = inCluster(end);
      break;
    case 'kube-apiserver':
      match = end.kind === 'entity' && end.entity === 'kube-apiserver' ? 'yes' : end.kind === 'opaque' && !end.within ? 'maybe' : 'no';
      break;
    case 'none':
      match = 'no';
      break;
    case 'host':
    case 'remote-node':
      // An API server that runs on the nodes carries reserved:host or reserved:remote-node as well.
      match =
        end.kind === 'entity' && end.entity === name ? 'yes' : end.kind === 'entity' && end.entity === 'kube-apiserver' ? 'maybe' : 'no';
      break;
    default:
      match = end.kind === 'entity' && end.entity === name ? 'yes' : 'no';
  }
  return match === 'maybe' ? { match, why: `whether ${end.id} counts as entity "${name}" is not known from the capture` } : { match };
}

const cidrCache = {
  ingress: new WeakMap<CiliumRule, { ranges: IpRange[]; groups: boolean }>(),
  egress: new WeakMap<CiliumRule, { ranges: IpRange[]; groups: boolean }>(),
};
function cidrRanges(rule: CiliumRule, direction: 'ingress' | 'egress'): { ranges: IpRange[]; groups: boolean } {
  let r = cidrCache[direction].get(rule);
  if (!r) cidrCache[direction].set(rule, (r = computeCidrRanges(rule, direction)));
  return r;
}

function computeCidrRanges(rule: CiliumRule, direction: 'ingress' | 'egress'): { ranges: IpRange[]; groups: boolean } {
  const plain = (direction === 'ingress' ? rule.fromCIDR : rule.toCIDR) ?? [];
  const sets = (direction === 'ingress' ? rule.fromCIDRSet : rule.toCIDRSet) ?? [];
  const ranges = [...plain.flatMap((c) => blockRanges(c)), ...sets.flatMap((s) => (s.cidr ? blockRanges(s.cidr, s.except ?? []) : []))];
  return { ranges, groups: sets.some((s) => !s.cidr && s.cidrGroupRef) };
}

/** Does a CIDR rule pick the end? CIDR identities are addresses outside the cluster (world), never pods or nodes. */
function cidrMatch(ranges: readonly IpRange[], end: End): { match: Tri; why?: string } {
  if (ranges.length === 0) return { match: 'no' };
  const holds = (ip: string): boolean => {
    const p = parseIp(ip);
    return !!p && ranges.some((r) => r.v6 === p.v6 && r.start <= p.value && p.value <= r.end);
  };
  if (end.kind === 'address') return { match: holds(end.ip) ? 'yes' : 'no' };
  if (end.kind === 'range')
    return {
      match: ranges.some((r) => rangeCovers(r, end.range)) ? 'yes' : ranges.some((r) => rangesOverlap(r, end.range)) ? 'maybe' : 'no',
    };
  if (end.kind === 'entity' && end.entity === 'world') {
    if (end.ip) return { match: holds(end.ip) ? 'yes' : 'no' };
    return { match: 'maybe', why: `the address behind ${end.id} is not in the capture` };
  }
  if (end.kind === 'entity' && end.entity === 'kube-apiserver' && end.ip && holds(end.ip))
    return { match: 'maybe', why: `whether a CIDR rule selects the API server at ${end.ip} depends on where it runs` };
  if (end.kind === 'opaque') return { match: 'maybe', why: end.why };
  return { match: 'no' };
}

/** DNS names Cilium's toFQDNs selectors accept: matchName exactly, matchPattern with `*` for any characters but a dot (`**.` for any subdomain depth). */
export function fqdnMatches(sel: { matchName?: string; matchPattern?: string }, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (sel.matchName !== undefined) return sel.matchName.toLowerCase().replace(/\.$/, '') === n;
  if (sel.matchPattern === undefined) return false;
  const pattern = sel.matchPattern.toLowerCase().replace(/\.$/, '');
  if (pattern === '*') return true;
  const re = pattern
    .split('')
    .map((c, i, all) => {
      if (c === '*' && all[i + 1] === '*') return '';
      if (c === '*' && all[i - 1] === '*') return '.*';
      if (c === '*') return '[-a-z0-9_]*';
      return c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${re}$`).test(n);
}

function fqdnMatch(rule: CiliumRule, end: End): { match: Tri; why?: string } {
  const sels = rule.toFQDNs ?? [];
  if (sels.length === 0) return { match: 'no' };
  if (end.kind !== 'address' && !(end.kind === 'entity' && end.entity === 'world')) return { match: 'no' };
  const names = end.kind === 'address' ? (end.names ?? []) : [];
  if (names.length === 0) return { match: 'maybe', why: `no DNS name of ${end.id} was seen in the capture, so toFQDNs cannot be judged` };
  return { match: names.some((n) => sels.some((s) => fqdnMatches(s, n))) ? 'yes' : 'no' };
}

const PEER_FIELDS = {
  ingress: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes'],
  egress: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toNodes', 'toFQDNs', 'toServices', 'toGroups'],
} as const;

/** Does a rule's peer part pick the other end? A rule with no peer field picks every peer. */
/** A rule's peer fields for one direction, read once per rule object. */
interface RuleShape {
  readonly endpoints: readonly LabelSelector[];
  readonly entities: readonly string[];
  readonly cidr: { ranges: IpRange[]; groups: boolean };
  readonly nodes: readonly LabelSelector[];
  readonly requires: readonly LabelSelector[];
  readonly services: number;
  readonly groups: number;
  readonly anyPeer: boolean;
  /** The rule's peers are endpoint selectors and nothing else (no entities, CIDRs, nodes, names, services, groups or requirements). */
  readonly endpointsOnly: boolean;
  /** Set when the rule names no peer and no requirement: what it means then. */
  readonly bare?: { readonly match: Tri; readonly why: readonly string[] };
}
const shapes = { ingress: new WeakMap<CiliumRule, RuleShape>(), egress: new WeakMap<CiliumRule, RuleShape>() };

function shapeOf(rule: CiliumRule, direction: 'ingress' | 'egress'): RuleShape {
  let shape = shapes[direction].get(rule);
  if (shape) return shape;
  const endpoints = (direction === 'ingress' ? rule.fromEndpoints : rule.toEndpoints) ?? [];
  const entities = (direction === 'ingress' ? rule.fromEntities : rule.toEntities) ?? [];
  const cidr = cidrRanges(rule, direction);
  const nodes = (direction === 'ingress' ? rule.fromNodes : rule.toNodes) ?? [];
  const requires = (direction === 'ingress' ? rule.fromRequires : rule.toRequires) ?? [];
  const fqdns = direction === 'egress' ? (rule.toFQDNs ?? []).length : 0;
  const services = direction === 'egress' ? (rule.toServices ?? []).length : 0;
  const groups = direction === 'egress' ? (rule.toGroups ?? []).length : 0;
  const anyPeer = endpoints.length + entities.length + cidr.ranges.length + nodes.length + fqdns + services + groups > 0 || cidr.groups;
  const hasL4 = (rule.toPorts?.length ?? 0) > 0 || (rule.icmps?.length ?? 0) > 0;
  let bare: RuleShape['bare'];
  if (!anyPeer && requires.length === 0) {
    // `{}` allows nothing (it only turns enforcement on); ports without peers allow them from (to) any peer, world included.
    const explicitEmpty = PEER_FIELDS[direction].some((f) => Array.isArray((rule as Record<string, unknown>)[f]));
    bare = !hasL4
      ? { match: 'no', why: [] }
      : explicitEmpty
        ? {
            match: 'maybe',
            why: [`an empty peer list in ${direction} rules selects nothing in recent Cilium, and every peer in older releases`],
          }
        : { match: 'yes', why: [] };
  }
  const endpointsOnly =
    endpoints.length > 0 &&
    entities.length + cidr.ranges.length + nodes.length + requires.length + fqdns + services + groups === 0 &&
    !cidr.groups;
  shape = { endpoints, entities, cidr, nodes, requires, services, groups, anyPeer, endpointsOnly, bare };
  shapes[direction].set(rule, shape);
  return shape;
}

function rulePeerMatch(
  rule: CiliumRule,
  direction: 'ingress' | 'egress',
  namespace: string | undefined,
  other: End,
  dnsVisible = true,
): { match: Tri; why: string[] } {
  const shape = shapeOf(rule, direction);
  const { endpoints, entities, cidr, nodes, requires, services, groups, anyPeer, bare } = shape;
  if (bare) return { match: bare.match, why: bare.why.length === 0 ? [] : [...bare.why] };
  const why: string[] = [];
  let match: Tri = anyPeer ? 'no' : 'yes';
  const add = (m: { match: Tri; why?: string }): void => {
    match = triOr(match, m.match);
    if (m.match === 'maybe' && m.why) why.push(m.why);
  };
  for (const sel of endpoints) {
    add(endpointSelectorMatch(sel, namespace, other));
    if (match === 'yes') break;
  }
  // A rule of endpoint selectors only (what the generator writes) is decided by them.
  if (shape.endpointsOnly) return { match, why };
  for (const e of entities) add(entityMatch(e, other));
  add(cidrMatch(cidr.ranges, other));
  const fq = fqdnMatch(rule, other);
  // toFQDNs allows the addresses Cilium's DNS proxy saw returned: without a DNS rule for this pod, it may have seen none.
  add(
    fq.match === 'yes' && !dnsVisible
      ? {
          match: 'maybe',
          why: 'toFQDNs learns addresses only from lookups the DNS proxy sees: add an egress rule to kube-dns with toPorts port 53 and rules.dns',
        }
      : fq,
  );
  if (cidr.groups) add({ match: 'maybe', why: 'a CIDR group (cidrGroupRef) is not in the input' });
  if (nodes.length > 0)
    add({
      match: other.kind === 'entity' && (other.entity === 'host' || other.entity === 'remote-node') ? 'maybe' : 'no',
      why: "node selectors need the nodes' labels",
    });
  if (services > 0) add({ match: 'maybe', why: "toServices needs the Service's endpoints" });
  if (groups > 0) add({ match: 'maybe', why: "toGroups needs the cloud provider's addresses" });
  if (requires.length > 0) {
    for (const sel of requires) {
      const m = endpointSelectorMatch(sel, namespace, other);
      match = triAnd(match, m.match);
      if (m.match === 'maybe' && m.why) why.push(m.why);
    }
  }
  return { match, why };
}

/**
 * One required label of each endpoint selector of a rule, for the peer index; undefined when the rule
 * may pick something other than pods by their labels (entities, CIDRs, nodes, names, requirements,
 * reserved or other label sources, a selector with no label) and so is always a candidate.
 */
function ruleAnchors(rule: CiliumRule, direction: 'ingress' | 'egress'): RuleAnchors {
  const s = shapeOf(rule, direction);
  const fqdns = direction === 'egress' ? (rule.toFQDNs ?? []).length : 0;
  if (s.bare || s.endpoints.length === 0) return undefined;
  if (s.entities.length + s.cidr.ranges.length + s.nodes.length + s.requires.length + s.services + s.groups + fqdns > 0 || s.cidr.groups)
    return undefined;
  const out: (readonly [string, string])[] = [];
  for (const sel of s.endpoints) {
    const a = selectorAnchors(sel);
    if (!a) return undefined;
    out.push(a[0]);
  }
  return out;
}

/** A required label of an endpoint selector, for the peer index; undefined when it has none or may pick by something else. */
function selectorAnchors(sel: LabelSelector | undefined): RuleAnchors {
  if (!sel) return undefined;
  const n = normaliseSelector(sel);
  if (n.other || n.reserved.length > 0) return undefined;
  const entries = Object.entries(n.selector.matchLabels ?? {});
  const pick = entries.find(([k]) => k !== NS_KEY) ?? entries[0];
  return pick ? [pick] : undefined;
}

const NO_RULES: readonly CiliumRule[] = [];
/** The refs of a rule set's rules, made once: by rule set, list and position (one rule object may stand in two places through a YAML alias). */
const ruleRefCache = new WeakMap<RuleSet, Record<'ingress' | 'egress' | 'ingressDeny' | 'egressDeny', RuleRef[]>>();

const peerIndexes = { ingress: new WeakMap<readonly CiliumRule[], PeerIndex>(), egress: new WeakMap<readonly CiliumRule[], PeerIndex>() };

/** The positions of the rules (one direction's list of one rule set) whose peer part could pick `other`, ascending. */
function candidateRules(rules: readonly CiliumRule[], direction: 'ingress' | 'egress', other: End): readonly number[] {
  let index = peerIndexes[direction].get(rules);
  if (!index) peerIndexes[direction].set(rules, (index = new PeerIndex(rules.map((r) => ruleAnchors(r, direction)))));
  if (other.kind !== 'pod') return index.all;
  const id = podIdentity(other);
  return index.candidates(id.labels, id.hidden);
}

/** The policies of one evaluation: Cilium rule sets and the Kubernetes NetworkPolicies beside them. */
export class CiliumPolicies {
  readonly sets: readonly RuleSet[];
  readonly kubernetes: KubernetesPolicies;
  readonly ruleRefs: readonly RuleRef[];
  private readonly byNamespace = new Map<string, RuleSet[]>();
  private readonly clusterwide: RuleSet[] = [];
  private readonly selecting = new WeakMap<PodEnd, { sets: readonly { set: RuleSet; match: Tri; why?: string }[]; dnsVisible: boolean }>();
  /** The rule sets of a namespace (undefined: the clusterwide ones) filed under a label their endpointSelector requires. */
  private readonly setIndexes = new Map<string | undefined, PeerIndex>();

  private setIndex(namespace: string | undefined): PeerIndex {
    let index = this.setIndexes.get(namespace);
    if (!index) {
      const sets = namespace === undefined ? this.clusterwide : (this.byNamespace.get(namespace) ?? []);
      this.setIndexes.set(namespace, (index = new PeerIndex(sets.map((set) => selectorAnchors(set.spec.endpointSelector)))));
    }
    return index;
  }

  /**
   * The rule sets that select the pod (surely or maybe), in order, and whether one that surely
   * selects it sends its DNS through Cilium's proxy (a `rules.dns` egress rule); once per pod end.
   */
  selectingOf(pod: PodEnd): { sets: readonly { set: RuleSet; match: Tri; why?: string }[]; dnsVisible: boolean } {
    let hit = this.selecting.get(pod);
    if (!hit) {
      const id = podIdentity(pod);
      const sets = [
        ...this.setIndex(undefined)
          .candidates(id.labels, id.hidden)
          .map((i) => this.clusterwide[i]),
        ...this.setIndex(pod.namespace)
          .candidates(id.labels, id.hidden)
          .map((i) => this.byNamespace.get(pod.namespace)![i]),
      ]
        .sort((a, b) => a.order - b.order)
        .flatMap((set) => {
          const m = setSelects(set, pod);
          return m.match === 'no' ? [] : [{ set, ...m }];
        });
      const dnsVisible = sets.some(
        ({ set, match }) =>
          match === 'yes' && (set.spec.egress ?? []).some((r) => (r.toPorts ?? []).some((tp) => tp.rules && 'dns' in tp.rules)),
      );
      this.selecting.set(pod, (hit = { sets, dnsVisible }));
    }
    return hit;
  }

  constructor(cilium: readonly CiliumNetworkPolicy[], kubernetes: readonly NetworkPolicy[]) {
    const sets: RuleSet[] = [];
    const refs: RuleRef[] = [];
    for (const p of cilium) {
      const clusterwide = p.kind === 'CiliumClusterwideNetworkPolicy';
      const namespace = clusterwide ? undefined : (p.metadata.namespace ?? 'default');
      const id = clusterwide ? p.metadata.name : `${namespace}/${p.metadata.name}`;
      const specs: { spec: CiliumPolicySpec; specIndex?: number }[] = [
        ...(p.spec ? [{ spec: p.spec }] : []),
        ...(p.specs ?? []).map((spec, specIndex) => ({ spec, specIndex })),
      ];
      for (const s of specs) {
        const set: RuleSet = { id, namespace, order: sets.length, ...s };
        sets.push(set);
        if (namespace === undefined) this.clusterwide.push(set);
        else (this.byNamespace.get(namespace) ?? this.byNamespace.set(namespace, []).get(namespace)!).push(set);
        for (const dir of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) {
          (s.spec[dir] ?? []).forEach((rule, index) => {
            // `{}` only turns enforcement on: it allows (or denies) nothing, so no flow can back it.
            if (Object.keys(rule).length === 0) return;
            refs.push({
              policy: id,
              direction: dir.startsWith('ingress') ? 'ingress' : 'egress',
              index,
              ...(dir.endsWith('Deny') ? { deny: true } : {}),
              ...(s.specIndex !== undefined ? { spec: s.specIndex } : {}),
            });
          });
        }
      }
    }
    for (const p of kubernetes) {
      const id = policyId(p);
      (p.spec.ingress ?? []).forEach((_, index) => refs.push({ policy: id, direction: 'ingress', index }));
      (p.spec.egress ?? []).forEach((_, index) => refs.push({ policy: id, direction: 'egress', index }));
    }
    this.sets = sets;
    this.kubernetes = new KubernetesPolicies(kubernetes);
    this.ruleRefs = refs;
  }
}

/** Does the rule set select the end (a pod), with the reason when 'maybe'. */
function setSelects(set: RuleSet, end: End): { match: Tri; why?: string } {
  if (!set.spec.endpointSelector) return { match: 'no' }; // a host policy (nodeSelector) selects nodes, not pods
  if (end.kind !== 'pod') return { match: 'no' };
  return endpointSelectorMatch(set.spec.endpointSelector, set.namespace, end, true);
}

/**
 * What the policies allow `self` in one direction, as Cilium enforces them: default deny once a
 * selecting rule set has rules in that direction (unless its enableDefaultDeny says no) or a
 * Kubernetes NetworkPolicy isolates it; allow rules add up; deny rules win over every allow.
 * Null when `self` is not a pod.
 */
export function ciliumDirection(
  index: CiliumPolicies,
  self: End,
  other: End,
  direction: 'ingress' | 'egress',
  dst: End,
  at?: Point,
): DirectionDetail | null {
  if (self.kind !== 'pod') return null;
  const selectingPolicies = new SelectingPolicies();
  const unknowns = new Set<string>();
  const rules: RuleAllowance[] = [];
  const denies: RuleAllowance[] = [];
  const allowSum = new AllowanceSum(at);
  const denySum = new AllowanceSum(at);
  const denyKey = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const selecting = index.selectingOf(self);
  const dnsVisible = direction === 'egress' && selecting.dnsVisible;

  for (const sel of selecting.sets) {
    const set = sel.set;
    if (sel.match === 'maybe' && sel.why) unknowns.add(sel.why);
    const allowRules = set.spec[direction] ?? NO_RULES;
    const denyRules = set.spec[denyKey] ?? NO_RULES;
    const requested = set.spec.enableDefaultDeny?.[direction];
    if ((allowRules.length > 0 || denyRules.length > 0) && requested !== false) selectingPolicies.add(set.id, sel.match === 'yes');
    const judge = (rule: CiliumRule, i: number, deny: boolean): RuleAllowance | undefined => {
      // Ports first: at one point, a rule for other ports is skipped before its peer is matched.
      const l4 = l4Allowance(rule, dst);
      if (!(deny ? denySum : allowSum).admits(l4.allowance)) return undefined;
      const peer = rulePeerMatch(rule, direction, set.namespace, other, dnsVisible);
      if (peer.match === 'no') return undefined;
      const why = l4.why ? [...peer.why, l4.why] : peer.why;
      if (sel.match === 'maybe') why.push(sel.why ?? 'whether the policy selects the pod is not known');
      const certain = peer.match === 'yes' && sel.match === 'yes';
      const allowance: Allowance = certain ? l4.allowance : { sure: NO_CONNS, maybe: l4.allowance.maybe };
      // One ref per rule object: a verify run judges the same rule for many edges.
      let refSets = ruleRefCache.get(set);
      if (!refSets) ruleRefCache.set(set, (refSets = { ingress: [], egress: [], ingressDeny: [], egressDeny: [] }));
      const refCache = refSets[deny ? denyKey : direction];
      let ref = refCache[i];
      if (!ref) {
        ref = {
          policy: set.id,
          direction,
          index: i,
          ...(deny ? { deny: true } : {}),
          ...(set.specIndex !== undefined ? { spec: set.specIndex } : {}),
        };
        refCache[i] = ref;
      }
      for (const w of why) unknowns.add(w);
      return why.length > 0 ? { ref, allowance, why } : { ref, allowance };
    };
    for (const i of candidateRules(allowRules, direction, other)) {
      const r = judge(allowRules[i], i, false);
      if (!r) continue;
      rules.push(r);
      allowSum.add(r.allowance);
    }
    for (const i of candidateRules(denyRules, direction, other)) {
      const r = judge(denyRules[i], i, true);
      if (!r) continue;
      denies.push(r);
      denySum.add(r.allowance);
    }
  }

  // Kubernetes NetworkPolicies: Cilium enforces them beside its own (ipBlock as a CIDR rule: world only).
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  for (const sel of index.kubernetes.selectingOf(self)) {
    const p = sel.policy;
    if (!effectivePolicyTypes(p).includes(type)) continue;
    const id = policyId(p);
    selectingPolicies.add(id, sel.match === 'yes');
    if (sel.match === 'maybe' && sel.why) unknowns.add(sel.why);
    const list = direction === 'ingress' ? (p.spec.ingress ?? []) : (p.spec.egress ?? []);
    list.forEach((rule, i) => {
      const ports = portsAllowance(rule.ports, dst);
      if (!allowSum.admits(ports.allowance)) return;
      const peers =
        direction === 'ingress'
          ? (rule as { from?: readonly NetworkPolicyPeer[] }).from
          : (rule as { to?: readonly NetworkPolicyPeer[] }).to;
      let match: Tri = 'yes';
      const why: string[] = [];
      if (peers && peers.length > 0) {
        match = 'no';
        for (const peer of peers) {
          // Cilium turns an ipBlock into a CIDR rule: world addresses only, never pods or nodes (default policy-cidr-match-mode).
          const m = peer.ipBlock
            ? cidrMatch(blockRanges(peer.ipBlock.cidr, peer.ipBlock.except ?? []), other)
            : peerMatch(peer, p.metadata.namespace ?? 'default', other);
          match = triOr(match, m.match);
          if (m.match === 'maybe' && m.why) why.push(m.why);
        }
      }
      if (match === 'no') return;
      if (ports.why) why.push(ports.why);
      if (sel.match === 'maybe' && sel.why) why.push(sel.why);
      const certain = match === 'yes' && sel.match === 'yes';
      const allowance: Allowance = certain ? ports.allowance : { sure: NO_CONNS, maybe: ports.allowance.maybe };
      for (const w of why) unknowns.add(w);
      const ref: RuleRef = { policy: id, direction, index: i };
      rules.push(why.length > 0 ? { ref, allowance, why } : { ref, allowance });
      allowSum.add(allowance);
    });
  }

  // allow-localhost (the agent's default in Kubernetes mode): the node a pod runs on reaches it whatever the
  // allow rules say (kubelet probes); an explicit deny from the host still wins.
  if (direction === 'ingress' && other.kind === 'entity' && other.entity === 'host') {
    rules.push({
      ref: { policy: 'cilium', direction: 'ingress', index: 0 },
      allowance: EVERYTHING,
      implicit:
        "Cilium's allow-localhost (the default in Kubernetes: the node reaches its own pods; only an ingressDeny from the host entity would stop it, and kubelet probes with it)",
    });
    allowSum.add(EVERYTHING);
  }
  const { isolating, maybeIsolating } = selectingPolicies;
  const isolated: Tri = isolating.length > 0 ? 'yes' : maybeIsolating.length > 0 ? 'maybe' : 'no';
  const summed = allowSum.result();
  const allowed: Allowance = isolated === 'no' ? EVERYTHING : isolated === 'yes' ? summed : { sure: summed.sure, maybe: ALL_CONNS };
  const allowance = subtractAllowance(allowed, denySum.result());
  return { self, direction, isolated, isolating, maybeIsolating, rules, denies, allowance, unknowns: [...unknowns] };
}

/** Both directions of a connection from `src` to `dst`, as Cilium enforces them (at one point, when given). */
export function ciliumPair(index: CiliumPolicies, src: End, dst: End, at?: Point): PairDetail {
  const egress = ciliumDirection(index, src, dst, 'egress', dst, at);
  const ingress = ciliumDirection(index, dst, src, 'ingress', dst, at);
  return { egress, ingress, allowance: pairAllowance(egress, ingress) };
}
