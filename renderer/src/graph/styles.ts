import type cytoscape from 'cytoscape';

// The graph's look as data: the Cytoscape stylesheet, the SVG export and the legend read the same
// colours, and a test checks that what the legend says is what Cytoscape draws.

/** How an edge's line is drawn. */
export interface EdgeLook {
  readonly colour: string;
  /** Dash and gap lengths, or undefined for a solid line. */
  readonly dash?: readonly [number, number];
  /** Dotted, with an arrow at both ends: its direction is a guess. */
  readonly dotted?: boolean;
}

export const EDGE_COLOURS = {
  forwarded: '#64748b',
  dropped: '#dc2626',
  audit: '#d97706',
  pruned: '#cbd5e1',
  // Pruned edges that had dropped flows stay the red of dropped flows (dashed as pruned).
  prunedDropped: '#dc2626',
  selected: '#2563eb',
  highlight: '#f59e0b',
} as const;

/** Pruned edges: short dashes. Partly dropped kept edges: longer ones, in full red. */
const PRUNED_DASH: readonly [number, number] = [6, 3];
const SOME_DROPPED_DASH: readonly [number, number] = [10, 4];

/**
 * The look of an edge with these classes (`elements.ts` sets them), in the stylesheet's order of
 * precedence: pruned over the verdict, any dropped flow red, a guessed direction dotted.
 */
export function edgeLook(classes: readonly string[]): EdgeLook {
  const has = (c: string): boolean => classes.includes(c);
  const anyDropped = has('dropped') || has('some-dropped');
  const base: EdgeLook = has('pruned')
    ? { colour: anyDropped ? EDGE_COLOURS.prunedDropped : EDGE_COLOURS.pruned, dash: PRUNED_DASH }
    : has('dropped')
      ? { colour: EDGE_COLOURS.dropped }
      : has('some-dropped')
        ? { colour: EDGE_COLOURS.dropped, dash: SOME_DROPPED_DASH }
        : { colour: has('audit') ? EDGE_COLOURS.audit : EDGE_COLOURS.forwarded };
  return has('uncertain') ? { colour: base.colour, dotted: true } : base;
}

/** What the graph's colours and lines mean, for the legend beside it (each entry: the classes it stands for). */
export const LEGEND: readonly { readonly label: string; readonly classes: readonly string[] }[] = [
  { label: 'forwarded', classes: ['forwarded'] },
  { label: 'dropped (all its flows)', classes: ['dropped'] },
  { label: 'some flows dropped, the rest forwarded', classes: ['forwarded', 'some-dropped'] },
  { label: 'audit (a policy in audit mode saw it)', classes: ['audit'] },
  { label: 'pruned', classes: ['forwarded', 'pruned'] },
  { label: 'pruned, with dropped flows', classes: ['dropped', 'pruned'] },
  { label: 'direction uncertain', classes: ['forwarded', 'uncertain'] },
];

/** Node kinds by shape and colour, for the stylesheet and the legend. */
export const NODE_LOOKS = {
  workload: { label: 'workload', shape: 'ellipse', colour: '#2563eb' },
  entity: { label: 'entity (host, world, …)', shape: 'diamond', colour: '#7c3aed' },
  external: { label: 'external address or network', shape: 'hexagon', colour: '#0d9488' },
  service: { label: 'Service, its backend not shown by the capture', shape: 'tag', colour: '#b45309' },
} as const;

/** How round the corners of an edge routed round a namespace box are drawn (the SVG export too). */
export const ROUTE_CORNER_RADIUS = 18;

const line = (look: EdgeLook): cytoscape.Css.Edge => ({
  'line-color': look.colour,
  'target-arrow-color': look.colour,
  ...(look.dash ? { 'line-style': 'dashed', 'line-dash-pattern': [...look.dash] } : {}),
});

export const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      // Legible in a 1440×900 window at the first fit of a small graph (the e2e suite measures it).
      'font-size': 13,
      // Labels too small to read are not drawn: a fitted 10,000-edge graph draws several times faster.
      'min-zoomed-font-size': 7,
      color: '#1d2430',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      // A halo, drawn over the edges leaving the node (nodes are above edges): the name stays readable
      // and an arrow arriving from below still shows between the letters (a background box hid it).
      'text-outline-color': '#fbfcfe',
      'text-outline-width': 2,
      'text-outline-opacity': 0.9,
      width: 26,
      height: 26,
      'background-color': NODE_LOOKS.workload.colour,
      // Nodes above edges above namespace boxes, whatever their kind.
      'z-index-compare': 'manual',
      'z-index': 20,
    },
  },
  {
    selector: 'node.namespace',
    style: {
      'background-color': '#eef2f7',
      'background-opacity': 0.8,
      'border-color': '#c7d0db',
      'border-width': 1,
      shape: 'round-rectangle',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-weight': 'bold',
      color: '#52606d',
      'text-outline-width': 0,
      padding: '18px',
    },
  },
  {
    // Namespace boxes of a big graph: plain nodes behind the workloads, deaf to the mouse. Their name
    // is drawn as wide as the box (data(fs)) and at every zoom: zoomed out to see the whole grid, a
    // name at the workloads' size would be too small to draw, and the islands would have none.
    selector: 'node.namespace.flat',
    style: {
      width: 'data(w)',
      height: 'data(h)',
      events: 'no',
      'z-index': 0,
      'text-margin-y': -4,
      'font-size': 'data(fs)',
      'min-zoomed-font-size': 0,
    },
  },
  { selector: 'node.entity', style: { shape: NODE_LOOKS.entity.shape, 'background-color': NODE_LOOKS.entity.colour } },
  { selector: 'node.external', style: { shape: NODE_LOOKS.external.shape, 'background-color': NODE_LOOKS.external.colour } },
  // A Service frontend nothing resolved, and workloads no selector can name: drawn as gaps, not as peers.
  {
    selector: 'node.service',
    style: {
      shape: NODE_LOOKS.service.shape,
      'background-color': NODE_LOOKS.service.colour,
      'border-width': 2,
      'border-style': 'dashed',
      'border-color': '#78350f',
    },
  },
  { selector: 'node.unlabelled', style: { 'border-width': 2, 'border-style': 'dashed', 'border-color': '#dc2626' } },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      ...line(edgeLook(['forwarded'])),
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 12,
      'min-zoomed-font-size': 7,
      color: '#334155',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      'text-rotation': 'autorotate',
      // Above the line rather than on it, and so clear of the names under the nodes at its ends.
      'text-margin-y': -7,
      'z-index-compare': 'manual',
      'z-index': 10,
    },
  },
  // Around a node that lies on its straight line (detours.ts says how far).
  {
    selector: 'edge.detour',
    style: {
      'curve-style': 'unbundled-bezier',
      'control-point-distances': 'data(bend)',
      'control-point-weights': 0.5,
      // Measured from the nodes' centres, as detours.ts measures.
      'edge-distances': 'node-position',
    },
  },
  // Around the namespace boxes in its way (route.ts says where): an edge to an address outside
  // the cluster does not cut across a namespace it does not belong to.
  {
    selector: 'edge.routed',
    style: {
      'curve-style': 'round-segments',
      'segment-distances': 'data(segD)',
      'segment-weights': 'data(segW)',
      'segment-radii': [ROUTE_CORNER_RADIUS],
      'edge-distances': 'node-position',
    },
  },
  { selector: 'edge.straight', style: { 'curve-style': 'haystack' } },
  { selector: 'edge.audit', style: line(edgeLook(['audit'])) },
  { selector: 'edge.some-dropped', style: line(edgeLook(['some-dropped'])) },
  { selector: 'edge.dropped', style: line(edgeLook(['dropped'])) },
  {
    selector: 'edge.pruned',
    style: { ...line(edgeLook(['pruned'])), color: '#94a3b8' },
  },
  // Pruned with dropped flows (as every edge that was only ever dropped starts): still red, paler, dashed.
  { selector: 'edge.dropped.pruned, edge.some-dropped.pruned', style: line(edgeLook(['dropped', 'pruned'])) },
  // Its direction is a guess: dotted, with an arrow at both ends (in the colour of its verdict).
  { selector: 'edge.uncertain', style: { 'line-style': 'dotted', 'source-arrow-shape': 'triangle' } },
  ...(['forwarded', 'audit', 'some-dropped', 'dropped'] as const).map((v) => ({
    selector: `edge.uncertain.${v}`,
    style: { 'source-arrow-color': edgeLook([v]).colour },
  })),
  { selector: 'edge.uncertain.pruned', style: { 'source-arrow-color': EDGE_COLOURS.pruned } },
  {
    selector: 'edge.uncertain.pruned.dropped, edge.uncertain.pruned.some-dropped',
    style: { 'source-arrow-color': EDGE_COLOURS.prunedDropped },
  },
  // A selected node: its ring, and its name in bold.
  {
    selector: 'node:selected',
    style: {
      'border-width': 4,
      'border-color': '#0f172a',
      'border-style': 'solid',
      'overlay-color': EDGE_COLOURS.selected,
      'overlay-opacity': 0.18,
      'overlay-padding': 8,
      'overlay-shape': 'ellipse',
      'font-weight': 'bold',
    },
  },
  {
    selector: 'edge:selected',
    style: { 'line-color': EDGE_COLOURS.selected, 'target-arrow-color': EDGE_COLOURS.selected, 'z-index': 15, width: 4 },
  },
  {
    selector: 'edge.highlight',
    style: { 'line-color': EDGE_COLOURS.highlight, 'target-arrow-color': EDGE_COLOURS.highlight, width: 4, 'z-index': 14 },
  },
];
