// Which workloads will lose DNS under CiliumNetworkPolicies: the same finding as lint-dns.ts gives
// for NetworkPolicies (once per workload the capture shows making connections, naming the policy
// that isolates its egress), judged by the Cilium engine, so entities, `toPorts` with ANY, the
// namespace label and every other Cilium form count as they do in the cluster.
import type { ServiceGraph } from '../graph/types';
import { policyEngine, type End, type PodEnd } from './engine';
import { allows } from './engine/allowance';
import type { CiliumNetworkPolicy } from './cilium-types';
import { dnsLossMessage, dnsServerIds } from './lint-dns';
import type { LintFinding } from './lint-types';
import { isEmptySelector } from './selectors';
import type { NetworkPolicy } from './types';
import { endsFromGraph } from './verify';

/** CoreDNS as kubeadm deploys it, where no DNS server is in the capture (as in lint-dns.ts). */
const KUBE_DNS: PodEnd = {
  kind: 'pod',
  id: 'kube-system/kube-dns',
  namespace: 'kube-system',
  labels: { 'k8s-app': 'kube-dns' },
  labelsComplete: true,
};

/** A policy's name as the engine's explanations give it: `ns/name`, or the name of a clusterwide one. */
const engineId = (p: CiliumNetworkPolicy): string =>
  p.kind === 'CiliumClusterwideNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

const FIX =
  'Add an egress rule for these endpoints to the cluster DNS: toEndpoints {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns} with toPorts port 53 protocol ANY (rules: {dns: [{matchPattern: "*"}]} if toFQDNs is used).';

/**
 * Every workload of `graph` that makes connections, whose egress the policies isolate (Cilium
 * semantics, with the NetworkPolicies beside them) and surely do not let reach a DNS server on UDP 53:
 * the servers the capture saw answering on UDP 53, else kube-dns. One warning per workload, on the
 * first policy isolating it. A workload whose DNS only may be allowed is not reported (verify says
 * what would decide it).
 */
export function ciliumDnsFindings(
  cilium: readonly CiliumNetworkPolicy[],
  kubernetes: readonly NetworkPolicy[],
  graph: ServiceGraph,
): LintFinding[] {
  if (cilium.length === 0) return [];
  const engine = policyEngine(kubernetes, cilium, 'cilium');
  const ends = endsFromGraph(graph);
  const servers = dnsServerIds(graph).flatMap((id) => {
    const end = ends.get(id);
    return end ? [end] : [];
  });
  const targets: End[] = servers.length > 0 ? servers : [KUBE_DNS];
  const talkers = new Set(graph.edges.map((e) => e.source));
  const findings: LintFinding[] = [];
  const wide = new Set(
    cilium.filter((p) => [p.spec, ...(p.specs ?? [])].every((s) => !s || isEmptySelector(s.endpointSelector))).map(engineId),
  );
  for (const node of graph.nodes) {
    const end = ends.get(node.id);
    if (node.kind !== 'workload' || end?.kind !== 'pod' || !talkers.has(node.id)) continue;
    const egress = targets.map((t) => engine.pair(end, t).egress);
    const first = egress[0];
    if (!first || first.isolated !== 'yes') continue;
    if (egress.some((d) => !d || allows(d.allowance, 'UDP', 53) !== 'no')) continue;
    // The fix belongs in the workload's own policy, not in a namespace-wide deny.
    const focus = first.isolating.find((id) => !wide.has(id)) ?? first.isolating[0];
    findings.push({
      severity: 'warning',
      code: 'no-dns',
      policy: focus,
      workload: node.id,
      message: dnsLossMessage(
        node.id,
        first.isolating,
        servers.map((s) => s.id),
      ),
      fix: FIX,
    });
  }
  return findings;
}
