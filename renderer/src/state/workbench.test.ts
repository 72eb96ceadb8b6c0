import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../../../shared/graph/analysis';
import { isKept } from '../../../shared/graph/selection';
import { readFixture, ROOT } from '../../../shared/testing/fixtures';
import type { DraftRun } from '../../../shared/ai/run';
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
