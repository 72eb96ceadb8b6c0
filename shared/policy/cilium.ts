/**
 * The CiliumNetworkPolicy flavor of generation: least privilege in Cilium's terms. Per workload in
 * scope one CiliumNetworkPolicy (cilium.io/v2) with one rule per peer: endpoints with their
 * namespace label, entities for reserved identities (host, remote-node, kube-apiserver, world…),
 * toCIDR for addresses, toFQDNs for names learned from DNS (with the DNS rule it needs), every rule
 * for a port-carrying flow with toPorts, ICMP as `icmps` with family and type. A direction with no
 * allowed peer gets the explicit deny-all rule `{}` (an empty or missing list would leave that
 * direction unenforced: pkg/policy/api/rule.go, "if omitted or empty, this rule does not apply").
 * Needs Cilium 1.11 or later (icmps); `endPort` (port ranges) needs 1.16.
 */
import type { GraphEdge, GraphNode, ServiceGraph } from '../graph/types';
import { unknownPortAdvice } from '../graph/advice';
import { backendEdges } from '../graph/service-edges';
import { isKept, type Selection } from '../graph/selection';
import { hostCidr } from './cidr';
import type { CiliumIcmpRule, CiliumNetworkPolicy, CiliumPolicySpec, CiliumPortProtocol, CiliumPortRule, CiliumRule } from './cilium-types';
import {
  observedLine,
  policyName,
  type Generated,
  type GeneratedSet,
  type GenerateOptions,
  type PolicyWarningCode,
  type RuleProvenance,
} from './generate';

export type { CiliumNetworkPolicy } from './cilium-types';

/** What this tool writes: always one `spec` (never `specs`), always namespaced. */
export type WrittenCiliumPolicy = CiliumNetworkPolicy & {
  readonly spec: CiliumPolicySpec;
  readonly metadata: { readonly namespace: string };
};
export type GeneratedCiliumPolicy = Generated<WrittenCiliumPolicy>;
export type CiliumPolicySet = GeneratedSet<'cilium', WrittenCiliumPolicy>;

const NS_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** The entities a CiliumNetworkPolicy accepts (the CRD's enum). */
const ENTITIES = new Set(['host', 'remote-node', 'kube-apiserver', 'world', 'health', 'ingress', 'init', 'unmanaged']);
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type Peer =
  | { key: string; kind: 'endpoint'; labels: Record<string, string> }
  | { key: string; kind: 'entity'; entity: string }
  | { key: string; kind: 'cidr'; cidr: string }
  | { key: string; kind: 'fqdn'; names: string[] };

type Skip = { code: PolicyWarningCode; message: string };

const SKIPS: Record<string, Skip> = {
  noDns: {
    code: 'no-dns',
    message:
      'These workloads get an egress policy but no DNS lookup from them was seen, so name resolution will be blocked unless they only use addresses: capture longer, or allow kube-dns (UDP and TCP 53) by hand.',
  },
  unlabelled: {
    code: 'unselectable-workload',
    message:
      'These edges get no rule: a workload at one end has no labels an endpoint selector could use (label its pods, or give a cluster snapshot when the capture lacked them). Until then the generated policies allow none of their flows: verify counts them blocked, or undecided where a selector might match labels the capture did not carry.',
  },
  service: {
    code: 'unresolved-service',
    message:
      'Flows to Service frontends that nothing resolved to backends get no rule: Cilium enforces policy on the backends after the Service is translated. Give a cluster snapshot (`--snapshot`), or capture the translated flows.',
  },
  network: {
    code: 'aggregated-network',
    message: 'Flows with addresses a flow log aggregated into a public or private network get no rule: no CIDR can be derived from that.',
  },
  entity: {
    code: 'entity-peer',
    message: 'These edges get no rule: their peer is a reserved identity a CiliumNetworkPolicy cannot name.',
  },
  icmp: {
    code: 'icmp',
    message: 'These ICMP edges get no rule: the capture does not say which ICMP types were sent, and an icmps rule must name them.',
  },
};

function peerOf(n: GraphNode, egress: boolean): Peer | Skip {
  if (n.kind === 'workload') {
    if (!n.identity || Object.keys(n.identity).length === 0) return SKIPS.unlabelled;
    return { key: n.id, kind: 'endpoint', labels: { ...n.identity, [NS_LABEL]: n.namespace! } };
  }
  if (n.kind === 'external' && n.ip) {
    // Names learned from DNS let Cilium follow the service when its addresses change.
    if (egress && n.dnsNames && n.dnsNames.length > 0) return { key: `fqdn:${n.dnsNames.join(',')}`, kind: 'fqdn', names: [...n.dnsNames] };
    return { key: `cidr:${n.ip}`, kind: 'cidr', cidr: hostCidr(n.ip) };
  }
  if (n.kind === 'service') return SKIPS.service;
  if (n.kind === 'network') return SKIPS.network;
  const entity = n.entity ?? n.label;
  return n.kind === 'entity' && ENTITIES.has(entity) ? { key: `entity:${entity}`, kind: 'entity', entity } : SKIPS.entity;
}

/** The ports of a peer's edges, sorted; consecutive ports merged into endPort ranges when asked. */
function toPorts(edges: readonly GraphEdge[], ranges: boolean): CiliumPortRule[] | undefined {
  const byProto = new Map<'TCP' | 'UDP' | 'SCTP', number[]>();
  for (const e of edges) {
    if (typeof e.port !== 'number' || e.protocol.startsWith('ICMP')) continue;
    const list = byProto.get(e.protocol as 'TCP' | 'UDP' | 'SCTP') ?? [];
    list.push(e.port);
    byProto.set(e.protocol as 'TCP' | 'UDP' | 'SCTP', list);
  }
  const ports: CiliumPortProtocol[] = [];
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
    const list = [...new Set(byProto.get(proto) ?? [])].sort((a, b) => a - b);
    for (let i = 0; i < list.length; i++) {
      let j = i;
      while (ranges && j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
      ports.push(j > i ? { port: String(list[i]), endPort: list[j], protocol: proto } : { port: String(list[i]), protocol: proto });
      i = j;
    }
  }
  return ports.length > 0 ? [{ ports }] : undefined;
}

/** ICMP request types of a peer's ICMP edges as `icmps` (one field per family and type). */
function icmps(edges: readonly GraphEdge[]): CiliumIcmpRule[] | undefined {
  const fields: { type: number; family: 'IPv4' | 'IPv6' }[] = [];
  for (const e of edges) {
    if (e.protocol !== 'ICMPv4' && e.protocol !== 'ICMPv6') continue;
    for (const type of e.evidence.icmpTypes ?? []) fields.push({ type, family: e.protocol === 'ICMPv6' ? 'IPv6' : 'IPv4' });
  }
  const unique = [...new Map(fields.map((f) => [`${f.family}/${f.type}`, f])).values()].sort((a, b) =>
    a.family === b.family ? a.type - b.type : byString(a.family, b.family),
  );
  return unique.length > 0 ? [{ fields: unique }] : undefined;
}

function peerFields(peer: Peer, dir: 'ingress' | 'egress'): CiliumRule {
  switch (peer.kind) {
    case 'endpoint':
      return { [dir === 'ingress' ? 'fromEndpoints' : 'toEndpoints']: [{ matchLabels: peer.labels }] };
    case 'entity':
      return { [dir === 'ingress' ? 'fromEntities' : 'toEntities']: [peer.entity] };
    case 'cidr':
      return { [dir === 'ingress' ? 'fromCIDR' : 'toCIDR']: [peer.cidr] };
    case 'fqdn':
      return { toFQDNs: peer.names.map((matchName) => ({ matchName })) };
  }
}

const DNS_ENDPOINT = { matchLabels: { 'k8s-app': 'kube-dns', [NS_LABEL]: 'kube-system' } };
const isKubeDns = (r: CiliumRule): boolean =>
  (r.toEndpoints ?? []).some((e) => e.matchLabels?.['k8s-app'] === 'kube-dns' || e.matchLabels?.['k8s:k8s-app'] === 'kube-dns');

/** A namespace-wide deny in Cilium's terms: every pod selected, both directions enforced, nothing allowed. */
function defaultDeny(ns: string): GeneratedCiliumPolicy {
  return {
    policy: {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
      spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
    },
    rules: [
      {
        ref: { policy: `${ns}/default-deny`, direction: 'ingress', index: 0 },
        edges: [],
        comment: 'deny all: this empty rule turns enforcement on and allows nothing',
      },
      {
        ref: { policy: `${ns}/default-deny`, direction: 'egress', index: 0 },
        edges: [],
        comment: 'deny all: this empty rule turns enforcement on and allows nothing',
      },
    ],
  };
}

/** CiliumNetworkPolicy flavor (see the module comment). Deterministic: same input, same output. */
export function generateCilium(graph: ServiceGraph, selection: Selection, options: GenerateOptions): CiliumPolicySet {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  // Kept edges by the workload at each end (an edge to a Service as one edge per backend), so each policy reads only its own.
  const byEnd = { ingress: new Map<string, GraphEdge[]>(), egress: new Map<string, GraphEdge[]>() };
  for (const e of graph.edges.filter((x) => isKept(selection, x.key)).flatMap(backendEdges)) {
    (byEnd.ingress.get(e.target) ?? byEnd.ingress.set(e.target, []).get(e.target)!).push(e);
    (byEnd.egress.get(e.source) ?? byEnd.egress.set(e.source, []).get(e.source)!).push(e);
  }
  const warnings = new Map<string, { code: PolicyWarningCode; message: string; subjects: Set<string> }>();
  const warn = (w: Skip, subject: string): void => {
    const x = warnings.get(w.message) ?? { ...w, subjects: new Set<string>() };
    x.subjects.add(subject);
    warnings.set(w.message, x);
  };
  const advice = unknownPortAdvice(graph.format);
  const unknownPort: Skip = {
    code: 'unknown-port',
    message: `The capture has no port for these edges (${advice.cause}), so no port-restricted rule can be written for them (a rule without toPorts would allow every port): ${advice.fix}, or write the rule by hand.`,
  };
  const policies: GeneratedCiliumPolicy[] = [];
  for (const ns of [...new Set(options.namespaces)].sort(byString)) {
    const used = new Set<string>();
    if (options.defaultDeny) {
      used.add('default-deny');
      policies.push(defaultDeny(ns));
    }
    for (const w of graph.nodes.filter((n) => n.kind === 'workload' && n.namespace === ns).sort((a, b) => byString(a.id, b.id))) {
      if (!w.identity || Object.keys(w.identity).length === 0) {
        warn(SKIPS.unlabelled, w.id);
        continue;
      }
      let name = policyName(w.label);
      for (let i = 2; used.has(name); i++) name = `${policyName(w.label)}-${i}`;
      used.add(name);
      const id = `${ns}/${name}`;
      const rules: RuleProvenance[] = [];
      const build = (dir: 'ingress' | 'egress'): CiliumRule[] => {
        const edges = byEnd[dir].get(w.id) ?? [];
        const groups = new Map<string, { peer: Peer; edges: GraphEdge[] }>();
        for (const e of edges) {
          const other = nodes.get(dir === 'ingress' ? e.source : e.target);
          if (!other) continue;
          if (e.port === 'unknown') {
            warn(unknownPort, e.key);
            continue;
          }
          if (e.protocol.startsWith('ICMP') && (e.evidence.icmpTypes ?? []).length === 0) {
            warn(SKIPS.icmp, e.key);
            continue;
          }
          const peer = peerOf(other, dir === 'egress');
          if (!('kind' in peer)) {
            warn(peer, e.key);
            continue;
          }
          const g = groups.get(peer.key) ?? { peer, edges: [] };
          g.edges.push(e);
          groups.set(peer.key, g);
        }
        const out: CiliumRule[] = [];
        const add = (rule: CiliumRule, es: readonly GraphEdge[]): void => {
          rules.push({
            ref: { policy: id, direction: dir, index: out.length },
            edges: es.map((e) => e.key).sort(byString),
            comment: es.map((e) => observedLine(e, nodes, ns)).join('\n'),
          });
          out.push(rule);
        };
        for (const { peer, edges: es } of [...groups.values()].sort((a, b) => byString(a.peer.key, b.peer.key))) {
          // Cilium rejects icmps beside toPorts in one rule: ports and ICMP types get a rule each.
          const l4 = es.filter((e) => !e.protocol.startsWith('ICMP'));
          const icmp = es.filter((e) => e.protocol.startsWith('ICMP'));
          const ports = toPorts(l4, !!options.portRanges);
          if (ports) add({ ...peerFields(peer, dir), toPorts: ports }, l4);
          const types = icmps(icmp);
          if (types) add({ ...peerFields(peer, dir), icmps: types }, icmp);
        }
        return out;
      };
      const ingress = build('ingress');
      let egress = build('egress');
      // Every generated policy restricts egress ([{}] when nothing is allowed): a workload that connects
      // out but was never seen looking a name up loses DNS, as in the Kubernetes flavor.
      const lookedUp = (byEnd.egress.get(w.id) ?? []).some((e) => e.port === 53 && (e.protocol === 'UDP' || e.protocol === 'TCP'));
      if (egress.length > 0 && !lookedUp) warn(SKIPS.noDns, w.id);
      if (egress.some((r) => r.toFQDNs)) {
        // toFQDNs only learns addresses from lookups Cilium's DNS proxy sees: inspect DNS to kube-dns.
        const dns = { dns: [{ matchPattern: '*' }] };
        const at = egress.findIndex(isKubeDns);
        if (at >= 0) {
          // The observed DNS ports get the DNS rule; other ports to kube-dns stay as they are.
          const ports = (egress[at].toPorts ?? []).flatMap((tp) => tp.ports ?? []);
          const dnsPorts = ports.filter((p) => p.port === '53');
          const other = ports.filter((p) => p.port !== '53');
          egress = egress.map((r, i) =>
            i === at
              ? {
                  ...r,
                  toPorts: [
                    { ports: dnsPorts.length > 0 ? dnsPorts : [{ port: '53', protocol: 'ANY' as const }], rules: dns },
                    ...(other.length > 0 ? [{ ports: other }] : []),
                  ],
                }
              : r,
          );
        } else {
          rules.push({
            ref: { policy: id, direction: 'egress', index: egress.length },
            edges: [],
            comment: 'added: DNS to kube-dns with L7 inspection, which toFQDNs needs',
          });
          egress = [...egress, { toEndpoints: [DNS_ENDPOINT], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: dns }] }];
        }
      }
      // A direction with nothing allowed is denied explicitly: `{}` turns enforcement on and allows nothing.
      const deny = (dir: 'ingress' | 'egress'): CiliumRule[] => {
        rules.push({
          ref: { policy: id, direction: dir, index: 0 },
          edges: [],
          comment: `no ${dir} flow observed: this empty rule denies all ${dir}`,
        });
        return [{}];
      };
      policies.push({
        workload: w.id,
        policy: {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
          spec: {
            endpointSelector: { matchLabels: { ...w.identity } },
            ingress: ingress.length > 0 ? ingress : deny('ingress'),
            egress: egress.length > 0 ? egress : deny('egress'),
          },
        },
        rules,
      });
    }
  }
  if (options.namespaces.length === 0)
    warn({ code: 'empty-scope', message: 'No namespace is in scope: choose the namespaces to lock down.' }, '');
  return {
    flavor: 'cilium',
    options,
    policies,
    warnings: [...warnings.values()]
      .map((w) => ({ code: w.code, message: w.message, subjects: [...w.subjects].filter(Boolean).sort(byString) }))
      .sort((a, b) => byString(a.code + a.message, b.code + b.message)),
  };
}
