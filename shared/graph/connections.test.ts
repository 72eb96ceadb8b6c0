import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubbleDecoder } from '../flows/hubble';
import type { FlowRecord } from '../flows/types';
import { captureLines, connectionArb } from '../testing/connection-capture';
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
});
