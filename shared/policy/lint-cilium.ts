// Lint for `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, with Cilium's
// semantics, which differ from a NetworkPolicy's where it matters most:
// - an omitted or empty `ingress`/`egress` list means "this rule does not apply at ingress/egress"
//   (pkg/policy/api/rule.go; https://docs.cilium.io/en/stable/security/policy/intro/#rule-basics):
//   `ingress: []` is not a deny. A rule that allows nothing, `ingress: [{}]`, puts the endpoints
//   in default deny (https://docs.cilium.io/en/latest/security/policy/layer3/#ingress-egress-default-deny;
//   pkg/policy/rule.go mergeIngress: an empty rule selects no peer), as does
//   `enableDefaultDeny: {ingress: true}` (Cilium 1.15+);
// - CIDR rules do not apply to traffic between Cilium-managed endpoints, or to node addresses unless
//   the agent runs with `policy-cidr-match-mode: nodes`
//   (https://docs.cilium.io/en/latest/security/policy/layer3/#ip-cidr-based).
import { isUnstableLabel } from '../flows/identity';
import type { CiliumCidrRule, CiliumNetworkPolicy, CiliumPolicySpec, CiliumRule } from './cilium-types';
import type { LintContext, LintFinding } from './lint-types';
import { cidrFindings, lintRanges, nameFindings, unstableLabelFinding } from './lint-common';
import { issuesText } from './validate';
import { validateCiliumPolicy } from './cilium-schema';
import { ciliumDnsFindings } from './lint-cilium-dns';
import type { LabelSelector } from './types';

/** `ns/name`, or `clusterwide/name` for a CiliumClusterwideNetworkPolicy. */
export function ciliumPolicyId(p: CiliumNetworkPolicy): string {
  return p.kind === 'CiliumClusterwideNetworkPolicy'
    ? `clusterwide/${p.metadata.name}`
    : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

/**
 * Label keys Cilium itself documents for selectors (https://docs.cilium.io/en/stable/security/policy/kubernetes/):
 * the pod's namespace, the namespace's labels, the service account, the cluster. Stable, unlike the
 * `io.kubernetes.` / `io.cilium.` labels isUnstableLabel refuses for pods.
 */
function isCiliumSelectorKey(key: string): boolean {
  return (
    key === 'io.kubernetes.pod.namespace' ||
    key.startsWith('io.cilium.k8s.namespace.labels.') ||
    key === 'io.cilium.k8s.policy.serviceaccount' ||
    key === 'io.cilium.k8s.policy.cluster'
  );
}

/** Unstable keys of a Cilium selector, without their source prefix (`k8s:app` → `app`); `reserved:` labels are identities, not pod labels. */
function unstableKeys(sel: LabelSelector | undefined): string[] {
  const keys = [...Object.keys(sel?.matchLabels ?? {}), ...(sel?.matchExpressions ?? []).map((e) => e.key)];
  return keys.flatMap((raw) => {
    const m = /^([a-z0-9-]+):(.+)$/.exec(raw);
    if (m?.[1] === 'reserved') return [];
    const key = m ? m[2] : raw;
    return !isCiliumSelectorKey(key) && isUnstableLabel(key) ? [raw] : [];
  });
}

const CIDR_INSTEAD =
  "Select the pods with toEndpoints/fromEndpoints (their labels, with k8s:io.kubernetes.pod.namespace for another namespace) instead of their addresses, or a Service's pods with toServices.";

function specChecks(spec: CiliumPolicySpec, at: string, context: LintContext, add: (f: Omit<LintFinding, 'policy'>) => void): void {
  const ranges = lintRanges(context);
  for (const key of unstableKeys(spec.endpointSelector)) add(unstableLabelFinding(key, `${at}.endpointSelector`));
  for (const dir of ['ingress', 'egress'] as const) {
    const list = spec[dir];
    if (list && list.length === 0 && spec.enableDefaultDeny?.[dir] !== true)
      add({
        severity: 'error',
        code: 'cilium-empty-section',
        where: `${at}.${dir}`,
        message: `is an empty list, which in a CiliumNetworkPolicy leaves ${dir} unenforced (the rule does not apply at ${dir}): it is not a deny`,
        fix: `To deny all ${dir} of these endpoints, write "${dir}: [{}]" (a rule that allows nothing) or set enableDefaultDeny.${dir}: true; to leave ${dir} alone, delete the line.`,
      });
  }
  for (const dir of ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const) {
    (spec[dir] ?? []).forEach((rule: CiliumRule, i) => {
      const where = `${at}.${dir}[${i}]`;
      const selectors: [string, readonly LabelSelector[] | undefined][] = [
        ['fromEndpoints', rule.fromEndpoints],
        ['toEndpoints', rule.toEndpoints],
        ['fromRequires', rule.fromRequires],
        ['toRequires', rule.toRequires],
      ];
      for (const [field, list] of selectors)
        (list ?? []).forEach((sel, j) => {
          for (const key of unstableKeys(sel)) add(unstableLabelFinding(key, `${where}.${field}[${j}]`));
        });
      for (const field of ['fromRequires', 'toRequires'] as const)
        if ((rule[field] ?? []).length > 0)
          add({
            severity: 'warning',
            code: 'cilium-requires',
            where: `${where}.${field}`,
            message: `is deprecated since Cilium 1.17 and removed in 1.19 (cilium/cilium#42615): up to 1.18 it narrows every ${dir.startsWith('ingress') ? 'ingress' : 'egress'} rule of these endpoints, from 1.19 nothing, so verify leaves flows it would stop undecided`,
            fix: `Write the requirement into each rule's ${field === 'fromRequires' ? 'fromEndpoints' : 'toEndpoints'} selectors (or use a deny rule for the peers to keep out), then delete ${field}.`,
          });
      const cidrs: [string, readonly CiliumCidrRule[]][] = [
        ['fromCIDR', (rule.fromCIDR ?? []).map((cidr) => ({ cidr }))],
        ['toCIDR', (rule.toCIDR ?? []).map((cidr) => ({ cidr }))],
        ['fromCIDRSet', rule.fromCIDRSet ?? []],
        ['toCIDRSet', rule.toCIDRSet ?? []],
      ];
      for (const [field, list] of cidrs)
        list.forEach((c, j) => {
          if (c.cidr === undefined) return;
          for (const f of cidrFindings(c.cidr, c.except ?? [], ranges, { rule: field, instead: CIDR_INSTEAD, cilium: true }))
            add({ ...f, where: `${where}.${field}[${j}]` });
        });
    });
  }
}

/** The selector's `matchLabels` with Cilium's `k8s:`/`any:` source prefixes taken off; undefined when it uses expressions or other sources. */
function plainLabels(sel: LabelSelector | undefined): Map<string, string> | undefined {
  if ((sel?.matchExpressions?.length ?? 0) > 0) return undefined;
  const out = new Map<string, string>();
  for (const [raw, value] of Object.entries(sel?.matchLabels ?? {})) {
    const m = /^([a-z0-9-]+):(.+)$/.exec(raw);
    if (m && m[1] !== 'k8s' && m[1] !== 'any') return undefined;
    out.set(m ? m[2] : raw, value);
  }
  return out;
}

/** Does selector `outer` surely select every pod `inner` selects? (Its requirements are a subset of inner's.) */
function selectsAll(outer: LabelSelector | undefined, inner: LabelSelector | undefined): boolean {
  const o = plainLabels(outer);
  const i = plainLabels(inner);
  if (!o || !i) return false;
  for (const [k, v] of o) if (i.get(k) !== v) return false;
  return true;
}

/** An egress rule that sends DNS through Cilium's proxy: toPorts with `rules.dns`. */
const seesDns = (r: CiliumRule): boolean => (r.toPorts ?? []).some((tp) => !!tp.rules && 'dns' in tp.rules);

/**
 * toFQDNs allows only the addresses Cilium's DNS proxy saw returned to the selected pods, and the
 * proxy sees a pod's lookups only when an egress rule with `rules.dns` applies to it
 * (https://docs.cilium.io/en/stable/security/policy/language/#dns-based). A toFQDNs rule whose pods
 * no rule set of the same namespace (or a clusterwide one) surely sends through the proxy allows
 * nothing it can learn: a warning, since a selector this check cannot compare may still cover them.
 */
function fqdnWithoutDns(policies: readonly CiliumNetworkPolicy[]): LintFinding[] {
  const sets = policies.flatMap((p) =>
    [...(p.spec ? [{ spec: p.spec, at: 'spec' }] : []), ...(p.specs ?? []).map((spec, i) => ({ spec, at: `specs[${i}]` }))].map((s) => ({
      ...s,
      p,
      namespace: p.kind === 'CiliumClusterwideNetworkPolicy' ? undefined : (p.metadata.namespace ?? 'default'),
    })),
  );
  const findings: LintFinding[] = [];
  for (const s of sets) {
    const at = (s.spec.egress ?? []).findIndex((r) => (r.toFQDNs ?? []).length > 0);
    if (at < 0) continue;
    const covered = sets.some(
      (d) =>
        (d.namespace === undefined || d.namespace === s.namespace) &&
        (d.spec.egress ?? []).some(seesDns) &&
        selectsAll(d.spec.endpointSelector, s.spec.endpointSelector),
    );
    if (covered) continue;
    findings.push({
      severity: 'warning',
      code: 'fqdn-without-dns',
      policy: ciliumPolicyId(s.p),
      where: `${s.at}.egress[${at}].toFQDNs`,
      message:
        "allows only addresses Cilium's DNS proxy saw returned to these pods, and no policy here surely sends their DNS through the proxy, so it may allow nothing",
      fix: 'Add an egress rule for the same endpoints to kube-dns (toEndpoints k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns) with toPorts port 53 ANY and rules: {dns: [{matchPattern: "*"}]}.',
    });
  }
  return findings;
}

/**
 * Checks CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies for the basics: a wrong field,
 * an empty `ingress: []`/`egress: []` (not a deny in Cilium), selectors on labels that change with
 * every rollout, CIDR rules over the cluster's pod networks or Service range (never matched), and
 * toFQDNs rules whose pods' DNS no rule sends through Cilium's proxy.
 */
export function lintCilium(policies: readonly CiliumNetworkPolicy[], context: LintContext = {}): LintFinding[] {
  const findings: LintFinding[] = [];
  const valid: CiliumNetworkPolicy[] = [];
  for (const p of policies) {
    const policy = ciliumPolicyId(p);
    const add = (f: Omit<LintFinding, 'policy'>): void => void findings.push({ policy, ...f });
    for (const f of nameFindings(p.metadata ?? {})) add(f);
    const checked = validateCiliumPolicy(p);
    if (checked.ok) valid.push(p);
    else {
      add({
        severity: 'error',
        code: 'schema',
        message: `not a valid ${p.kind}: ${issuesText(checked.issues)}`,
        fix: 'Correct the fields named above; the API server would reject it as it is.',
      });
      continue;
    }
    if (p.spec) specChecks(p.spec, 'spec', context, add);
    (p.specs ?? []).forEach((s, i) => specChecks(s, `specs[${i}]`, context, add));
  }
  return [...findings, ...fqdnWithoutDns(valid), ...(context.graph ? ciliumDnsFindings(valid, [], context.graph) : [])];
}
