import type { DirectionBasis, DirectionEvidence, EdgeEvidence, PolicyHitEvidence } from '../../shared/graph/types';
import { formatCount } from '../../shared/policy/format';

// The inspector's wording for an edge's evidence: plain functions, so each sentence can be tested.

const BASIS: Record<DirectionBasis, string> = {
  handshake: 'TCP handshake',
  l7: 'L7 request',
  'known-port': 'server port elsewhere',
  'port-range': 'port ranges',
  'reply-flag': 'reply flags',
  'first-seen': 'first packet seen',
  'flow-log': 'flow log',
  icmp: 'ICMP type',
  packet: 'lone packet',
};

/** How the connections' direction was settled, and a plain warning when some of it is a guess. */
export function directionText(d: DirectionEvidence): string {
  const parts = Object.entries(d.basis).map(([b, n]) => `${BASIS[b as DirectionBasis]} ${formatCount(n)}`);
  const settled = parts.length ? `settled by ${parts.join(', ')}` : 'not settled';
  return d.uncertain > 0
    ? `uncertain for ${formatCount(d.uncertain)} connection(s): nothing in the capture settles who opened them, so this edge may be the reverse of what happened (${settled})`
    : settled;
}

export function serviceText(s: NonNullable<EdgeEvidence['service']>): string {
  if (s.backends && s.backends.length > 0) {
    const each = s.backends.map((b) => `${b.node}:${b.port}`).join(', ');
    return `to Service ${s.name}, never seen translated: any of its backends (${each}) may have served each connection, so they are counted here once and the rules allow every one`;
  }
  switch (s.resolvedBy) {
    case 'translation':
      return `through Service ${s.name} (its translated flows reached this backend)`;
    case 'learned-backend':
      return `through Service ${s.name} (a backend other connections to it reached)`;
    case 'snapshot':
      return `through Service ${s.name} (a backend from the cluster snapshot)`;
    case 'flow-log':
      return `through Service ${s.name} (as the flow log names it)`;
    case 'unresolved':
      return `Service ${s.name}: no backend known, so no rule can allow it; give a cluster snapshot`;
  }
}

export function hitText(h: PolicyHitEvidence): string {
  return `${h.action === 'allow' ? 'allowed' : h.action === 'deny' ? 'denied' : 'passed'} by ${h.kind ? `${h.kind} ` : ''}${h.policy}${
    h.direction ? ` (${h.direction})` : ''
  }: ${formatCount(h.count)}`;
}

/** The pods seen at each end: `client → server`, or the one side known, named (never an arrow to nothing). */
export function podsText(pods: EdgeEvidence['samplePods']): string {
  const src = pods.src.join(' ');
  const dst = pods.dst.join(' ');
  if (src && dst) return `${src} → ${dst}`;
  if (src) return `${src} (client; no server pod seen)`;
  if (dst) return `${dst} (server; no client pod seen)`;
  return '–';
}

/**
 * Hubble's `policy_match_type` of the edge's flows (which kind of rule let them through: L3-only by
 * identity, L3-L4 by identity and port, L4-only by port, all…), most flow events first.
 */
export function matchTypesText(matchTypes: Readonly<Record<string, number>>): string {
  const parts = Object.entries(matchTypes)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, n]) => `${type} (${formatCount(n)} ${n === 1 ? 'flow event' : 'flow events'})`);
  return `matched as ${parts.join(', ')}`;
}
