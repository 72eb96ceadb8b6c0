/**
 * Flows seen where policies were rolled out (`payments-staging`) read back in the namespaces the
 * policies were generated for (`payments`), so that "Allow this flow" adds the edge to the graph the
 * policies come from. The map is one to one (parseNamespaceMap refuses two FROMs on one TO), so it
 * turns around without loss.
 */
import type { FlowRecord, Peer } from '../flows/types';
import type { NamespaceMap } from './namespace-map';

/** TO → FROM. */
export function invertNamespaceMap(map: NamespaceMap): NamespaceMap {
  return new Map([...map].map(([from, to]) => [to, from]));
}

function unmapPeer(peer: Peer, back: NamespaceMap): Peer {
  if ((peer.kind === 'workload' || peer.kind === 'service') && back.has(peer.namespace))
    return { ...peer, namespace: back.get(peer.namespace)! };
  return peer;
}

/** A flow of the target namespaces with its workloads and Services named in the source namespaces of `map`. */
export function unmapFlow(flow: FlowRecord, map: NamespaceMap): FlowRecord {
  if (map.size === 0) return flow;
  const back = invertNamespaceMap(map);
  const service =
    flow.dstService && back.has(flow.dstService.namespace)
      ? { ...flow.dstService, namespace: back.get(flow.dstService.namespace)! }
      : flow.dstService;
  return { ...flow, src: unmapPeer(flow.src, back), dst: unmapPeer(flow.dst, back), ...(service ? { dstService: service } : {}) };
}
