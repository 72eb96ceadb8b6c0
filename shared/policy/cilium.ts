import type { GraphEdge, GraphNode, ServiceGraph } from '../graph/types';
import { isKept, type Selection } from '../graph/selection';
import { hostCidr } from './cidr';
import { observedLine, policyName, type GenerateOptions, type PolicyWarning, type RuleProvenance } from './generate';

/** The parts of `cilium.io/v2` CiliumNetworkPolicy this tool writes. */
export interface CiliumPortRule {
  readonly ports: readonly { readonly port: string; readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY' }[];
  readonly rules?: { readonly dns: readonly { readonly matchPattern?: string; readonly matchName?: string }[] };
}

export interface CiliumRule {
  readonly fromEndpoints?: readonly { readonly matchLabels: Readonly<Record<string, string>> }[];
  readonly toEndpoints?: readonly { readonly matchLabels: Readonly<Record<string, string>> }[];
  readonly fromEntities?: readonly string[];
  readonly toEntities?: readonly string[];
  readonly fromCIDR?: readonly string[];
  readonly toCIDR?: readonly string[];
  readonly toFQDNs?: readonly { readonly matchName: string }[];
  readonly toPorts?: readonly CiliumPortRule[];
}

export interface CiliumNetworkPolicy {
  readonly apiVersion: 'cilium.io/v2';
  readonly kind: 'CiliumNetworkPolicy';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly endpointSelector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly ingress?: readonly CiliumRule[];
    readonly egress?: readonly CiliumRule[];
  };
}

export interface GeneratedCiliumPolicy {
  readonly policy: CiliumNetworkPolicy;
  readonly workload?: string;
  readonly rules: readonly RuleProvenance[];
}

export interface CiliumPolicySet {
  readonly flavor: 'cilium';
  readonly options: GenerateOptions;
  readonly policies: readonly GeneratedCiliumPolicy[];
  readonly warnings: readonly PolicyWarning[];
}

const NS_LABEL = 'k8s:io.kubernetes.pod.namespace';
const ENTITIES = new Set(['host', 'remote-node', 'kube-apiserver', 'world', 'health', 'ingress', 'init', 'unmanaged']);
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type Peer =
  | { key: string; kind: 'endpoint'; labels: Record<string, string> }
  | { key: string; kind: 'entity'; entity: string }
  | { key: string; kind: 'cidr'; cidr: string }
  | { key: string; kind: 'fqdn'; names: string[] };

function peerOf(n: GraphNode, egress: boolean): Peer | undefined {
  if (n.kind === 'workload') {
    if (!n.identity || Object.keys(n.identity).length === 0) return undefined;
    return { key: n.id, kind: 'endpoint', labels: { ...n.identity, [NS_LABEL]: n.namespace! } };
  }
  if (n.kind === 'external' && n.ip) {
    // Names learned from DNS let Cilium follow the service when its addresses change.
    if (egress && n.dnsNames && n.dnsNames.length > 0) return { key: `fqdn:${n.dnsNames.join(',')}`, kind: 'fqdn', names: [...n.dnsNames] };
    return { key: `cidr:${n.ip}`, kind: 'cidr', cidr: hostCidr(n.ip) };
  }
  // A Service frontend nothing resolved and a flow log's aggregated network name nothing a rule can use.
  if (n.kind !== 'entity') return undefined;
  const entity = n.entity ?? n.label;
  return ENTITIES.has(entity) ? { key: `entity:${entity}`, kind: 'entity', entity } : undefined;
}

function toPorts(edges: readonly GraphEdge[]): CiliumPortRule[] | undefined {
  const ports = [
    ...new Set(edges.filter((e) => typeof e.port === 'number' && !e.protocol.startsWith('ICMP')).map((e) => `${e.protocol}/${e.port}`)),
  ].sort();
  if (ports.length === 0) return undefined;
  return [{ ports: ports.map((p) => ({ port: p.split('/')[1], protocol: p.split('/')[0] as 'TCP' | 'UDP' | 'SCTP' })) }];
}

/** CiliumNetworkPolicy flavor: namespace-labelled endpoints, entities for reserved identities, FQDNs for names learned from DNS. */
export function generateCilium(graph: ServiceGraph, selection: Selection, options: GenerateOptions): CiliumPolicySet {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const kept = graph.edges.filter((e) => isKept(selection, e.key));
  const warnings: PolicyWarning[] = [];
  const skipped = new Set<string>();
  const policies: GeneratedCiliumPolicy[] = [];
  for (const ns of [...new Set(options.namespaces)].sort(byString)) {
    const used = new Set<string>();
    for (const w of graph.nodes.filter((n) => n.kind === 'workload' && n.namespace === ns).sort((a, b) => byString(a.id, b.id))) {
      if (!w.identity || Object.keys(w.identity).length === 0) continue;
      let name = policyName(w.label);
      for (let i = 2; used.has(name); i++) name = `${policyName(w.label)}-${i}`;
      used.add(name);
      const id = `${ns}/${name}`;
      const rules: RuleProvenance[] = [];
      const build = (dir: 'ingress' | 'egress'): CiliumRule[] => {
        const edges = kept.filter((e) => (dir === 'ingress' ? e.target : e.source) === w.id);
        const groups = new Map<string, { peer: Peer; edges: GraphEdge[] }>();
        for (const e of edges) {
          const other = nodes.get(dir === 'ingress' ? e.source : e.target);
          // Without a port, a rule would allow every port: none is written (the Kubernetes flavor says why).
          const peer = e.port !== 'unknown' && other && peerOf(other, dir === 'egress');
          if (!peer) {
            skipped.add(e.key);
            continue;
          }
          const g = groups.get(peer.key) ?? { peer, edges: [] };
          g.edges.push(e);
          groups.set(peer.key, g);
        }
        const out: CiliumRule[] = [];
        for (const { peer, edges: es } of [...groups.values()].sort((a, b) => byString(a.peer.key, b.peer.key))) {
          const ports = toPorts(es);
          const rule: CiliumRule =
            peer.kind === 'endpoint'
              ? {
                  [dir === 'ingress' ? 'fromEndpoints' : 'toEndpoints']: [{ matchLabels: peer.labels }],
                  ...(ports ? { toPorts: ports } : {}),
                }
              : peer.kind === 'entity'
                ? { [dir === 'ingress' ? 'fromEntities' : 'toEntities']: [peer.entity], ...(ports ? { toPorts: ports } : {}) }
                : peer.kind === 'cidr'
                  ? { [dir === 'ingress' ? 'fromCIDR' : 'toCIDR']: [peer.cidr], ...(ports ? { toPorts: ports } : {}) }
                  : { toFQDNs: peer.names.map((matchName) => ({ matchName })), ...(ports ? { toPorts: ports } : {}) };
          rules.push({
            ref: { policy: id, direction: dir, index: out.length },
            edges: es.map((e) => e.key).sort(byString),
            comment: es.map((e) => observedLine(e, nodes, ns)).join('\n'),
          });
          out.push(rule);
        }
        return out;
      };
      const ingress = build('ingress');
      let egress = build('egress');
      if (egress.some((r) => r.toFQDNs)) {
        // toFQDNs only works when Cilium's DNS proxy sees the lookups: inspect DNS to kube-dns.
        const dnsRule: CiliumPortRule = { ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } };
        const at = egress.findIndex((r) => r.toEndpoints?.some((e) => e.matchLabels['k8s-app'] === 'kube-dns'));
        if (at >= 0) egress = egress.map((r, i) => (i === at ? { ...r, toPorts: [dnsRule] } : r));
        else {
          rules.push({
            ref: { policy: id, direction: 'egress', index: egress.length },
            edges: [],
            comment: 'added: DNS to kube-dns with L7 inspection, which toFQDNs needs',
          });
          egress = [
            ...egress,
            { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', [NS_LABEL]: 'kube-system' } }], toPorts: [dnsRule] },
          ];
        }
      }
      policies.push({
        workload: w.id,
        policy: {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
          spec: { endpointSelector: { matchLabels: { ...w.identity } }, ingress, egress },
        },
        rules,
      });
    }
  }
  if (skipped.size > 0) {
    warnings.push({
      code: 'unselectable-workload',
      message: 'These edges get no rule: their peer has no labels or is an unknown identity.',
      subjects: [...skipped].sort(byString),
    });
  }
  return { flavor: 'cilium', options, policies, warnings };
}
