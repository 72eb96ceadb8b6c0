// The direction of real connections: the handed field case F02 (a reply flag that is wrong after a
// FIN) and variants of the same kind of fault.
import { describe, expect, it } from 'vitest';
import { initialSelection } from './selection';
import { generate } from '../policy/generate';
import { readFixture } from '../testing/fixtures';
import { packetLine, scriptedConnection, type ScriptedConnection, type ScriptedPacket } from '../testing/connection-capture';
import { analyzeText } from './analysis';
import { BASES, connBasis, connValue, mergeConnValues } from './accumulators';
import type { DirectionBasis } from './types';

const F02 = readFixture('field', 'F02-wrong-is-reply-at-fin.jsonl');
const lines = F02.trimEnd().split('\n');

function graphOf(text: string) {
  const a = analyzeText(text, 'capture.jsonl');
  expect(a.stats.badLines).toBe(0);
  return a.graph;
}

/** Every port a policy generated from the graph opens. */
function openedPorts(graph: ReturnType<typeof graphOf>): number[] {
  const set = generate(graph, initialSelection(graph), { namespaces: graph.namespaces });
  return set.policies.flatMap((p) =>
    [...(p.policy.spec.ingress ?? []), ...(p.policy.spec.egress ?? [])].flatMap((r) => (r.ports ?? []).map((x) => Number(x.port))),
  );
}

/** A packet seen at its sender's node: from the server or the client, its reply flag (undefined: absent), its TCP flags. */
const p = (fromServer: boolean, isReply: boolean | undefined, flags?: Record<string, boolean>): ScriptedPacket => ({
  at: 0,
  fromServer,
  isReply,
  flags,
  seenAt: 'sender',
});

/** A TCP handshake with its reply flags right: the client's SYN, the server's SYN-ACK. */
const HANDSHAKE = [p(false, false, { SYN: true }), p(true, true, { SYN: true, ACK: true })];

/** Reply flags as a packet's sender wrote them: right (the server's packets are replies), inverted, or left out. */
const right = (fromServer: boolean): boolean | undefined => fromServer;
const inverted = (fromServer: boolean): boolean | undefined => !fromServer;
const absent = (): boolean | undefined => undefined;

/** The graph's edges by key, with the direction each was given and what it rests on. */
const directions = (graph: ReturnType<typeof graphOf>) => graph.edges.map((e) => [e.key, e.evidence.direction]);

function capture(...conns: ScriptedConnection[]): string {
  return conns
    .flatMap((c) => c.packets.map((pk, i) => packetLine(c, { ...pk, at: pk.at || i * 2 })))
    .sort((a, b) => a.time - b.time)
    .map((l) => l.line)
    .join('\n');
}

describe('F02: a reply flag that is wrong after the FIN', () => {
  it('gives exactly one edge, toolbox → web:80, settled by the handshake', () => {
    const graph = graphOf(F02);
    expect(graph.edges.map((e) => e.key)).toEqual(['default/toolbox->default/web:80/TCP']);
    expect(graph.edges[0].evidence).toMatchObject({
      flows: 7,
      replies: 4,
      connections: 1,
      direction: { basis: { handshake: 1 }, uncertain: 0 },
    });
    expect(openedPorts(graph)).toEqual([80, 80]);
  });

  it('without the handshake in the capture, the privileged port still decides', () => {
    const graph = graphOf(lines.slice(2).join('\n'));
    expect(graph.edges.map((e) => e.key)).toEqual(['default/toolbox->default/web:80/TCP']);
    expect(graph.edges[0].evidence.direction).toEqual({ basis: { 'port-range': 1 }, uncertain: 0 });
    expect(openedPorts(graph)).not.toContain(52380);
  });

  it('in any order of its lines, it is one edge', () => {
    for (let k = 0; k < lines.length; k++) {
      const rotated = [...lines.slice(k), ...lines.slice(0, k)];
      expect(graphOf(rotated.join('\n')).edges.map((e) => e.key)).toEqual(['default/toolbox->default/web:80/TCP']);
    }
  });
});

describe('the same kind of fault, other ports and protocols', () => {
  const wrongAfterFin = (serverPort: number, clientPort = 52380): ScriptedConnection =>
    scriptedConnection({ client: 5, server: 0, clientPort, serverPort }, [
      // No handshake captured; the request and reply right, then the flags turn around.
      p(false, false, { ACK: true, PSH: true }),
      p(true, true, { ACK: true, PSH: true }),
      p(true, false, { ACK: true, FIN: true }),
      p(false, true, { ACK: true, FIN: true }),
      p(true, false, { ACK: true }),
    ]);

  it('an unprivileged server port (8080): the ephemeral port is the client', () => {
    const graph = graphOf(capture(wrongAfterFin(8080)));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/toolbox->shop/web:8080/TCP']);
    expect(openedPorts(graph)).not.toContain(52380);
  });

  it('both ports ephemeral: a port that is a server port elsewhere in the capture wins', () => {
    const settled = scriptedConnection({ client: 1, server: 0, clientPort: 41000, serverPort: 50051, start: 60_000 }, HANDSHAKE);
    const graph = graphOf(capture(wrongAfterFin(50051, 52380), settled));
    expect(graph.edges.map((e) => e.key).sort()).toEqual(['shop/api->shop/web:50051/TCP', 'shop/toolbox->shop/web:50051/TCP']);
    expect(graph.edges.find((e) => e.source === 'shop/toolbox')!.evidence.direction).toEqual({ basis: { 'known-port': 1 }, uncertain: 0 });
  });

  it('both ports ephemeral and nothing else: the edge says its direction is uncertain, and so does a warning', () => {
    const graph = graphOf(capture(wrongAfterFin(50051, 52380)));
    expect(graph.edges).toHaveLength(1);
    expect(graph.edges[0].evidence.direction.uncertain).toBe(1);
    const w = graph.warnings.find((x) => x.code === 'uncertain-direction');
    expect(w?.subjects).toEqual([graph.edges[0].key]);
  });

  // cache:51515 ↔ worker:40400, both ports ephemeral.
  const cacheToWorker = { client: 3, server: 4, clientPort: 51515, serverPort: 40400 };

  it('UDP with both ports ≥ 32768 and no flags: the first sender is the client, one edge', () => {
    const udp = scriptedConnection(
      cacheToWorker,
      [p(false, undefined), p(true, undefined), p(false, undefined), p(true, undefined)],
      'UDP',
    );
    const graph = graphOf(capture(udp));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/cache->shop/worker:40400/UDP']);
    expect(graph.edges[0].evidence.direction).toEqual({ basis: { 'first-seen': 1 }, uncertain: 0 });
    expect(openedPorts(graph)).not.toContain(51515);
  });

  it('UDP with a reply flag wrong on a later packet: still one edge', () => {
    const udp = scriptedConnection(cacheToWorker, [p(false, false), p(true, true), p(true, false), p(false, false)], 'UDP');
    expect(graphOf(capture(udp)).edges.map((e) => e.key)).toEqual(['shop/cache->shop/worker:40400/UDP']);
  });

  it('an SCTP association on 38412 from an ephemeral port, seen at both ends: one edge, each event once', () => {
    const packets: ScriptedPacket[] = [];
    for (const [fromServer, at] of [
      [false, 0],
      [true, 1],
      [false, 2],
      [true, 3],
    ] as const) {
      packets.push({ at: at * 2, fromServer, seenAt: 'sender' }, { at: at * 2 + 1, fromServer, seenAt: 'receiver' });
    }
    const sctp = scriptedConnection({ client: 1, server: 2, clientPort: 45000, serverPort: 38412 }, packets, 'SCTP');
    const graph = graphOf(capture(sctp));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/api->shop/db:38412/SCTP']);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 4, replies: 2, connections: 1 });
  });

  it('a settlement expires: the same addresses and ports ten minutes later are a connection of their own', () => {
    // web:40000 answers a handshake, then 11 minutes later the same pair talks again the other way round.
    const first = scriptedConnection({ client: 1, server: 0, clientPort: 45000, serverPort: 40000 }, HANDSHAKE);
    const later = scriptedConnection({ client: 0, server: 1, clientPort: 40000, serverPort: 45000, start: 11 * 60_000 }, [
      ...HANDSHAKE,
      p(false, false, { ACK: true }),
    ]);
    const graph = graphOf(capture(first, later));
    expect(graph.edges.map((e) => e.key).sort()).toEqual(['shop/api->shop/web:40000/TCP', 'shop/web->shop/api:45000/TCP']);
  });

  it('every flag inverted and no handshake, on a service port: the ephemeral port is the client, and the doubt is said', () => {
    // Conntrack lost the connection and re-created it the wrong way round: the flags agree, and lie.
    const turned = (clientPort: number): ScriptedConnection =>
      scriptedConnection({ client: 5, server: 0, clientPort, serverPort: 8080, start: clientPort }, [
        p(true, false, { ACK: true, PSH: true }),
        p(false, true, { ACK: true, PSH: true }),
        p(true, false, { ACK: true, FIN: true }),
      ]);
    const graph = graphOf(capture(turned(45000), turned(45007), turned(45014)));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/toolbox->shop/web:8080/TCP']);
    // The flags agree with each other and contradict the ports: the ports win, and the edge says so.
    expect(graph.edges[0].evidence.direction).toEqual({ basis: { 'port-range': 3 }, uncertain: 3 });
    expect(graph.warnings.map((w) => w.code)).toContain('uncertain-direction');
    expect(openedPorts(graph).every((port) => port === 8080)).toBe(true);
    // One connection to 8080 with a handshake elsewhere in the capture settles the others for certain.
    const opened: ScriptedConnection = { ...turned(45021), packets: HANDSHAKE };
    const settled = graphOf(capture(turned(45000), turned(45007), opened));
    expect(settled.edges[0].evidence.direction).toEqual({ basis: { handshake: 1, 'known-port': 2 }, uncertain: 0 });
  });

  it('a NodePort (below the ephemeral range) with inverted flags is the server', () => {
    const nodePort = scriptedConnection({ client: 2, server: 3, clientPort: 45000, serverPort: 30080 }, [
      p(true, false, { ACK: true }),
      p(false, true, { ACK: true }),
    ]);
    expect(graphOf(capture(nodePort)).edges.map((e) => e.key)).toEqual(['shop/db->shop/cache:30080/TCP']);
  });

  it('records without addresses (an exporter field mask) are followed by their pods', () => {
    const conn = scriptedConnection({ client: 5, server: 0, clientPort: 52380, serverPort: 40000 }, [
      ...HANDSHAKE,
      p(true, false, { ACK: true, FIN: true }),
      p(false, true, { ACK: true }),
    ]);
    const noIp = capture(conn)
      .split('\n')
      .map((l) => {
        const o = JSON.parse(l) as { flow: Record<string, unknown> };
        delete o.flow.IP;
        return JSON.stringify(o);
      })
      .join('\n');
    const graph = graphOf(noIp);
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/toolbox->shop/web:40000/TCP']);
    expect(graph.edges[0].evidence.direction).toEqual({ basis: { handshake: 1 }, uncertain: 0 });
  });

  it('a connection waiting for a settlement is not turned around by a handshake twenty minutes later', () => {
    // api:5000 → db:6000 mid-stream (the flags agree), then db opens 6000 → 5000 twenty minutes on.
    const before = scriptedConnection({ client: 1, server: 2, clientPort: 5000, serverPort: 6000 }, [
      p(false, false, { ACK: true, PSH: true }),
      p(true, true, { ACK: true }),
    ]);
    const after = scriptedConnection({ client: 2, server: 1, clientPort: 6000, serverPort: 5000, start: 20 * 60_000 }, HANDSHAKE);
    expect(
      graphOf(capture(before, after))
        .edges.map((e) => e.key)
        .sort(),
    ).toEqual(['shop/api->shop/db:6000/TCP', 'shop/db->shop/api:5000/TCP']);
  });

  it("a server on an ephemeral port (gRPC 50051) with a client on a lower one: the capture's handshakes decide, in any order", () => {
    const grpc = (clientPort: number, start: number, packets: ScriptedPacket[]): ScriptedConnection =>
      scriptedConnection({ client: 1, server: 0, clientPort, serverPort: 50051, start }, packets);
    const handshake = grpc(20000, 0, HANDSHAKE);
    const midStream = grpc(20001, 1000, [p(false, false, { ACK: true, PSH: true }), p(true, true, { ACK: true, PSH: true })]);
    const lines = capture(handshake, midStream).split('\n');
    for (const order of [lines, [...lines].reverse()]) {
      const graph = graphOf(order.join('\n'));
      expect(graph.edges.map((e) => e.key)).toEqual(['shop/api->shop/web:50051/TCP']);
      expect(graph.edges[0].evidence.direction).toEqual({ basis: { handshake: 1, 'known-port': 1 }, uncertain: 0 });
    }
  });
});

describe('a port known as a server elsewhere: at the very address, or only at another pod of the workload', () => {
  // The tester's K1: api-1 serves 50051 (a handshake); api-2, a pod of the same workload, is seen
  // mid-stream from its port 50051 to postgres:5432, and every flag says api-2 is the client.
  const K1 = readFixture('tester', 'known-K1-workload-port-poison.jsonl');

  it('K1: the flags win over a port only the workload is known to serve, and the edge says it is uncertain', () => {
    const graph = graphOf(K1);
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/api->shop/postgres:5432/TCP', 'shop/frontend->shop/api:50051/TCP']);
    expect(graph.edges[0].evidence.direction).toEqual({ basis: { 'reply-flag': 1 }, uncertain: 1 });
    expect(graph.warnings.find((w) => w.code === 'uncertain-direction')?.subjects).toEqual(['shop/api->shop/postgres:5432/TCP']);
  });

  // web (0) opens api-1 (1):50051; then a pod talks from port 50051 to db (2):5432. Pod 7 is api-2:
  // the same workload as pod 1, another address.
  const webOpensApi1 = scriptedConnection({ client: 0, server: 1, clientPort: 41000, serverPort: 50051 }, HANDSHAKE);
  const from50051 = (pod: number, flag: (fromServer: boolean) => boolean | undefined): ScriptedConnection =>
    scriptedConnection(
      { client: pod, server: 2, clientPort: 50051, serverPort: 5432, start: 1000 },
      [false, true, false, true].map((fromServer) => p(fromServer, flag(fromServer), { ACK: true, PSH: true })),
    );
  // What every variant also shows: web's handshake to api-1 settles that edge for certain.
  const WEB_TO_API1 = ['shop/web->shop/api:50051/TCP', { basis: { handshake: 1 }, uncertain: 0 }];

  it.each([
    [
      'built the same way, with the flags right: api-2 → db:5432 on the flags, uncertain',
      7,
      right,
      ['shop/api->shop/db:5432/TCP', { basis: { 'reply-flag': 1 }, uncertain: 1 }],
    ],
    [
      'without flags, a low port facing a port only the workload served is the server: uncertain',
      7,
      absent,
      ['shop/api->shop/db:5432/TCP', { basis: { 'port-range': 1 }, uncertain: 1 }],
    ],
    [
      'the same pod that served 50051: the port known at its address still wins, uncertain when every flag disagrees',
      1,
      right,
      ['shop/db->shop/api:50051/TCP', { basis: { 'known-port': 1 }, uncertain: 1 }],
    ],
    [
      'the same pod that served 50051, with flags that agree with what the address is known for: certain',
      1,
      inverted,
      ['shop/db->shop/api:50051/TCP', { basis: { 'known-port': 1 }, uncertain: 0 }],
    ],
  ] as const)('%s', (_name, pod, flag, edge) => {
    expect(directions(graphOf(capture(webOpensApi1, from50051(pod, flag))))).toEqual([edge, WEB_TO_API1]);
  });
});

describe('the same addresses and ports again after an idle gap, without a handshake of their own', () => {
  // The tester's T7: client:33003 ↔ server:50053 mid-stream with the flags right, then 11 idle
  // minutes, then conntrack re-created from the server's packet: every flag of the second run inverted.
  it('T7: the later run follows the earlier one, one edge, and says its own flags disagree', () => {
    const graph = graphOf(readFixture('tester', 'dir-T7-same-5tuple-flip-after-idle.jsonl'));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/client->shop/server:50053/TCP']);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 6, connections: 1, direction: { basis: { 'known-port': 1 }, uncertain: 1 } });
  });

  const run = (start: number, flag: (fromServer: boolean) => boolean | undefined, open = false): ScriptedConnection =>
    scriptedConnection({ client: 1, server: 0, clientPort: 45000, serverPort: 40000, start }, [
      ...(open ? HANDSHAKE : []),
      p(false, flag(false), { ACK: true, PSH: true }),
      p(true, flag(true), { ACK: true, PSH: true }),
    ]);

  it('after a handshake, a later run with every flag inverted keeps its direction (uncertain); with them right, certain', () => {
    const flipped = graphOf(capture(run(0, right, true), run(11 * 60_000, inverted)));
    // The guessed run is labelled with what it rests on (the earlier run's ports), never the handshake.
    expect(directions(flipped)).toEqual([['shop/api->shop/web:40000/TCP', { basis: { 'known-port': 1 }, uncertain: 1 }]]);
    const same = graphOf(capture(run(0, right, true), run(11 * 60_000, right)));
    expect(directions(same)).toEqual([['shop/api->shop/web:40000/TCP', { basis: { handshake: 1 }, uncertain: 0 }]]);
  });

  it('three runs, the last two inverted: each follows the one before it', () => {
    const graph = graphOf(capture(run(0, right), run(11 * 60_000, inverted), run(22 * 60_000, inverted)));
    expect(graph.edges.map((e) => [e.key, e.evidence.direction.uncertain])).toEqual([['shop/api->shop/web:40000/TCP', 2]]);
  });

  it('in any order of its lines, T7 stays one edge', () => {
    const lines = readFixture('tester', 'dir-T7-same-5tuple-flip-after-idle.jsonl').trimEnd().split('\n');
    for (const order of [lines, [...lines].reverse(), [...lines.slice(4), ...lines.slice(0, 4)]]) {
      expect(graphOf(order.join('\n')).edges.map((e) => e.key)).toEqual(['shop/client->shop/server:50053/TCP']);
    }
  });

  it('a handshake of its own still decides the later run', () => {
    const reversed: ScriptedConnection = { ...run(11 * 60_000, right, true), client: 0, server: 1, clientPort: 40000, serverPort: 45000 };
    const graph = graphOf(capture(run(0, right), reversed));
    expect(graph.edges.map((e) => [e.key, e.evidence.direction.basis])).toEqual([
      ['shop/api->shop/web:40000/TCP', { 'reply-flag': 1 }],
      ['shop/web->shop/api:45000/TCP', { handshake: 1 }],
    ]);
  });

  it('more than half an hour later, the run is decided on its own', () => {
    const graph = graphOf(capture(run(0, right), run(41 * 60_000, inverted)));
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/api->shop/web:40000/TCP', 'shop/web->shop/api:45000/TCP']);
  });
});

describe('a guessed direction is labelled with what it rests on', () => {
  // Both ports ephemeral and no handshake: nothing but the packets' own flags can say who opened it.
  const conn = (start: number, flags: readonly (boolean | undefined)[]): ScriptedConnection =>
    scriptedConnection(
      { client: 1, server: 0, clientPort: 45000, serverPort: 40000, start },
      flags.map((isReply, i) => p(i % 2 === 1, isReply, { ACK: true })),
    );
  const disagreeing = [false, false, true, true];
  const agreeing = [false, true, false, true];

  it('flags that disagree: first seen, uncertain', () => {
    expect(graphOf(capture(conn(0, disagreeing))).edges.map((e) => e.evidence.direction)).toEqual([
      { basis: { 'first-seen': 1 }, uncertain: 1 },
    ]);
  });

  it('a run whose flags agreed, then one of the same ends decided by first seen: the entry says first seen, not reply flags', () => {
    expect(graphOf(capture(conn(0, agreeing))).edges.map((e) => e.evidence.direction)).toEqual([
      { basis: { 'reply-flag': 1 }, uncertain: 0 },
    ]);
    // Forty minutes later: a connection of its own, not following the earlier run.
    for (const order of [
      [conn(0, agreeing), conn(41 * 60_000, disagreeing)],
      [conn(0, disagreeing), conn(41 * 60_000, agreeing)],
    ]) {
      expect(directions(graphOf(capture(...order)))).toEqual([
        ['shop/api->shop/web:40000/TCP', { basis: { 'first-seen': 1 }, uncertain: 1 }],
      ]);
    }
  });

  it('two guessed runs of one entry: the weaker basis; two settled ones: the stronger', () => {
    const [guess, settled] = [true, false];
    const v = (basis: DirectionBasis, guessed: boolean) => connValue(0, BASES.indexOf(basis), guessed);
    const basisOf = (x: number) => BASES[connBasis(x)];
    expect(basisOf(mergeConnValues(v('known-port', guess), v('first-seen', guess)))).toBe('first-seen');
    expect(basisOf(mergeConnValues(v('handshake', settled), v('reply-flag', settled)))).toBe('handshake');
    expect(basisOf(mergeConnValues(v('handshake', settled), v('first-seen', guess)))).toBe('first-seen');
    expect(basisOf(mergeConnValues(v('first-seen', guess), v('handshake', settled)))).toBe('first-seen');
  });
});
