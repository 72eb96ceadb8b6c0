// An edge's flow count: every packet of a settled connection counts by the connection's direction
// (and the node that saw it), never by its own reply flag; one definition in every view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDraftPayload } from '../ai/payload';
import { observedLine } from '../policy/generate';
import { captureLines, connectionArb, type Observation, type ScriptedConnection } from '../testing/connection-capture';
import { readFixture } from '../testing/fixtures';
import { analyzeText } from './analysis';
import { initialSelection } from './selection';
import { summarize } from './summary';
import type { ServiceGraph } from './types';

const F02 = readFixture('field', 'F02-wrong-is-reply-at-fin.jsonl').trimEnd().split('\n');
type Flow = Record<string, unknown> & { l4: { TCP: { flags?: Record<string, boolean> } } };

function edit(lines: readonly string[], f: (flow: Flow, i: number) => void): string[] {
  return lines.map((l, i) => {
    const o = JSON.parse(l) as { flow: Flow };
    f(o.flow, i);
    return JSON.stringify(o);
  });
}

/** Every packet that opened nothing (no SYN) gets the opposite reply flag, or none. */
const flipMidStream = (how: 'flip' | 'drop') => (f: Flow) => {
  if (f.l4.TCP.flags?.SYN) return;
  if (how === 'drop') delete f.is_reply;
  else f.is_reply = !(f.is_reply as boolean);
};

const counts = (graph: ServiceGraph) =>
  graph.edges.map((e) => ({ key: e.key, flows: e.evidence.flows, replies: e.evidence.replies, connections: e.evidence.connections }));

function graphOf(lines: readonly string[]): ServiceGraph {
  const a = analyzeText(lines.join('\n'), 'capture.jsonl');
  expect(a.stats.badLines).toBe(0);
  return a.graph;
}

describe('F02: the counts do not depend on the reply flags of its mid-stream packets', () => {
  const ONE_EDGE = [{ key: 'default/toolbox->default/web:80/TCP', flows: 7, replies: 4, connections: 1 }];
  it.each([
    ['as captured (observation points)', (_f: Flow) => undefined],
    ['no observation points: the local endpoint (its ID) says which node saw each packet', (f: Flow) => delete f.trace_observation_point],
    [
      'no observation points and no endpoint IDs: traffic_direction alone',
      (f: Flow) => {
        delete f.trace_observation_point;
        delete (f.source as Record<string, unknown>).ID;
        delete (f.destination as Record<string, unknown>).ID;
        // All seen at toolbox's node, the client's: EGRESS, as a conntrack that is right says.
        f.traffic_direction = 'EGRESS';
      },
    ],
  ])('%s', (_, observed) => {
    const base = edit(F02, observed);
    expect(counts(graphOf(base))).toEqual(ONE_EDGE);
    expect(counts(graphOf(edit(base, flipMidStream('flip'))))).toEqual(ONE_EDGE);
    expect(counts(graphOf(edit(base, flipMidStream('drop'))))).toEqual(ONE_EDGE);
    // Every flag set to "request", or every one to "reply": still the same.
    for (const claim of [false, true]) {
      const all = edit(base, (f) => {
        if (!f.l4.TCP.flags?.SYN) f.is_reply = claim;
      });
      expect(counts(graphOf(all)), `every mid-stream flag ${claim}`).toEqual(ONE_EDGE);
    }
  });
});

describe('any connection with a handshake: flipping its mid-stream flags changes no count', () => {
  const withHandshake = connectionArb.filter((c) => c.protocol === 'TCP' && c.packets[0]?.flags?.SYN === true);
  const flipped = (c: ScriptedConnection): ScriptedConnection => ({
    ...c,
    packets: c.packets.map((p) => (p.flags?.SYN ? p : { ...p, isReply: p.isReply === undefined ? !p.fromServer : !p.isReply })),
  });
  it.each<[Observation]>([['point'], ['endpoint'], ['direction']])('seen by %s', (observation) => {
    fc.assert(
      fc.property(fc.array(withHandshake, { minLength: 1, maxLength: 12 }), (conns) => {
        const right = counts(graphOf(captureLines(conns, [], observation)));
        expect(counts(graphOf(captureLines(conns.map(flipped), [], observation)))).toEqual(right);
      }),
      { seed: 20261130, numRuns: 150 },
    );
  });
});

describe('one flow count in every view', () => {
  it('a capture whose flags are wrong mid-stream shows the same number in the summary, the rule comments and the AI table', () => {
    const lines = edit(
      edit(F02, (f) => delete f.trace_observation_point),
      flipMidStream('flip'),
    );
    const a = analyzeText(lines.join('\n'), 'f02.jsonl');
    const [e] = a.graph.edges;
    expect(e.evidence.flows).toBe(7);
    expect(summarize(a)).toMatchObject({ flows: 7, replies: 4, connections: 1 });
    const nodes = new Map(a.graph.nodes.map((n) => [n.id, n]));
    expect(observedLine(e, nodes, 'default')).toContain(', 7 flows,');
    const payload = buildDraftPayload(a.graph, initialSelection(a.graph), { namespaces: ['default'] });
    const row = payload.table.split('\n').find((l) => l.includes('80/TCP'))!;
    expect(row.split('|').map((c) => c.trim())[3]).toBe('7');
  });

  it('the parser keeps no count of its own by reply flag: records only', () => {
    const a = analyzeText(F02.join('\n'), 'f02.jsonl');
    expect(a.stats.records).toBe(7);
    expect(Object.keys(a.stats)).not.toContain('flows');
    expect(Object.keys(a.stats)).not.toContain('replies');
  });
});

describe('the fixture of it (used by the one-thread/worker test)', () => {
  it('variants/f02-flags-flipped-no-observation-point.jsonl: one edge, 7 flow events, 4 replies', () => {
    const lines = readFixture('variants', 'f02-flags-flipped-no-observation-point.jsonl').trimEnd().split('\n');
    expect(counts(graphOf(lines))).toEqual([{ key: 'default/toolbox->default/web:80/TCP', flows: 7, replies: 4, connections: 1 }]);
  });
});
