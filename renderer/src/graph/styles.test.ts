import cytoscape from 'cytoscape';
import { afterEach, describe, expect, it } from 'vitest';
import { initialSelection, prune } from '../../../shared/graph/selection';
import type { GraphEdge, ServiceGraph } from '../../../shared/graph/types';
import { graphElements } from './elements';
import { edgeLook, LEGEND, STYLE } from './styles';

const rgb = (hex: string): string => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',')})`;

let cys: cytoscape.Core[] = [];
afterEach(() => {
  for (const c of cys) c.destroy();
  cys = [];
});

/** Cytoscape itself (headless, with the app's stylesheet), so the test sees what the canvas draws. */
function drawn(elements: cytoscape.ElementDefinition[]): cytoscape.Core {
  const cy = cytoscape({ headless: true, styleEnabled: true, style: STYLE, elements });
  cys.push(cy);
  return cy;
}

const look = (cy: cytoscape.Core, id: string) => {
  const e = cy.getElementById(id);
  const style = e.style('line-style') as string;
  return {
    colour: e.style('line-color') as string,
    arrow: e.style('target-arrow-color') as string,
    style,
    dash: style === 'dashed' ? (e.style('line-dash-pattern') as string) : undefined,
  };
};

const edge = (key: string, verdicts: Record<string, number>): GraphEdge =>
  ({
    key,
    source: 'ns/a',
    target: key.split('>')[1].split(':')[0],
    protocol: 'TCP',
    port: 80,
    evidence: { flows: Object.values(verdicts).reduce((x, y) => x + y, 0), verdicts, direction: { uncertain: 0, basis: {} } },
  }) as unknown as GraphEdge;

describe('graph styles', () => {
  it('an edge with any dropped flow is red: solid when all were dropped, dashed when some were forwarded too', () => {
    const edges = [
      edge('ns/a->ns/b:80/TCP', { FORWARDED: 7 }),
      edge('ns/a->ns/c:80/TCP', { DROPPED: 1, FORWARDED: 7 }),
      edge('ns/a->ns/d:80/TCP', { DROPPED: 4 }),
      edge('ns/a->ns/e:80/TCP', { DROPPED: 2, FORWARDED: 2 }),
    ];
    const graph = {
      nodes: ['a', 'b', 'c', 'd', 'e'].map((n) => ({ id: `ns/${n}`, kind: 'workload', namespace: 'ns', label: n })),
      edges,
      namespaces: ['ns'],
      warnings: [],
      window: null,
    } as unknown as ServiceGraph;
    // d was only ever dropped (it starts pruned); e, partly dropped, is pruned by hand.
    const selection = prune(initialSelection(graph), ['ns/a->ns/e:80/TCP'], 'by hand');
    const cy = drawn(graphElements(graph, selection, { hideNoise: true }));
    // An all-dropped edge that is kept (--include-dropped, or restored) is solid red.
    const kept = drawn(graphElements(graph, { pruned: new Map() }, { hideNoise: true }));
    expect(look(cy, 'ns/a->ns/b:80/TCP')).toEqual({ colour: rgb('#64748b'), arrow: rgb('#64748b'), style: 'solid', dash: undefined });
    expect(look(cy, 'ns/a->ns/c:80/TCP')).toEqual({ colour: rgb('#dc2626'), arrow: rgb('#dc2626'), style: 'dashed', dash: '10 4' });
    expect(look(kept, 'ns/a->ns/d:80/TCP')).toEqual({ colour: rgb('#dc2626'), arrow: rgb('#dc2626'), style: 'solid', dash: undefined });
    // Pruned, they stay the red of dropped flows, dashed as pruned edges are.
    expect(look(cy, 'ns/a->ns/d:80/TCP')).toEqual({ colour: rgb('#dc2626'), arrow: rgb('#dc2626'), style: 'dashed', dash: '6 3' });
    expect(look(cy, 'ns/a->ns/e:80/TCP')).toEqual({ colour: rgb('#dc2626'), arrow: rgb('#dc2626'), style: 'dashed', dash: '6 3' });
  });

  // Every combination of the classes elements.ts sets: the stylesheet and edgeLook (the SVG export, the legend) agree.
  const verdicts = [['forwarded'], ['audit'], ['dropped'], ['forwarded', 'some-dropped'], ['audit', 'some-dropped']];
  const combos = verdicts.flatMap((v) => [[], ['pruned'], ['uncertain'], ['pruned', 'uncertain']].map((x) => [...v, ...x]));
  it.each(combos)('classes %j are drawn as edgeLook says', (...classes) => {
    const cy = drawn([{ data: { id: 'a' } }, { data: { id: 'b' } }, { data: { id: 'e', source: 'a', target: 'b' }, classes }]);
    const want = edgeLook(classes);
    const got = look(cy, 'e');
    expect(got.colour).toBe(rgb(want.colour));
    expect(got.arrow).toBe(rgb(want.colour));
    expect(got.style).toBe(want.dotted ? 'dotted' : want.dash ? 'dashed' : 'solid');
    if (want.dash && !want.dotted) expect(got.dash).toBe(want.dash.join(' '));
    if (want.dotted) expect(cy.getElementById('e').style('source-arrow-color')).toBe(rgb(want.colour));
  });

  it('the legend names every look once, and says red is for dropped flows', () => {
    const looks = LEGEND.map((l) => JSON.stringify(edgeLook(l.classes)));
    expect(new Set(looks).size).toBe(LEGEND.length);
    for (const l of LEGEND.filter((x) => x.classes.some((c) => c === 'dropped' || c === 'some-dropped')))
      expect(l.label).toMatch(/dropped/);
  });
});
