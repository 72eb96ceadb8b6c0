// What NetworkPolicy and Cilium lint share: the cluster's own address ranges as lint knows them
// (pod networks from the capture or given; the Service range given, or ClusterIPs from a cluster
// snapshot, otherwise the common defaults, only a guess and reported as one), the findings for a
// CIDR rule over them, and the finding for a selector on a label that changes with every rollout.
import { isNamespaceName, isObjectName, NAMESPACE_NAME_RULE, OBJECT_NAME_RULE } from '../cluster/names';
import { parseCidr, type ParsedCidr, rangeCovers } from './cidr';
import type { LintContext, LintFinding } from './lint-types';

export interface AddressRange {
  readonly text: string;
  readonly parsed: ParsedCidr;
  /** Where it comes from, for the message: "seen in the capture", "kubeadm's default Service range"… */
  readonly source: string;
}

export interface ClusterRanges {
  readonly pods: readonly AddressRange[];
  readonly services: readonly AddressRange[];
  /** True when `services` are defaults, not this cluster's: findings on them are warnings that say so. */
  readonly servicesGuessed: boolean;
}

/**
 * Service ranges clusters get when nobody chose one. Sources: kubeadm's `DefaultServicesSubnet`
 * (kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go, "10.96.0.0/12");
 * EKS, "either the 10.100.0.0/16 or 172.20.0.0/16 CIDR blocks" (EKS API reference,
 * KubernetesNetworkConfigRequest.serviceIpv4Cidr). Others (AKS, GKE, k3s) are left out for want
 * of a reference to cite.
 */
export const DEFAULT_SERVICE_RANGES: readonly { readonly cidr: string; readonly source: string }[] = [
  { cidr: '10.96.0.0/12', source: "kubeadm's default Service range" },
  { cidr: '10.100.0.0/16', source: "one of EKS's default Service ranges" },
  { cidr: '172.20.0.0/16', source: "one of EKS's default Service ranges" },
];

function ranges(list: readonly string[], source: string): AddressRange[] {
  return list.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed ? [{ text, parsed, source }] : [];
  });
}

/** What lint knows of the cluster's addresses, from the context it was given. */
export function clusterRanges(known: {
  readonly podCidrs?: readonly string[];
  readonly graphPodNetworks?: readonly string[];
  readonly serviceCidrs?: readonly string[];
  readonly serviceIps?: readonly string[];
}): ClusterRanges {
  const pods = [
    ...ranges(known.podCidrs ?? [], 'a pod network'),
    ...ranges(known.graphPodNetworks ?? [], 'a pod network seen in the capture'),
  ];
  const services = [...ranges(known.serviceCidrs ?? [], 'the Service range'), ...ranges(known.serviceIps ?? [], "a Service's ClusterIP")];
  if (services.length > 0) return { pods, services, servicesGuessed: false };
  return { pods, services: DEFAULT_SERVICE_RANGES.flatMap((d) => ranges([d.cidr], d.source)), servicesGuessed: true };
}

/** `inner` lies entirely within `outer`. */
export function within(inner: ParsedCidr, outer: ParsedCidr): boolean {
  return rangeCovers(outer, inner);
}

/**
 * How a CIDR with its exceptions meets a range: `inside` (every address it names is in the range),
 * `wider` (it names the range and more), `none` (disjoint, or the shared part is excepted).
 * CIDRs either nest or are disjoint, so the shared part is the narrower of the two.
 */
export function meets(cidr: string, except: readonly string[], range: ParsedCidr): 'inside' | 'wider' | 'none' {
  const block = parseCidr(cidr);
  if (!block) return 'none';
  const inside = within(block, range);
  if (!inside && !within(range, block)) return 'none';
  const shared = inside ? block : range;
  if (
    except.some((e) => {
      const x = parseCidr(e);
      return x !== undefined && within(shared, x);
    })
  )
    return 'none';
  return inside ? 'inside' : 'wider';
}

/** The cluster's address ranges known to this lint run. */
export function lintRanges(context: LintContext): ClusterRanges {
  return clusterRanges({ ...context, graphPodNetworks: context.graph?.podNetworks });
}

/** A selector on a label that changes with every rollout or run (isUnstableLabel). */
export function unstableLabelFinding(key: string, where: string): Omit<LintFinding, 'policy'> {
  return {
    severity: 'error',
    code: 'unstable-label',
    where,
    message: `selects on "${key}", which changes with every rollout or run`,
    fix: 'Select on a stable label such as app.kubernetes.io/name or app.',
  };
}

/**
 * Findings for a CIDR rule (an ipBlock, or a Cilium CIDR rule) over the cluster's own addresses.
 * Pods: an address inside a pod network names a pod that will be gone at its next restart, and
 * Cilium never matches its own endpoints by CIDR
 * (https://docs.cilium.io/en/latest/security/policy/layer3/#ip-cidr-based). Services: a policy sees
 * traffic after a Service's ClusterIP is translated to a backend's address (the F04 field case,
 * cilium/cilium#21251), so a rule on the ClusterIP never matches.
 */
export function cidrFindings(
  cidr: string,
  except: readonly string[],
  ranges: ClusterRanges,
  what: { readonly rule: string; readonly instead: string; readonly cilium?: boolean },
): Omit<LintFinding, 'policy' | 'where'>[] {
  const out: Omit<LintFinding, 'policy' | 'where'>[] = [];
  for (const pod of ranges.pods) {
    const how = meets(cidr, except, pod.parsed);
    if (how === 'inside')
      out.push({
        severity: 'error',
        code: 'ipblock-in-cluster',
        message: what.cilium
          ? `${what.rule} ${cidr} lies in ${pod.source} (${pod.text}), and Cilium does not apply CIDR rules to its own pods: it never matches them`
          : `${what.rule} ${cidr} lies in ${pod.source} (${pod.text}): it names pod addresses, which change whenever pods restart`,
        fix: what.instead,
      });
    // A wider Cilium CIDR rule (0.0.0.0/0 for the world) is fine: Cilium never matches its pods by it.
    else if (how === 'wider' && !what.cilium)
      out.push({
        severity: 'warning',
        code: 'ipblock-in-cluster',
        message: `${what.rule} ${cidr} also covers ${pod.source} (${pod.text}): whether pods are matched by address depends on the CNI (Cilium never matches its own pods by CIDR)`,
        fix: `${what.instead} List ${pod.text} under except if the pods are not meant.`,
      });
    if (how !== 'none') break;
  }
  const service = ranges.services.find((s) => meets(cidr, except, s.parsed) === 'inside');
  if (service) {
    const why = `a policy sees traffic after a Service's ClusterIP is translated to its pods' addresses, so this rule never matches traffic to a Service`;
    out.push(
      ranges.servicesGuessed
        ? {
            severity: 'warning',
            code: 'ipblock-service-range',
            message: `${what.rule} ${cidr} lies in ${service.text}, ${service.source}. That is a guess (no Service range or ClusterIPs were given): if it is this cluster's Service range, ${why}`,
            fix: `${what.instead} To check instead of guessing, lint with a cluster snapshot (--snapshot) or the Service range.`,
          }
        : {
            severity: 'error',
            code: 'ipblock-service-range',
            message: `${what.rule} ${cidr} lies in ${service.source} (${service.text}): ${why}`,
            fix: what.instead,
          },
    );
  }
  return out;
}

/**
 * A name or namespace the API server would refuse. Here it matters beyond that: names become file
 * paths (bundles, `generate -o DIR`, staged files), and `../x` as a name would be a path outside.
 */
export function nameFindings(metadata: { readonly name?: unknown; readonly namespace?: unknown }): Omit<LintFinding, 'policy'>[] {
  const out: Omit<LintFinding, 'policy'>[] = [];
  const shown = (v: unknown): string => JSON.stringify(typeof v === 'string' && v.length > 80 ? `${v.slice(0, 77)}…` : v);
  if (typeof metadata.name === 'string' && metadata.name !== '' && !isObjectName(metadata.name))
    out.push({
      severity: 'error',
      code: 'invalid-name',
      where: 'metadata.name',
      message: `${shown(metadata.name)} is not a Kubernetes name (${OBJECT_NAME_RULE}); the API server refuses it, and this tool never writes it as a file name`,
      fix: 'Name the policy with lower-case letters, digits and "-" only, such as allow-reviews.',
    });
  if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || !isNamespaceName(metadata.namespace)))
    out.push({
      severity: 'error',
      code: 'invalid-name',
      where: 'metadata.namespace',
      message: `${shown(metadata.namespace)} is not a namespace name (${NAMESPACE_NAME_RULE}); the API server refuses it, and this tool never writes it as a folder name`,
      fix: 'Use the name of the namespace the policy is for, as `kubectl get namespaces` lists it.',
    });
  return out;
}
