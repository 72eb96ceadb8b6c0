import { NetworkPolicy as NetworkPolicyModel } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { isUnstableLabel } from '../flows/identity';
import type { ServiceGraph } from '../graph/types';
import { parseCidr, type ParsedCidr } from './cidr';
import { effectivePolicyTypes, evaluate, policyId } from './evaluate';
import { isEmptySelector, selectorMatches } from './selectors';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from './types';
import { clusterFromGraph } from './verify';

export type LintCode =
  | 'schema'
  | 'ipblock-in-cluster'
  | 'missing-namespace-selector'
  | 'split-peer'
  | 'empty-selector'
  | 'no-dns'
  | 'unstable-label'
  | 'egress-without-type';

export interface LintFinding {
  readonly severity: 'error' | 'warning';
  readonly code: LintCode;
  /** `ns/name`, and the rule when the finding is about one. */
  readonly policy: string;
  readonly where?: string;
  readonly message: string;
  /** One line that says how to fix it. */
  readonly fix: string;
}

export interface LintContext {
  /** The observed graph: pod networks, and which namespaces a selector's workloads live in. */
  readonly graph?: ServiceGraph;
  /** Pod CIDRs known from elsewhere (added to those inferred from the graph). */
  readonly podCidrs?: readonly string[];
}

function overlaps(a: ParsedCidr, b: ParsedCidr): boolean {
  if (a.v6 !== b.v6) return false;
  const max = a.v6 ? 128 : 32;
  const bits = Math.min(a.bits, b.bits);
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return (a.base & mask) === (b.base & mask);
}

function selectorLabels(sel: LabelSelector | undefined): string[] {
  return [...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e) => e.key)];
}

function allowsDns(ports: readonly NetworkPolicyPort[] | undefined): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'UDP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.port <= 53 && 53 <= (p.endPort ?? p.port);
    return p.port === '53' || p.port === 'dns' || p.port === 'dns-udp';
  });
}

/** Could this `to` list include the cluster DNS (no peers, another namespace, an address, or a dns-labelled pod)? */
function mayReachDns(to: readonly NetworkPolicyPeer[] | undefined): boolean {
  if (!to || to.length === 0) return true;
  return to.some(
    (peer) =>
      !!peer.namespaceSelector || !!peer.ipBlock || Object.values(peer.podSelector?.matchLabels ?? {}).some((v) => v.includes('dns')),
  );
}

/** Checks policies for mistakes that cause outages or allow more than meant; each finding says how to fix it. */
export function lint(policies: readonly NetworkPolicy[], context: LintContext = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const podNets = [...(context.podCidrs ?? []), ...(context.graph?.podNetworks ?? [])].flatMap((c) => {
    const p = parseCidr(c);
    return p ? [{ text: c, parsed: p }] : [];
  });
  const workloads = (context.graph?.nodes ?? []).filter((n) => n.kind === 'workload');

  for (const p of policies) {
    const id = policyId(p);
    const ns = p.metadata.namespace ?? 'default';
    const add = (f: Omit<LintFinding, 'policy'>): void => void findings.push({ policy: id, ...f });
    try {
      new NetworkPolicyModel(p as unknown as ConstructorParameters<typeof NetworkPolicyModel>[0]).validate();
    } catch (e) {
      add({
        severity: 'error',
        code: 'schema',
        message: `not a valid NetworkPolicy: ${(e as Error).message}`,
        fix: 'Correct the fields named above; `kubectl apply --dry-run=server` would reject it as it is.',
      });
      continue;
    }
    for (const key of selectorLabels(p.spec.podSelector).filter(isUnstableLabel)) {
      add({
        severity: 'error',
        code: 'unstable-label',
        where: 'spec.podSelector',
        message: `selects on "${key}", which changes with every rollout or run`,
        fix: 'Select on a stable label such as app.kubernetes.io/name or app.',
      });
    }
    const types = effectivePolicyTypes(p);
    if ((p.spec.egress?.length ?? 0) > 0 && p.spec.policyTypes && !p.spec.policyTypes.includes('Egress')) {
      add({
        severity: 'error',
        code: 'egress-without-type',
        where: 'spec.egress',
        message: 'has egress rules but policyTypes does not list Egress, so they are ignored',
        fix: 'Add Egress to spec.policyTypes.',
      });
    }
    for (const dir of ['ingress', 'egress'] as const) {
      const rules = (dir === 'ingress' ? p.spec.ingress : p.spec.egress) ?? [];
      rules.forEach((rule, i) => {
        const peers: readonly NetworkPolicyPeer[] =
          (dir === 'ingress' ? (rule as { from?: NetworkPolicyPeer[] }).from : (rule as { to?: NetworkPolicyPeer[] }).to) ?? [];
        const where = `spec.${dir}[${i}]`;
        const onlyNs = peers.filter((x) => x.namespaceSelector && !x.podSelector && !x.ipBlock);
        const onlyPod = peers.filter((x) => x.podSelector && !x.namespaceSelector && !x.ipBlock);
        if (onlyNs.length > 0 && onlyPod.length > 0) {
          add({
            severity: 'warning',
            code: 'split-peer',
            where,
            message:
              'has a namespaceSelector and a podSelector in separate entries, which means either one (OR): every pod of the selected namespaces is allowed',
            fix: 'If only those pods of that namespace are meant, put both selectors in one entry (drop the "-" before podSelector).',
          });
        }
        peers.forEach((peer, j) => {
          const at = `${where}.${dir === 'ingress' ? 'from' : 'to'}[${j}]`;
          if (!peer.podSelector && !peer.namespaceSelector && !peer.ipBlock) {
            add({
              severity: 'error',
              code: 'empty-selector',
              where: at,
              message: 'is an empty peer, which is invalid',
              fix: 'Name the peer with a podSelector, a namespaceSelector or an ipBlock.',
            });
          }
          for (const [name, sel] of [
            ['podSelector', peer.podSelector],
            ['namespaceSelector', peer.namespaceSelector],
          ] as const) {
            if (sel && isEmptySelector(sel)) {
              add({
                severity: 'warning',
                code: 'empty-selector',
                where: `${at}.${name}`,
                message: `has an empty ${name}, which matches every ${name === 'podSelector' ? 'pod' : 'namespace'}`,
                fix: `Give ${name} the labels of the ${name === 'podSelector' ? 'workload' : 'namespace (kubernetes.io/metadata.name)'} it is meant for.`,
              });
            }
            for (const key of selectorLabels(sel).filter(isUnstableLabel)) {
              add({
                severity: 'error',
                code: 'unstable-label',
                where: `${at}.${name}`,
                message: `selects on "${key}", which changes with every rollout or run`,
                fix: 'Select on a stable label such as app.kubernetes.io/name or app.',
              });
            }
          }
          if (peer.ipBlock) {
            const cidr = parseCidr(peer.ipBlock.cidr);
            const hit = cidr && podNets.find((n) => overlaps(cidr, n.parsed));
            if (hit) {
              add({
                severity: 'error',
                code: 'ipblock-in-cluster',
                where: `${at}.ipBlock`,
                message: `ipBlock ${peer.ipBlock.cidr} covers pod network ${hit.text}; pod addresses change when pods restart`,
                fix: 'Select the pods with podSelector (and namespaceSelector) instead of their addresses.',
              });
            }
          }
          if (peer.podSelector && !peer.namespaceSelector && workloads.length > 0 && !isEmptySelector(peer.podSelector)) {
            const here = workloads.some((n) => n.namespace === ns && selectorMatches(peer.podSelector, { ...n.labels, ...n.identity }));
            const elsewhere = workloads.filter(
              (n) => n.namespace !== ns && selectorMatches(peer.podSelector, { ...n.labels, ...n.identity }),
            );
            if (!here && elsewhere.length > 0) {
              add({
                severity: 'error',
                code: 'missing-namespace-selector',
                where: at,
                message: `podSelector alone only matches pods in ${ns}, but the workloads it names run in ${[...new Set(elsewhere.map((n) => n.namespace))].join(', ')}`,
                fix: `Add namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${elsewhere[0].namespace}}} to the same entry.`,
              });
            }
          }
        });
      });
    }
    if (types.includes('Egress')) {
      const nsPolicies = policies.filter((q) => (q.metadata.namespace ?? 'default') === ns && effectivePolicyTypes(q).includes('Egress'));
      let dnsOk: boolean;
      if (context.graph) {
        // With the graph: can every workload this policy isolates still reach some DNS server on UDP 53?
        const { cluster, ends } = clusterFromGraph(context.graph);
        const dnsServers = context.graph.edges
          .filter((e) => e.port === 53 && e.protocol === 'UDP')
          .map((e) => ends.get(e.target))
          .filter((x) => x !== undefined);
        const targets = dnsServers.length > 0 ? dnsServers : [{ kind: 'ip' as const, ip: '10.96.0.10' }];
        // Workloads that made no outgoing connection in the capture do not need DNS.
        const talkers = new Set(context.graph.edges.map((e) => e.source));
        const podOf = new Map([...ends].flatMap(([nodeId, end]) => (end.kind === 'pod' ? [[end.pod, nodeId] as const] : [])));
        dnsOk = cluster.pods
          .filter((pod) => pod.namespace === ns && selectorMatches(p.spec.podSelector, pod.labels) && talkers.has(podOf.get(pod) ?? ''))
          .every((pod) =>
            targets.some(
              (dst) =>
                evaluate(nsPolicies, { ...cluster, pods: cluster.pods }, { src: { kind: 'pod', pod }, dst, protocol: 'UDP', port: 53 })
                  .egress?.allowedBy,
            ),
          );
      } else {
        // Without it: some egress rule for the same (or every) pod must allow UDP 53.
        dnsOk = nsPolicies.some(
          (q) =>
            (isEmptySelector(q.spec.podSelector) || JSON.stringify(q.spec.podSelector) === JSON.stringify(p.spec.podSelector)) &&
            (q.spec.egress ?? []).some((r) => allowsDns(r.ports) && mayReachDns(r.to)),
        );
      }
      if (!dnsOk) {
        add({
          severity: 'warning',
          code: 'no-dns',
          where: 'spec.policyTypes',
          message: 'restricts egress but no egress rule for these pods allows DNS (UDP 53)',
          fix: 'Allow egress to kube-dns: namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns, UDP and TCP 53.',
        });
      }
    }
  }
  return findings;
}
