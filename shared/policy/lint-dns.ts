// Which workloads will lose DNS. A namespace's default deny (every pod, Egress, no rule) is that
// policy doing its job and is never a finding by itself; what is a finding is a workload that
// talks and can no longer resolve names, once per workload, naming the policies that isolate it.
import type { ServiceGraph } from '../graph/types';
import { effectivePolicyTypes, evaluate, policyId, type ClusterPod, type ConnectionEnd } from './evaluate';
import type { LintFinding } from './lint-types';
import { isEmptySelector } from './selectors';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from './types';
import { clusterFromGraph } from './verify';

const DNS_FIX =
  'Allow egress to the cluster DNS in a policy that selects these pods (or one for the whole namespace): namespaceSelector kubernetes.io/metadata.name: kube-system with podSelector k8s-app: kube-dns, UDP and TCP 53.';

/**
 * Where no DNS server is in the capture: CoreDNS as kubeadm deploys it, labelled `k8s-app: kube-dns`
 * in `kube-system` (kubernetes/kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go).
 */
const KUBE_DNS: ClusterPod = { namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } };

/** A namespace-wide egress deny: selects every pod, isolates egress, allows nothing. */
export function isEgressDefaultDeny(p: NetworkPolicy): boolean {
  return isEmptySelector(p.spec.podSelector) && effectivePolicyTypes(p).includes('Egress') && (p.spec.egress?.length ?? 0) === 0;
}

function allowsUdp53(ports: readonly NetworkPolicyPort[] | undefined): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'UDP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.port <= 53 && 53 <= (p.endPort ?? p.port);
    // CoreDNS names its UDP port "dns" in kubeadm's manifest.
    return p.port === '53' || p.port === 'dns';
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

/** `wide` selects at least every pod `narrow` selects (its requirements are a subset of narrow's). */
function selectsAllOf(wide: LabelSelector, narrow: LabelSelector): boolean {
  const labels = narrow.matchLabels ?? {};
  const expressions = (narrow.matchExpressions ?? []).map((e) => JSON.stringify(e));
  return (
    Object.entries(wide.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (wide.matchExpressions ?? []).every((e) => expressions.includes(JSON.stringify(e)))
  );
}

/**
 * Without traffic to look at: a policy that restricts egress (not a namespace's default deny)
 * while no egress rule in its namespace that applies to the same pods allows UDP 53.
 */
export function policyDnsFindings(policies: readonly NetworkPolicy[], namespaces?: ReadonlySet<string>): LintFinding[] {
  const out: LintFinding[] = [];
  for (const p of policies) {
    const ns = p.metadata.namespace ?? 'default';
    if ((namespaces && !namespaces.has(ns)) || !effectivePolicyTypes(p).includes('Egress') || isEgressDefaultDeny(p)) continue;
    const allowed = policies.some(
      (q) =>
        (q.metadata.namespace ?? 'default') === ns &&
        effectivePolicyTypes(q).includes('Egress') &&
        selectsAllOf(q.spec.podSelector, p.spec.podSelector) &&
        (q.spec.egress ?? []).some((r) => allowsUdp53(r.ports) && mayReachDns(r.to)),
    );
    if (!allowed)
      out.push({
        severity: 'warning',
        code: 'no-dns',
        policy: policyId(p),
        where: 'spec.egress',
        message: 'restricts egress of the pods it selects, and no egress rule in the namespace allows them DNS (UDP 53)',
        fix: DNS_FIX,
      });
  }
  return out;
}

/** The DNS servers a capture shows in use: the ends its UDP 53 edges go to, each once. */
export function dnsServerIds(graph: ServiceGraph): string[] {
  return [...new Set(graph.edges.filter((e) => e.port === 53 && e.protocol === 'UDP').map((e) => e.target))];
}

/** The no-dns message for one workload, under either flavor: who isolates it, and which servers it cannot reach (none seen: kube-dns). */
export function dnsLossMessage(workload: string, isolating: readonly string[], servers: readonly string[]): string {
  const to =
    servers.length > 0 ? `the cluster DNS the capture shows in use (${servers.join(', ')})` : 'kube-dns (no DNS server is in the capture)';
  return `${workload} makes connections in the capture but will not resolve names: its egress is isolated by ${isolating.join(', ')}, and none allows UDP 53 to ${to}`;
}

/**
 * With a capture: every workload the capture shows making connections whose egress some policy
 * isolates and none lets reach a DNS server on UDP 53 (the servers the capture saw answering on
 * UDP 53, else kube-dns). One finding per workload, on its most specific isolating policy. Also
 * returns the namespaces the capture has workloads in (the others are left to `policyDnsFindings`).
 */
export function workloadDnsFindings(
  policies: readonly NetworkPolicy[],
  graph: ServiceGraph,
): { readonly findings: LintFinding[]; readonly seen: ReadonlySet<string> } {
  const { cluster, ends } = clusterFromGraph(graph);
  const servers = dnsServerIds(graph).flatMap((id) => {
    const end = ends.get(id);
    return end ? [{ id, end }] : [];
  });
  const targets: { id: string; end: ConnectionEnd }[] =
    servers.length > 0 ? servers : [{ id: 'kube-system/kube-dns', end: { kind: 'pod', pod: KUBE_DNS } }];
  const talkers = new Set(graph.edges.map((e) => e.source));
  const byId = new Map(policies.map((p) => [policyId(p), p]));
  const findings: LintFinding[] = [];
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    const end = ends.get(node.id);
    if (node.kind !== 'workload' || end?.kind !== 'pod') continue;
    seen.add(end.pod.namespace);
    if (!talkers.has(node.id)) continue;
    const verdicts = targets.map((t) => evaluate(policies, cluster, { src: end, dst: t.end, protocol: 'UDP', port: 53 }).egress);
    const isolating = verdicts[0]?.isolatingPolicies ?? [];
    if (isolating.length === 0 || verdicts.some((v) => v?.allowedBy)) continue;
    const focus = isolating.find((id) => !isEgressDefaultDeny(byId.get(id)!)) ?? isolating[0];
    findings.push({
      severity: 'warning',
      code: 'no-dns',
      policy: focus,
      workload: node.id,
      message: dnsLossMessage(
        node.id,
        isolating,
        servers.map((s) => s.id),
      ),
      fix: DNS_FIX,
    });
  }
  return { findings, seen };
}

/** Both: per workload where the capture shows the namespace, per policy elsewhere. */
export function dnsFindings(policies: readonly NetworkPolicy[], graph: ServiceGraph | undefined): LintFinding[] {
  if (!graph) return policyDnsFindings(policies);
  const { findings, seen } = workloadDnsFindings(policies, graph);
  const unseen = new Set(policies.map((p) => p.metadata.namespace ?? 'default').filter((ns) => !seen.has(ns)));
  return [...findings, ...policyDnsFindings(policies, unseen)];
}
