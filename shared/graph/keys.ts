import type { Peer, Protocol } from '../flows/types';

/** The stable id of a peer, used as node id and inside edge keys. */
export function peerKey(p: Peer): string {
  switch (p.kind) {
    case 'workload':
      return `${p.namespace}/${p.name}`;
    case 'entity':
      return `entity:${p.entity}`;
    case 'external':
      return `ip:${p.ip}`;
    case 'service':
      return `service:${p.namespace}/${p.name}`;
    case 'network':
      return `net:${p.scope}`;
  }
}

/** The port as an edge key writes it: the number, `*` for ICMP (no port), `unknown` when the capture does not say. */
export function portText(port: number | null | 'unknown'): string {
  return port === null ? '*' : String(port);
}

/** The stable key of an edge: `SRC->DST:PORT/PROTO`. */
export function edgeKey(src: string, dst: string, protocol: Protocol, port: number | null | 'unknown'): string {
  return `${src}->${dst}:${portText(port)}/${protocol}`;
}

export function isDnsPort(protocol: Protocol, port: number | null | 'unknown'): boolean {
  return port === 53 && (protocol === 'UDP' || protocol === 'TCP');
}

/**
 * A 53-bit hash of a string (two FNV-1a passes): the key of a connection or an endpoint in tables
 * that must stay small and cross threads as typed arrays. Collisions are negligible below 10⁷ keys.
 */
export function hash53(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
