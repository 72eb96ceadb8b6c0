// Workloads as the graph names and selects them: two Helm releases of one chart (the tester's I1),
// and one selector that gathers the pods of two workloads (the tester's I4).
import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures';
import { db, ep, flow } from '../testing/mixed-capture';
import { analyzeText } from './analysis';
import { GraphBuilder } from './builder';
import { HubbleDecoder } from '../flows/hubble';
import type { FlowRecord } from '../flows/types';

function graphOf(text: string) {
  const a = analyzeText(text, 'capture.jsonl');
  expect(a.stats.badLines).toBe(0);
  return a.graph;
}

const helm = (instance: string, component: string, pod: string) => ({
  namespace: 'shop',
  labels: [
    'k8s:app.kubernetes.io/name=postgresql',
    `k8s:app.kubernetes.io/instance=${instance}`,
    `k8s:app.kubernetes.io/component=${component}`,
    'k8s:io.kubernetes.pod.namespace=shop',
  ],
  pod_name: pod,
});
const api = ep('shop', 'api', 'api-6f7d9c5b8d-x7k2p');
const toDb = (dst: object, dstIp: string, t: string, sport: number) =>
  flow({ t: `2026-11-01T09:00:0${t}Z`, src: api, dst, srcIp: '10.0.0.1', dstIp, proto: 'TCP', sport, dport: 5432 });

describe('two installations of one application', () => {
  it("the tester's I1: two Helm releases of postgresql are two workloads, each selected by its instance", () => {
    const graph = graphOf(readFixture('tester', 'id-I1-helm-two-releases.jsonl'));
    expect(graph.edges.map((e) => e.key)).toEqual([
      'shop/billing-api->shop/billing-db-postgresql:5432/TCP',
      'shop/orders-api->shop/orders-db-postgresql:5432/TCP',
    ]);
    expect(graph.nodes.find((n) => n.id === 'shop/orders-db-postgresql')?.identity).toEqual({
      'app.kubernetes.io/name': 'postgresql',
      'app.kubernetes.io/instance': 'orders-db',
      'app.kubernetes.io/component': 'primary',
    });
    expect(graph.warnings.map((w) => w.code)).not.toContain('shared-selector');
  });

  it('one release with a primary and a read replica: two workloads of one name, told apart by their component', () => {
    const graph = graphOf(
      [
        toDb(helm('orders-db', 'primary', 'orders-db-postgresql-0'), '10.0.0.5', '0', 41000),
        toDb(helm('orders-db', 'read', 'orders-db-postgresql-read-0'), '10.0.0.6', '1', 41001),
      ].join('\n'),
    );
    expect(graph.edges.map((e) => e.target)).toEqual([
      'shop/orders-db-postgresql[app.kubernetes.io/component=primary,app.kubernetes.io/instance=orders-db,app.kubernetes.io/name=postgresql]',
      'shop/orders-db-postgresql[app.kubernetes.io/component=read,app.kubernetes.io/instance=orders-db,app.kubernetes.io/name=postgresql]',
    ]);
  });
});

describe('one selector, the pods of two workloads', () => {
  it("the tester's I4: app=api on api and api-canary is one node, and the warning names both owners", () => {
    const graph = graphOf(readFixture('tester', 'id-I4-shared.jsonl'));
    const w = graph.warnings.filter((x) => x.code === 'shared-selector');
    expect(w.map((x) => x.subjects)).toEqual([['shop/web', 'shop/web-canary'], ['shop/api']]);
    expect(w[1].message).toMatch(/^shop\/api gathers the pods of 2 workloads \(api, api-canary\) under one selector \(app=api\)/);
  });

  const web = (pod: string) => ep('shop', 'web', pod);
  const lines = (pods: string[]) =>
    pods.map((pod, i) =>
      flow({
        t: `2026-11-01T09:00:0${i}Z`,
        src: web(pod),
        dst: db,
        srcIp: `10.0.0.${i + 1}`,
        dstIp: '10.0.0.9',
        proto: 'TCP',
        sport: 41000 + i,
        dport: 5432,
      }),
    );

  it('web and web-canary under app=web: warned; two ReplicaSets of one Deployment (a rollout): not', () => {
    const canary = graphOf(lines(['web-6f7d9c5b8d-x7k2p', 'web-canary-7c8d9f6b5d-b8m2q']).join('\n'));
    expect(canary.warnings.find((x) => x.code === 'shared-selector')?.message).toContain('(web, web-canary)');
    const rollout = graphOf(lines(['web-6f7d9c5b8d-x7k2p', 'web-7c8d9f6b5d-b8m2q', 'web-7c8d9f6b5d-z9x8w']).join('\n'));
    expect(rollout.warnings.map((x) => x.code)).not.toContain('shared-selector');
  });

  it('the owners seen by worker parts add up on the main thread', () => {
    const decoder = new HubbleDecoder();
    const records = lines(['web-6f7d9c5b8d-x7k2p', 'web-canary-7c8d9f6b5d-b8m2q']).map(
      (l) => (decoder.decode(JSON.parse(l) as Record<string, unknown>) as { record: FlowRecord }).record,
    );
    const counts = { badLines: 0, lostEvents: 0, truncatedLastLine: false };
    const main = new GraphBuilder();
    main.add(records[0]);
    const part = new GraphBuilder({ part: true });
    part.add(records[1]);
    main.merge(structuredClone(part.partial()));
    expect(main.build('hubble-jsonpb', counts).warnings.find((x) => x.code === 'shared-selector')?.subjects).toEqual(['shop/web']);
  });
});
