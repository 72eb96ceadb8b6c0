/** Sets of ports per protocol as sorted, disjoint, inclusive intervals. */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type ConnProtocol = (typeof PROTOCOLS)[number];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

type Intervals = readonly (readonly [number, number])[];

export interface ConnSet {
  readonly ports: Readonly<Record<ConnProtocol, Intervals>>;
}

export const NO_CONNS: ConnSet = { ports: { TCP: [], UDP: [], SCTP: [] } };
export const ALL_CONNS: ConnSet = { ports: { TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]] } };

function normalise(list: Intervals): [number, number][] {
  const sorted = list
    .filter(([a, b]) => a <= b)
    .map(([a, b]) => [Math.max(a, MIN_PORT), Math.min(b, MAX_PORT)] as [number, number])
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

export function connOf(protocol: ConnProtocol, from: number, to: number): ConnSet {
  return { ports: { ...NO_CONNS.ports, [protocol]: normalise([[from, to]]) } };
}

export function union(a: ConnSet, b: ConnSet): ConnSet {
  return {
    ports: {
      TCP: normalise([...a.ports.TCP, ...b.ports.TCP]),
      UDP: normalise([...a.ports.UDP, ...b.ports.UDP]),
      SCTP: normalise([...a.ports.SCTP, ...b.ports.SCTP]),
    },
  };
}

export function intersect(a: ConnSet, b: ConnSet): ConnSet {
  return {
    ports: {
      TCP: intersectIntervals(a.ports.TCP, b.ports.TCP),
      UDP: intersectIntervals(a.ports.UDP, b.ports.UDP),
      SCTP: intersectIntervals(a.ports.SCTP, b.ports.SCTP),
    },
  };
}

export function isEmpty(c: ConnSet): boolean {
  return PROTOCOLS.every((p) => c.ports[p].length === 0);
}

export function isAll(c: ConnSet): boolean {
  return PROTOCOLS.every((p) => c.ports[p].length === 1 && c.ports[p][0][0] === MIN_PORT && c.ports[p][0][1] === MAX_PORT);
}

/** netpol-analyzer's wording: `All Connections`, `No Connections`, or `SCTP 7070,TCP 8080-8081,UDP 9090`. */
export function connString(c: ConnSet): string {
  if (isAll(c)) return 'All Connections';
  if (isEmpty(c)) return 'No Connections';
  return PROTOCOLS.filter((p) => c.ports[p].length > 0)
    .map((p) => `${p} ${c.ports[p].map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`)
    .sort()
    .join(',');
}
