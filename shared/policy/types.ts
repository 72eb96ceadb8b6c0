/** Kubernetes `networking.k8s.io/v1` NetworkPolicy, as plain data (the fields this tool reads and writes). */

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface IPBlock {
  readonly cidr: string;
  readonly except?: readonly string[];
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  readonly protocol?: PolicyProtocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NetworkPolicyIngressRule {
  readonly from?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface NetworkPolicyEgressRule {
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface NetworkPolicy {
  readonly apiVersion: 'networking.k8s.io/v1';
  readonly kind: 'NetworkPolicy';
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: readonly PolicyType[];
    readonly ingress?: readonly NetworkPolicyIngressRule[];
    readonly egress?: readonly NetworkPolicyEgressRule[];
  };
}

export type Direction = 'ingress' | 'egress';

/**
 * Points at one rule: `ns/name` (a CiliumClusterwideNetworkPolicy: its name), direction and index
 * in that list; Cilium deny rules (`ingressDeny`/`egressDeny`) and rules of `specs[i]` say so.
 */
export interface RuleRef {
  readonly policy: string;
  readonly direction: Direction;
  readonly index: number;
  readonly deny?: boolean;
  readonly spec?: number;
}

/** `ns/name ingress[0]`, `ns/name specs[1].egressDeny[0]`. */
export function ruleRefText(r: RuleRef): string {
  return `${r.policy} ${r.spec !== undefined ? `specs[${r.spec}].` : ''}${r.direction}${r.deny ? 'Deny' : ''}[${r.index}]`;
}
