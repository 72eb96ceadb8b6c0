import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { isKept } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import { readFixture, ROOT } from '../../../shared/testing/fixtures';
import type { DraftRun } from '../../../shared/ai/run';
import { graphElements } from '../graph/elements';
import { islandLayout } from '../graph/islands';
import { EMPTY_WORKBENCH, edgesOfNode, edgesOutsideNamespace, workbenchReducer, workspaceOf } from './workbench';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');

describe('workbench state', () => {
  it('loads with dropped edges pruned and a default scope, and undoes/redoes every prune', () => {
    let s = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    expect(s.namespaces).toEqual(['bookinfo', 'jaeger']);
    const key = 'bookinfo/ratings->bookinfo/productpage:9080/TCP';
    s = workbenchReducer(s, { type: 'select', edges: [key] });
    s = workbenchReducer(s, { type: 'reason', text: '  not in the design ' });
    s = workbenchReducer(s, { type: 'toggle-prune' });
    expect(isKept(s.selection, key)).toBe(false);
    expect(s.selection.pruned.get(key)?.reason).toBe('not in the design');
    // The prune used the reason up: the next one starts with an empty field.
    expect(s.reason).toBe('');
    s = workbenchReducer(s, { type: 'undo' });
    expect(isKept(s.selection, key)).toBe(true);
    s = workbenchReducer(s, { type: 'redo' });
    expect(isKept(s.selection, key)).toBe(false);
    s = workbenchReducer(s, { type: 'toggle-prune' });
    expect(isKept(s.selection, key)).toBe(true);
    expect(s.undo).toHaveLength(2);
    expect(s.redo).toHaveLength(0);
  });

  it('toggles nothing without a selection, but still clears the reason typed', () => {
    const loaded = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    expect(workbenchReducer(loaded, { type: 'toggle-prune' })).toBe(loaded);
    const s = workbenchReducer(workbenchReducer(loaded, { type: 'reason', text: 'x' }), { type: 'toggle-prune' });
    expect(s.reason).toBe('');
    expect(s.selection).toBe(loaded.selection);
    expect(s.undo).toHaveLength(0);
  });

  it('restores a saved workspace: pruning with reasons, options, positions, notes; what the graph lacks is dropped', () => {
    const key = 'bookinfo/ratings->bookinfo/productpage:9080/TCP';
    const s = workbenchReducer(EMPTY_WORKBENCH, {
      type: 'restore',
      graph,
      workspace: {
        selection: {
          version: 1,
          pruned: [
            { edge: key, by: 'user', reason: 'not in the design' },
            { edge: 'gone->x:1/TCP', by: 'user' },
          ],
        },
        options: { namespaces: ['bookinfo', 'nope'], defaultDeny: false, portRanges: true, flavor: 'cilium' },
        notes: 'ask the payments team',
        positions: { 'bookinfo/details': { x: 1, y: 2 } },
      },
    });
    expect([...s.selection.pruned]).toEqual([[key, { by: 'user', reason: 'not in the design' }]]);
    expect(s.namespaces).toEqual(['bookinfo']);
    expect(s).toMatchObject({ defaultDeny: false, portRanges: true, flavor: 'cilium', notes: 'ask the payments team' });
    expect(s.moved).toEqual({ 'bookinfo/details': { x: 1, y: 2 } });
    expect(s.undo).toHaveLength(0);
    expect(s.aiRun).toBeUndefined();
  });

  it('what it saves is what it restores, and options, drags and AI runs each land in the workspace', () => {
    let s = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    s = workbenchReducer(s, { type: 'prune-edges', edges: ['bookinfo/reviews->bookinfo/ratings:9080/TCP'], reason: 'retired' });
    s = workbenchReducer(s, { type: 'port-ranges', on: true });
    s = workbenchReducer(s, { type: 'flavor', flavor: 'cilium' });
    s = workbenchReducer(s, { type: 'default-deny', on: false });
    s = workbenchReducer(s, { type: 'moved', positions: { 'bookinfo/details': { x: 5, y: 6 } } });
    s = workbenchReducer(s, { type: 'moved', positions: { 'bookinfo/reviews': { x: 7, y: 8 } } });
    s = workbenchReducer(s, { type: 'moved', positions: { 'bookinfo/details': { x: 9, y: 9 } } });
    const ws = workspaceOf(s);
    expect(ws.options).toEqual({ namespaces: ['bookinfo', 'jaeger'], defaultDeny: false, portRanges: true, flavor: 'cilium' });
    expect(ws.positions).toEqual({ 'bookinfo/details': { x: 9, y: 9 }, 'bookinfo/reviews': { x: 7, y: 8 } });
    expect(ws.aiRuns).toBeUndefined();
    const back = workbenchReducer(EMPTY_WORKBENCH, { type: 'restore', graph, workspace: ws });
    expect(workspaceOf(back)).toEqual(ws);
    expect(back.selection).toEqual(s.selection);
    // Nothing dragged, nothing said about positions.
    expect(workspaceOf(workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph })).positions).toBeUndefined();
  });

  it('keeps every AI run (the newest 200) and the newest one with its review; a restored run is reviewed again', () => {
    const run = (i: number): DraftRun => ({
      id: `run-${i}`,
      time: '2026-01-01T00:00:00Z',
      model: 'sample-good',
      endpoint: '127.0.0.1',
      promptSha256: 'a'.repeat(64),
      namespaces: ['bookinfo'],
      allowExternalIps: false,
      sentEdges: 9,
      omittedEdges: [],
      tokens: {},
      reply: readFixture('ai', 'replies', 'sample-good.md'),
    });
    let s = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    for (let i = 0; i < 201; i++) s = workbenchReducer(s, { type: 'ai-run', run: run(i) });
    expect(s.aiRuns).toHaveLength(200);
    expect(s.aiRuns[0].id).toBe('run-1');
    expect(s.aiRun?.id).toBe('run-200');
    s = workbenchReducer(s, { type: 'ai-take', take: { model: 'sample-good', reply: run(200).reply, tokens: {}, take: 'draft' } });
    expect(workspaceOf(s).aiTaken?.take).toBe('draft');
    const back = workbenchReducer(EMPTY_WORKBENCH, { type: 'restore', graph, workspace: workspaceOf(s) });
    expect(back.aiRun?.id).toBe('run-200');
    expect(back.aiRun?.review?.verdict).toBe('errors');
    expect(back.aiTaken).toEqual(s.aiTaken);
    expect(workbenchReducer(back, { type: 'ai-take', take: undefined }).aiTaken).toBeUndefined();
  });
});

describe('pruning whole parts', () => {
  it('prunes all edges of a node in one undoable step, with the reason on each', () => {
    let s = workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph });
    const edges = edgesOfNode(graph, 'bookinfo/ratings');
    expect(edges.length).toBeGreaterThan(1);
    expect(edges.every((k) => k.startsWith('bookinfo/ratings->') || k.includes('->bookinfo/ratings:'))).toBe(true);
    s = workbenchReducer(s, { type: 'prune-edges', edges, reason: 'ratings is retired' });
    expect(edges.every((k) => !isKept(s.selection, k) && s.selection.pruned.get(k)?.reason !== undefined)).toBe(true);
    expect(s.undo).toHaveLength(1);
    s = workbenchReducer(s, { type: 'undo' });
    expect(edges.filter((k) => !isKept(s.selection, k))).toEqual(
      edges.filter((k) => !isKept(workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph }).selection, k)),
    );
  });

  it('"keep only this namespace" prunes the edges that neither start nor end in it, and keeps its border traffic', () => {
    const outside = edgesOutsideNamespace(graph, 'bookinfo');
    expect(outside.length).toBeGreaterThan(0);
    for (const k of outside) expect(k.includes('bookinfo/')).toBe(false);
    // bookinfo's DNS lookups cross into kube-system and stay.
    expect(outside).not.toContain('bookinfo/productpage->kube-system/kube-dns:53/UDP');
    const s = workbenchReducer(workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph }), { type: 'prune-edges', edges: outside });
    expect(
      graph.edges
        .filter((e) => isKept(s.selection, e.key))
        .every((e) => e.source.startsWith('bookinfo/') || e.target.startsWith('bookinfo/')),
    ).toBe(true);
  });

  it('from the edge inspector, the reason typed wins over the default and is used up; from the node inspector it stays', () => {
    const edges = edgesOfNode(graph, 'bookinfo/ratings');
    let s = workbenchReducer(workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph }), { type: 'reason', text: 'typed' });
    const fromNode = workbenchReducer(s, { type: 'prune-edges', edges, reason: 'all edges of bookinfo/ratings' });
    expect(fromNode.selection.pruned.get(edges[0])?.reason).toBe('all edges of bookinfo/ratings');
    expect(fromNode.reason).toBe('typed');
    s = workbenchReducer(s, { type: 'prune-edges', edges, reason: 'all edges of bookinfo/ratings', typedReason: true });
    expect(s.selection.pruned.get(edges[0])?.reason).toBe('typed');
    expect(s.reason).toBe('');
    // Nothing typed: the default.
    s = workbenchReducer(workbenchReducer(s, { type: 'undo' }), { type: 'prune-edges', edges, reason: 'default', typedReason: true });
    expect(s.selection.pruned.get(edges[0])?.reason).toBe('default');
  });

  it('pruning edges that are all pruned already changes nothing and adds no undo step', () => {
    const key = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const s = workbenchReducer(workbenchReducer(EMPTY_WORKBENCH, { type: 'load', graph }), { type: 'prune-edges', edges: [key] });
    expect(isKept(s.selection, key)).toBe(false);
    expect(workbenchReducer(s, { type: 'prune-edges', edges: [key] })).toBe(s);
  });
});

describe('graph elements', () => {
  it('namespaces are compound nodes, workloads inside, edges labelled port/proto, noise hidden on request', () => {
    const els = graphElements(
      graph,
      { pruned: new Map([['bookinfo/reviews->bookinfo/ratings:9080/TCP', { by: 'user' }]]) },
      { hideNoise: true },
    );
    const nodes = els.filter((e) => e.group === 'nodes');
    expect(nodes.filter((n) => n.classes === 'namespace').map((n) => n.data.id)).toEqual(['ns:bookinfo', 'ns:jaeger', 'ns:kube-system']);
    expect(nodes.find((n) => n.data.id === 'bookinfo/details')?.data.parent).toBe('ns:bookinfo');
    expect(nodes.some((n) => n.data.id === 'entity:host')).toBe(false);
    const edge = els.find((e) => e.data.id === 'bookinfo/reviews->bookinfo/ratings:9080/TCP');
    expect(edge).toMatchObject({ group: 'edges', data: { label: '9080/TCP' }, classes: 'forwarded pruned' });
    expect(graphElements(graph, { pruned: new Map() }, { hideNoise: false }).some((e) => e.data.id === 'entity:host')).toBe(true);
  });

  it('hides the DNS lookups on request, as Hubble UI does, and nothing else', () => {
    const edgesOf = (hideDns: boolean) =>
      graphElements(graph, EMPTY_WORKBENCH.selection, { hideNoise: false, hideDns })
        .filter((e) => e.group === 'edges')
        .map((e) => String(e.data.id));
    const all = edgesOf(false);
    const shown = edgesOf(true);
    const dns = all.filter((k) => !shown.includes(k));
    expect(dns.sort()).toEqual([
      'bookinfo/productpage->kube-system/kube-dns:53/UDP',
      'bookinfo/ratings->kube-system/kube-dns:53/UDP',
      'entity:remote-node->kube-system/kube-dns:53/UDP',
    ]);
  });

  it("highlights exactly the edges asked for (the diff's newly blocked flows)", () => {
    const key = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';
    const els = graphElements(graph, { pruned: new Map() }, { hideNoise: true, highlight: new Set([key]) });
    expect(els.filter((e) => e.classes.includes('highlight')).map((e) => e.data.id)).toEqual([key]);
  });

  it('puts nodes where a workspace says the user dragged them, and ignores nodes the graph lacks', () => {
    const base = islandLayout(graph);
    const moved = islandLayout(graph, { 'bookinfo/details': { x: -500, y: 42 }, 'gone/x': { x: 1, y: 1 } });
    expect(moved.get('bookinfo/details')).toEqual({ x: -500, y: 42 });
    expect(moved.has('gone/x')).toBe(false);
    expect(moved.get('bookinfo/reviews')).toEqual(base.get('bookinfo/reviews'));
  });

  it('lays 2,000 workloads out by namespace without overlaps', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => ({
      id: `ns-${i % 50}/w${i}`,
      kind: 'workload' as const,
      label: `w${i}`,
      namespace: `ns-${i % 50}`,
    }));
    const big = { nodes, edges: [], namespaces: [...new Set(nodes.map((n) => n.namespace))], window: null, warnings: [] };
    const pos = islandLayout(big);
    const seen = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(seen.size).toBe(2000);
  });

  it("draws a big graph's namespaces as boxes around their workloads, not as compound parents", () => {
    const nodes = Array.from({ length: 400 }, (_, i) => ({
      id: `ns-${i % 8}/w${i}`,
      kind: 'workload' as const,
      label: `w${i}`,
      namespace: `ns-${i % 8}`,
    }));
    const edges = Array.from({ length: 3200 }, (_, i) => ({
      key: `${nodes[i % 400].id}->${nodes[(i * 7 + 1) % 400].id}:${8000 + (i % 50)}/TCP`,
      source: nodes[i % 400].id,
      target: nodes[(i * 7 + 1) % 400].id,
      protocol: 'TCP' as const,
      port: 8000 + (i % 50),
      evidence: { flows: 1, verdicts: { FORWARDED: 1 }, direction: { basis: { handshake: 1 }, uncertain: 0 } },
    })) as unknown as ServiceGraph['edges'];
    const big: ServiceGraph = { nodes, edges, namespaces: [...new Set(nodes.map((n) => n.namespace))], window: null, warnings: [] };
    const els = graphElements(big, EMPTY_WORKBENCH.selection, { hideNoise: true });
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
    // The sample (14 edges) keeps compound namespaces.
    expect(graphElements(graph, EMPTY_WORKBENCH.selection, { hideNoise: true }).some((e) => e.data.parent === 'ns:bookinfo')).toBe(true);
  });
});
