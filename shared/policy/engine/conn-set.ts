/**
 * Sets of connections a policy allows between two peers: per protocol, sorted disjoint inclusive
 * intervals of destination ports (TCP, UDP, SCTP: 1–65535) or of ICMP types (ICMPv4, ICMPv6:
 * 0–255). The set algebra the policy engine, verify, diff and netpol-analyzer's connlist share.
 */

export const L4_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const ICMP_PROTOCOLS = ['ICMPv4', 'ICMPv6'] as const;
export const CONN_PROTOCOLS = [...L4_PROTOCOLS, ...ICMP_PROTOCOLS] as const;
export type L4Protocol = (typeof L4_PROTOCOLS)[number];
export type IcmpProtocol = (typeof ICMP_PROTOCOLS)[number];
export type ConnProtocol = (typeof CONN_PROTOCOLS)[number];

/** netpol-analyzer's names for the port protocols. */
export const PROTOCOLS = L4_PROTOCOLS;
export const MIN_PORT = 1;
export const MAX_PORT = 65535;
export const MAX_ICMP_TYPE = 255;

type Intervals = readonly (readonly [number, number])[];

export interface ConnSet {
  readonly ports: Readonly<Record<ConnProtocol, Intervals>>;
}

export function isIcmp(p: ConnProtocol): p is IcmpProtocol {
  return p === 'ICMPv4' || p === 'ICMPv6';
}

/** The lowest and highest value of a protocol's dimension: ports for L4, types for ICMP. */
export function bounds(p: ConnProtocol): readonly [number, number] {
  return isIcmp(p) ? [0, MAX_ICMP_TYPE] : [MIN_PORT, MAX_PORT];
}

const EMPTY: Record<ConnProtocol, Intervals> = { TCP: [], UDP: [], SCTP: [], ICMPv4: [], ICMPv6: [] };

export const NO_CONNS: ConnSet = { ports: EMPTY };
/** Every port of every protocol and every ICMP type: what a NetworkPolicy rule without ports allows. */
export const ALL_CONNS: ConnSet = {
  ports: { TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]], ICMPv4: [[0, 255]], ICMPv6: [[0, 255]] },
};
/** Every port of TCP, UDP and SCTP, and no ICMP. */
export const ALL_L4: ConnSet = {
  ports: { ...EMPTY, TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]] },
};

function normalise(list: Intervals, lo: number, hi: number): [number, number][] {
  if (list.length === 1) {
    // One interval (a port, a range): clamped, no sort needed.
    const a = Math.max(list[0][0], lo);
    const b = Math.min(list[0][1], hi);
    return a <= b ? [[a, b]] : [];
  }
  const sorted = list
    .map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as [number, number])
    .filter(([a, b]) => a <= b)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function intersectIntervals(x: Intervals, y: Intervals): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const a = Math.max(x[i][0], y[j][0]);
    const b = Math.min(x[i][1], y[j][1]);
    if (a <= b) out.push([a, b]);
    if (x[i][1] < y[j][1]) i++;
    else j++;
  }
  return out;
}

function subtractIntervals(x: Intervals, y: Intervals): [number, number][] {
  const out: [number, number][] = [];
  let j = 0;
  for (const [a0, b] of x) {
    let a = a0;
    while (j < y.length && y[j][1] < a) j++;
    let k = j;
    while (k < y.length && y[k][0] <= b) {
      if (y[k][0] > a) out.push([a, y[k][0] - 1]);
      a = Math.max(a, y[k][1] + 1);
      k++;
    }
    if (a <= b) out.push([a, b]);
  }
  return out;
}

function build(f: (p: ConnProtocol) => Intervals): ConnSet {
  return { ports: { TCP: f('TCP'), UDP: f('UDP'), SCTP: f('SCTP'), ICMPv4: f('ICMPv4'), ICMPv6: f('ICMPv6') } };
}

/** Ports `from`–`to` of one protocol (ICMP: types). */
export function connOf(protocol: ConnProtocol, from: number, to: number): ConnSet {
  const [lo, hi] = bounds(protocol);
  return { ports: { ...EMPTY, [protocol]: normalise([[from, to]], lo, hi) } };
}

/** Every port (every type) of one protocol. */
export function allOf(protocol: ConnProtocol): ConnSet {
  const [lo, hi] = bounds(protocol);
  return connOf(protocol, lo, hi);
}

export function union(a: ConnSet, b: ConnSet): ConnSet {
  if (a === b || a === NO_CONNS || b === ALL_CONNS) return b;
  if (b === NO_CONNS || a === ALL_CONNS) return a;
  return build((p) => {
    const [lo, hi] = bounds(p);
    return a.ports[p].length === 0 ? b.ports[p] : b.ports[p].length === 0 ? a.ports[p] : normalise([...a.ports[p], ...b.ports[p]], lo, hi);
  });
}

export function intersect(a: ConnSet, b: ConnSet): ConnSet {
  if (a === b || a === ALL_CONNS) return b;
  if (b === ALL_CONNS) return a;
  if (a === NO_CONNS || b === NO_CONNS) return NO_CONNS;
  return build((p) => intersectIntervals(a.ports[p], b.ports[p]));
}

/** `a` without `b`. */
export function subtract(a: ConnSet, b: ConnSet): ConnSet {
  if (b === NO_CONNS || a === NO_CONNS) return a;
  if (b === ALL_CONNS) return NO_CONNS;
  return build((p) => subtractIntervals(a.ports[p], b.ports[p]));
}

export function isEmpty(c: ConnSet): boolean {
  return CONN_PROTOCOLS.every((p) => c.ports[p].length === 0);
}

/** Every port of TCP, UDP and SCTP (ICMP not considered: netpol-analyzer's "All Connections"). */
export function isAll(c: ConnSet): boolean {
  return PROTOCOLS.every((p) => c.ports[p].length === 1 && c.ports[p][0][0] === MIN_PORT && c.ports[p][0][1] === MAX_PORT);
}

/** Does the set hold port (or ICMP type) `value` of `protocol`? */
export function has(c: ConnSet, protocol: ConnProtocol, value: number): boolean {
  const list = c.ports[protocol];
  for (let i = 0; i < list.length; i++) {
    if (value < list[i][0]) return false;
    if (value <= list[i][1]) return true;
  }
  return false;
}

/** Does the set hold every port (type) of `protocol`? Some? */
export function coverage(c: ConnSet, protocol: ConnProtocol): 'all' | 'some' | 'none' {
  const list = c.ports[protocol];
  if (list.length === 0) return 'none';
  const [lo, hi] = bounds(protocol);
  return list.length === 1 && list[0][0] === lo && list[0][1] === hi ? 'all' : 'some';
}

/** How many ports (types) of `protocol` the set holds. */
export function size(c: ConnSet, protocol: ConnProtocol): number {
  return c.ports[protocol].reduce((n, [a, b]) => n + b - a + 1, 0);
}

export function equals(a: ConnSet, b: ConnSet): boolean {
  return CONN_PROTOCOLS.every(
    (p) => a.ports[p].length === b.ports[p].length && a.ports[p].every(([x, y], i) => x === b.ports[p][i][0] && y === b.ports[p][i][1]),
  );
}

/** netpol-analyzer's wording: `All Connections`, `No Connections`, or `SCTP 7070,TCP 8080-8081,UDP 9090`. */
export function connString(c: ConnSet): string {
  if (isAll(c)) return 'All Connections';
  if (PROTOCOLS.every((p) => c.ports[p].length === 0)) return 'No Connections';
  return PROTOCOLS.filter((p) => c.ports[p].length > 0)
    .map((p) => `${p} ${c.ports[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`)
    .sort()
    .join(',');
}

/** This tool's wording, ICMP included: `TCP 80,443; ICMPv4 type 8`, `every port`, `nothing`. */
export function connText(c: ConnSet): string {
  if (CONN_PROTOCOLS.every((p) => coverage(c, p) === 'all')) return 'every port and protocol';
  if (isEmpty(c)) return 'nothing';
  return CONN_PROTOCOLS.filter((p) => c.ports[p].length > 0)
    .map((p) => {
      if (coverage(c, p) === 'all') return `every ${p} ${isIcmp(p) ? 'type' : 'port'}`;
      const list = c.ports[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      return isIcmp(p) ? `${p} type ${list}` : `${p} ${list}`;
    })
    .join('; ');
}
