import type { CaptureFormat, EntityName, Protocol, Verdict } from '../flows/types';

export interface GraphNode {
  /** Stable peer key: `ns/name` for workloads, `entity:NAME`, or `ip:ADDRESS`. */
  readonly id: string;
  readonly kind: 'workload' | 'entity' | 'external';
  readonly label: string;
  readonly namespace?: string;
  /** Labels a podSelector uses for this workload. */
  readonly identity?: Readonly<Record<string, string>>;
  /** Stable pod labels seen on the workload (first seen). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly entity?: EntityName;
  readonly ip?: string;
  /** DNS names learned for an external address. */
  readonly dnsNames?: readonly string[];
  readonly samplePods?: readonly string[];
}

export interface L7Evidence {
  readonly dns: readonly { readonly query: string; readonly count: number }[];
  readonly http: readonly { readonly method: string; readonly path: string; readonly count: number }[];
}

export interface EdgeEvidence {
  /** Connection events, replies excluded, each event counted once even when seen at both ends. */
  readonly flows: number;
  /** Reply events folded into this edge's connections. */
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
}

export interface GraphEdge {
  /** Stable key: `SRC->DST:PORT/PROTO` (the port is `*` for ICMP). */
  readonly key: string;
  readonly source: string;
  readonly target: string;
  readonly protocol: Protocol;
  readonly port: number | null;
  readonly evidence: EdgeEvidence;
}

export type WarningCode = 'no-dns' | 'lost-events' | 'short-window' | 'dropped-flows' | 'bad-lines' | 'truncated' | 'no-flows';

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
  readonly warnings: readonly GraphWarning[];
}
