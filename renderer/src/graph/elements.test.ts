import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Protocol, Verdict } from '../../../shared/flows/types';
import { analyzeText } from '../../../shared/graph/analysis';
import type { Selection } from '../../../shared/graph/selection';
import type { EdgeEvidence, GraphEdge, GraphNode, ServiceGraph } from '../../../shared/graph/types';
import { forwardedEvidence } from '../../../shared/testing/evidence';
import { ROOT } from '../../../shared/testing/fixtures';
import type { Point } from './detours';
import { FLAT_NAMESPACES_EDGES, graphElements, islandFontSize, isClusterDns, type ElementData } from './elements';
import { edgeMatcher, NO_FILTER } from './filter';
import { islandLayout } from './islands';
import { namespaceBoxes } from './route';

/** Evidence with what the drawing reads (flows, verdicts, connections whose direction nothing settled). */
function evidence(flows: number, verdicts: Partial<Record<Verdict, number>>, uncertain = 0): EdgeEvidence {
  const base = forwardedEvidence(flows, flows);
  return { ...base, verdicts, direction: uncertain > 0 ? { basis: {}, uncertain } : base.direction };
}

const edge = (source: string, target: string, port: number | null, protocol: Protocol, ev: EdgeEvidence): GraphEdge => ({
  key: `${source}->${target}:${port ?? '*'}/${protocol}`,
  source,
  target,
  protocol,
  port,
  evidence: ev,
});

const workload = (ns: string, name: string, extra: Partial<GraphNode> = {}): GraphNode => ({
  id: `${ns}/${name}`,
  kind: 'workload',
  label: name,
  namespace: ns,
  identity: { app: name },
  ...extra,
});

// shop/web talks to its database, to kube-dns (DNS and metrics), to an address outside the cluster
// (some of it dropped), to a Service nothing resolved and over ICMP to the public network; the world
// was dropped on its way in; mid/a was seen by an audit policy; the host's probes are noise.
const nodes: GraphNode[] = [
  workload('shop', 'web'),
  workload('shop', 'db', { identity: {}, unlabelled: 'none' }),
  workload('mid', 'a'),
  workload('kube-system', 'coredns-x', { label: 'coredns-x', identity: { 'k8s-app': 'kube-dns' } }),
  { id: 'entity:world', kind: 'entity', label: 'world', entity: 'world' },
  { id: 'entity:host', kind: 'entity', label: 'host', entity: 'host' },
  { id: 'ip:203.0.113.7', kind: 'external', label: '203.0.113.7', ip: '203.0.113.7' },
  { id: 'service:shop/payments', kind: 'service', label: 'payments', namespace: 'shop' },
  { id: 'net:public', kind: 'network', label: 'public', scope: 'public' },
];
const E = {
  db: edge('shop/web', 'shop/db', 5432, 'TCP', evidence(100, { FORWARDED: 100 })),
  world: edge('entity:world', 'shop/web', 443, 'TCP', evidence(1, { DROPPED: 1 })),
  out: edge('shop/web', 'ip:203.0.113.7', 443, 'TCP', evidence(10, { FORWARDED: 8, DROPPED: 2 })),
  host: edge('entity:host', 'shop/web', 8080, 'TCP', evidence(400, { FORWARDED: 400 })),
  dns: edge('shop/web', 'kube-system/coredns-x', 53, 'UDP', evidence(25, { FORWARDED: 25 })),
  metrics: edge('shop/web', 'kube-system/coredns-x', 9153, 'TCP', evidence(4, { FORWARDED: 4 })),
  audit: edge('mid/a', 'shop/db', 5432, 'TCP', evidence(4, { AUDIT: 4 })),
  service: edge('shop/web', 'service:shop/payments', 80, 'TCP', evidence(9, { FORWARDED: 9 }, 3)),
  icmp: edge('shop/web', 'net:public', null, 'ICMPv4', evidence(1, { FORWARDED: 1 })),
};
const graph: ServiceGraph = {
  nodes,
  edges: Object.values(E),
  namespaces: ['kube-system', 'mid', 'shop'],
  window: null,
  warnings: [],
};
const none: Selection = { pruned: new Map() };
/** Where each node is drawn: apart, so that no edge runs through a node or a namespace it does not join. */
const spread = new Map<string, Point>([
  ['shop/web', { x: 0, y: 0 }],
  ['shop/db', { x: 0, y: 150 }],
  ['mid/a', { x: -400, y: 150 }],
  ['kube-system/coredns-x', { x: 400, y: 0 }],
  ['entity:world', { x: -400, y: -200 }],
  ['entity:host', { x: 0, y: -300 }],
  ['ip:203.0.113.7', { x: 400, y: -300 }],
  ['service:shop/payments', { x: -200, y: -400 }],
  ['net:public', { x: 400, y: 300 }],
]);

const byId = (els: readonly ElementData[], id: string): ElementData => {
  const el = els.find((e) => e.data.id === id);
  if (!el) throw new Error(`no element ${id}`);
  return el;
};
const ids = (els: readonly ElementData[], group: 'nodes' | 'edges'): string[] =>
  els.filter((e) => e.group === group).map((e) => String(e.data.id));

describe('graphElements on a small graph', () => {
  const els = graphElements(graph, none, { hideNoise: false, positions: spread });

  it('one node per namespace (named, no parent), each workload inside its own, other kinds outside any', () => {
    const boxes = els.filter((e) => e.classes === 'namespace');
    expect(boxes.map((b) => b.data)).toEqual([
      { id: 'ns:kube-system', label: 'kube-system' },
      { id: 'ns:mid', label: 'mid' },
      { id: 'ns:shop', label: 'shop' },
    ]);
    expect(byId(els, 'shop/web').data).toEqual({ id: 'shop/web', label: 'web', parent: 'ns:shop' });
    expect(byId(els, 'kube-system/coredns-x').data.parent).toBe('ns:kube-system');
    // A Service frontend carries a namespace, but is no workload: it is drawn outside the box.
    for (const id of ['entity:world', 'ip:203.0.113.7', 'service:shop/payments', 'net:public'])
      expect(byId(els, id).data.parent).toBeUndefined();
  });

  it('every parent comes before its children (Cytoscape adds compound nodes in order)', () => {
    const at = new Map(els.map((e, i) => [String(e.data.id), i]));
    for (const e of els) if (e.data.parent !== undefined) expect(at.get(String(e.data.parent))).toBeLessThan(at.get(String(e.data.id))!);
  });

  it('a class per kind of node, unlabelled workloads marked', () => {
    expect(
      Object.fromEntries(els.filter((e) => e.group === 'nodes' && e.classes !== 'namespace').map((e) => [e.data.id, e.classes])),
    ).toEqual({
      'shop/web': 'workload',
      'shop/db': 'workload unlabelled',
      'mid/a': 'workload',
      'kube-system/coredns-x': 'workload',
      'entity:world': 'entity entity-world',
      'entity:host': 'entity entity-host',
      'ip:203.0.113.7': 'external',
      'service:shop/payments': 'service',
      'net:public': 'external network',
    });
  });

  it('nodes sit where the layout put them; edges clear of other nodes and boxes are drawn as Cytoscape curves them', () => {
    for (const n of nodes) expect(byId(els, n.id).position).toEqual(spread.get(n.id));
    for (const e of els.filter((x) => x.group === 'edges')) {
      expect(e.data.bend).toBeUndefined();
      expect(e.data.segD).toBeUndefined();
    }
  });

  it('edges join their nodes, labelled port/protocol (the protocol alone without a port)', () => {
    expect(byId(els, E.db.key).data).toMatchObject({ source: 'shop/web', target: 'shop/db', label: '5432/TCP' });
    expect(byId(els, E.dns.key).data.label).toBe('53/UDP');
    expect(byId(els, E.icmp.key).data.label).toBe('ICMPv4');
  });

  it('classes say the verdict: forwarded, dropped, audit, some dropped, a guessed direction', () => {
    expect(byId(els, E.db.key).classes).toBe('forwarded');
    expect(byId(els, E.world.key).classes).toBe('dropped');
    expect(byId(els, E.audit.key).classes).toBe('audit');
    expect(byId(els, E.out.key).classes).toBe('forwarded some-dropped');
    expect(byId(els, E.service.key).classes).toBe('forwarded uncertain');
  });

  it('pruned edges are marked pruned whatever their verdict; the diff highlight marks exactly what it names', () => {
    const selection: Selection = {
      pruned: new Map([
        [E.db.key, { by: 'user' as const }],
        [E.world.key, { by: 'dropped' as const }],
      ]),
    };
    const marked = graphElements(graph, selection, { hideNoise: false, positions: spread, highlight: new Set([E.audit.key]) });
    expect(byId(marked, E.db.key).classes).toBe('forwarded pruned');
    expect(byId(marked, E.world.key).classes).toBe('dropped pruned');
    expect(byId(marked, E.audit.key).classes).toBe('audit highlight');
    expect(marked.filter((e) => e.classes.includes('pruned')).map((e) => e.data.id)).toEqual([E.db.key, E.world.key]);
  });

  it('widths grow with flows against the busiest edge of the whole graph; a dropped edge is never hairline', () => {
    // The host's 400 flows set the scale, even while the host is hidden: widths do not jump on a toggle.
    const hidden = graphElements(graph, none, { hideNoise: true, positions: spread });
    expect(byId(els, E.host.key).data.width).toBe(6);
    expect(byId(els, E.db.key).data.width).toBe(3.5);
    expect(byId(hidden, E.db.key).data.width).toBe(3.5);
    // One dropped flow of 400 would be 1.25 px wide.
    expect(byId(els, E.world.key).data.width).toBe(2.5);
    expect(byId(els, E.out.key).data.width).toBe(2.5);
  });
});

describe('what graphElements leaves out', () => {
  it("hides the nodes' own traffic (host, health, remote-node) and its edges on request", () => {
    const els = graphElements(graph, none, { hideNoise: true, positions: spread });
    expect(ids(els, 'nodes')).not.toContain('entity:host');
    expect(ids(els, 'edges')).not.toContain(E.host.key);
    expect(ids(els, 'nodes')).toContain('entity:world');
  });

  it('hides the lookups to the cluster DNS on port 53 only, as Hubble UI does', () => {
    const shown = ids(graphElements(graph, none, { hideNoise: false, hideDns: true, positions: spread }), 'edges');
    expect(ids(graphElements(graph, none, { hideNoise: false, positions: spread }), 'edges').filter((k) => !shown.includes(k))).toEqual([
      E.dns.key,
    ]);
  });

  it('recognises the cluster DNS by k8s-app, app.kubernetes.io/name or its name, and nothing else', () => {
    expect(isClusterDns(workload('kube-system', 'x', { identity: { 'k8s-app': 'kube-dns' } }))).toBe(true);
    expect(isClusterDns(workload('kube-system', 'x', { identity: { 'app.kubernetes.io/name': 'coredns' } }))).toBe(true);
    expect(isClusterDns(workload('kube-system', 'coredns', { identity: {} }))).toBe(true);
    expect(isClusterDns(workload('shop', 'dns-cache'))).toBe(false);
    expect(isClusterDns({ id: 'entity:host', kind: 'entity', label: 'kube-dns' })).toBe(false);
  });

  it('with a filter, only its edges, the nodes they touch and the namespaces holding those', () => {
    const match = edgeMatcher(graph, { ...NO_FILTER, namespace: 'mid' });
    const els = graphElements(graph, none, { hideNoise: false, positions: spread, match });
    expect(ids(els, 'edges')).toEqual([E.audit.key]);
    expect(ids(els, 'nodes')).toEqual(['ns:mid', 'ns:shop', 'shop/db', 'mid/a']);
  });
});

describe('edges kept clear of what they do not join', () => {
  // shop/web, then mid, then the address outside the cluster, on one line away from the rest.
  const positions = new Map<string, Point>([...spread, ['mid/a', { x: -300, y: -600 }], ['ip:203.0.113.7', { x: -600, y: -1200 }]]);

  it("an edge whose straight line crosses a third namespace's box is routed round it, past the box", () => {
    const els = graphElements(graph, none, { hideNoise: true, positions });
    const out = byId(els, E.out.key);
    expect(out.classes).toBe('forwarded some-dropped routed');
    const d = String(out.data.segD).split(' ').map(Number);
    const w = String(out.data.segW).split(' ').map(Number);
    expect(d).toHaveLength(2);
    // Two points on one side of the line, both farther from it than any corner of mid's box on that side.
    const box = namespaceBoxes([{ id: 'mid/a', namespace: 'mid', label: 'a' }], positions).get('mid')!;
    const a = positions.get('shop/web')!;
    const b = positions.get('ip:203.0.113.7')!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const across = (x: number, y: number): number => ((x - a.x) * -(b.y - a.y) + (y - a.y) * (b.x - a.x)) / len;
    const corners = [across(box.x1, box.y1), across(box.x2, box.y1), across(box.x2, box.y2), across(box.x1, box.y2)];
    const side = Math.sign(d[0]);
    expect(Math.sign(d[1])).toBe(side);
    for (const x of d) expect(x * side).toBeGreaterThan(Math.max(...corners.map((c) => c * side)));
    // Along the line, in order, both inside it.
    expect(0 < w[0] && w[0] < w[1] && w[1] < 1).toBe(true);
    // Edges that cross no foreign box are not routed.
    for (const e of els.filter((x) => x.group === 'edges' && x.data.id !== E.out.key)) expect(e.classes).not.toContain('routed');
  });

  it('edges through another node bend round it, the edges of one pair fanned to one side', () => {
    // kube-dns below the database: web's two edges to it would run through db.
    const stacked = new Map<string, Point>([
      ...spread,
      ['shop/web', { x: 0, y: 0 }],
      ['shop/db', { x: 0, y: 150 }],
      ['kube-system/coredns-x', { x: 0, y: 300 }],
    ]);
    const els = graphElements(graph, none, { hideNoise: true, positions: stacked });
    const [dns, metrics] = [byId(els, E.dns.key), byId(els, E.metrics.key)];
    expect(dns.classes).toBe('forwarded detour');
    expect(metrics.classes).toBe('forwarded detour');
    const [a, b] = [Number(dns.data.bend), Number(metrics.data.bend)];
    expect(Math.abs(a)).toBeGreaterThan(26);
    expect(Math.sign(a)).toBe(Math.sign(b));
    expect(Math.abs(Math.abs(b) - Math.abs(a))).toBe(16);
    expect(byId(els, E.db.key).data.bend).toBeUndefined();
  });
});

describe('graph elements on the sample capture', () => {
  const { graph: sample } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');

  it('namespaces are compound nodes, workloads inside, noise hidden on request', () => {
    const els = graphElements(
      sample,
      { pruned: new Map([['bookinfo/reviews->bookinfo/ratings:9080/TCP', { by: 'user' }]]) },
      { hideNoise: true },
    );
    const found = els.filter((n) => n.classes === 'namespace').map((n) => n.data.id);
    expect(found).toEqual(['ns:bookinfo', 'ns:jaeger', 'ns:kube-system']);
    expect(byId(els, 'bookinfo/details').data.parent).toBe('ns:bookinfo');
    expect(ids(els, 'nodes')).not.toContain('entity:host');
    expect(byId(els, 'bookinfo/reviews->bookinfo/ratings:9080/TCP')).toMatchObject({
      data: { label: '9080/TCP' },
      classes: 'forwarded pruned',
    });
  });

  it('puts nodes where a workspace says the user dragged them, and ignores nodes the graph lacks', () => {
    const base = islandLayout(sample);
    const moved = islandLayout(sample, { 'bookinfo/details': { x: -500, y: 42 }, 'gone/x': { x: 1, y: 1 } });
    expect(moved.get('bookinfo/details')).toEqual({ x: -500, y: 42 });
    expect(moved.has('gone/x')).toBe(false);
    expect(moved.get('bookinfo/reviews')).toEqual(base.get('bookinfo/reviews'));
  });

  it('lays 2,000 workloads out by namespace without overlaps', () => {
    const many = Array.from({ length: 2000 }, (_, i) => workload(`ns-${i % 50}`, `w${i}`));
    const pos = islandLayout({
      nodes: many,
      edges: [],
      namespaces: [...new Set(many.map((n) => n.namespace!))],
      window: null,
      warnings: [],
    });
    expect(new Set([...pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(2000);
  });
});

describe('a big graph', () => {
  const many = Array.from({ length: 400 }, (_, i) => workload(`ns-${i % 8}`, `w${i}`));
  const edges = Array.from({ length: FLAT_NAMESPACES_EDGES + 200 }, (_, i) =>
    edge(many[i % 400].id, many[(i * 7 + 1) % 400].id, 8000 + (i % 50), 'TCP', evidence(1, { FORWARDED: 1 })),
  );
  const big: ServiceGraph = { nodes: many, edges, namespaces: [...new Set(many.map((n) => n.namespace!))], window: null, warnings: [] };
  const els = graphElements(big, none, { hideNoise: true });

  it('draws its namespaces as boxes around their workloads, not as compound parents', () => {
    const boxes = els.filter((e) => e.classes.includes('namespace'));
    expect(boxes).toHaveLength(8);
    expect(boxes.every((b) => b.classes === 'namespace flat')).toBe(true);
    expect(els.filter((e) => e.group === 'nodes' && e.data.parent !== undefined)).toEqual([]);
    for (const b of boxes) {
      const ns = String(b.data.label);
      const w = Number(b.data.w);
      const h = Number(b.data.h);
      for (const n of els.filter((e) => e.group === 'nodes' && String(e.data.id).startsWith(`${ns}/`))) {
        expect(Math.abs(n.position!.x - b.position!.x)).toBeLessThan(w / 2);
        expect(Math.abs(n.position!.y - b.position!.y)).toBeLessThan(h / 2);
      }
    }
  });

  it('names each island with its namespace, as wide as its box (never smaller than a workload name), so the name shows whenever the box does', () => {
    for (const b of els.filter((e) => e.classes === 'namespace flat')) {
      const fs = Number(b.data.fs);
      expect(fs).toBe(islandFontSize(String(b.data.label), Number(b.data.w)));
      expect(fs).toBeGreaterThan(13);
      // About 0.6 em a character: the name spans the box's width.
      expect(fs * 0.62 * String(b.data.label).length).toBeLessThanOrEqual(Number(b.data.w) + fs);
    }
    expect(islandFontSize('a-namespace', 10)).toBe(13);
  });

  it('draws its edges straight: no bends, no routes', () => {
    expect(els.filter((e) => e.group === 'edges' && (e.data.bend !== undefined || e.data.segD !== undefined))).toEqual([]);
  });
});
