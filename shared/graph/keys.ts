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
      // A Service only an address names (a ClusterIP Hubble did not name) has no namespace.
      return p.namespace ? `service:${p.namespace}/${p.name}` : `service:${p.name}`;
    case 'network':
      return `net:${p.scope}`;
  }
}

/** What selects a workload, in a fixed form: `app=web`, or `!none` / `!not-captured` without labels. */
function selectorText(p: Extract<Peer, { kind: 'workload' }>): string {
  const keys = Object.keys(p.identity).sort();
  return keys.length > 0 ? keys.map((k) => `${k}=${p.identity[k]}`).join(',') : `!${p.unlabelled ?? 'none'}`;
}

/**
 * The key a graph builder files a peer under: a workload's `namespace/name` with what selects it
 * (`shop/nginx#run=nginx`), so that two workloads of one name (a `kubectl run nginx` pod beside a
 * Deployment nginx), or one seen with and without labels, stay apart until the build names them
 * (see displayIds). Other peers: as peerKey.
 */
export function nodeKey(p: Peer): string {
  return p.kind === 'workload' ? `${p.namespace}/${p.name}#${selectorText(p)}` : peerKey(p);
}

/**
 * The ids a graph shows for the builder's node keys: `namespace/name` when one workload has that
 * name, else `namespace/name[selector]` for each (`shop/nginx[run=nginx]`, `shop/nginx[app=nginx]`,
 * `shop/nginx[no-labels]`), so no two workloads ever share an id and no choice depends on order.
 */
export function displayIds(keys: Iterable<string>): Map<string, string> {
  const byBase = new Map<string, string[]>();
  for (const k of keys) {
    const hash = k.indexOf('#');
    const base = hash < 0 ? k : k.slice(0, hash);
    (byBase.get(base) ?? byBase.set(base, []).get(base)!).push(k);
  }
  const out = new Map<string, string>();
  for (const [base, group] of byBase) {
    for (const k of group) {
      const hash = k.indexOf('#');
      if (hash < 0 || group.length === 1) out.set(k, base);
      else {
        const sel = k.slice(hash + 1);
        out.set(k, `${base}[${sel === '!none' ? 'no-labels' : sel === '!not-captured' ? 'labels-not-captured' : sel}]`);
      }
    }
  }
  return out;
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

const TWO32 = 4294967296;

/** 32-bit mixing step (murmur3's finalizer over an added value). */
function mix32(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}

/**
 * Hashes of addresses, computed once per distinct address: connection and endpoint keys are then
 * combined from numbers, without building a string per record.
 */
export class AddressHashes {
  private readonly cache = new Map<string, number>();

  /** The 53-bit hash of an address (see hash53). */
  of(ip: string): number {
    let h = this.cache.get(ip);
    if (h === undefined) {
      if (this.cache.size >= 200_000) this.cache.clear();
      h = hash53(ip);
      this.cache.set(ip, h);
    }
    return h;
  }
}

/**
 * A 53-bit key of a connection from its protocol (a small number) and its two ends (address hash
 * from AddressHashes, port), in a fixed order: collisions are negligible below 10⁷ connections.
 */
export function connectionKey(protocol: number, ipA: number, portA: number, ipB: number, portB: number): number {
  let a = 0x9747b28c ^ protocol;
  let b = 0x85ebca6b ^ protocol;
  a = mix32(mix32(mix32(a, ipA % TWO32), Math.floor(ipA / TWO32)), portA);
  b = mix32(mix32(mix32(b, ipA % TWO32), Math.floor(ipA / TWO32)), portA ^ 0x5bd1);
  a = mix32(mix32(mix32(a, ipB % TWO32), Math.floor(ipB / TWO32)), portB);
  b = mix32(mix32(mix32(b, ipB % TWO32), Math.floor(ipB / TWO32)), portB ^ 0x5bd1);
  return a * 0x200000 + (b & 0x1fffff);
}

/**
 * A 31-bit key of one end of a connection (protocol, address hash, port), small enough that sets of
 * them stay unboxed. Used where a rare collision costs little: counting an edge's connections,
 * pairing a Service's frontend with its translated flow, remembering clients' ports.
 */
export function endpointKey(protocol: number, ip: number, port: number): number {
  return mix32(mix32(mix32(0x3c6ef372 ^ protocol, ip % TWO32), Math.floor(ip / TWO32)), port) & 0x7fffffff;
}

/** A small number per protocol, for the keys above. */
export function protocolCode(p: Protocol): number {
  switch (p) {
    case 'TCP':
      return 6;
    case 'UDP':
      return 17;
    case 'SCTP':
      return 132;
    case 'ICMPv4':
      return 1;
    case 'ICMPv6':
      return 58;
  }
}
