// ICMP messages that answer another packet (errors such as destination unreachable, and echo
// replies) never start a connection: they fold into the edge they answer, as its replies, or are
// left out and counted, and never make an edge of their own (a rule must not allow a server to
// "open" ICMP towards its clients because it answered them).
import { isIcmpResponse } from '../flows/direction';
import type { FlowRecord } from '../flows/types';
import { addRecordEvidence, emptyEdge, SIDES, type EdgeAcc } from './accumulators';
import { edgeKey } from './keys';

/** True for a record of an ICMP error or reply (oriented as such: `src` is the peer it answers). */
export function isIcmpResponseRecord(r: FlowRecord): boolean {
  return (r.protocol === 'ICMPv4' || r.protocol === 'ICMPv6') && r.icmpType !== undefined && isIcmpResponse(r.protocol, r.icmpType);
}

/**
 * Keeps an ICMP response under the key of the edge it answers: the ICMP edge from the peer it was
 * sent to, to its sender (an ICMP record does not carry the ports of the packet an error answers).
 */
export function holdIcmpResponse(held: Map<string, EdgeAcc>, r: FlowRecord, src: string, dst: string): void {
  const key = edgeKey(src, dst, r.protocol, r.port);
  let e = held.get(key);
  if (!e) held.set(key, (e = emptyEdge(src, dst, r.protocol, r.port)));
  addRecordEvidence(e, r);
}

/**
 * Folds the held responses into the edges they answer, as replies; returns how many were left out
 * because the capture holds no such edge (each event once, at the end that saw more of them).
 */
export function foldIcmpResponses(
  edges: Map<string, EdgeAcc>,
  held: Map<string, EdgeAcc>,
  merge: (into: EdgeAcc, from: EdgeAcc) => void,
): number {
  let leftOut = 0;
  for (const [key, responses] of held) {
    const answered = edges.get(key);
    if (answered) merge(answered, responses);
    else leftOut += Math.max(...SIDES.map((side) => responses.sides[side].replies));
  }
  held.clear();
  return leftOut;
}
