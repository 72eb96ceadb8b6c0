// ICMP errors and echo replies answer another packet: they fold into the edge they answer, never
// make one of their own. The tester's icmp-1 (a destination unreachable that became server → client)
// and variants of the same kind of fault.
import { describe, expect, it } from 'vitest';
import { HubbleDecoder } from '../flows/hubble';
import type { FlowRecord } from '../flows/types';
import { readFixture } from '../testing/fixtures';
import { api, ep, web } from '../testing/mixed-capture';
import { analyzeText } from './analysis';
import { GraphBuilder } from './builder';

const WEB_IP = '10.0.0.1';
const API_IP = '10.0.0.2';

/** One Hubble ICMP line; `v6` uses ICMPv6 and IPv6 addresses. */
function icmp(o: { t: number; fromApi: boolean; type: number; v6?: boolean; src?: object }): string {
  const [src, dst] = o.fromApi ? [o.src ?? api, web] : [o.src ?? web, api];
  const ip = (web: boolean) => (o.v6 ? (web ? 'fd00::1' : 'fd00::2') : web ? WEB_IP : API_IP);
  return JSON.stringify({
    flow: {
      time: new Date(Date.UTC(2026, 10, 1, 9, 0, o.t)).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: ip(!o.fromApi), destination: ip(o.fromApi) },
      l4: { [o.v6 ? 'ICMPv6' : 'ICMPv4']: { type: o.type, code: 0 } },
      source: src,
      destination: dst,
      traffic_direction: 'EGRESS',
    },
  });
}

function graphOf(lines: string[]) {
  const a = analyzeText(lines.join('\n'), 'icmp.jsonl');
  expect(a.stats.badLines).toBe(0);
  return a.graph;
}

const summary = (g: ReturnType<typeof graphOf>) =>
  g.edges.map((e) => ({ key: e.key, flows: e.evidence.flows, replies: e.evidence.replies, icmpTypes: e.evidence.icmpTypes }));

describe('ICMP errors and echo replies', () => {
  it("the tester's icmp-1: the destination unreachable is a reply of the ICMP edge, never server → client", () => {
    const graph = analyzeText(readFixture('tester', 'icmp-1.jsonl'), 'icmp-1.jsonl').graph;
    expect(graph.edges.map((e) => e.key)).toEqual([
      'shop/client->shop/server:*/ICMPv4',
      'shop/client->shop/server:8080/TCP',
      'shop/client->shop/server:9999/UDP',
    ]);
    expect(graph.edges[0].evidence).toMatchObject({ flows: 3, replies: 2, icmpTypes: [8] });
    expect(graph.edges[1].evidence.icmpTypes).toBeUndefined();
  });

  it.each([
    ['destination unreachable', 3],
    ['source quench', 4],
    ['redirect', 5],
    ['time exceeded', 11],
    ['parameter problem', 12],
    ['echo reply', 0],
  ])('an ICMPv4 %s with no request it could answer is left out, counted and said', (_name, type) => {
    const graph = graphOf([icmp({ t: 0, fromApi: true, type })]);
    expect(graph.edges).toEqual([]);
    expect(graph.nodes).toEqual([]);
    expect(graph.warnings.find((w) => w.code === 'skipped-records')?.message).toMatch(
      /^1 ICMP error\(s\) or echo repl\(ies\) answered no ICMP request/,
    );
  });

  it('ICMPv6: echo requests make the edge with their type; replies and errors (1, 2, 3, 4, 129) fold into it', () => {
    const lines = [icmp({ t: 0, fromApi: false, type: 128, v6: true })];
    for (const [t, type] of [1, 2, 3, 4, 129].entries()) lines.push(icmp({ t: t + 1, fromApi: true, type, v6: true }));
    expect(summary(graphOf(lines))).toEqual([{ key: 'shop/web->shop/api:*/ICMPv6', flows: 6, replies: 5, icmpTypes: [128] }]);
  });

  it('lists every request type seen, IPv4 and IPv6 apart, and none of the answers', () => {
    const lines = [
      icmp({ t: 0, fromApi: false, type: 8 }),
      icmp({ t: 1, fromApi: false, type: 13 }),
      icmp({ t: 2, fromApi: true, type: 14 }),
      icmp({ t: 3, fromApi: true, type: 0 }),
      icmp({ t: 4, fromApi: false, type: 128, v6: true }),
    ];
    expect(summary(graphOf(lines))).toEqual([
      { key: 'shop/web->shop/api:*/ICMPv4', flows: 4, replies: 2, icmpTypes: [8, 13] },
      { key: 'shop/web->shop/api:*/ICMPv6', flows: 1, replies: 0, icmpTypes: [128] },
    ]);
  });

  it('a request the other way round is its own edge; an error does not become one', () => {
    // api pings web (an edge api → web); web's unreachable towards api answers it.
    const graph = graphOf([icmp({ t: 0, fromApi: true, type: 8 }), icmp({ t: 1, fromApi: false, type: 3 })]);
    expect(summary(graph)).toEqual([{ key: 'shop/api->shop/web:*/ICMPv4', flows: 2, replies: 1, icmpTypes: [8] }]);
  });

  it('an error from a router (world) to a pod answers no edge from that pod to it: left out', () => {
    const router = { identity: 2, labels: ['reserved:world'] };
    const graph = graphOf([icmp({ t: 0, fromApi: false, type: 8 }), icmp({ t: 1, fromApi: true, type: 11, src: router })]);
    expect(graph.edges.map((e) => e.key)).toEqual(['shop/web->shop/api:*/ICMPv4']);
    expect(graph.nodes.map((n) => n.id)).toEqual(['shop/api', 'shop/web']);
  });

  it('a worker part holds its answers for the main thread: the same graph however the capture is split', () => {
    const lines = [
      icmp({ t: 0, fromApi: true, type: 0 }),
      icmp({ t: 1, fromApi: false, type: 8 }),
      icmp({ t: 2, fromApi: true, type: 3 }),
      icmp({ t: 3, fromApi: false, type: 8, src: ep('shop', 'web', 'web-6f7d9c-ccccc') }),
    ];
    const decoder = new HubbleDecoder();
    const records = lines.map((l) => (decoder.decode(JSON.parse(l) as Record<string, unknown>) as { record: FlowRecord }).record);
    const counts = { badLines: 0, lostEvents: 0, truncatedLastLine: false };
    const one = new GraphBuilder();
    for (const r of records) one.add(r);
    const whole = one.build('hubble-jsonpb', counts);
    for (let cut = 0; cut <= records.length; cut++) {
      const main = new GraphBuilder();
      for (const r of records.slice(0, cut)) main.add(r);
      const part = new GraphBuilder({ part: true });
      for (const r of records.slice(cut)) part.add(r);
      main.merge(structuredClone(part.partial()));
      expect(main.build('hubble-jsonpb', counts), `cut at ${cut}`).toEqual(whole);
    }
    expect(whole.edges[0].evidence).toMatchObject({ flows: 4, replies: 2, icmpTypes: [8] });
  });
});
