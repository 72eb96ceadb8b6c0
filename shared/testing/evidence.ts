// Edge evidence for graphs built in code (property tests, the policy benchmark): what a plain
// forwarded TCP connection seen from its handshake leaves behind.
import type { EdgeEvidence } from '../graph/types';

/** Evidence of `flows` forwarded packets of `connections` connections, their direction settled by the handshake; times in ms since the epoch. */
export function forwardedEvidence(flows = 1, connections = 1, firstSeen = 0, lastSeen = firstSeen): EdgeEvidence {
  return {
    flows,
    replies: flows - connections,
    connections,
    connectionsCapped: false,
    firstSeen,
    lastSeen,
    verdicts: { FORWARDED: flows },
    dropReasons: {},
    samplePods: { src: [], dst: [] },
    dnsNames: [],
    l7: { dns: [], http: [] },
    direction: { basis: { handshake: connections }, uncertain: 0 },
    attribution: { enforced: [], pending: [], pendingActions: {}, matchTypes: {} },
  };
}
