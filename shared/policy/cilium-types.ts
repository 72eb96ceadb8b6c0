/**
 * `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy as plain data: the L3/L4
 * fields this tool reads (hand-written policies) and writes (the `cilium` flavor). L7 rules are
 * kept as opaque data: at L3/L4 a flow on their port is allowed and then filtered by the proxy.
 * Source of the shapes: cilium/cilium pkg/policy/api (rule.go, ingress.go, egress.go, l4.go,
 * cidr.go, entity.go, fqdn.go, icmp.go).
 */
import type { LabelSelector } from './types';

/** Cilium's `protocol` in toPorts: ANY (the default) matches TCP, UDP and SCTP. */
export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface CiliumPortProtocol {
  /** A number ("80"), a named container port ("http"), or "0"/absent for every port. */
  readonly port?: string;
  readonly endPort?: number;
  readonly protocol?: CiliumProtocol;
}

export interface CiliumPortRule {
  readonly ports?: readonly CiliumPortProtocol[];
  /** L7 rules (http, kafka, dns, l7): opaque here. */
  readonly rules?: Readonly<Record<string, unknown>>;
  readonly [extra: string]: unknown;
}

export interface CiliumIcmpField {
  /** A number (8) or a name (EchoRequest). */
  readonly type: number | string;
  /** IPv4 (the default) or IPv6. */
  readonly family?: 'IPv4' | 'IPv6';
}

export interface CiliumIcmpRule {
  readonly fields: readonly CiliumIcmpField[];
}

export interface CiliumCidrRule {
  readonly cidr?: string;
  readonly except?: readonly string[];
  readonly cidrGroupRef?: string;
}

export interface CiliumFqdnSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** One ingress (from…) or egress (to…) rule; its peer fields are ORed, and ANDed with toPorts/icmps. */
export interface CiliumRule {
  readonly fromEndpoints?: readonly LabelSelector[];
  readonly toEndpoints?: readonly LabelSelector[];
  readonly fromRequires?: readonly LabelSelector[];
  readonly toRequires?: readonly LabelSelector[];
  readonly fromEntities?: readonly string[];
  readonly toEntities?: readonly string[];
  readonly fromCIDR?: readonly string[];
  readonly toCIDR?: readonly string[];
  readonly fromCIDRSet?: readonly CiliumCidrRule[];
  readonly toCIDRSet?: readonly CiliumCidrRule[];
  readonly toFQDNs?: readonly CiliumFqdnSelector[];
  readonly toServices?: readonly unknown[];
  readonly toGroups?: readonly unknown[];
  readonly fromNodes?: readonly LabelSelector[];
  readonly toNodes?: readonly LabelSelector[];
  readonly toPorts?: readonly CiliumPortRule[];
  readonly icmps?: readonly CiliumIcmpRule[];
  readonly authentication?: unknown;
}

export interface CiliumPolicySpec {
  readonly endpointSelector?: LabelSelector;
  readonly nodeSelector?: LabelSelector;
  readonly ingress?: readonly CiliumRule[];
  readonly egress?: readonly CiliumRule[];
  readonly ingressDeny?: readonly CiliumRule[];
  readonly egressDeny?: readonly CiliumRule[];
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly description?: string;
}

export interface CiliumNetworkPolicy {
  readonly apiVersion: 'cilium.io/v2';
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  readonly metadata: {
    readonly name: string;
    /** Absent for a CiliumClusterwideNetworkPolicy. */
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** One rule (`spec`), several (`specs`), or both. */
  readonly spec?: CiliumPolicySpec;
  readonly specs?: readonly CiliumPolicySpec[];
}
