/** Domain types for observed flows. Wire formats (Hubble, Calico) are converted into these at the edge. */

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6';

export type Verdict = 'FORWARDED' | 'DROPPED' | 'AUDIT' | 'REDIRECTED' | 'ERROR' | 'OTHER';

/** Reserved identities that Kubernetes NetworkPolicy cannot name by selector. */
export type EntityName = 'host' | 'remote-node' | 'world' | 'kube-apiserver' | 'health' | 'ingress' | 'init' | 'unmanaged' | 'unknown';

export interface WorkloadPeer {
  readonly kind: 'workload';
  readonly namespace: string;
  /** Human name of the workload, derived from its identity labels or owner. */
  readonly name: string;
  /** The smallest stable label set that selects this workload (what a podSelector uses). */
  readonly identity: Readonly<Record<string, string>>;
}

export interface EntityPeer {
  readonly kind: 'entity';
  readonly entity: EntityName;
}

export interface ExternalPeer {
  readonly kind: 'external';
  readonly ip: string;
}

/** Something a policy can name (or must explain why it cannot). */
export type Peer = WorkloadPeer | EntityPeer | ExternalPeer;

/** Which end of the connection observed the event: the client's node or the server's. */
export type ObservationSide = 'client' | 'server' | 'unknown';

export type L7Summary =
  | { readonly kind: 'dns'; readonly query: string; readonly ips: readonly string[] }
  | { readonly kind: 'http'; readonly method: string; readonly path: string };

/**
 * One observed L3/L4 event, normalized so that `src` is the client (connection initiator),
 * `dst` the server and `port` the server port.
 */
export interface FlowRecord {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly verdict: Verdict;
  readonly src: Peer;
  readonly dst: Peer;
  readonly protocol: Protocol;
  /** Server port; null for ICMP. */
  readonly port: number | null;
  /** The event travelled server → client and was folded into its connection. */
  readonly isReply: boolean;
  readonly side: ObservationSide;
  /** How many connection events this record stands for (Calico aggregates; Hubble is 1). */
  readonly count: number;
  readonly srcIp?: string;
  readonly dstIp?: string;
  /** Client port; identifies the connection together with the addresses. */
  readonly clientPort?: number;
  readonly srcPod?: string;
  readonly dstPod?: string;
  /** Full (stable) pod labels, to show in the inspector. */
  readonly srcLabels?: Readonly<Record<string, string>>;
  readonly dstLabels?: Readonly<Record<string, string>>;
  readonly dropReason?: string;
  readonly l7?: L7Summary;
  /** DNS names Cilium learned for the destination (`destination_names`). */
  readonly dstNames?: readonly string[];
}

/** Events in a capture that are not flows but still matter. */
export type CaptureEvent =
  | { readonly kind: 'flow'; readonly record: FlowRecord }
  | { readonly kind: 'node-status'; readonly time?: number }
  | { readonly kind: 'lost-events'; readonly count: number; readonly source: string }
  | { readonly kind: 'skip'; readonly reason: string };

export type CaptureFormat = 'hubble-jsonpb' | 'hubble-json-array' | 'calico-enterprise-json' | 'calico-text' | 'calico-goldmane-json';

export const ACCEPTED_FORMATS_TEXT =
  'Hubble `hubble observe -o jsonpb` / `-o json` output (JSON lines or a JSON array, optionally gzip-compressed), ' +
  'Calico Enterprise flow logs (JSON lines or the space-delimited text format), or Calico OSS Goldmane/Whisker flow JSON';

export interface BadLine {
  readonly line: number;
  readonly reason: string;
}

/** An error that makes a whole input unusable (as opposed to a bad line, which is skipped). */
export class CaptureError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'CaptureError';
  }
}
