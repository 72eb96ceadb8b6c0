import { isUnstableLabel } from '../flows/identity';
import { policyId } from './evaluate';
import { dnsFindings } from './lint-dns';
import { cidrFindings, lintRanges, nameFindings, unstableLabelFinding } from './lint-common';
import { isEmptySelector, selectorMatches } from './selectors';
import type { LintContext, LintFinding } from './lint-types';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer } from './types';
import { issuesText, validateNetworkPolicy } from './validate';

export { lintCilium } from './lint-cilium';

export type { LintCode, LintContext, LintFinding } from './lint-types';

function selectorLabels(sel: LabelSelector | undefined): string[] {
  return [...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * Checks NetworkPolicies (Kubernetes semantics, https://kubernetes.io/docs/concepts/services-
 * networking/network-policies/) for mistakes that cause outages or allow more, or less, than
 * meant; each finding says how to fix it. CiliumNetworkPolicies: `lintCilium`.
 */
export function lint(policies: readonly NetworkPolicy[], context: LintContext = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const ranges = lintRanges(context);
  const workloads = (context.graph?.nodes ?? []).filter((n) => n.kind === 'workload');
  const valid: NetworkPolicy[] = [];

  for (const p of policies) {
    const id = policyId(p);
    const ns = p.metadata.namespace ?? 'default';
    const add = (f: Omit<LintFinding, 'policy'>): void => void findings.push({ policy: id, ...f });
    for (const f of nameFindings(p.metadata ?? {})) add(f);
    const checked = validateNetworkPolicy(p);
    if (!checked.ok) {
      add({
        severity: 'error',
        code: 'schema',
        message: `not a valid NetworkPolicy: ${issuesText(checked.issues)}`,
        fix: 'Correct the fields named above; `kubectl apply --dry-run=server` would reject it as it is.',
      });
      continue;
    }
    valid.push(p);
    for (const key of selectorLabels(p.spec.podSelector).filter(isUnstableLabel)) add(unstableLabelFinding(key, 'spec.podSelector'));
    // Kubernetes reads a section only for a direction policyTypes lists (when it lists any).
    const listed = p.spec.policyTypes && p.spec.policyTypes.length > 0 ? p.spec.policyTypes : undefined;
    for (const [dir, type] of [
      ['ingress', 'Ingress'],
      ['egress', 'Egress'],
    ] as const) {
      if (!listed || listed.includes(type) || (p.spec[dir]?.length ?? 0) === 0) continue;
      add({
        severity: 'error',
        code: 'dead-section',
        where: `spec.${dir}`,
        message: `has ${dir} rules, but policyTypes lists only ${listed.join(', ')}, so Kubernetes ignores them: this policy does not restrict ${dir === 'ingress' ? 'ingress to' : 'egress from'} these pods`,
        fix: `If the rules are meant, add ${type} to spec.policyTypes (the pods then ${dir === 'ingress' ? 'accept' : 'may open'} only what the rules allow); if not, delete spec.${dir}.`,
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
                message: `has an empty ${name}, which matches ${
                  name === 'namespaceSelector'
                    ? 'every namespace'
                    : peer.namespaceSelector
                      ? 'every pod of the selected namespaces'
                      : `every pod in ${ns}`
                }`,
                fix: `Give ${name} the labels of the ${name === 'podSelector' ? 'workload' : 'namespace (kubernetes.io/metadata.name)'} it is meant for.`,
              });
            }
            for (const key of selectorLabels(sel).filter(isUnstableLabel)) add(unstableLabelFinding(key, `${at}.${name}`));
          }
          if (peer.ipBlock) {
            const instead = 'Select the pods with podSelector (and namespaceSelector for another namespace) instead of their addresses.';
            for (const f of cidrFindings(peer.ipBlock.cidr, peer.ipBlock.except ?? [], ranges, { rule: 'ipBlock', instead }))
              add({ ...f, where: `${at}.ipBlock` });
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
  }
  findings.push(...dnsFindings(valid, context.graph));
  return findings;
}
