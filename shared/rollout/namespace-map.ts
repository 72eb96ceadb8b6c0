/**
 * Rolling policies generated from one namespace out to another (`payments` → `payments-staging`,
 * later → `payments` in the production context): a namespace map rewrites every place a policy
 * names a namespace, and nothing else. Where a namespace is named:
 * - `metadata.namespace` (NetworkPolicy, Calico's StagedKubernetesNetworkPolicy, CiliumNetworkPolicy);
 * - NetworkPolicy peers: `namespaceSelector` on `kubernetes.io/metadata.name` (matchLabels, and the
 *   values of In/NotIn expressions), the label every namespace carries (Kubernetes 1.22+);
 * - CiliumNetworkPolicy selectors: `io.kubernetes.pod.namespace` and
 *   `io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name`, with or without a source prefix
 *   (`k8s:`, `any:`), and `toServices[].k8sService.namespace`.
 * A pod selector without a namespace selector follows the policy's own namespace, so it needs no
 * rewrite. Namespaces the map does not name (kube-system for DNS) stay as they are.
 */
import { isNamespaceName } from '../cluster/names';
import type { CiliumNetworkPolicy, CiliumPolicySpec, CiliumRule } from '../policy/cilium-types';
import type { AnyGeneratedPolicy, AnyPolicySet } from '../policy/flavors';
import type { LabelSelector, LabelSelectorRequirement, NetworkPolicy, NetworkPolicyPeer } from '../policy/types';

/** FROM → TO, each a namespace name. */
export type NamespaceMap = ReadonlyMap<string, string>;

/** What a `FROM=TO` list could not be read as, said so a user can fix it. */
export class NamespaceMapError extends Error {}

/**
 * Reads `FROM=TO` pairs (the CLI's repeatable `--target-namespace`, the app's map field). Errors:
 * a pair without `=`, a side that is not a DNS-1123 label, the same FROM twice, two FROMs mapped
 * to one TO (their policies would land on each other), FROM equal to TO.
 */
export function parseNamespaceMap(pairs: readonly string[]): NamespaceMap {
  const map = new Map<string, string>();
  const targets = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new NamespaceMapError(`"${pair}" is not FROM=TO (for example payments=payments-staging)`);
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    for (const name of [from, to])
      if (!isNamespaceName(name))
        throw new NamespaceMapError(`"${name}" in "${pair}" is not a namespace name (lowercase letters, digits and "-", at most 63)`);
    if (from === to) throw new NamespaceMapError(`"${pair}" maps a namespace to itself`);
    if (map.has(from)) throw new NamespaceMapError(`${from} is mapped twice (to ${map.get(from)} and to ${to})`);
    const other = targets.get(to);
    if (other) throw new NamespaceMapError(`${other} and ${from} are both mapped to ${to}: their policies would overwrite each other`);
    map.set(from, to);
    targets.set(to, from);
  }
  return map;
}

/** The map as `a=b, c=d` (for confirmations and the audit log); empty when there is none. */
export function namespaceMapText(map: NamespaceMap): string {
  return [...map].map(([from, to]) => `${from}=${to}`).join(', ');
}

const NAME_LABEL = 'kubernetes.io/metadata.name';
const CILIUM_NS = 'io.kubernetes.pod.namespace';
const CILIUM_NS_NAME = `io.cilium.k8s.namespace.labels.${NAME_LABEL}`;

/** A selector key without Cilium's source prefix (`k8s:io.kubernetes.pod.namespace` → `io.kubernetes.pod.namespace`). */
function bareKey(key: string): string {
  const colon = key.indexOf(':');
  return colon > 0 ? key.slice(colon + 1) : key;
}

function mapSelector(
  sel: LabelSelector | undefined,
  map: NamespaceMap,
  isNamespaceKey: (key: string) => boolean,
): LabelSelector | undefined {
  if (!sel) return sel;
  const to = (v: string): string => map.get(v) ?? v;
  const matchLabels = sel.matchLabels
    ? Object.fromEntries(Object.entries(sel.matchLabels).map(([k, v]) => [k, isNamespaceKey(k) ? to(v) : v]))
    : undefined;
  const matchExpressions = sel.matchExpressions?.map((e): LabelSelectorRequirement =>
    isNamespaceKey(e.key) && e.values ? { ...e, values: e.values.map(to) } : e,
  );
  return { ...sel, ...(matchLabels ? { matchLabels } : {}), ...(matchExpressions ? { matchExpressions } : {}) };
}

const k8sNamespaceKey = (key: string): boolean => key === NAME_LABEL;
const ciliumNamespaceKey = (key: string): boolean => {
  const k = bareKey(key);
  return k === CILIUM_NS || k === CILIUM_NS_NAME;
};

function mapPeer(peer: NetworkPolicyPeer, map: NamespaceMap): NetworkPolicyPeer {
  return peer.namespaceSelector ? { ...peer, namespaceSelector: mapSelector(peer.namespaceSelector, map, k8sNamespaceKey) } : peer;
}

/** A NetworkPolicy (or a Calico StagedKubernetesNetworkPolicy, which has the same spec) in its mapped namespace. */
export function mapNetworkPolicy<P extends NetworkPolicy>(p: P, map: NamespaceMap): P {
  const ns = p.metadata.namespace ?? 'default';
  return {
    ...p,
    metadata: { ...p.metadata, namespace: map.get(ns) ?? ns },
    spec: {
      ...p.spec,
      ...(p.spec.ingress ? { ingress: p.spec.ingress.map((r) => (r.from ? { ...r, from: r.from.map((x) => mapPeer(x, map)) } : r)) } : {}),
      ...(p.spec.egress ? { egress: p.spec.egress.map((r) => (r.to ? { ...r, to: r.to.map((x) => mapPeer(x, map)) } : r)) } : {}),
    },
  };
}

function mapCiliumRule(rule: CiliumRule, map: NamespaceMap): CiliumRule {
  const sels = (list: readonly LabelSelector[] | undefined): readonly LabelSelector[] | undefined =>
    list?.map((s) => mapSelector(s, map, ciliumNamespaceKey)!);
  const services = rule.toServices?.map((s) => {
    const svc = (s as { k8sService?: { namespace?: string } }).k8sService;
    return svc?.namespace && map.has(svc.namespace) ? { ...(s as object), k8sService: { ...svc, namespace: map.get(svc.namespace) } } : s;
  });
  return {
    ...rule,
    ...(rule.fromEndpoints ? { fromEndpoints: sels(rule.fromEndpoints) } : {}),
    ...(rule.toEndpoints ? { toEndpoints: sels(rule.toEndpoints) } : {}),
    ...(rule.fromRequires ? { fromRequires: sels(rule.fromRequires) } : {}),
    ...(rule.toRequires ? { toRequires: sels(rule.toRequires) } : {}),
    ...(services ? { toServices: services } : {}),
  };
}

function mapCiliumSpec(spec: CiliumPolicySpec, map: NamespaceMap): CiliumPolicySpec {
  const rules = (list: readonly CiliumRule[] | undefined): readonly CiliumRule[] | undefined => list?.map((r) => mapCiliumRule(r, map));
  return {
    ...spec,
    ...(spec.endpointSelector ? { endpointSelector: mapSelector(spec.endpointSelector, map, ciliumNamespaceKey) } : {}),
    ...(spec.ingress ? { ingress: rules(spec.ingress) } : {}),
    ...(spec.egress ? { egress: rules(spec.egress) } : {}),
    ...(spec.ingressDeny ? { ingressDeny: rules(spec.ingressDeny) } : {}),
    ...(spec.egressDeny ? { egressDeny: rules(spec.egressDeny) } : {}),
  };
}

/** A CiliumNetworkPolicy (or clusterwide one, which keeps no namespace) in its mapped namespace. */
export function mapCiliumPolicy(p: CiliumNetworkPolicy, map: NamespaceMap): CiliumNetworkPolicy {
  const ns = p.metadata.namespace;
  return {
    ...p,
    metadata: { ...p.metadata, ...(ns !== undefined ? { namespace: map.get(ns) ?? ns } : {}) },
    ...(p.spec ? { spec: mapCiliumSpec(p.spec, map) } : {}),
    ...(p.specs ? { specs: p.specs.map((s) => mapCiliumSpec(s, map)) } : {}),
  };
}

/** Any policy document this tool writes, mapped; other documents are returned as they are. */
export function mapPolicy<P extends { readonly kind: string }>(p: P, map: NamespaceMap): P {
  if (map.size === 0) return p;
  if (p.kind === 'NetworkPolicy' || p.kind === 'StagedKubernetesNetworkPolicy')
    return mapNetworkPolicy(p as unknown as NetworkPolicy, map) as unknown as P;
  if (p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy')
    return mapCiliumPolicy(p as unknown as CiliumNetworkPolicy, map) as unknown as P;
  return p;
}

/** A `ns/name` id (a policy, a workload node) in its mapped namespace; an id without a namespace as it is. */
function mapQualified(id: string, map: NamespaceMap): string {
  const slash = id.indexOf('/');
  if (slash < 0) return id;
  const to = map.get(id.slice(0, slash));
  return to ? `${to}${id.slice(slash)}` : id;
}

/**
 * A generated set written for the target namespaces: every policy mapped (mapPolicy), and each rule's
 * ref naming its policy there. What the rules were generated from (the workload, the observed flows
 * in the rules' comments) stays as it was captured.
 */
export function mapPolicySet<S extends AnyPolicySet>(set: S, map: NamespaceMap): S {
  if (map.size === 0) return set;
  const policies = (set.policies as readonly AnyGeneratedPolicy[]).map((g) => ({
    ...g,
    policy: mapPolicy(g.policy, map),
    rules: g.rules.map((r) => ({ ...r, ref: { ...r.ref, policy: mapQualified(r.ref.policy, map) } })),
  }));
  return { ...set, policies };
}

/**
 * A graph node id in its mapped namespace: a workload `ns/name` (with or without a `[selector]`
 * suffix) and a Service `service:ns/name`; entities, addresses and networks name no namespace.
 */
export function mapNodeId(id: string, map: NamespaceMap): string {
  if (id.startsWith('service:')) return `service:${mapQualified(id.slice('service:'.length), map)}`;
  if (/^(entity|ip|net):/.test(id)) return id;
  return mapQualified(id, map);
}

/** An edge key (`SRC->DST:PORT/PROTO`, see graph/keys.ts) with both ends mapped. */
export function mapEdgeKey(key: string, map: NamespaceMap): string {
  if (map.size === 0) return key;
  const arrow = key.indexOf('->');
  const colon = key.lastIndexOf(':');
  if (arrow < 0 || colon < arrow) return key;
  return `${mapNodeId(key.slice(0, arrow), map)}->${mapNodeId(key.slice(arrow + 2, colon), map)}${key.slice(colon)}`;
}
