import type { GraphEdge, GraphNode, ServiceGraph } from '../graph/types';
import { unknownPortAdvice } from '../graph/advice';
import { backendEdges } from '../graph/service-edges';
import { isKept, type Selection } from '../graph/selection';
import { formatCount, formatWindow } from './format';
import { cidrContains, hostCidr, parseCidr } from './cidr';
import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyProtocol,
  RuleRef,
} from './types';

export interface GenerateOptions {
  /** The namespaces to lock down: each workload in them gets a policy. */
  readonly namespaces: readonly string[];
  /** Also write a `default-deny` policy per namespace. */
  readonly defaultDeny?: boolean;
  /** Merge consecutive ports of one peer into `endPort` ranges. */
  readonly portRanges?: boolean;
  /** CIDRs to use for external addresses they cover, instead of one /32 per address. */
  readonly cidrs?: readonly string[];
}

export type PolicyWarningCode =
  | 'entity-peer'
  | 'unselectable-workload'
  | 'unresolved-service'
  | 'aggregated-network'
  | 'unknown-port'
  | 'uncertain-direction'
  | 'icmp'
  | 'no-dns'
  | 'empty-scope';

export interface PolicyWarning {
  readonly code: PolicyWarningCode;
  readonly message: string;
  /** Edge keys or node ids the warning is about. */
  readonly subjects: readonly string[];
}

/** One generated rule and the observed edges behind it. */
export interface RuleProvenance {
  readonly ref: RuleRef;
  readonly edges: readonly string[];
  /** The comment written above the rule: one `observed: …` line per edge. */
  readonly comment: string;
}

/** One generated policy document `P` of a flavor, with where each of its rules came from. */
export interface Generated<P> {
  readonly policy: P;
  /** The workload the policy is for (node id), or undefined for a namespace's default deny. */
  readonly workload?: string;
  readonly rules: readonly RuleProvenance[];
}

/** What a generator returns for flavor `F`: its documents `P`, the options it ran with, and what it could not write. */
export interface GeneratedSet<F extends string, P> {
  readonly flavor: F;
  readonly options: GenerateOptions;
  readonly policies: readonly Generated<P>[];
  readonly warnings: readonly PolicyWarning[];
}

export type GeneratedPolicy = Generated<NetworkPolicy>;
export type PolicySet = GeneratedSet<'kubernetes', NetworkPolicy>;

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A name Kubernetes accepts (DNS-1123 subdomain, at most 63 characters here). */
export function policyName(label: string): string {
  const s = label
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    // Each part between dots must start and end with a letter or digit: `a.-b` and `a..b` become `a.b`.
    .replace(/[.-]*\.[.-]*/g, '.')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (s || 'workload').slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

function isSelectable(n: GraphNode): boolean {
  return n.kind === 'workload' && !!n.identity && Object.keys(n.identity).length > 0;
}

/** Why a workload gets no rule and no policy, and what would change that. */
function unselectable(n: GraphNode): { code: PolicyWarningCode; message: string } {
  return n.unlabelled === 'not-captured'
    ? {
        code: 'unselectable-workload',
        message:
          'These workloads appear only in records that carried no labels, so no selector can name them and their flows get no rule: give a cluster snapshot (`--snapshot`) to take their labels from. Until then the other policies allow none of their flows: verify counts them blocked, or undecided where a selector might match their unknown labels.',
      }
    : {
        code: 'unselectable-workload',
        message:
          'These workloads have no labels a policy could select, so they get no policy and their flows get no rule: label their pods (for example app=NAME). Until then the other policies allow none of their flows, and verify counts them blocked.',
      };
}

interface PeerChoice {
  readonly key: string;
  readonly peer?: NetworkPolicyPeer;
  readonly warning?: { code: PolicyWarningCode; message: string };
}

const ENTITY_ADVICE: Record<string, string> = {
  host: "NetworkPolicy cannot select the node itself. Flows from a pod's own node need no rule: Kubernetes documents that a NetworkPolicy cannot block them (kubelet probes), and verify counts them allowed. Flows to the node: the docs say they are always allowed too, but CNIs differ (Cilium blocks them without a rule) and no NetworkPolicy can name the node, so verify leaves them undecided. Use the Cilium flavor (toEntities: host).",
  'remote-node':
    'NetworkPolicy cannot name other nodes. On Cilium an ipBlock with the node addresses does not match them either unless the agent runs with policy-cidr-match-mode: nodes: use the Cilium flavor (fromEntities/toEntities: remote-node), or turn that setting on and use the node CIDR. On other CNIs, check which source address node traffic carries (an overlay may use a tunnel address) before writing an ipBlock.',
  'kube-apiserver':
    "NetworkPolicy cannot select the API server by label. Where it runs outside the cluster's nodes, add an ipBlock with its endpoint addresses (`kubectl get endpoints kubernetes -n default`); on Cilium an API server on the cluster's nodes is matched by an ipBlock only with policy-cidr-match-mode: nodes, so use the Cilium flavor (toEntities: kube-apiserver).",
  world:
    'The capture has no address for this traffic. Add an ipBlock for the addresses it reaches, or use the Cilium flavor (toEntities: world).',
};

function peerFor(
  node: GraphNode,
  policyNamespace: string,
  cidrs: readonly { text: string; parsed: NonNullable<ReturnType<typeof parseCidr>> }[],
): PeerChoice {
  if (node.kind === 'workload') {
    if (!isSelectable(node)) return { key: node.id, warning: unselectable(node) };
    const podSelector = { matchLabels: { ...node.identity } };
    return node.namespace === policyNamespace
      ? { key: node.id, peer: { podSelector } }
      : { key: node.id, peer: { namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: node.namespace! } }, podSelector } };
  }
  if (node.kind === 'external' && node.ip) {
    const covering = cidrs.find((c) => cidrContains(c.parsed, node.ip!));
    const cidr = covering ? covering.text : hostCidr(node.ip);
    return { key: `cidr:${cidr}`, peer: { ipBlock: { cidr } } };
  }
  if (node.kind === 'service') {
    return {
      key: node.id,
      warning: {
        code: 'unresolved-service',
        message:
          'Flows to Service frontends that nothing resolved to backends get no rule: a policy sees traffic after the Service is translated, so it must name the backend pods. Give a cluster snapshot (`--snapshot`), or capture the translated flows.',
      },
    };
  }
  if (node.kind === 'network') {
    return {
      key: node.id,
      warning: {
        code: 'aggregated-network',
        message:
          'Flows with addresses the flow log reduced to "a public network" or "a private network" get no rule, since no ipBlock can be derived from that: lower Calico\'s flow-log aggregation, or add the CIDR by hand.',
      },
    };
  }
  const entity = node.entity ?? node.label;
  return {
    key: node.id,
    warning: {
      code: 'entity-peer',
      message: `Flows with ${entity} get no rule: ${ENTITY_ADVICE[entity] ?? `NetworkPolicy cannot select the "${entity}" identity; add an ipBlock for its addresses if the flows must stay allowed.`}`,
    },
  };
}

function ports(edges: readonly GraphEdge[], ranges: boolean): NetworkPolicyPort[] {
  const byProto = new Map<PolicyProtocol, number[]>();
  for (const e of edges) {
    if (typeof e.port !== 'number' || e.protocol.startsWith('ICMP')) continue;
    const list = byProto.get(e.protocol as PolicyProtocol) ?? [];
    list.push(e.port);
    byProto.set(e.protocol as PolicyProtocol, list);
  }
  const out: NetworkPolicyPort[] = [];
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
    const list = [...new Set(byProto.get(proto) ?? [])].sort((a, b) => a - b);
    for (let i = 0; i < list.length; i++) {
      let j = i;
      while (ranges && j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
      out.push(j > i ? { protocol: proto, port: list[i], endPort: list[j] } : { protocol: proto, port: list[i] });
      i = j;
    }
  }
  return out;
}

/** `observed: web -> shop/api:8080/TCP, 1,204 flows, 2026-11-01 09:00–17:00 UTC` */
export function observedLine(e: GraphEdge, nodes: ReadonlyMap<string, GraphNode>, namespace: string): string {
  const name = (id: string): string => {
    const n = nodes.get(id);
    if (!n) return id;
    if (n.kind === 'workload') return n.namespace === namespace ? n.label : `${n.namespace}/${n.label}`;
    return n.kind === 'external' && n.ip && n.label !== n.ip ? `${n.ip} (${n.label})` : n.label;
  };
  const port = e.port === null ? e.protocol : `${e.port}/${e.protocol}`;
  const flows = e.evidence.flows;
  const svc = e.evidence.service;
  const via = svc
    ? ` via Service ${svc.name}${svc.backends ? ` (not seen translated: any of its ${svc.backends.length} backends)` : ''}`
    : '';
  const doubt = e.evidence.direction.uncertain > 0 ? ' (direction uncertain)' : '';
  return `observed: ${name(e.source)} -> ${name(e.target)}:${port}${via}, ${formatCount(flows)} flow${flows === 1 ? '' : 's'}${
    e.evidence.firstSeen !== null ? `, ${formatWindow(e.evidence.firstSeen, e.evidence.lastSeen ?? e.evidence.firstSeen)}` : ''
  }${doubt}`;
}

interface RuleDraft {
  peerKey: string;
  peer: NetworkPolicyPeer;
  edges: GraphEdge[];
}

/**
 * Least-privilege NetworkPolicies from the kept edges: per workload in scope one policy with one
 * rule per peer (its observed ports), label selectors for pods, namespace and pod selector in one
 * entry across namespaces, ipBlock only for external addresses. Deterministic: same input, same output.
 */
export function generate(graph: ServiceGraph, selection: Selection, options: GenerateOptions): PolicySet {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const scope = [...new Set(options.namespaces)].sort(byString);
  const cidrs = (options.cidrs ?? []).flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed ? [{ text, parsed }] : [];
  });
  const warnings = new Map<string, { code: PolicyWarningCode; message: string; subjects: Set<string> }>();
  const warn = (code: PolicyWarningCode, message: string, subject: string): void => {
    const w = warnings.get(message) ?? { code, message, subjects: new Set<string>() };
    w.subjects.add(subject);
    warnings.set(message, w);
  };
  // An edge to a Service with several backends is an edge to each backend (see backendEdges).
  const kept = graph.edges.filter((e) => isKept(selection, e.key)).flatMap(backendEdges);
  const portAdvice = unknownPortAdvice(graph.format);
  const outgoing = new Map<string, GraphEdge[]>();
  const incoming = new Map<string, GraphEdge[]>();
  for (const e of kept) {
    (outgoing.get(e.source) ?? outgoing.set(e.source, []).get(e.source)!).push(e);
    (incoming.get(e.target) ?? incoming.set(e.target, []).get(e.target)!).push(e);
  }

  const policies: GeneratedPolicy[] = [];
  for (const ns of scope) {
    const used = new Set<string>();
    if (options.defaultDeny) {
      used.add('default-deny');
      policies.push({
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'default-deny', namespace: ns },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        },
        rules: [],
      });
    }
    const workloads = graph.nodes.filter((n) => n.kind === 'workload' && n.namespace === ns).sort((a, b) => byString(a.id, b.id));
    for (const w of workloads) {
      if (!isSelectable(w)) {
        const why = unselectable(w);
        warn(why.code, why.message, w.id);
        continue;
      }
      const draft = (edges: readonly GraphEdge[], other: (e: GraphEdge) => string): RuleDraft[] => {
        const byPeer = new Map<string, RuleDraft>();
        for (const e of edges) {
          if (e.protocol.startsWith('ICMP')) {
            warn(
              'icmp',
              `NetworkPolicy has no ICMP rules, and Kubernetes leaves what an isolated pod does with ICMP to the network plugin; ${e.key} gets no rule, and verify counts it as blocked. The Cilium flavor allows it with an icmps rule; Calico with an icmp rule in a Calico NetworkPolicy.`,
              e.key,
            );
            continue;
          }
          if (e.port === 'unknown') {
            warn(
              'unknown-port',
              `The capture has no port for these edges (${portAdvice.cause}), so no port-restricted rule can be written for them (a rule without ports would allow every port): ${portAdvice.fix}, or write the rule by hand.`,
              e.key,
            );
            continue;
          }
          const node = nodes.get(other(e));
          if (!node) continue;
          // A pod's own node gets in whatever the policies say (Kubernetes documents that a NetworkPolicy
          // cannot block it): no rule is needed, and none could be written.
          if (node.kind === 'entity' && (node.entity ?? node.label) === 'host' && e.target === w.id) continue;
          if (e.evidence.direction.uncertain > 0) {
            warn(
              'uncertain-direction',
              'Rules for edges whose direction the capture could not settle are marked "direction uncertain" in their comment: check that the client and the port are the right way round before applying.',
              e.key,
            );
          }
          const choice = peerFor(node, ns, cidrs);
          if (!choice.peer) {
            warn(choice.warning!.code, choice.warning!.message, e.key);
            continue;
          }
          const d = byPeer.get(choice.key) ?? { peerKey: choice.key, peer: choice.peer, edges: [] };
          d.edges.push(e);
          byPeer.set(choice.key, d);
        }
        return [...byPeer.values()].sort((a, b) => byString(a.peerKey, b.peerKey));
      };
      const base = policyName(w.label);
      let name = base;
      for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
      used.add(name);
      const id = `${ns}/${name}`;
      const rules: RuleProvenance[] = [];
      const toRule = (d: RuleDraft, direction: 'ingress' | 'egress', index: number): void => {
        const edges = d.edges.sort((a, b) => byString(a.key, b.key));
        rules.push({
          ref: { policy: id, direction, index },
          edges: edges.map((e) => e.key),
          comment: edges.map((e) => observedLine(e, nodes, ns)).join('\n'),
        });
      };
      const ingressDrafts = draft(incoming.get(w.id) ?? [], (e) => e.source);
      const egressDrafts = draft(outgoing.get(w.id) ?? [], (e) => e.target);
      const ingress: NetworkPolicyIngressRule[] = ingressDrafts.map((d, i) => {
        toRule(d, 'ingress', i);
        return { from: [d.peer], ports: ports(d.edges, !!options.portRanges) };
      });
      const egress: NetworkPolicyEgressRule[] = egressDrafts.map((d, i) => {
        toRule(d, 'egress', i);
        return { to: [d.peer], ports: ports(d.edges, !!options.portRanges) };
      });
      const dns = (outgoing.get(w.id) ?? []).some((e) => e.port === 53 && (e.protocol === 'UDP' || e.protocol === 'TCP'));
      if (egress.length > 0 && !dns) {
        warn(
          'no-dns',
          'These workloads get an egress policy but no DNS lookup from them was seen, so name resolution will be blocked unless they only use addresses: capture longer, or allow kube-dns (UDP and TCP 53) by hand.',
          w.id,
        );
      }
      policies.push({
        workload: w.id,
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'netpol-studio' } },
          spec: { podSelector: { matchLabels: { ...w.identity } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
        },
        rules,
      });
    }
  }
  if (scope.length === 0) warn('empty-scope', 'No namespace is in scope: choose the namespaces to lock down.', '');
  return {
    flavor: 'kubernetes',
    options,
    policies,
    warnings: [...warnings.values()]
      .map((w) => ({ code: w.code, message: w.message, subjects: [...w.subjects].filter(Boolean).sort(byString) }))
      .sort((a, b) => byString(a.code + a.message, b.code + b.message)),
  };
}
