import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubbleDecoder } from '../flows/hubble';
import type { FlowRecord } from '../flows/types';
import { captureLines, connectionArb, packetLine, scriptedConnection, type ScriptedPacket } from '../testing/connection-capture';
import { readFixture } from '../testing/fixtures';
import { GraphBuilder } from './builder';

const NO_COUNTS = { badLines: 0, lostEvents: 0, truncatedLastLine: false };

function recordsOf(lines: readonly string[]): FlowRecord[] {
  const decoder = new HubbleDecoder();
  return lines.flatMap((l) => {
    const ev = decoder.decode(JSON.parse(l) as Record<string, unknown>);
    return ev.kind === 'flow' ? [ev.record] : [];
  });
}

/** The main thread reads the first part; each later part is a worker's, merged in file order as a worker's message would arrive. */
function splitGraph(records: readonly FlowRecord[], cuts: readonly number[]) {
  const bounds = [0, ...[...new Set(cuts.map((c) => c % (records.length + 1)))].sort((a, b) => a - b), records.length];
  const main = new GraphBuilder();
  for (const r of records.slice(bounds[0], bounds[1])) main.add(r);
  for (let k = 1; k + 1 < bounds.length; k++) {
    const part = new GraphBuilder({ part: true });
    for (const r of records.slice(bounds[k], bounds[k + 1])) part.add(r);
    main.merge(structuredClone(part.partial()));
  }
  return main.build('hubble-jsonpb', NO_COUNTS);
}

function oneGraph(records: readonly FlowRecord[]) {
  const b = new GraphBuilder();
  for (const r of records) b.add(r);
  return b.build('hubble-jsonpb', NO_COUNTS);
}

describe('connection tracking', () => {
  it('gives the same graph however the capture is split into parts', () => {
    fc.assert(
      fc.property(
        fc.array(connectionArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        (conns, shuffles, cuts) => {
          const records = recordsOf(captureLines(conns, shuffles));
          expect(splitGraph(records, cuts)).toEqual(oneGraph(records));
        },
      ),
      { seed: 20261129, numRuns: 300 },
    );
  });

  it('never names a port the capture shows was a client port of a settled connection', () => {
    fc.assert(
      fc.property(fc.array(connectionArb, { minLength: 1, maxLength: 25 }), (conns) => {
        const graph = oneGraph(recordsOf(captureLines(conns)));
        const clientPorts = new Set(
          conns.filter((c) => c.protocol === 'TCP' && c.packets.some((p) => p.flags?.SYN)).map((c) => c.clientPort),
        );
        for (const e of graph.edges) expect(clientPorts.has(e.port as number), e.key).toBe(false);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('a record far out of time order folds into its settlement the same when a later part reads it', () => {
    // db:59382 → cache:40000 opens with a handshake at 20 s; one of its packets (its flag wrong) is
    // only written after a connection 28 minutes later. A part boundary falls just before it.
    const syn: ScriptedPacket = { at: 0, fromServer: false, flags: { SYN: true }, isReply: false, seenAt: 'sender' };
    const synAck: ScriptedPacket = { at: 3, fromServer: true, flags: { SYN: true, ACK: true }, isReply: true, seenAt: 'sender' };
    const early = scriptedConnection({ client: 2, server: 3, clientPort: 59382, serverPort: 40000, start: 20_000 }, [
      syn,
      synAck,
      { at: 6, fromServer: false, flags: { ACK: true }, isReply: true, seenAt: 'sender' },
    ]);
    const late = scriptedConnection({ client: 4, server: 0, clientPort: 35734, serverPort: 40000, start: 1_714_000 }, [syn, synAck]);
    const [a, b, straggler] = early.packets.map((pk) => packetLine(early, pk).line);
    const records = recordsOf([a, b, ...late.packets.map((pk) => packetLine(late, pk).line), straggler]);
    const one = oneGraph(records);
    expect(one.edges.find((e) => e.source === 'shop/db')?.evidence.direction).toEqual({ basis: { handshake: 1 }, uncertain: 0 });
    for (const cuts of [[1], [4], [1, 4], [2, 4], [1, 3]]) expect(splitGraph(records, cuts), `cuts ${cuts.join(',')}`).toEqual(one);
  });

  it("the tester's T7 (a later run of the same ends follows the earlier one) at every split", () => {
    const records = recordsOf(readFixture('tester', 'dir-T7-same-5tuple-flip-after-idle.jsonl').trimEnd().split('\n'));
    const one = oneGraph(records);
    expect(one.edges.map((e) => e.key)).toEqual(['shop/client->shop/server:50053/TCP']);
    for (let a = 0; a <= records.length; a++) {
      for (let b = a; b <= records.length; b++) expect(splitGraph(records, [a, b]), `cuts ${a},${b}`).toEqual(one);
    }
  });
});
