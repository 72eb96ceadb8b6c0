/** Domain types for observed flows. Wire formats (Hubble, Calico) are converted into these at the edge. */

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6';

export type Verdict = 'FORWARDED' | 'DROPPED' | 'AUDIT' | 'REDIRECTED' | 'ERROR' | 'OTHER';

/** Reserved identities that Kubernetes NetworkPolicy cannot name by selector. */
export type EntityName = 'host' | 'remote-node' | 'world' | 'kube-apiserver' | 'health' | 'ingress' | 'init' | 'unmanaged' | 'unknown';

/**
 * Why a workload has no identity labels: its records carried no labels at all (`not-captured`:
 * an exporter field mask, Calico's aggregated or Goldmane records), or they carried labels and none
 * of them is one a policy can select (`none`: a bare pod, only hash and job labels).
 */
export type Unlabelled = 'not-captured' | 'none';

export interface WorkloadPeer {
  readonly kind: 'workload';
  readonly namespace: string;
  /** Human name of the workload, derived from its identity labels or owner, never from a hash. */
  readonly name: string;
  /** The smallest stable label set that selects this workload (what a podSelector uses); `{}` when none is known. */
  readonly identity: Readonly<Record<string, string>>;
  /** Set when `identity` is empty: why no selector can name the workload. */
  readonly unlabelled?: Unlabelled;
}

export interface EntityPeer {
  readonly kind: 'entity';
  readonly entity: EntityName;
}

export interface ExternalPeer {
  readonly kind: 'external';
  readonly ip: string;
}

/**
 * A Kubernetes Service's frontend (ClusterIP, NodePort or load-balancer address) as a flow saw it
 * before translation. A NetworkPolicy sees traffic after translation, so the graph resolves it to
 * the Service's backends; it stays a Service only when nothing in the capture or the cluster
 * snapshot says who the backends are.
 */
export interface ServicePeer {
  readonly kind: 'service';
  /** Empty for a Service only its address names (a ClusterIP the capture reached without naming it). */
  readonly namespace: string;
  /** The Service's name, or that address. */
  readonly name: string;
}

/**
 * An address Calico's flow-log aggregation reduced to its kind (`pub`: outside every private
 * range, `pvt`: a private range) without the address itself. No ipBlock can be derived from it.
 */
export interface NetworkPeer {
  readonly kind: 'network';
  readonly scope: 'public' | 'private';
}

/** Something a policy can name (or must explain why it cannot). */
export type Peer = WorkloadPeer | EntityPeer | ExternalPeer | ServicePeer | NetworkPeer;

/** Which end of the connection observed the event: the client's node or the server's. */
export type ObservationSide = 'client' | 'server' | 'unknown';

/** Which end of the packet observed it: its sender's node or its receiver's (Hubble's observation point). */
export type Observer = 'sender' | 'receiver' | 'unknown';

export type L7Summary =
  | { readonly kind: 'dns'; readonly query: string; readonly ips: readonly string[] }
  | { readonly kind: 'http'; readonly method: string; readonly path: string };

/**
 * What one packet says about who opened its connection, read in the packet's own direction of
 * travel. The graph's connection tracker weighs these over every packet of the connection
 * (DESIGN.md, "Connection"): a record alone is only a guess.
 */
export interface PacketClues {
  /**
   * Evidence that settles the connection by itself: a TCP SYN without ACK (its sender opened it),
   * a SYN-ACK (its receiver did), or an L7 request/response (the proxy knows which it carried).
   */
  readonly opener?: 'syn' | 'syn-ack' | 'l7-request' | 'l7-response';
  /** What Hubble's `is_reply` (or the old `reply: true`) claims; absent when the packet says nothing. */
  readonly claim?: 'request' | 'reply';
  /** Whether the packet was seen at its sender's or its receiver's node (see FlowRecord.observer). */
  readonly observer: Observer;
}

/**
 * What settled which end opened a connection: a TCP handshake or an L7 request seen in the capture,
 * a port that is a server's (or a client's) elsewhere in the capture, the ports' ranges, the reply
 * flags all agreeing, the first packet seen (UDP, SCTP), a flow log that names the initiator, an
 * ICMP echo type, or a lone packet's own guess (no addresses or ports to track it by).
 */
export type DirectionBasis =
  'handshake' | 'l7' | 'known-port' | 'port-range' | 'reply-flag' | 'first-seen' | 'flow-log' | 'icmp' | 'packet';

/** A policy that Cilium or Calico reported acting on a flow. */
export interface PolicyHit {
  /** `namespace/name` for namespaced policies, `name` for cluster-wide ones; Calico keeps its tier prefix (`default.allow-web`). */
  readonly policy: string;
  /** CiliumNetworkPolicy, NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy, __PROFILE__, … when the source says. */
  readonly kind?: string;
  /** Hubble: the direction of the endpoint's policy that matched. */
  readonly direction?: 'ingress' | 'egress';
  readonly action: 'allow' | 'deny' | 'pass';
}

/** The policies a record names: enforced ones, and Calico's simulation with its staged policies. */
export interface RecordPolicies {
  readonly enforced: readonly PolicyHit[];
  /** Calico `pending_policies`: what the flow would hit if every staged policy were enforced. */
  readonly pending?: readonly PolicyHit[];
  /** Calico: the verdict of that simulation. */
  readonly pendingAction?: 'allow' | 'deny' | 'pass';
  /** Hubble `policy_match_type` in words (`L3-L4`, `L3-only`, `all`, …). */
  readonly matchType?: string;
}

/**
 * One observed L3/L4 event. `src` is the client (connection initiator), `dst` the server and
 * `port` the server port — as far as this one record can tell; the graph's connection tracker
 * settles client and server per connection from `clues` and turns a wrongly guessed record
 * around (`isReply` then flips too).
 */
export interface FlowRecord {
  /** Epoch milliseconds (sub-millisecond digits kept as a fraction). For an aggregated record, its end. */
  readonly time: number;
  /** Nanoseconds within `time`'s millisecond, when the source gives them: orders packets of one connection. */
  readonly nanos?: number;
  /** For an aggregated record (Calico), when its interval began; the capture window starts at the earliest. */
  readonly start?: number;
  readonly verdict: Verdict;
  readonly src: Peer;
  readonly dst: Peer;
  readonly protocol: Protocol;
  /** Server port; null for ICMP, `'unknown'` when an aggregated record left it out. */
  readonly port: number | null | 'unknown';
  /** ICMP: the message's type (8 echo request, 3 destination unreachable, …), when the source says. */
  readonly icmpType?: number;
  /** The packet travelled server → client (by this record's guess). */
  readonly isReply: boolean;
  /**
   * Which end's node saw the packet, relative to the packet's own travel: Hubble's observation point
   * or its local endpoint, Calico's reporter. Never inferred from a reply flag.
   */
  readonly observer: Observer;
  /**
   * Where `observer` is unknown: which end of the connection is local to the observing node (Hubble
   * `traffic_direction`), read against the settled direction. Unchanged when the record is turned.
   */
  readonly localEnd?: 'client' | 'server';
  /** How many flow events this record stands for (Calico aggregates: every connection active in its interval; Hubble is 1). */
  readonly count: number;
  /** A flow-log record: how many of its connections started in its interval (Calico `num_flows_started`). */
  readonly startedConnections?: number;
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
  /** DNS names Cilium learned for the packet's destination address (`destination_names`): the server's when `!isReply`. */
  readonly dstNames?: readonly string[];
  /** Hubble only: what the packet says about its connection. Records without it are settled as they are. */
  readonly clues?: PacketClues;
  /** The Service a flow that reached a pod was addressed to (Hubble `destination_service`, Calico `dest_service_name`). */
  readonly dstService?: { readonly namespace: string; readonly name: string };
  readonly policies?: RecordPolicies;
}

/** A Hubble relay node state other than connected (`NODE_UNAVAILABLE`, `NODE_GONE`, `NODE_ERROR`). */
export interface NodeStatus {
  readonly state: string;
  readonly nodes: readonly string[];
  readonly message?: string;
}

/** Events in a capture that are not flows but still matter. */
export type CaptureEvent =
  | { readonly kind: 'flow'; readonly record: FlowRecord }
  | { readonly kind: 'node-status'; readonly time?: number; readonly status?: NodeStatus }
  | { readonly kind: 'lost-events'; readonly count: number; readonly source: string }
  /**
   * A record left out (no L4 protocol the tool reads). Its times (epoch ms, as FlowRecord `time` and
   * `start`) still belong to the capture's window.
   */
  | { readonly kind: 'skip'; readonly reason: string; readonly time?: number; readonly start?: number };

export type CaptureFormat = 'hubble-jsonpb' | 'hubble-json-array' | 'calico-enterprise-json' | 'calico-text' | 'calico-goldmane-json';

export const ACCEPTED_FORMATS_TEXT =
  'Hubble `hubble observe -o jsonpb` / `-o json` output (JSON lines or a JSON array, optionally gzip-compressed), ' +
  'Calico Enterprise flow logs (JSON lines or the space-delimited text format), or Calico OSS Goldmane/Whisker flow JSON';

export interface BadLine {
  readonly line: number;
  readonly reason: string;
}

/**
 * Why one record (a line, or a record spanning lines) could not be read; `unparsable` when its
 * text is not JSON at all (the reader may know more: the file was cut short there).
 */
export class BadRecord {
  constructor(
    readonly reason: string,
    readonly unparsable = false,
  ) {}
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
