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
import {
  ruleRefText,
  type LabelSelector,
  type LabelSelectorRequirement,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type RuleRef,
} from '../types';
import {
  AllowanceSum,
  directionDetail,
  directionSum,
  addResidentNode,
  exactly,
  NOTHING,
  pairAllowance,
  type Point,
  type ResidentNode,
  type Allowance,
  type DirectionDetail,
  type PairDetail,
  type RuleAllowance,
} from './allowance';
import { ALL_CONNS, ALL_L4, allOf, connOf, isEmpty, NO_CONNS, union, type ConnSet, type L4Protocol } from './conn-set';
import { addNetworkPolicyRules, KubernetesPolicies, peerMatch, portsAllowance } from './kubernetes';
import { endText, hiddenKeys, selectorMatch, withSnapshotHint, triOr, type End, type Labels, type PodEnd, type Tri } from './model';
import { PeerIndex, type RuleAnchors } from './peer-index';

const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';
const NONE: readonly never[] = [];
const listOf = <T>(x: readonly T[] | undefined): readonly T[] => (x && x.length > 0 ? x : NONE);

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
  /** Its lists, compiled on first use. */
  readonly compiled: Partial<Record<ListKey, CompiledList>>;
  /** The refs of its lists' rules, made with the rule set (the engine lists them; evaluations name them). */
  readonly refs: Partial<Record<ListKey, readonly RuleRef[]>>;
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

/**
 * Do a toPorts entry's L7 rules filter requests? They do, except DNS rules that let every name
 * through (`matchPattern: "*"`, what makes DNS visible to toFQDNs): a request is then allowed only
 * if a rule matches it (docs.cilium.io "Layer 7 Examples"), which the capture cannot tell.
 */
function l7Filters(rules: CiliumPortRule['rules']): boolean {
  if (!rules) return false;
  return Object.entries(rules).some(
    ([kind, list]) =>
      !(
        kind === 'dns' &&
        Array.isArray(list) &&
        list.length > 0 &&
        list.every((r) => (r as { matchPattern?: string })?.matchPattern === '*')
      ),
  );
}

const L7_WHY = 'L7 rules on this port allow only the requests they match, and this tool does not judge L7 requests: check them by hand';

/** Cilium's `port` text: a number, "0" (every port), or a named port. Ports whose L7 rules filter requests are only 'maybe'. */
function portRuleAllowance(toPorts: readonly CiliumPortRule[], dst: End): { allowance: Allowance; why?: string } {
  let sure = NO_CONNS;
  let maybe = NO_CONNS;
  let why: string | undefined;
  for (const pr of toPorts) {
    const ports = pr.ports ?? [];
    const filtered = l7Filters(pr.rules);
    if (filtered) why ??= L7_WHY;
    if (ports.length === 0) {
      // A toPorts entry without ports (L7 only) restricts nothing at L4.
      if (filtered) maybe = union(maybe, ALL_L4);
      else sure = union(sure, ALL_L4);
      continue;
    }
    for (const p of ports) {
      const protos: L4Protocol[] = !p.protocol || p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol];
      const text = p.port ?? '0';
      if (/^\d+$/.test(text)) {
        const n = Number(text);
        for (const proto of protos) {
          const set = n === 0 ? allOf(proto) : connOf(proto, n, p.endPort && p.endPort > n ? p.endPort : n);
          if (filtered) maybe = union(maybe, set);
          else sure = union(sure, set);
        }
      } else {
        // A named port: the Kubernetes resolution (on the destination pod's container ports).
        for (const proto of protos) {
          const r = portsAllowance([{ protocol: proto, port: text }], dst);
          if (!filtered) sure = union(sure, r.allowance.sure);
          maybe = union(maybe, r.allowance.maybe);
          why ??= r.why;
        }
      }
    }
  }
  return { allowance: { sure, maybe: union(sure, maybe) }, why };
}

/** What a rule allows at L4, and why that is only 'maybe' (a named port the input cannot resolve). */
type L4Part = { allowance: Allowance; why?: string };

/** What a rule allows at L4: toPorts and icmps together; with neither, every port and protocol. */
function computeL4(rule: CiliumRule, dst: End): L4Part {
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
const identities = new WeakMap<PodEnd, { labels: Labels | undefined; hidden: (key: string) => boolean | string }>();
function podIdentity(pod: PodEnd): { labels: Labels | undefined; hidden: (key: string) => boolean | string } {
  let id = identities.get(pod);
  if (!id) identities.set(pod, (id = computeIdentity(pod)));
  return id;
}

function computeIdentity(pod: PodEnd): { labels: Labels | undefined; hidden: (key: string) => boolean | string } {
  if (!pod.labels) return { labels: undefined, hidden: () => true };
  const labels: Record<string, string> = { ...pod.labels, ...pod.ciliumLabels, [NS_KEY]: pod.namespace };
  if (pod.namespaceLabels) {
    for (const [k, v] of Object.entries(pod.namespaceLabels)) labels[NS_LABEL_PREFIX + k] = v;
  }
  labels[`${NS_LABEL_PREFIX}kubernetes.io/metadata.name`] = pod.namespace;
  const podHidden = hiddenKeys(pod);
  const hidden = (key: string): boolean | string => {
    if (key.startsWith(NS_LABEL_PREFIX)) return !pod.namespaceLabels;
    if (key.startsWith('io.cilium.k8s.policy.')) return !pod.ciliumLabels;
    return podHidden?.(key) ?? false;
  };
  return { labels, hidden };
}

/** A selector with Cilium's label sources taken off its keys (`k8s:`, `any:`), its `reserved:` requirements apart. */
interface Normalised {
  readonly selector: LabelSelector;
  readonly reserved: readonly string[];
  /** It names a label source this tool does not read (`container:`, `cidr:` …). */
  readonly other: boolean;
  /** It has no requirement left (after the reserved ones are taken apart). */
  readonly empty: boolean;
  /** It names the namespace or a namespace label: then it is not scoped to the policy's namespace (utils.go). */
  readonly namesNamespace: boolean;
}
const normalised = new WeakMap<LabelSelector, Normalised>();

/** `normalise`, once per selector object (for selectors met outside a compiled rule). */
function normaliseSelector(sel: LabelSelector): Normalised {
  let n = normalised.get(sel);
  if (!n) normalised.set(sel, (n = normalise(sel)));
  return n;
}

/** One pass over the selector's keys: label keys may hold a `/` prefix but never a `:`, so a colon means a Cilium source prefix. */
function normalise(sel: LabelSelector): Normalised {
  let reserved: string[] | undefined;
  let other = false;
  let namesNamespace = false;
  const matchLabels: Record<string, string> = {};
  let matchExpressions: LabelSelectorRequirement[] | undefined;
  let requirements = 0;
  const labels = sel.matchLabels;
  const keys = labels ? Object.keys(labels) : NONE;
  const exprs = sel.matchExpressions ?? NONE;
  for (let i = 0; i < keys.length + exprs.length; i++) {
    const expr = i < keys.length ? undefined : exprs[i - keys.length];
    const full = expr ? expr.key : keys[i];
    const colon = full.indexOf(':');
    const source = colon > 0 ? full.slice(0, colon) : 'any';
    const key = colon > 0 ? full.slice(colon + 1) : full;
    if (key === NS_KEY || key.startsWith(NS_LABEL_PREFIX)) namesNamespace = true;
    if (source === 'reserved') (reserved ??= []).push(key);
    else if (source !== 'k8s' && source !== 'any') other = true;
    else {
      requirements++;
      if (!expr) matchLabels[key] = labels![full];
      else (matchExpressions ??= []).push(key === expr.key ? expr : { ...expr, key });
    }
  }
  return {
    selector: { matchLabels, matchExpressions: matchExpressions ?? NONE },
    reserved: reserved ?? NONE,
    other,
    empty: requirements === 0,
    namesNamespace,
  };
}

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
  return normalisedMatch(normaliseSelector(sel), policyNamespace, end, subject);
}

const NO: { match: Tri } = { match: 'no' };

/** `endpointSelectorMatch` on a selector already normalised. */
function normalisedMatch(n: Normalised, policyNamespace: string | undefined, end: End, subject = false): { match: Tri; why?: string } {
  const { selector, reserved, other, empty, namesNamespace } = n;
  if (other) return { match: 'maybe', why: 'the selector uses a label source this tool does not read' };
  if (end.kind === 'entity') {
    // Reserved identities carry `reserved:NAME` and nothing else a pod selector names.
    if (reserved.length > 0) return { match: reserved.every((r) => r === end.entity) && empty ? 'yes' : 'no' };
    return NO;
  }
  if (end.kind === 'opaque' && !end.within) return { match: 'maybe', why: end.why };
  if (end.kind !== 'pod') return NO;
  if (reserved.length > 0) return NO;
  // A namespaced policy's endpointSelector always selects in its own namespace; its peer selectors do unless they name one.
  if (policyNamespace !== undefined && (subject || !namesNamespace) && end.namespace !== policyNamespace) return NO;
  const id = podIdentity(end);
  const m = selectorMatch(selector, id.labels, id.hidden, `the labels of ${end.id}`);
  return m.match === 'maybe' ? { match: 'maybe', why: withSnapshotHint(m.why) } : m;
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

/** A rule's peer fields for one direction, read when its rule set is compiled. */
interface RuleShape {
  readonly endpoints: readonly Normalised[];
  readonly entities: readonly string[];
  readonly cidr: readonly IpRange[];
  /** A CIDR set names a CIDR group (cidrGroupRef), which the input does not hold. */
  readonly cidrGroups: boolean;
  readonly nodes: number;
  readonly requires: readonly Normalised[];
  readonly fqdns: number;
  readonly services: number;
  readonly groups: number;
  readonly anyPeer: boolean;
  /** The rule's peers are endpoint selectors and nothing else (no entities, CIDRs, nodes, names, services, groups or requirements). */
  readonly endpointsOnly: boolean;
  /** Set when the rule names no peer and no requirement: what it means then. */
  readonly bare?: { readonly match: Tri; readonly why: readonly string[] };
  /** For the peer index: one required label of each endpoint selector, or undefined when the rule is always a candidate. */
  readonly anchors: RuleAnchors;
}

function ruleShape(rule: CiliumRule, direction: 'ingress' | 'egress'): RuleShape {
  const ingress = direction === 'ingress';
  const endpointList = listOf(ingress ? rule.fromEndpoints : rule.toEndpoints);
  const endpoints = endpointList.length > 0 ? endpointList.map(normalise) : NONE;
  const entities = listOf(ingress ? rule.fromEntities : rule.toEntities);
  const plain = listOf(ingress ? rule.fromCIDR : rule.toCIDR);
  const cidrSets = listOf(ingress ? rule.fromCIDRSet : rule.toCIDRSet);
  const cidr =
    plain.length + cidrSets.length === 0
      ? NONE
      : [...plain.flatMap((c) => blockRanges(c)), ...cidrSets.flatMap((s) => (s.cidr ? blockRanges(s.cidr, s.except ?? []) : []))];
  const cidrGroups = cidrSets.some((s) => !s.cidr && s.cidrGroupRef);
  const nodes = listOf(ingress ? rule.fromNodes : rule.toNodes).length;
  const requireList = listOf(ingress ? rule.fromRequires : rule.toRequires);
  const requires = requireList.length > 0 ? requireList.map(normalise) : NONE;
  const fqdns = ingress ? 0 : listOf(rule.toFQDNs).length;
  const services = ingress ? 0 : listOf(rule.toServices).length;
  const groups = ingress ? 0 : listOf(rule.toGroups).length;
  const others = entities.length + cidr.length + nodes + fqdns + services + groups;
  const anyPeer = endpoints.length + others > 0 || cidrGroups;
  const hasL4 = (rule.toPorts?.length ?? 0) > 0 || (rule.icmps?.length ?? 0) > 0;
  let bare: RuleShape['bare'];
  if (!anyPeer && requires.length === 0) {
    // `{}` allows nothing (it only turns enforcement on); ports without peers allow them from (to) any peer, world included.
    const explicitEmpty = PEER_FIELDS[direction].some((f) => Array.isArray((rule as Record<string, unknown>)[f]));
    bare = !hasL4
      ? { match: 'no', why: NO_WHY }
      : explicitEmpty
        ? {
            match: 'maybe',
            why: [`an empty peer list in ${direction} rules selects nothing in recent Cilium, and every peer in older releases`],
          }
        : { match: 'yes', why: NO_WHY };
  } else if (!anyPeer) {
    // Requirements alone grant nothing (Cilium docs, "Requires"): Cilium adds them to the rule's
    // endpoint selectors, and with none, a rule with ports takes them from any peer in the releases
    // whose code we read (GetSourceEndpointSelectorsWithRequirements), which recent ones may not.
    const key = direction === 'ingress' ? 'fromRequires' : 'toRequires';
    bare = !hasL4
      ? { match: 'no', why: NO_WHY }
      : {
          match: 'maybe',
          why: [`a rule with ${key} and no peer of its own: whether its ports are open to any peer depends on the Cilium release`],
        };
  }
  const endpointsOnly = endpoints.length > 0 && others + requires.length === 0 && !cidrGroups;
  return {
    endpoints,
    entities,
    cidr,
    cidrGroups,
    nodes,
    requires,
    fqdns,
    services,
    groups,
    anyPeer,
    endpointsOnly,
    bare,
    anchors: endpointsOnly && !bare ? endpointAnchors(endpoints) : undefined,
  };
}

/** One required label of each selector (not the namespace when another is there); undefined when one may pick by something else. */
function endpointAnchors(selectors: readonly Normalised[]): RuleAnchors {
  const out: (readonly [string, string])[] = [];
  for (const n of selectors) {
    const a = selectorAnchor(n);
    if (!a) return undefined;
    out.push(a);
  }
  return out;
}

/** A required label of an endpoint selector, for the peer index; undefined when it has none or may pick by something else. */
function selectorAnchor(n: Normalised): readonly [string, string] | undefined {
  if (n.other || n.reserved.length > 0) return undefined;
  // matchLabels of a normalised selector is a plain object this module made: for-in walks its own keys.
  const labels = n.selector.matchLabels ?? {};
  let first: string | undefined;
  for (const k in labels) {
    if (k !== NS_KEY) return [k, labels[k]];
    first ??= k;
  }
  return first === undefined ? undefined : [first, labels[first]];
}

const NO_WHY: readonly string[] = [];
const REQUIRES_REMOVED =
  'a fromRequires/toRequires the peer does not meet narrows the rule up to Cilium 1.18, and Cilium 1.19 removed these fields (deprecated since 1.17): the answer depends on the release';
const PEER_NO: PeerAnswer = { match: 'no', why: NO_WHY };
const PEER_YES: PeerAnswer = { match: 'yes', why: NO_WHY };

/** A peer part's answer, with the reasons when it is 'maybe' (never to be changed in place). */
interface PeerAnswer {
  readonly match: Tri;
  readonly why: readonly string[];
}

/** Does a rule's peer part pick the other end? A rule with no peer field picks every peer. */
function rulePeerMatch(rule: CiliumRule, shape: RuleShape, namespace: string | undefined, other: End, dnsVisible = true): PeerAnswer {
  if (shape.bare) return shape.bare;
  let why: string[] | undefined;
  let match: Tri = shape.anyPeer ? 'no' : 'yes';
  const add = (m: { match: Tri; why?: string }): void => {
    match = triOr(match, m.match);
    if (m.match === 'maybe' && m.why) (why ??= []).push(m.why);
  };
  for (const n of shape.endpoints) {
    add(normalisedMatch(n, namespace, other));
    if (match === 'yes') break;
  }
  // A rule of endpoint selectors only (what the generator writes) is decided by them.
  if (shape.endpointsOnly) return why ? { match, why } : match === 'yes' ? PEER_YES : match === 'no' ? PEER_NO : { match, why: NO_WHY };
  for (const e of shape.entities) add(entityMatch(e, other));
  add(cidrMatch(shape.cidr, other));
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
  if (shape.cidrGroups) add({ match: 'maybe', why: 'a CIDR group (cidrGroupRef) is not in the input' });
  if (shape.nodes > 0)
    add({
      match: other.kind === 'entity' && (other.entity === 'host' || other.entity === 'remote-node') ? 'maybe' : 'no',
      why: "node selectors need the nodes' labels",
    });
  if (shape.services > 0) add({ match: 'maybe', why: "toServices needs the Service's endpoints" });
  if (shape.groups > 0) add({ match: 'maybe', why: "toGroups needs the cloud provider's addresses" });
  // Up to Cilium 1.18 a requirement narrows the rule; 1.19 removed fromRequires/toRequires (deprecated
  // since 1.17, cilium/cilium#42615), so a peer that does not surely meet it may be allowed or not.
  for (const n of shape.requires) {
    if (match === 'no') break;
    const m = normalisedMatch(n, namespace, other);
    if (m.match === 'yes') continue;
    match = 'maybe';
    (why ??= []).push(m.match === 'maybe' && m.why ? m.why : REQUIRES_REMOVED);
  }
  return { match, why: why ?? NO_WHY };
}

const NO_RULES: readonly CiliumRule[] = [];

type ListKey = 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny';
const LIST_KEYS: readonly ListKey[] = ['ingress', 'egress', 'ingressDeny', 'egressDeny'];

function ruleRef(set: RuleSet, key: ListKey, index: number): RuleRef {
  return {
    policy: set.id,
    direction: key === 'ingress' || key === 'ingressDeny' ? 'ingress' : 'egress',
    index,
    ...(key === 'ingressDeny' || key === 'egressDeny' ? { deny: true } : {}),
    ...(set.specIndex !== undefined ? { spec: set.specIndex } : {}),
  };
}

/** One rule of a rule set, read once: its ref, its peer shape and (once asked, when it names no port by name) its L4 part. */
interface CompiledRule {
  readonly rule: CiliumRule;
  readonly index: number;
  readonly ref: RuleRef;
  readonly shape: RuleShape;
  /** Names a port by name: its L4 part resolves on each destination. */
  readonly named: boolean;
  l4?: L4Part;
}

/** One list of a rule set (its ingress, egress, ingressDeny or egressDeny), compiled, with the index of its peers. */
interface CompiledList {
  readonly rules: readonly CompiledRule[];
  readonly peers: PeerIndex;
  /** The rules with fromRequires (toRequires), when there are any. */
  readonly requiring?: readonly CompiledRule[];
}

/** Does a rule name a port by name (`http`), which resolves on each destination? */
function namesPort(rule: CiliumRule): boolean {
  for (const pr of rule.toPorts ?? NONE) for (const p of pr.ports ?? NONE) if (p.port !== undefined && !/^\d+$/.test(p.port)) return true;
  return false;
}

/** A rule set's list, compiled on first use and kept on the rule set (one verify run judges each rule for many edges). */
function compiledList(set: RuleSet, key: ListKey): CompiledList {
  const done = set.compiled[key];
  if (done) return done;
  const direction = key === 'ingress' || key === 'ingressDeny' ? 'ingress' : 'egress';
  const rules = (set.spec[key] ?? NO_RULES).map((rule, index): CompiledRule => ({
    rule,
    index,
    ref: set.refs[key]?.[index] ?? ruleRef(set, key, index),
    shape: ruleShape(rule, direction),
    named: namesPort(rule),
  }));
  const requiring = rules.filter((r) => r.shape.requires.length > 0);
  const list = { rules, peers: new PeerIndex(rules.map((r) => r.shape.anchors)), ...(requiring.length > 0 ? { requiring } : {}) };
  set.compiled[key] = list;
  return list;
}

/** What a compiled rule allows at L4 towards `dst`. */
function ruleL4(c: CompiledRule, dst: End): L4Part {
  if (c.named) return computeL4(c.rule, dst);
  return (c.l4 ??= sharedL4(c.rule, dst));
}

/**
 * L4 parts that name no port by name, shared by their text: generated policies repeat a few port
 * lists thousands of times, and one object each keeps a verify run's heap (and its GC) small.
 */
const l4ByText = new Map<string, L4Part>();
function sharedL4(rule: CiliumRule, dst: End): L4Part {
  // Every field computeL4 reads, and nothing else (L7 rules do not change what is allowed at L4).
  let text = '';
  for (const pr of rule.toPorts ?? NONE) {
    text += l7Filters(pr.rules) ? '|L7' : '|';
    for (const p of pr.ports ?? NONE) text += `${p.port ?? ''}-${p.endPort ?? ''}/${p.protocol ?? ''},`;
  }
  text += '#';
  for (const ic of rule.icmps ?? NONE) {
    text += '|';
    for (const f of ic.fields ?? NONE) text += `${f.family ?? ''}:${f.type},`;
  }
  let l4 = l4ByText.get(text);
  if (!l4) {
    if (l4ByText.size >= 4096) l4ByText.clear();
    l4ByText.set(text, (l4 = computeL4(rule, dst)));
  }
  return l4;
}

/** The rules of a compiled list whose peer part could pick `other`, ascending. */
function candidateRules(list: CompiledList, other: End): readonly number[] {
  if (other.kind !== 'pod') return list.peers.all;
  const id = podIdentity(other);
  return list.peers.candidates(id.labels, id.hidden);
}

/** The policies of one evaluation: Cilium rule sets and the Kubernetes NetworkPolicies beside them. */
export class CiliumPolicies {
  readonly sets: readonly RuleSet[];
  readonly kubernetes: KubernetesPolicies;
  readonly ruleRefs: readonly RuleRef[];
  private readonly byNamespace = new Map<string, RuleSet[]>();
  private readonly clusterwide: RuleSet[] = [];
  private readonly selecting = new WeakMap<PodEnd, Selecting>();
  /** The rule sets of a namespace (undefined: the clusterwide ones) filed under a label their endpointSelector requires. */
  private readonly setIndexes = new Map<string | undefined, PeerIndex>();

  private setIndex(namespace: string | undefined): PeerIndex {
    let index = this.setIndexes.get(namespace);
    if (!index) {
      const sets = namespace === undefined ? this.clusterwide : (this.byNamespace.get(namespace) ?? []);
      this.setIndexes.set(
        namespace,
        (index = new PeerIndex(
          sets.map((set) => (set.spec.endpointSelector ? endpointAnchors([normaliseSelector(set.spec.endpointSelector)]) : undefined)),
        )),
      );
    }
    return index;
  }

  /**
   * The rule sets that select the pod (surely or maybe), in order, and whether one that surely
   * selects it sends its DNS through Cilium's proxy (a `rules.dns` egress rule); once per pod end.
   */
  selectingOf(pod: PodEnd): Selecting {
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
      this.selecting.set(pod, (hit = { sets, dnsVisible, requirements: {} }));
    }
    return hit;
  }

  constructor(cilium: readonly CiliumNetworkPolicy[], kubernetes: readonly NetworkPolicy[]) {
    this.kubernetes = new KubernetesPolicies(kubernetes);
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
        const set: RuleSet = { id, namespace, order: sets.length, ...s, compiled: {}, refs: {} };
        sets.push(set);
        if (namespace === undefined) this.clusterwide.push(set);
        else (this.byNamespace.get(namespace) ?? this.byNamespace.set(namespace, []).get(namespace)!).push(set);
        for (const key of LIST_KEYS) {
          const list = (set.refs[key] = (s.spec[key] ?? NO_RULES).map((_, index) => ruleRef(set, key, index)));
          // `{}` only turns enforcement on: it allows (or denies) nothing, so no flow can back it.
          list.forEach((ref, index) => {
            if (Object.keys(s.spec[key]![index]).length > 0) refs.push(ref);
          });
        }
      }
    }
    refs.push(...this.kubernetes.ruleRefs);
    this.sets = sets;
    this.ruleRefs = refs;
  }
}

/** Does the rule set select the end (a pod), with the reason when 'maybe'. */
function setSelects(set: RuleSet, end: End): { match: Tri; why?: string } {
  if (!set.spec.endpointSelector) return { match: 'no' }; // a host policy (nodeSelector) selects nodes, not pods
  if (end.kind !== 'pod') return { match: 'no' };
  return endpointSelectorMatch(set.spec.endpointSelector, set.namespace, end, true);
}

/** A NetworkPolicy peer as Cilium reads it: an ipBlock becomes a CIDR rule (world addresses only, never pods or nodes, in the default policy-cidr-match-mode). */
function ciliumPeerMatch(peer: NetworkPolicyPeer, policyNamespace: string, other: End): { match: Tri; why?: string } {
  return peer.ipBlock
    ? cidrMatch(blockRanges(peer.ipBlock.cidr, peer.ipBlock.except ?? []), other)
    : peerMatch(peer, policyNamespace, other);
}

/**
 * One rule of a set that selects `self` (surely or maybe), judged for the other end: undefined when
 * it cannot matter (other ports at the point being judged, or a peer part that does not pick the
 * other end); else what it allows, surely only when both the set and the peer surely apply, with
 * the reasons (also added to `unknowns`).
 */
function judgeRule(
  c: CompiledRule,
  sel: { readonly match: Tri; readonly why?: string },
  namespace: string | undefined,
  direction: 'ingress' | 'egress',
  other: End,
  dst: End,
  dnsVisible: boolean,
  sum: AllowanceSum,
  out: { unknowns?: Set<string> },
): RuleAllowance | undefined {
  // Ports first: at one point, a rule for other ports is skipped before its peer is matched.
  const l4 = ruleL4(c, dst);
  if (!sum.admits(l4.allowance)) return undefined;
  const peer = rulePeerMatch(c.rule, c.shape, namespace, other, dnsVisible);
  if (peer.match === 'no') return undefined;
  let why = peer.why;
  // Mutual authentication (Cilium 1.14+): the flow is allowed only once the handshake succeeds, which a capture does not show.
  const auth = !!c.rule.authentication && (c.rule.authentication as { mode?: string }).mode !== 'disabled';
  if (l4.why || sel.match === 'maybe' || auth) {
    const more = [...peer.why];
    if (l4.why) more.push(l4.why);
    if (auth) more.push('the rule requires mutual authentication, and whether it succeeds is not in the capture');
    if (sel.match === 'maybe') more.push(sel.why ?? 'whether the policy selects the pod is not known');
    why = more;
  }
  const certain = peer.match === 'yes' && sel.match === 'yes' && !auth;
  const allowance: Allowance = certain ? l4.allowance : { sure: NO_CONNS, maybe: l4.allowance.maybe };
  if (why.length === 0) return { ref: c.ref, allowance };
  for (const w of why) (out.unknowns ??= new Set()).add(w);
  return { ref: c.ref, allowance, why };
}

/** The rule sets selecting one pod, in order, and what is derived from them once per pod. */
interface Selecting {
  readonly sets: readonly { set: RuleSet; match: Tri; why?: string }[];
  /** A set that surely selects the pod sends its DNS through Cilium's proxy (a `rules.dns` egress rule). */
  readonly dnsVisible: boolean;
  /** Per direction, once asked: the rules with requirements among the sets' allow rules (null: none). */
  readonly requirements: { ingress?: readonly Requirement[] | null; egress?: readonly Requirement[] | null };
}

/** A fromRequires (toRequires) rule of a rule set that selects (or may select) the pod, with the set's namespace. */
interface Requirement {
  readonly rule: CompiledRule;
  readonly namespace: string | undefined;
}

/** The rules with requirements among the allow rules of the sets selecting a pod in one direction; undefined when none has any. */
function requirementsOf(selecting: Selecting, direction: 'ingress' | 'egress'): readonly Requirement[] | undefined {
  const known = selecting.requirements[direction];
  if (known !== undefined) return known ?? undefined;
  let out: Requirement[] | undefined;
  for (const { set } of selecting.sets) {
    const list = compiledList(set, direction);
    if (!list.requiring) continue;
    for (const rule of list.requiring) (out ??= []).push({ rule, namespace: set.namespace });
  }
  selecting.requirements[direction] = out ?? null;
  return out;
}

/**
 * An allow rule's answer under the requirements of the other rules selecting the pod. Up to 1.18,
 * Cilium adds every fromRequires (toRequires) of the rules selecting an endpoint to the endpoint
 * selectors of all its allow rules ("requirements form conjunctions across all rules":
 * resolveIngressPolicy); 1.19 removed the fields (cilium/cilium#42615). Where the peer does not surely
 * meet another rule's requirement, the releases disagree: the rule then only may allow.
 */
function withRequirements(
  r: RuleAllowance,
  c: CompiledRule,
  requirements: readonly Requirement[],
  other: End,
  out: { unknowns?: Set<string> },
): RuleAllowance {
  if (c.shape.endpoints.length === 0 || isEmpty(r.allowance.sure)) return r;
  for (const req of requirements) {
    if (req.rule === c) continue;
    for (const n of req.rule.shape.requires) {
      if (normalisedMatch(n, req.namespace, other).match === 'yes') continue;
      const key = c.ref.direction === 'ingress' ? 'fromRequires' : 'toRequires';
      const why = `${ruleRefText(req.rule.ref)} has ${key} that ${endText(other)} may not meet: up to Cilium 1.18 it applies to every ${c.ref.direction} rule of the pod, and Cilium 1.19 removed ${key} (deprecated since 1.17)`;
      (out.unknowns ??= new Set()).add(why);
      return { ...r, allowance: { sure: NO_CONNS, maybe: r.allowance.maybe }, why: [...(r.why ?? []), why] };
    }
  }
  return r;
}

/** Cilium's allow-localhost for a pod's own node (see addResidentNode); egress to it is Cilium's policy to decide. */
const RESIDENT_NODE: ResidentNode = {
  ingress:
    "Cilium's allow-localhost (the default in Kubernetes: the node reaches its own pods; only an ingressDeny from the host entity would stop it, and kubelet probes with it)",
};

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
  const out = directionSum(at);
  const denyKey = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const selecting = index.selectingOf(self);
  const dnsVisible = direction === 'egress' && selecting.dnsVisible;
  const requirements = requirementsOf(selecting, direction);

  for (const sel of selecting.sets) {
    const set = sel.set;
    if (sel.match === 'maybe' && sel.why) (out.unknowns ??= new Set()).add(sel.why);
    const allowRules = compiledList(set, direction);
    const denyRules = compiledList(set, denyKey);
    const requested = set.spec.enableDefaultDeny?.[direction];
    if ((allowRules.rules.length > 0 || denyRules.rules.length > 0) && requested !== false) out.selecting.add(set.id, sel.match === 'yes');
    for (const i of candidateRules(allowRules, other)) {
      const c = allowRules.rules[i];
      const judged = judgeRule(c, sel, set.namespace, direction, other, dst, dnsVisible, out.sum, out);
      if (!judged) continue;
      const r = requirements ? withRequirements(judged, c, requirements, other, out) : judged;
      out.rules.push(r);
      out.sum.add(r.allowance);
    }
    if (denyRules.rules.length === 0) continue;
    const denies = (out.denies ??= { rules: [], sum: new AllowanceSum(at) });
    for (const i of candidateRules(denyRules, other)) {
      const r = judgeRule(denyRules.rules[i], sel, set.namespace, direction, other, dst, dnsVisible, denies.sum, out);
      if (!r) continue;
      denies.rules.push(r);
      denies.sum.add(r.allowance);
    }
  }

  // Kubernetes NetworkPolicies: Cilium enforces them beside its own (ipBlock as a CIDR rule: world only).
  addNetworkPolicyRules(index.kubernetes, self, other, direction, dst, out, ciliumPeerMatch);

  addResidentNode(out, direction, other, RESIDENT_NODE);
  return directionDetail(self, direction, out);
}

/** Both directions of a connection from `src` to `dst`, as Cilium enforces them (at one point, when given). */
export function ciliumPair(index: CiliumPolicies, src: End, dst: End, at?: Point): PairDetail {
  const egress = ciliumDirection(index, src, dst, 'egress', dst, at);
  const ingress = ciliumDirection(index, dst, src, 'ingress', dst, at);
  return { egress, ingress, allowance: pairAllowance(egress, ingress) };
}
