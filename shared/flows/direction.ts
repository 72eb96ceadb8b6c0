import type { DirectionBasis, Observer, PacketClues, Protocol } from './types';

/** Linux's default ephemeral range starts here; Kubernetes NodePorts (30000–32767) stay below it. */
export const EPHEMERAL_PORT_MIN = 32768;
/** Ports below this need privileges to bind: a client never picks one. */
const PRIVILEGED_PORT_MAX = 1023;

const SENDER_POINTS = new Set(['TO_OVERLAY', 'TO_STACK', 'FROM_ENDPOINT', 'TO_NETWORK', 'TO_CRYPTO']);
const RECEIVER_POINTS = new Set(['TO_ENDPOINT', 'FROM_NETWORK', 'FROM_OVERLAY', 'FROM_STACK', 'FROM_CRYPTO']);

/**
 * Which node saw the packet, relative to the packet itself, from what a wrong reply flag cannot
 * change: Hubble's trace observation point (leaving its sender's endpoint, or arriving at its
 * receiver's), else which end is local to the observing node (Hubble gives an endpoint `ID` only
 * to endpoints of its own node: the source's alone means the sender's node). Points that can be on
 * either node (the proxy, the host stack), or both ends local, say nothing: see localEndOf.
 */
export function observerOf(observationPoint: string | undefined, sourceLocal: boolean, destinationLocal: boolean): Observer {
  if (observationPoint && SENDER_POINTS.has(observationPoint)) return 'sender';
  if (observationPoint && RECEIVER_POINTS.has(observationPoint)) return 'receiver';
  if (sourceLocal !== destinationLocal) return sourceLocal ? 'sender' : 'receiver';
  return 'unknown';
}

/**
 * Which end of the connection is on the observing node, from Hubble's `traffic_direction` (relative
 * to the local endpoint's connection: EGRESS means it is the client, INGRESS the server). It is
 * read against the connection's settled direction, never combined with the packet's own reply flag,
 * so that a flag that is wrong cannot move a packet to the other end's count. Undefined otherwise.
 */
export function localEndOf(trafficDirection: string | undefined): 'client' | 'server' | undefined {
  return trafficDirection === 'EGRESS' ? 'client' : trafficDirection === 'INGRESS' ? 'server' : undefined;
}

/** A moment in a capture: epoch ms and the nanoseconds within it, to order packets finer than a millisecond. */
export interface Moment {
  readonly ms: number;
  readonly nanos: number;
}

export function earlier(a: Moment | undefined, b: Moment | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.ms < b.ms || (a.ms === b.ms && a.nanos < b.nanos);
}

/**
 * What the packets of one connection (with no handshake or L7 message among them) say, by end.
 * End 0 and end 1 are the connection's two addresses with their ports, in any fixed order.
 */
export interface ConnectionEvidence {
  readonly protocol: Protocol;
  readonly ports: readonly [number, number];
  /** What the rest of the capture settled about each end's address and port: a server's, a client's, or nothing. */
  readonly known: readonly [('server' | 'client')?, ('server' | 'client')?];
  /**
   * Where `known` comes from: the very address and port (the default), or only another pod of the
   * same workload serving that port, which says less: this pod may use the port as a client.
   */
  readonly knownAt?: 'address' | 'workload';
  /**
   * The client end an earlier run of these very addresses and ports was settled with (any basis),
   * when this run follows it after an idle gap: conntrack re-creates a forgotten connection from
   * whichever packet comes next, so this run's own flags may be turned around.
   */
  readonly earlier?: 0 | 1;

  /** Packets whose reply flag names end 0, resp. end 1, as the client. */
  readonly votes: readonly [number, number];
  /** The earliest packet each end sent. */
  readonly firstSent: readonly [Moment?, Moment?];
  /** The earliest packet each end sent that claims to be a request. */
  readonly firstRequest: readonly [Moment?, Moment?];
}

export interface DirectionDecision {
  /** Which end opened the connection. */
  readonly client: 0 | 1;
  readonly basis: DirectionBasis;
  /** Nothing settled it: the reply flags disagree (or say nothing), and the ports do not tell. */
  readonly uncertain: boolean;
}

const serverEnd = (end: 0 | 1): 0 | 1 => (end === 0 ? 1 : 0);

/**
 * Which end is the server when a privileged port (< 1024) faces an ephemeral one (≥ 32768):
 * nothing binds a client to a privileged port, and address translation keeps a port privileged.
 * This settles a connection at once, whatever its reply flags say; undefined otherwise.
 */
export function serverByPrivilege(p0: number, p1: number): 0 | 1 | undefined {
  if (p0 <= PRIVILEGED_PORT_MAX && p1 >= EPHEMERAL_PORT_MIN) return 0;
  if (p1 <= PRIVILEGED_PORT_MAX && p0 >= EPHEMERAL_PORT_MIN) return 1;
  return undefined;
}

/** The client the known ports name: the other end of a known server, or a known client; undefined when they do not tell. */
function knownClient([k0, k1]: ConnectionEvidence['known']): 0 | 1 | undefined {
  if (k0 === 'server' && k1 !== 'server') return 1;
  if (k1 === 'server' && k0 !== 'server') return 0;
  if (k0 === 'client' && k1 !== 'client') return 0;
  if (k1 === 'client' && k0 !== 'client') return 1;
  return undefined;
}

/**
 * Who opened a connection that no handshake or L7 message settled (DESIGN.md, "Connection"):
 * 0. an earlier run of the same addresses and ports says (see `earlier`): uncertain when every
 *    flag of this run, or a privileged port facing an ephemeral one, says the opposite;
 * 1. a privileged port facing an ephemeral one is the server's (see serverByPrivilege);
 * 2. a port the rest of the capture shows was a server's (or a client's) at that very address —
 *    uncertain when every reply flag says the opposite and the ports' ranges do not side with it;
 *    a port only another pod of the workload served says less: reply flags that all say the
 *    opposite win (uncertain), and so does an ephemeral port facing a lower one when the known port
 *    is the ephemeral one (uncertain: a pod can use its workload's server port as a client port);
 * 3. an ephemeral port (≥ 32768) facing a lower one is the client's — but when every reply flag
 *    says the opposite, the decision says it is uncertain (conntrack that lost a connection turns
 *    its flags around; a client whose source ports are translated or widened uses lower ones);
 * 4. the reply flags, when every packet that carries one agrees;
 * 5. a privileged port facing an unprivileged one is the server's;
 * 6. the first packet seen — the rule conntrack itself uses for UDP and SCTP. For TCP, or when the
 *    flags disagree, this is a guess and the decision says it is uncertain.
 */
export function decideDirection(c: ConnectionEvidence): DirectionDecision {
  const [p0, p1] = c.ports;
  const privileged = serverByPrivilege(p0, p1);
  const [v0, v1] = c.votes;
  const flagClient: 0 | 1 | undefined = v0 > 0 && v1 === 0 ? 0 : v1 > 0 && v0 === 0 ? 1 : undefined;
  if (c.earlier !== undefined && (privileged === undefined || serverEnd(privileged) !== c.earlier)) {
    const against = (flagClient !== undefined && flagClient !== c.earlier) || privileged !== undefined;
    return { client: c.earlier, basis: 'known-port', uncertain: against };
  }
  if (privileged !== undefined) return { client: serverEnd(privileged), basis: 'port-range', uncertain: false };
  const e0 = p0 >= EPHEMERAL_PORT_MIN;
  const e1 = p1 >= EPHEMERAL_PORT_MIN;
  // The ephemeral end when exactly one port is ephemeral: the ranges' client.
  const rangeClient: 0 | 1 | undefined = e0 !== e1 ? (e0 ? 0 : 1) : undefined;
  const known = knownClient(c.known);
  if (known !== undefined) {
    const flagsAgainst = flagClient !== undefined && flagClient !== known;
    const rangeAgainst = rangeClient !== undefined && rangeClient !== known;
    if (c.knownAt === 'workload') {
      if (flagsAgainst) return { client: flagClient, basis: 'reply-flag', uncertain: true };
      if (rangeAgainst && flagClient !== known) return { client: rangeClient, basis: 'port-range', uncertain: true };
      return { client: known, basis: 'known-port', uncertain: rangeAgainst };
    }
    return { client: known, basis: 'known-port', uncertain: flagsAgainst && rangeClient !== known };
  }
  if (rangeClient !== undefined) {
    return { client: rangeClient, basis: 'port-range', uncertain: flagClient !== undefined && flagClient !== rangeClient };
  }
  if (flagClient !== undefined) return { client: flagClient, basis: 'reply-flag', uncertain: false };
  const r0 = p0 <= PRIVILEGED_PORT_MAX;
  const r1 = p1 <= PRIVILEGED_PORT_MAX;
  if (r0 !== r1) return { client: serverEnd(r0 ? 0 : 1), basis: 'port-range', uncertain: false };
  const flagsDisagree = v0 > 0 && v1 > 0;
  const [q0, q1] = c.firstRequest;
  const [f0, f1] = c.firstSent;
  const client: 0 | 1 = q0 || q1 ? (earlier(q1, q0) ? 1 : 0) : earlier(f1, f0) ? 1 : 0;
  const connectionless = c.protocol === 'UDP' || c.protocol === 'SCTP';
  return { client, basis: 'first-seen', uncertain: flagsDisagree || !connectionless };
}

/** ICMPv4 messages that answer another packet: echo reply, the errors, timestamp, information and mask replies. */
const ICMPV4_RESPONSES = new Set([0, 3, 4, 5, 11, 12, 14, 16, 18]);
/** ICMPv6 messages that answer another packet: the errors (unreachable, too big, time exceeded, parameter problem) and echo reply. */
const ICMPV6_RESPONSES = new Set([1, 2, 3, 4, 129]);

/**
 * True for an ICMP message that answers another packet (an error or a reply): it never starts a
 * connection, so its sender is the server of what it answers and it makes no edge of its own.
 */
export function isIcmpResponse(protocol: Protocol, type: number): boolean {
  return protocol === 'ICMPv6' ? ICMPV6_RESPONSES.has(type) : ICMPV4_RESPONSES.has(type);
}

/**
 * A lone packet's best guess of whether it travelled server → client: its opener (SYN, SYN-ACK,
 * L7 type), the ICMP type (a response or error travels back), then the same rules as a connection
 * of one packet. The connection tracker revises this with every other packet of the connection.
 */
export function packetGuess(
  clues: PacketClues,
  protocol: Protocol,
  icmpType: number | undefined,
  srcPort: number | undefined,
  dstPort: number | undefined,
): boolean {
  switch (clues.opener) {
    case 'syn':
    case 'l7-request':
      return false;
    case 'syn-ack':
    case 'l7-response':
      return true;
  }
  if (icmpType !== undefined) return isIcmpResponse(protocol, icmpType);
  if (srcPort === undefined || dstPort === undefined) return clues.claim === 'reply';
  const here: Moment = { ms: 0, nanos: 0 };
  const d = decideDirection({
    protocol,
    ports: [srcPort, dstPort],
    known: [undefined, undefined],
    votes: clues.claim === 'request' ? [1, 0] : clues.claim === 'reply' ? [0, 1] : [0, 0],
    firstSent: [here, undefined],
    firstRequest: clues.claim === 'reply' ? [undefined, undefined] : [here, undefined],
  });
  return d.client === 1;
}
