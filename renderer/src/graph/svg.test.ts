import { describe, expect, it } from 'vitest';
import { graphSvg } from './svg';

describe('graph SVG export', () => {
  const snapshot = {
    groups: [{ label: 'shop', x1: 0, y1: 0, x2: 300, y2: 120 }],
    nodes: [
      { label: 'web', x: 40, y: 40, classes: ['workload'] },
      { label: 'db <primary>', x: 240, y: 40, classes: ['workload'] },
      { label: 'world', x: -100, y: 40, classes: ['entity'] },
    ],
    edges: [
      { label: '5432/TCP', x1: 40, y1: 40, x2: 240, y2: 40, width: 3, classes: ['forwarded'] },
      { label: '80/TCP', x1: -100, y1: 40, x2: 40, y2: 40, width: 1, classes: ['dropped', 'pruned'] },
    ],
  };

  it('draws namespaces, nodes and edges with labels, escaped, in a viewBox that holds them all', () => {
    const svg = graphSvg(snapshot);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-133 ')).toBe(true);
    expect(svg.match(/<g class="node">/g)).toHaveLength(3);
    expect(svg.match(/<g class="edge">/g)).toHaveLength(2);
    expect(svg).toContain('>db &lt;primary&gt;</text>');
    expect(svg).toContain('>5432/TCP</text>');
    // Dropped and pruned, as the canvas draws it: the red of dropped flows, dashed, with its arrow.
    expect(svg).toMatch(/stroke="#dc2626" stroke-width="1" stroke-dasharray="6 3" marker-end="url\(#adc2626\)"/);
    // The line starts and ends at the node circles' edge.
    expect(svg).toContain('<line x1="53" y1="40" x2="227" y2="40"');
  });

  it('draws an edge with some dropped flows red and dashed, as the canvas does', () => {
    const svg = graphSvg({ ...snapshot, edges: [{ ...snapshot.edges[0], classes: ['forwarded', 'some-dropped'] }] });
    expect(svg).toMatch(/stroke="#dc2626" stroke-width="3" stroke-dasharray="10 4" marker-end="url\(#adc2626\)"/);
  });

  it('leaves edge labels out when there are too many to read', () => {
    expect(graphSvg(snapshot, { maxEdgeLabels: 1 })).not.toContain('5432/TCP');
  });
});
