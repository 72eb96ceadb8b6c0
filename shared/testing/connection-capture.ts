// Hubble captures made of whole connections, for tests of the connection tracker: handshakes or
// none, reply flags right or wrong, both ends observing, idle gaps, records out of time order.
// Tests only; never imported by app code.
import fc from 'fast-check';

export interface ScriptedPacket {
  /** Milliseconds after the connection's start. */
  readonly at: number;
  /** true: the server sends it. */
  readonly fromServer: boolean;
  readonly flags?: Readonly<Record<string, boolean>>;
  /** What the packet's `is_reply` says (undefined: the field is absent). */
  readonly isReply?: boolean;
  /** Seen at the sender's node (TO_STACK) or the receiver's (TO_ENDPOINT). */
  readonly seenAt: 'sender' | 'receiver';
}

export interface ScriptedConnection {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly client: number;
  readonly server: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly start: number;
  readonly packets: readonly ScriptedPacket[];
}

/** Where and when a scripted connection runs: its client and server pods (indexes into web, api, db, cache, worker, toolbox), their ports, and its start in ms (0 unless given). */
export interface ConnectionEnds {
  readonly client: number;
  readonly server: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly start?: number;
}

/** A scripted connection between `ends` on `protocol` (TCP unless given), made of `packets`. */
export function scriptedConnection(
  ends: ConnectionEnds,
  packets: readonly ScriptedPacket[],
  protocol: ScriptedConnection['protocol'] = 'TCP',
): ScriptedConnection {
  return { protocol, start: 0, ...ends, packets };
}

const APPS = ['web', 'api', 'db', 'cache', 'worker', 'toolbox'];
const BASE = Date.parse('2025-03-10T18:00:00Z');

function endpoint(i: number): Record<string, unknown> {
  const app = APPS[i % APPS.length];
  return {
    identity: 20000 + i,
    namespace: 'shop',
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'],
    pod_name: `${app}-59bbf86d94-x7k2${'bcdfg'[i % 5]}`,
  };
}

const ip = (i: number): string => `10.244.${i}.${10 + i}`;

/**
 * How a line says where its packet was seen: Hubble's trace observation point (the default), the
 * local endpoint's `ID` alone, or `traffic_direction` alone (what policy-verdict and L7 records
 * carry: EGRESS where the local endpoint is the connection's client).
 */
export type Observation = 'point' | 'endpoint' | 'direction';

/** The JSON line Hubble would print for one packet of a scripted connection. */
export function packetLine(c: ScriptedConnection, p: ScriptedPacket, observation: Observation = 'point'): { time: number; line: string } {
  const time = BASE + c.start + p.at;
  const [from, to] = p.fromServer ? [c.server, c.client] : [c.client, c.server];
  const [sport, dport] = p.fromServer ? [c.serverPort, c.clientPort] : [c.clientPort, c.serverPort];
  const ports = { source_port: sport, destination_port: dport, ...(c.protocol === 'TCP' && p.flags ? { flags: p.flags } : {}) };
  const flow: Record<string, unknown> = {
    time: new Date(time).toISOString().replace('Z', `${String(p.at % 997).padStart(3, '0')}000Z`),
    verdict: 'FORWARDED',
    IP: { source: ip(from), destination: ip(to), ipVersion: 'IPv4' },
    l4: { [c.protocol]: ports },
    source: endpoint(from),
    destination: endpoint(to),
  };
  if (observation === 'point') flow.trace_observation_point = p.seenAt === 'sender' ? 'TO_STACK' : 'TO_ENDPOINT';
  else if (observation === 'endpoint')
    (flow[p.seenAt === 'sender' ? 'source' : 'destination'] as Record<string, unknown>).ID = 100 + (p.seenAt === 'sender' ? from : to);
  else flow.traffic_direction = (p.seenAt === 'sender') !== p.fromServer ? 'EGRESS' : 'INGRESS';
  if (p.isReply !== undefined) flow.is_reply = p.isReply;
  return { time, line: JSON.stringify({ flow }) };
}

const packet = (fromServer: boolean, flags?: Record<string, boolean>): fc.Arbitrary<ScriptedPacket> =>
  fc.record({
    at: fc.constant(0),
    fromServer: fc.constant(fromServer),
    flags: fc.constant(flags),
    // Mostly right, sometimes wrong, sometimes absent.
    isReply: fc.oneof(
      { weight: 6, arbitrary: fc.constant<boolean | undefined>(fromServer) },
      { weight: 2, arbitrary: fc.constant<boolean | undefined>(!fromServer) },
      { weight: 1, arbitrary: fc.constant<boolean | undefined>(undefined) },
    ),
    seenAt: fc.constantFrom<'sender' | 'receiver'>('sender', 'receiver'),
  });

const tcpScript = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.tuple(fc.boolean(), fc.constantFrom<Record<string, boolean>>({ ACK: true }, { ACK: true, PSH: true }, { ACK: true, FIN: true })),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .chain(([handshake, rest]) =>
    fc.tuple(
      handshake ? fc.tuple(packet(false, { SYN: true }), packet(true, { SYN: true, ACK: true })) : fc.constant([] as ScriptedPacket[]),
      fc.tuple(...rest.map(([fromServer, flags]) => packet(fromServer, flags))),
    ),
  )
  .map(([open, rest]) => [...open, ...rest]);

const datagramScript = fc
  .array(fc.boolean(), { minLength: 1, maxLength: 4 })
  .chain((dirs) => fc.tuple(...dirs.map((d, i) => packet(i === 0 ? false : d))));

/** One connection between two of a few workloads, on a server port from a small set (some of them ephemeral). */
export const connectionArb: fc.Arbitrary<ScriptedConnection> = fc
  .record({
    protocol: fc.constantFrom<'TCP' | 'UDP' | 'SCTP'>('TCP', 'TCP', 'UDP', 'SCTP'),
    client: fc.integer({ min: 0, max: 5 }),
    server: fc.integer({ min: 0, max: 5 }),
    clientPort: fc.integer({ min: 32768, max: 60999 }),
    serverPort: fc.constantFrom(53, 80, 8080, 38412, 40000, 50051),
    start: fc.integer({ min: 0, max: 3_600_000 }),
    gap: fc.constantFrom(0, 0, 0, 11 * 60_000),
  })
  .filter((c) => c.client !== c.server)
  .chain((c) =>
    (c.protocol === 'TCP' ? tcpScript : datagramScript).map((packets) => ({
      ...c,
      // Packets a few ms apart; sometimes a long silence in the middle (the connection expires).
      packets: packets.map((p, i) => ({ ...p, at: i * 3 + (i >= packets.length / 2 ? c.gap : 0) })),
    })),
  );

/** Lines of a capture: the connections' packets in time order, with a few moved out of place. */
export function captureLines(
  conns: readonly ScriptedConnection[],
  shuffles: readonly [number, number][] = [],
  observation: Observation = 'point',
): string[] {
  const lines = conns.flatMap((c) => c.packets.map((p) => packetLine(c, p, observation))).sort((a, b) => a.time - b.time);
  for (const [i, j] of shuffles) {
    if (lines.length < 2) break;
    const a = i % lines.length;
    const b = j % lines.length;
    [lines[a], lines[b]] = [lines[b], lines[a]];
  }
  return lines.map((l) => l.line);
}
