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
  }
}

/** The stable key of an edge: `SRC->DST:PORT/PROTO`. */
export function edgeKey(src: string, dst: string, protocol: Protocol, port: number | null): string {
  return `${src}->${dst}:${port ?? '*'}/${protocol}`;
}

export function isDnsPort(protocol: Protocol, port: number | null): boolean {
  return port === 53 && (protocol === 'UDP' || protocol === 'TCP');
}
