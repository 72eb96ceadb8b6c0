import { describe, expect, it } from 'vitest';
import { hubbleEvent } from './hubble';
import type { FlowRecord } from './types';

const pod = (ns: string, app: string, podName: string, extra: string[] = []) => ({
  ID: 100,
  identity: 4242,
  namespace: ns,
  labels: [
    `k8s:app=${app}`,
    `k8s:io.kubernetes.pod.namespace=${ns}`,
    'k8s:pod-template-hash=abc123',
    'k8s:io.cilium.k8s.policy.cluster=default',
    ...extra,
  ],
  pod_name: podName,
});

function flowOf(flow: Record<string, unknown>): FlowRecord {
  const ev = hubbleEvent({ flow, node_name: 'n1', time: '2024-01-01T00:00:00Z' });
  if (ev.kind !== 'flow') throw new Error(`expected a flow, got ${ev.kind}`);
  return ev.record;
}

const base = {
  time: '2024-01-01T10:00:00.123456789Z',
  verdict: 'FORWARDED',
  IP: { source: '10.0.0.1', destination: '10.0.0.2' },
  source: pod('shop', 'frontend', 'frontend-7d9f8c6b5-abcde'),
  destination: pod('shop', 'api', 'api-5c4b3a2f1-fghij'),
};

describe('hubbleEvent direction', () => {
  it.each([
    ['is_reply false', { is_reply: false, l4: { TCP: { source_port: 51000, destination_port: 8080 } } }, false],
    ['is_reply true', { is_reply: true, l4: { TCP: { source_port: 8080, destination_port: 51000 } } }, true],
    ['old reply:true', { reply: true, l4: { TCP: { source_port: 8080, destination_port: 51000 } } }, true],
    ['SYN-ACK without is_reply', { l4: { TCP: { source_port: 8080, destination_port: 51000, flags: { SYN: true, ACK: true } } } }, true],
    ['SYN without is_reply', { l4: { TCP: { source_port: 51000, destination_port: 8080, flags: { SYN: true } } } }, false],
    ['unknown, ephemeral destination', { l4: { TCP: { source_port: 8080, destination_port: 51000, flags: { ACK: true } } } }, true],
    ['L7 RESPONSE', { l4: { TCP: { source_port: 8080, destination_port: 51000 } }, l7: { type: 'RESPONSE' } }, true],
  ])('%s', (_name, extra, reply) => {
    const r = flowOf({ ...base, ...extra });
    expect(r.isReply).toBe(reply);
    // Whatever the packet direction, the client is frontend and the port is the server's.
    const [client, server] = reply ? ['api', 'frontend'] : ['frontend', 'api'];
    expect(r.src).toMatchObject({ kind: 'workload', name: client });
    expect(r.dst).toMatchObject({ kind: 'workload', name: server });
    expect(r.port).toBe(8080);
    expect(r.clientPort).toBe(51000);
  });

  // The base endpoints both carry an ID (both on the observing node); a remote one has none.
  const remote = (end: typeof base.source) => ({ ...end, ID: undefined });
  it.each([
    // traffic_direction is relative to the local endpoint's connection: the client's node, or the
    // server's, whatever the packet's reply flag says (a wrong flag must not move it to the other end).
    ['EGRESS, a request: at the client', { is_reply: false, traffic_direction: 'EGRESS' }, 'unknown', 'client'],
    ['EGRESS, a reply: at the client', { is_reply: true, traffic_direction: 'EGRESS' }, 'unknown', 'client'],
    ['INGRESS, a request: at the server', { is_reply: false, traffic_direction: 'INGRESS' }, 'unknown', 'server'],
    ['INGRESS, a reply: at the server', { is_reply: true, traffic_direction: 'INGRESS' }, 'unknown', 'server'],
    [
      'TO_OVERLAY: leaving the sender, whatever the flags say',
      { is_reply: true, trace_observation_point: 'TO_OVERLAY' },
      'sender',
      undefined,
    ],
    [
      'TO_ENDPOINT: delivered to the receiver',
      { trace_observation_point: 'TO_ENDPOINT', traffic_direction: 'EGRESS' },
      'receiver',
      undefined,
    ],
    [
      'only the source is local (only it has an ID): its node sent it, whatever the flags',
      { destination: remote(base.destination), is_reply: true, traffic_direction: 'INGRESS' },
      'sender',
      undefined,
    ],
    ['only the destination is local', { source: remote(base.source), traffic_direction: 'EGRESS' }, 'receiver', undefined],
    [
      'both ends local, a proxy point: the direction',
      { trace_observation_point: 'TO_PROXY', traffic_direction: 'INGRESS' },
      'unknown',
      'server',
    ],
    ['nothing to tell', {}, 'unknown', undefined],
  ])('observer: %s', (_name, extra, observer, localEnd) => {
    const r = flowOf({ ...base, ...extra, l4: { TCP: { source_port: 51000, destination_port: 8080 } } });
    expect([r.observer, r.localEnd]).toEqual([observer, localEnd]);
  });
});

describe('hubbleEvent ICMP', () => {
  it.each([
    ['ICMPv4 echo request', 'ICMPv4', 8, false],
    ['ICMPv4 echo reply', 'ICMPv4', 0, true],
    ['ICMPv4 echo reply, its zero type left out by jsonpb', 'ICMPv4', undefined, true],
    ['ICMPv4 destination unreachable', 'ICMPv4', 3, true],
    ['ICMPv4 time exceeded', 'ICMPv4', 11, true],
    ['ICMPv6 echo request', 'ICMPv6', 128, false],
    ['ICMPv6 echo reply', 'ICMPv6', 129, true],
    ['ICMPv6 packet too big', 'ICMPv6', 2, true],
  ])('%s: keeps its type, and an answer travels server → client', (_name, proto, type, reply) => {
    const r = flowOf({ ...base, l4: { [proto]: type === undefined ? {} : { type, code: 0 } } });
    expect(r).toMatchObject({ protocol: proto, port: null, icmpType: type ?? 0, isReply: reply });
    // The sender of an answer is the server of what it answers.
    expect(r.dst).toMatchObject({ name: reply ? 'frontend' : 'api' });
  });
});

describe('hubbleEvent peers', () => {
  it('takes the namespace from the pod label when the field is missing, and ignores hash labels', () => {
    const noNs: Partial<typeof base.destination> = { ...base.destination };
    delete noNs.namespace;
    const r = flowOf({ ...base, destination: noNs, is_reply: false, l4: { TCP: { source_port: 40000, destination_port: 80 } } });
    expect(r.dst).toEqual({ kind: 'workload', namespace: 'shop', name: 'api', identity: { app: 'api' } });
    expect(r.dstLabels).toEqual({ app: 'api' });
  });

  it('prefers app.kubernetes.io/name over app', () => {
    const src = pod('shop', 'x', 'x-1', ['k8s:app.kubernetes.io/name=checkout']);
    const r = flowOf({ ...base, source: src, is_reply: false, l4: { UDP: { source_port: 40000, destination_port: 53 } } });
    expect(r.src).toMatchObject({ name: 'checkout', identity: { 'app.kubernetes.io/name': 'checkout' } });
    expect(r.protocol).toBe('UDP');
  });

  it.each([
    ['reserved:host', 'host'],
    ['reserved:remote-node', 'remote-node'],
    ['reserved:kube-apiserver', 'kube-apiserver'],
    ['reserved:health', 'health'],
    ['reserved:ingress', 'ingress'],
    ['reserved:init', 'init'],
    ['reserved:unmanaged', 'unmanaged'],
  ])('%s becomes an entity', (label, entity) => {
    const r = flowOf({
      ...base,
      destination: { identity: 1, labels: [label] },
      is_reply: false,
      l4: { TCP: { source_port: 40000, destination_port: 443 } },
    });
    expect(r.dst).toEqual({ kind: 'entity', entity });
  });

  it('keeps the IP of a world address and its destination_names', () => {
    const r = flowOf({
      ...base,
      IP: { source: '10.0.0.1', destination: '93.184.216.34' },
      destination: { identity: 2, labels: ['reserved:world'] },
      destination_names: ['example.com'],
      is_reply: false,
      l4: { TCP: { source_port: 40000, destination_port: 443 } },
    });
    expect(r.dst).toEqual({ kind: 'external', ip: '93.184.216.34' });
    expect(r.dstNames).toEqual(['example.com']);
  });

  it('names a label-less pod after its owner, never its pod hash', () => {
    const r = flowOf({
      ...base,
      source: { namespace: 'default', pod_name: 'deathstar-7848d6c4d5-th9v2' },
      is_reply: false,
      l4: { TCP: { source_port: 44916, destination_port: 80 } },
    });
    expect(r.src).toMatchObject({ kind: 'workload', name: 'deathstar' });
  });

  it('summarises DNS and HTTP L7 records', () => {
    const dns = flowOf({
      ...base,
      l4: { UDP: { source_port: 40000, destination_port: 53 } },
      l7: { type: 'RESPONSE', dns: { query: 'api.example.com.', ips: ['1.2.3.4'] } },
    });
    expect(dns.l7).toEqual({ kind: 'dns', query: 'api.example.com', ips: ['1.2.3.4'] });
    const http = flowOf({
      ...base,
      l4: { TCP: { source_port: 40000, destination_port: 80 } },
      l7: { type: 'REQUEST', http: { method: 'GET', url: 'http://api:80/v1/items?id=3' } },
    });
    expect(http.l7).toEqual({ kind: 'http', method: 'GET', path: '/v1/items' });
  });
});

describe('hubbleEvent fields with the wrong type or an impossible value', () => {
  const world = { identity: 2, labels: ['reserved:world'] };
  const syn = (sport: unknown, dport: unknown) => ({ TCP: { source_port: sport, destination_port: dport, flags: { SYN: true } } });

  it('an address that is not an IP is absent: the record stays, with its endpoints, and no address becomes a peer', () => {
    // The tester's badip.jsonl: a world destination "not-an-ip" became `ip:not-an-ip` (and a /32 ipBlock).
    const r = flowOf({ ...base, IP: { source: '10.0.0.1', destination: 'not-an-ip' }, destination: world, l4: syn(40000, 443) });
    expect(r.dst).toEqual({ kind: 'entity', entity: 'world' });
    expect(r.dstIp).toBeUndefined();
    expect(r.srcIp).toBe('10.0.0.1');
    expect(r.src).toMatchObject({ kind: 'workload', name: 'frontend' });
    expect(r.port).toBe(443);
  });

  it.each([
    ['a number', { source: 1, destination: {} }],
    ['an address with a prefix', { source: '10.0.0.1/24', destination: '10.0.0.2/32' }],
    ['an octet past 255', { source: '10.0.0.256', destination: '1.2.3' }],
    ['IPv6 with too many groups', { source: '1:2:3:4:5:6:7:8:9', destination: 'fe80::1::2' }],
  ])('addresses given as %s are absent, and the pods still name the ends', (_name, IP) => {
    const r = flowOf({ ...base, IP, l4: syn(40000, 8080) });
    expect([r.srcIp, r.dstIp]).toEqual([undefined, undefined]);
    expect([r.src, r.dst]).toMatchObject([{ name: 'frontend' }, { name: 'api' }]);
  });

  it('keeps addresses that are IPs, IPv6 included', () => {
    const r = flowOf({ ...base, IP: { source: 'fd00::1', destination: '::ffff:10.0.0.2' }, l4: syn(40000, 8080) });
    expect([r.srcIp, r.dstIp]).toEqual(['fd00::1', '::ffff:10.0.0.2']);
  });

  it.each([
    ['70000', 70000],
    ['-5', -5],
    ['8080.5', 8080.5],
    ['"8080"', '8080'],
    ['null', null],
  ])('a server port of %s is unknown, never a port no rule can name', (_name, dport) => {
    const r = flowOf({ ...base, l4: syn(40000, dport) });
    expect(r.port).toBe('unknown');
    expect(r.clientPort).toBe(40000);
    expect(r.src).toMatchObject({ name: 'frontend' });
  });

  it('a client port that is no port is left out; 0 and 65535 are ports', () => {
    expect(flowOf({ ...base, l4: syn('abc', 8080) }).clientPort).toBeUndefined();
    expect(flowOf({ ...base, l4: syn(65535, 0) })).toMatchObject({ clientPort: 65535, port: 0 });
  });

  it.each([
    ['labels that are a string', { namespace: 'shop', labels: 'k8s:app=api', pod_name: 'api-59bbf86d94-646hr' }, 'not-captured'],
    [
      'labels that hold numbers and null',
      { namespace: 'shop', labels: [1, null, 'k8s:app=api'], pod_name: 'api-59bbf86d94-646hr' },
      undefined,
    ],
    ['a pod name that is a number', { namespace: 'shop', labels: ['k8s:app=api'], pod_name: 7 }, undefined],
    ['workloads that are not objects', { namespace: 'shop', labels: ['k8s:app=api'], workloads: ['api', null] }, undefined],
  ])('an endpoint with %s keeps the fields that are right (never a TypeError)', (_name, destination, unlabelled) => {
    const r = flowOf({ ...base, destination, l4: syn(40000, 8080) });
    expect(r.dst).toMatchObject({ kind: 'workload', namespace: 'shop', name: 'api' });
    expect((r.dst as { unlabelled?: string }).unlabelled).toBe(unlabelled);
  });

  it("the tester's weird2.json and weird.json: read, not an internal error", () => {
    const weird2 = { time: 12345, l4: { TCP: {} }, source: { namespace: 'a', labels: 'k8s:app=x' }, destination: { labels: [1, 2, null] } };
    expect(flowOf(weird2)).toMatchObject({ protocol: 'TCP', port: 'unknown', src: { kind: 'entity', entity: 'unknown' } });
    const weird = {
      l4: { TCP: { source_port: 'abc', destination_port: -5 } },
      IP: { source: 1, destination: {} },
      source: 'x',
      destination: [1],
    };
    expect(flowOf(weird)).toMatchObject({ port: 'unknown', clientPort: undefined, srcIp: undefined, dstIp: undefined });
  });

  it('other fields of the wrong type are left out one by one', () => {
    const r = flowOf({
      ...base,
      l4: { TCP: { source_port: 40000, destination_port: 53, flags: 'SYN' } },
      destination_names: 'api.example.com',
      drop_reason_desc: 42,
      destination_service: { name: 7, namespace: 'shop' },
      l7: { type: 'REQUEST', dns: { query: 5, ips: 'x' }, http: { method: 'GET', url: 9 } },
      verdict: 3,
    });
    expect(r).toMatchObject({ port: 53, verdict: 'OTHER', dstNames: undefined, dropReason: undefined, dstService: undefined });
    expect(r.l7).toEqual({ kind: 'http', method: 'GET', path: '' });
    const dns = flowOf({ ...base, l4: syn(40000, 53), l7: { dns: { query: 'db.shop.', ips: ['10.0.0.9', 5] } } });
    expect(dns.l7).toEqual({ kind: 'dns', query: 'db.shop', ips: ['10.0.0.9'] });
  });

  it('an ICMP field that is not an object, or a type that is no ICMP type, is read without failing', () => {
    expect(hubbleEvent({ flow: { ...base, l4: { ICMPv4: null } } })).toMatchObject({ kind: 'skip', reason: 'no L4 protocol' });
    const r = flowOf({ ...base, l4: { ICMPv4: { type: 'echo' } } });
    expect(r).toMatchObject({ protocol: 'ICMPv4', port: null, src: { name: 'frontend' } });
  });
});

describe("the tester's files with bad field values", () => {
  it.each([
    ['badip.jsonl', ['shop/a->entity:world:443/TCP']],
    ['port70000.json', ['shop/a->shop/b:unknown/TCP']],
    ['weird2.json', ['entity:unknown->entity:unknown:unknown/TCP']],
  ])('%s is read without a bad line, and no value that is none becomes a peer or a port', async (name, edges) => {
    const { analyzeText } = await import('../graph/analysis');
    const { readFixture } = await import('../testing/fixtures');
    const a = analyzeText(readFixture('tester', name), name);
    expect(a.stats.badLines).toBe(0);
    expect(a.graph.edges.map((e) => e.key)).toEqual(edges);
    expect(a.graph.nodes.some((n) => n.kind === 'external')).toBe(false);
  });
});

describe('hubbleEvent non-flows', () => {
  it('counts node_status and lost_events', () => {
    expect(hubbleEvent({ node_status: { state_change: 'NODE_CONNECTED' }, time: '2024-01-01T00:00:00Z' }).kind).toBe('node-status');
    expect(hubbleEvent({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '12' } })).toEqual({
      kind: 'lost-events',
      count: 12,
      source: 'HUBBLE_RING_BUFFER',
    });
  });

  it('rejects objects that are not flows', () => {
    expect(() => hubbleEvent({ flow: { foo: 1 } })).toThrow(/not a Hubble flow/);
  });
});

describe('one decoder per read', () => {
  it('two captures read in one process do not share what an identity means', async () => {
    const { analyzeText } = await import('../graph/analysis');
    // The same Cilium identity number and pod name mean different labels in two clusters.
    const line = (app: string) =>
      JSON.stringify({
        flow: {
          ...base,
          is_reply: false,
          l4: { TCP: { source_port: 40000, destination_port: 80, flags: { SYN: true } } },
          source: { ...pod('shop', app, 'web-59bbf86d94-646hr'), identity: 31337 },
        },
      });
    expect(analyzeText(line('cart'), 'a.json').graph.nodes.map((n) => n.id)).toContain('shop/cart');
    expect(analyzeText(line('billing'), 'b.json').graph.nodes.map((n) => n.id)).toContain('shop/billing');
  });
});

describe('policy attribution (Cilium ≥ 1.15)', () => {
  it('reads the policies that allowed or denied a flow, and the match type, into the edge', async () => {
    const { analyzeText } = await import('../graph/analysis');
    const flow = {
      ...base,
      is_reply: false,
      l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } },
      policy_match_type: 2,
      ingress_allowed_by: [{ name: 'allow-frontend', namespace: 'shop', kind: 'CiliumNetworkPolicy', revision: 7 }],
      egress_allowed_by: [{ name: 'frontend-egress', namespace: 'shop', kind: 'NetworkPolicy' }],
    };
    const denied = {
      ...flow,
      verdict: 'DROPPED',
      policy_match_type: undefined,
      ingress_allowed_by: undefined,
      egress_allowed_by: undefined,
      ingress_denied_by: [{ name: 'deny-all', kind: 'CiliumClusterwideNetworkPolicy' }],
    };
    const text = [flow, flow, denied].map((f) => JSON.stringify({ flow: f })).join('\n');
    const [edge] = analyzeText(text, 'x.json').graph.edges;
    expect(edge.evidence.attribution).toEqual({
      enforced: [
        { policy: 'shop/allow-frontend', kind: 'CiliumNetworkPolicy', direction: 'ingress', action: 'allow', count: 2 },
        { policy: 'shop/frontend-egress', kind: 'NetworkPolicy', direction: 'egress', action: 'allow', count: 2 },
        { policy: 'deny-all', kind: 'CiliumClusterwideNetworkPolicy', direction: 'ingress', action: 'deny', count: 1 },
      ],
      pending: [],
      pendingActions: {},
      matchTypes: { 'L3-L4': 2 },
    });
  });
});
