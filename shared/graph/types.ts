import type { CaptureFormat, DirectionBasis, EntityName, Protocol, Unlabelled, Verdict } from '../flows/types';

export type { DirectionBasis };

export interface GraphNode {
  /**
   * Stable peer key: `ns/name` for workloads, `entity:NAME`, `ip:ADDRESS`, `service:NS/NAME` for a
   * Service frontend nothing resolved, `net:public` / `net:private` for Calico's aggregated networks.
   */
  readonly id: string;
  readonly kind: 'workload' | 'entity' | 'external' | 'service' | 'network';
  readonly label: string;
  readonly namespace?: string;
  /** Labels a podSelector uses for this workload; `{}` when no selector can name it (see `unlabelled`). */
  readonly identity?: Readonly<Record<string, string>>;
  /** Set when `identity` is empty: the records carried no labels, or the pods have none a policy can select. */
  readonly unlabelled?: Unlabelled;
  /** Where the identity came from when not from the capture itself. */
  readonly identitySource?: 'snapshot';
  /** Stable pod labels seen on the workload (first seen). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly entity?: EntityName;
  readonly ip?: string;
  /** DNS names learned for an external address. */
  readonly dnsNames?: readonly string[];
  readonly samplePods?: readonly string[];
  /** `net:` nodes: which kind of network Calico aggregated the address into. */
  readonly scope?: 'public' | 'private';
}

export interface L7Evidence {
  readonly dns: readonly { readonly query: string; readonly count: number }[];
  readonly http: readonly { readonly method: string; readonly path: string; readonly count: number }[];
}

export interface DirectionEvidence {
  /** Connections (or, when untracked, records) of this edge by what settled their direction. */
  readonly basis: Readonly<Partial<Record<DirectionBasis, number>>>;
  /**
   * Connections whose direction nothing settled: no handshake, reply flags that disagree, and
   * neither port a server's elsewhere. The edge may be the reverse of what happened.
   */
  readonly uncertain: number;
}

/** One policy that acted on this edge's flows, with how many flow events it acted on. */
export interface PolicyHitEvidence {
  readonly policy: string;
  readonly kind?: string;
  readonly direction?: 'ingress' | 'egress';
  readonly action: 'allow' | 'deny' | 'pass';
  readonly count: number;
}

/** Which policies allowed or denied the edge's flows, as Cilium (≥ 1.15) or Calico reported them. */
export interface AttributionEvidence {
  /** Hubble `*_allowed_by` / `*_denied_by`; Calico `enforced_policies`. */
  readonly enforced: readonly PolicyHitEvidence[];
  /** Calico `pending_policies`: staged policies as if enforced. */
  readonly pending: readonly PolicyHitEvidence[];
  /** Calico: flow events by the verdict the staged set would give them. */
  readonly pendingActions: Readonly<Partial<Record<'allow' | 'deny' | 'pass', number>>>;
  /** Hubble `policy_match_type`, by flow events. */
  readonly matchTypes: Readonly<Record<string, number>>;
}

export interface EdgeEvidence {
  /**
   * Flow events of this edge's connections in both directions (requests and the replies folded
   * into them), each counted once when it was seen at both ends. The one count every view shows.
   */
  readonly flows: number;
  /** How many of `flows` travelled server → client. */
  readonly replies: number;
  /** Distinct connections (client address and port) seen. */
  readonly connections: number;
  /** True when too many distinct connections were seen to count exactly. */
  readonly connectionsCapped: boolean;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly verdicts: Readonly<Partial<Record<Verdict, number>>>;
  readonly dropReasons: Readonly<Record<string, number>>;
  readonly samplePods: { readonly src: readonly string[]; readonly dst: readonly string[] };
  readonly dnsNames: readonly string[];
  readonly l7: L7Evidence;
  /**
   * ICMP edges only: the types of the request messages seen, ascending (ICMPv4 8 echo request, 13
   * timestamp; ICMPv6 128 echo request, …), for rules that allow these types and no others; empty
   * when the capture does not say (Calico flow logs). Errors and replies are never listed: they
   * answer the edge's requests, or another connection's packets.
   */
  readonly icmpTypes?: readonly number[];
  readonly direction: DirectionEvidence;
  readonly attribution: AttributionEvidence;
  /**
   * The Service the client addressed, when the edge was reached through one (`ns/name`, or the
   * address the client used when nothing in the capture names the Service), and how its backend was found.
   */
  readonly service?: {
    readonly name: string;
    readonly resolvedBy: 'translation' | 'learned-backend' | 'snapshot' | 'flow-log' | 'unresolved';
    /**
     * Set on an edge to the Service itself that holds connections the capture does not place on one
     * backend (none was seen translated, and the Service has several): the backends, as node id and
     * target port, any of them may have reached. Counted here once, never on each backend; the
     * generated rules allow every one of them, and verify judges the edge by all of them.
     */
    readonly backends?: readonly ServiceBackend[];
  };
}

/** A backend a Service edge may have reached: a node of the graph and the port it serves on. */
export interface ServiceBackend {
  readonly node: string;
  readonly port: number;
}

export interface GraphEdge {
  /** Stable key: `SRC->DST:PORT/PROTO` (the port is `*` for ICMP, `unknown` when a flow log left it out). */
  readonly key: string;
  readonly source: string;
  readonly target: string;
  readonly protocol: Protocol;
  /** Server port; null for ICMP, `'unknown'` when the capture does not say. */
  readonly port: number | null | 'unknown';
  readonly evidence: EdgeEvidence;
}

export type WarningCode =
  | 'no-dns'
  | 'lost-events'
  | 'short-window'
  | 'dropped-flows'
  | 'bad-lines'
  | 'truncated'
  | 'damaged-gzip'
  | 'gzip-trailing-data'
  | 'no-flows'
  | 'nodes-unavailable'
  | 'uncertain-direction'
  | 'unresolved-service'
  | 'unattributed-service'
  | 'unlabelled-workloads'
  | 'unknown-port'
  | 'aggregated-network'
  | 'private-address'
  | 'skipped-records'
  | 'shared-selector'
  | 'connections-capped';

export interface GraphWarning {
  readonly code: WarningCode;
  readonly message: string;
  /** Node ids or edge keys the warning is about. */
  readonly subjects?: readonly string[];
}

export interface CaptureWindow {
  readonly start: number;
  readonly end: number;
}

export interface ServiceGraph {
  readonly format?: CaptureFormat;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly namespaces: readonly string[];
  readonly window: CaptureWindow | null;
  /** Networks pods were seen in (/24 for IPv4, /64 for IPv6): an ipBlock should not cover them. */
  readonly podNetworks?: readonly string[];
  /** Namespace labels the capture carried (Cilium's `io.cilium.k8s.namespace.labels.*`), by namespace: complete where present. */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly warnings: readonly GraphWarning[];
}
