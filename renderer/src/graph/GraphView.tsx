import cytoscape from 'cytoscape';
import { useCallback, useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { graphSvg, type EdgePath, type GraphSnapshot } from './svg';
import type { ElementData } from './elements';
import { ROUTE_CORNER_RADIUS, STYLE } from './styles';

/** The line Cytoscape draws for an edge, from its own geometry: what the canvas shows, curves and routes included. */
function drawnPath(e: cytoscape.EdgeSingular): EdgePath {
  // A hidden edge has no endpoints: its nodes' centres stand in.
  const from = { ...((e.sourceEndpoint() as cytoscape.Position | undefined) ?? e.source().position()) };
  const to = { ...((e.targetEndpoint() as cytoscape.Position | undefined) ?? e.target().position()) };
  const segments = e.segmentPoints() as cytoscape.Position[] | undefined;
  if (segments) return { curve: 'segments', points: [from, ...segments, to], radius: e.hasClass('routed') ? ROUTE_CORNER_RADIUS : 0 };
  const controls = e.controlPoints() as cytoscape.Position[] | undefined;
  if (controls) return { curve: 'bezier', points: [from, ...controls, to] };
  return { curve: 'straight', points: [from, to] };
}

/** Fits the view to the nodes' positions (no measuring), allowing for node size, labels and namespace boxes. */
function fitToPositions(cy: cytoscape.Core, elements: Iterable<ElementData>, padding: number): void {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const e of elements) {
    const p = e.position;
    if (!p) continue;
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  if (!Number.isFinite(x1)) return void cy.fit(undefined, padding);
  // Half a node, the label below it, and a namespace box's padding and title around it.
  const mx = 13 + 18 + 40;
  const top = 13 + 18 + 24;
  const bottom = 13 + 18 + 20;
  const w = Math.max(1, x2 - x1 + 2 * mx);
  const h = Math.max(1, y2 - y1 + top + bottom);
  const zoom = Math.min((cy.width() - 2 * padding) / w, (cy.height() - 2 * padding) / h);
  const z = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), zoom));
  const cx = (x1 - mx + x2 + mx) / 2;
  const cyy = (y1 - top + y2 + bottom) / 2;
  cy.viewport({ zoom: z, pan: { x: cy.width() / 2 - cx * z, y: cy.height() / 2 - cyy * z } });
}

/**
 * The view the graph is drawn at, for people and tests alike: the zoom (names are legible from 1)
 * and the pan, which place a point of the graph on the screen (zoom × point + pan).
 */
function showView(cy: cytoscape.Core, box: HTMLElement): void {
  const pan = cy.pan();
  box.dataset.zoom = cy.zoom().toFixed(3);
  box.dataset.pan = `${pan.x.toFixed(1)},${pan.y.toFixed(1)}`;
}

/** A fitted small graph is drawn at most this large. */
const MAX_FIT_ZOOM = 1.5;

/** From this many elements, Cytoscape gets its updates after the page's own frame. */
const BIG_ELEMENTS = 3000;

const sameData = (a: ElementData['data'], b: ElementData['data']): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

interface Props {
  /** Changes when a different graph is shown: positions are reapplied and the view refitted. */
  readonly layoutKey: unknown;
  /** Changes when what is shown changes as a whole (a filter): the view is refitted to it. */
  readonly fitKey?: unknown;
  readonly elements: readonly ElementData[];
  readonly selected: readonly string[];
  readonly onSelect: (edges: string[]) => void;
  /** The selected node (its ring), and a click on one. */
  readonly selectedNode?: string | null;
  readonly onSelectNode?: (node: string) => void;
  /** Export of what is drawn: PNG (a data URL) and SVG (text). */
  readonly exporter?: Ref<GraphExporter>;
  /** Nodes the user dragged, with where they were dropped (a namespace moves its workloads). */
  readonly onMoved?: (moved: Record<string, { x: number; y: number }>) => void;
}

export interface GraphExporter {
  png(): string;
  svg(): string;
}

/**
 * One long-lived Cytoscape instance that React never re-renders: elements are diffed into it
 * inside cy.batch(), positions come precomputed (preset layout), so big graphs stay fast.
 */
export function GraphView({ layoutKey, fitKey, elements, selected, onSelect, selectedNode, onSelectNode, exporter, onMoved }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<cytoscape.Core | null>(null);
  const onSelectRef = useRef(onSelect);
  const onMovedRef = useRef(onMoved);
  const onSelectNodeRef = useRef(onSelectNode);
  useEffect(() => {
    onSelectRef.current = onSelect;
    onMovedRef.current = onMoved;
    onSelectNodeRef.current = onSelectNode;
  });

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: STYLE,
      elements: [],
      layout: { name: 'preset' },
      boxSelectionEnabled: true,
      selectionType: 'additive',
    });
    const report = (): void => onSelectRef.current(cy.$('edge:selected').map((e) => e.id()));
    cy.on('tap', 'edge', (evt) => {
      const shift = (evt.originalEvent as MouseEvent | undefined)?.shiftKey;
      if (!shift) cy.$(':selected').unselect();
      (evt.target as cytoscape.EdgeSingular).select();
      report();
    });
    cy.on('tap', 'node', (evt) => {
      const n = evt.target as cytoscape.NodeSingular;
      cy.$(':selected').unselect();
      // A namespace box is no selection of its own: a click on it clears the selection.
      if (n.isParent() || n.hasClass('namespace')) return report();
      n.select();
      onSelectNodeRef.current?.(n.id());
    });
    cy.on('tap', (evt) => {
      if (evt.target === cy) {
        cy.$(':selected').unselect();
        report();
      }
    });
    cy.on('boxend', () => setTimeout(report, 0));
    cy.on('viewport', () => showView(cy, container.current!));
    cy.on('dragfree', 'node', (evt) => {
      const n = evt.target as cytoscape.NodeSingular;
      const moved: Record<string, { x: number; y: number }> = {};
      const nodes: cytoscape.NodeSingular[] = n.isParent() ? n.descendants().toArray() : [n];
      for (const x of nodes) if (!x.isParent()) moved[x.id()] = { ...x.position() };
      onMovedRef.current?.(moved);
    });
    cyRef.current = cy;
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  useImperativeHandle(exporter, () => ({
    png: () => cyRef.current!.png({ full: true, scale: 2, bg: '#ffffff', output: 'base64uri' }),
    svg: () => {
      const cy = cyRef.current!;
      const snapshot: GraphSnapshot = {
        groups: cy
          .nodes()
          .filter((n) => n.isParent() || n.hasClass('flat'))
          .map((n) => {
            const b = n.boundingBox({ includeLabels: false });
            return { label: String(n.data('label')), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
          }),
        nodes: cy
          .nodes()
          .filter((n) => !n.isParent() && !n.hasClass('flat'))
          .map((n: cytoscape.NodeSingular) => ({ id: n.id(), label: String(n.data('label')), ...n.position(), classes: n.classes() })),
        edges: cy.edges().map((e) => ({
          id: e.id(),
          label: String(e.data('label')),
          path: drawnPath(e),
          mid: { ...((e.midpoint() as cytoscape.Position | undefined) ?? e.source().position()) },
          width: Number(e.data('width')),
          classes: e.classes(),
        })),
      };
      return graphSvg(snapshot);
    },
  }));

  const laidOut = useRef<unknown>(undefined);
  const fitted = useRef<unknown>(undefined);
  /** What was last given to Cytoscape, per element: classes as applied, and data. */
  const applied = useRef(new Map<string, { readonly classes: string; readonly data: ElementData['data'] }>());

  // On a big graph the canvas takes a few hundred ms to redraw: changes reach Cytoscape after the
  // frame that shows the rest of the page (counts, inspector, YAML), so those never wait for it.
  const big = elements.length > BIG_ELEMENTS;
  const pending = useRef<(() => void)[]>([]);
  const later = useCallback(
    (f: () => void) => {
      if (!big) return f();
      pending.current.push(f);
      if (pending.current.length > 1) return;
      requestAnimationFrame(() =>
        setTimeout(() => {
          const run = pending.current;
          pending.current = [];
          for (const g of run) g();
        }, 0),
      );
    },
    [big],
  );

  useEffect(() => {
    later(() => {
      const cy = cyRef.current;
      if (!cy) return;
      const wanted = new Map(elements.map((e) => [e.data.id as string, e]));
      const relayout = laidOut.current !== layoutKey;
      laidOut.current = layoutKey;
      const fresh: cytoscape.ElementDefinition[] = [];
      // Big graphs: straight (haystack) edges draw much faster than curved ones. A class set with the
      // element costs nothing; a style bypass on 10,000 edges costs a full style pass.
      const straight = elements.filter((e) => e.group === 'edges').length > 3000;
      const classesOf = (e: ElementData): string => (straight && e.group === 'edges' ? `${e.classes} straight` : e.classes);
      const next = new Map<string, { readonly classes: string; readonly data: ElementData['data'] }>();
      cy.batch(() => {
        cy.elements()
          .filter((el) => !wanted.has(el.id()))
          .remove();
        for (const [id, e] of wanted) {
          const el = cy.getElementById(id);
          next.set(id, { classes: classesOf(e), data: e.data });
          if (el.empty()) {
            fresh.push({
              group: e.group,
              data: { ...e.data },
              classes: classesOf(e),
              position: e.position ? { ...e.position } : undefined,
            });
          } else {
            // Only what changed: touching all of 10,000 edges costs Cytoscape a style pass each.
            const was = applied.current.get(id);
            if (was?.classes !== classesOf(e)) el.classes(classesOf(e));
            if (!was || !sameData(was.data, e.data)) el.data({ ...e.data });
            // A new graph gets the island layout again; pruning keeps whatever the user arranged.
            if (relayout && e.position && el.isNode()) el.position({ ...e.position });
          }
        }
        applied.current = next;
        // One add for all new elements: adding 12,000 one by one builds a collection each time.
        // Parents come first in `elements`, as Cytoscape needs for compound nodes.
        if (fresh.length > 0) cy.add(fresh);
      });
      if (fresh.length > 0 || relayout || fitted.current !== fitKey) {
        // Cytoscape's fit measures every element (styles and labels first): seconds on a big graph.
        // There, the positions are known, so the view is fitted to them with a margin for the boxes.
        if (big) fitToPositions(cy, wanted.values(), 30);
        else {
          cy.fit(undefined, 30);
          // A small graph is not blown up past the size its names are drawn for.
          if (cy.zoom() > MAX_FIT_ZOOM) {
            cy.zoom(MAX_FIT_ZOOM);
            cy.center();
          }
        }
        showView(cy, container.current!);
      }
      fitted.current = fitKey;
      // What Cytoscape itself now highlights (the diff's newly blocked edges), for people and tests alike.
      container.current!.dataset.highlighted = cy
        .edges('.highlight')
        .map((e) => e.id())
        .join(' ');
      // How many updates Cytoscape has taken: a test waits for it, then for the paint.
      container.current!.dataset.applied = String(Number(container.current!.dataset.applied ?? 0) + 1);
    });
  }, [elements, layoutKey, fitKey, later, big]);

  useEffect(() => {
    later(() => {
      const cy = cyRef.current;
      if (!cy) return;
      cy.batch(() => {
        cy.$(':selected').unselect();
        for (const id of selected) cy.getElementById(id).select();
        if (selectedNode) cy.getElementById(selectedNode).select();
      });
      // Selected from elsewhere (the list, a finding): bring one edge into view if it is outside.
      const box = container.current!;
      delete box.dataset.selectedEnds;
      if (selectedNode && cy.getElementById(selectedNode).nonempty()) box.dataset.selectedNode = selectedNode;
      else delete box.dataset.selectedNode;
      if (selected.length === 1) {
        const el = cy.getElementById(selected[0]);
        if (el.nonempty()) {
          const bb = el.renderedBoundingBox();
          if (bb.x2 < 0 || bb.x1 > cy.width() || bb.y2 < 0 || bb.y1 > cy.height()) cy.center(el);
          // Where its two nodes are drawn (in the graph's own pixels): for people and tests alike.
          if (el.isEdge()) {
            const a = el.source().renderedPosition();
            const b = el.target().renderedPosition();
            box.dataset.selectedEnds = [a.x, a.y, b.x, b.y].map(Math.round).join(',');
          }
        }
      }
      box.dataset.applied = String(Number(box.dataset.applied ?? 0) + 1);
    });
    // Again when the elements change: an edge a filter hid is selectable once it is drawn.
  }, [selected, selectedNode, later, elements]);

  return (
    <div
      ref={container}
      className="graph"
      role="img"
      aria-label="Service graph"
      data-edges={elements.filter((e) => e.group === 'edges').length}
    />
  );
}
