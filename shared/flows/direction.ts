import type { ObservationSide } from './types';

/** Linux's default ephemeral range starts here; Kubernetes NodePorts (30000–32767) stay below it. */
export const EPHEMERAL_PORT_MIN = 32768;

export interface DirectionHints {
  /** `is_reply` (authoritative when present) or the old `reply: true`. */
  readonly isReply?: boolean;
  readonly tcpFlags?: Readonly<Record<string, boolean>>;
  /** L7 `REQUEST` / `RESPONSE`. */
  readonly l7Type?: string;
  readonly icmpType?: number;
  readonly icmpV6?: boolean;
  readonly srcPort?: number;
  readonly dstPort?: number;
}

/**
 * Decides whether a packet travelled server → client. Hubble's `is_reply` wins; otherwise TCP
 * flags, the L7 type, ICMP echo types and finally the port numbers decide.
 */
export function isReplyPacket(h: DirectionHints): boolean {
  if (h.isReply !== undefined) return h.isReply;
  const f = h.tcpFlags;
  if (f?.SYN) return f.ACK === true;
  if (h.l7Type === 'RESPONSE') return true;
  if (h.l7Type === 'REQUEST') return false;
  if (h.icmpType !== undefined) return h.icmpV6 ? h.icmpType === 129 : h.icmpType === 0;
  const { srcPort, dstPort } = h;
  if (srcPort === undefined || dstPort === undefined) return false;
  const srcEphemeral = srcPort >= EPHEMERAL_PORT_MIN;
  const dstEphemeral = dstPort >= EPHEMERAL_PORT_MIN;
  if (srcEphemeral !== dstEphemeral) return dstEphemeral;
  // Both in the same range: privileged ports are servers.
  if (srcPort < 1024 && dstPort >= 1024) return true;
  return false;
}

const SENDER_POINTS = new Set(['TO_OVERLAY', 'TO_STACK', 'TO_PROXY', 'TO_HOST', 'FROM_ENDPOINT', 'TO_NETWORK', 'TO_CRYPTO']);
const RECEIVER_POINTS = new Set(['TO_ENDPOINT', 'FROM_NETWORK', 'FROM_OVERLAY', 'FROM_STACK', 'FROM_HOST', 'FROM_CRYPTO']);

/**
 * Which end of the connection saw this event. Hubble's `traffic_direction` is relative to the
 * local endpoint's connection: EGRESS means the local endpoint is the client. Without it, the
 * observation point says whether the packet's sender or receiver saw it.
 */
export function observationSide(
  trafficDirection: string | undefined,
  observationPoint: string | undefined,
  reply: boolean,
): ObservationSide {
  if (trafficDirection === 'EGRESS') return 'client';
  if (trafficDirection === 'INGRESS') return 'server';
  if (observationPoint) {
    if (SENDER_POINTS.has(observationPoint)) return reply ? 'server' : 'client';
    if (RECEIVER_POINTS.has(observationPoint)) return reply ? 'client' : 'server';
  }
  return 'unknown';
}
