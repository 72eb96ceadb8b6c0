import type { Selection } from '../../../shared/graph/selection';
import type { GraphEdge, GraphNode, ServiceGraph } from '../../../shared/graph/types';
import { detours } from './detours';
import { islandLayout } from './islands';
import { namespaceBoxes, routes, type Route } from './route';
import { edgeVerdict, partlyDropped } from './filter';

/** Plain data for Cytoscape (kept free of Cytoscape types so it can be tested in Node). */
export interface ElementData {
  readonly group: 'nodes' | 'edges';
  readonly data: Record<string, string | number | undefined>;
  readonly classes: string;
  readonly position?: { readonly x: number; readonly y: number };
}

/** The nodes' own traffic, hidden by default (as Hubble UI does). */
export const NOISE: ReadonlySet<string> = new Set(['entity:host', 'entity:health', 'entity:remote-node']);

/** From this many edges (in the whole graph), namespaces are drawn as boxes, not compound nodes. */
export const FLAT_NAMESPACES_EDGES = 3000;
/** Space between a namespace box and its outermost workloads. */
const BOX_MARGIN = 45;

/** The cluster DNS, as Hubble UI's "kube-dns:53" toggle finds it. */
export function isClusterDns(n: GraphNode | undefined): boolean {
  if (n?.kind !== 'workload') return false;
  const app = n.identity?.['k8s-app'] ?? n.identity?.['app.kubernetes.io/name'] ?? n.label;
  return app === 'kube-dns' || app === 'coredns';
}

function nodeClass(n: GraphNode): string {
  switch (n.kind) {
    case 'workload':
      return n.unlabelled ? 'workload unlabelled' : 'workload';
    case 'external':
      return 'external';
    case 'service':
      return 'service';
    case 'network':
      return 'external network';
    case 'entity':
      return `entity entity-${n.entity ?? 'unknown'}`;
  }
}

/**
 * The font size of a namespace island's name: as wide as its box (about 0.6 em a character), never
 * smaller than a workload's name, so that it can be read whenever the box itself can be seen.
 */
export function islandFontSize(name: string, boxWidth: number): number {
  return Math.max(13, Math.round(boxWidth / (0.62 * Math.max(4, name.length))));
}

/** The graph as Cytoscape elements: namespaces as compound nodes, edges labelled `port/proto`. */
export function graphElements(
  graph: ServiceGraph,
  selection: Selection,
  opts: {
    hideNoise: boolean;
    /** Hide the DNS lookups (edges to kube-dns on port 53), as Hubble UI does. */
    hideDns?: boolean;
    highlight?: ReadonlySet<string>;
    positions?: ReadonlyMap<string, { x: number; y: number }>;
    /** Only these edges (and the nodes they touch) are drawn. */
    match?: (e: GraphEdge) => boolean;
  },
): ElementData[] {
  // The layout depends on the graph alone: callers that redraw on every prune pass it in.
  const positions = opts.positions ?? islandLayout(graph);
  const hidden = new Set(opts.hideNoise ? [...NOISE] : []);
  const dns = opts.hideDns ? new Set(graph.nodes.filter(isClusterDns).map((n) => n.id)) : null;
  const edges = graph.edges.filter(
    (e) => !hidden.has(e.source) && !hidden.has(e.target) && !(dns?.has(e.target) && e.port === 53) && (!opts.match || opts.match(e)),
  );
  // With a filter on, only the nodes its edges touch are drawn (and the namespaces holding them).
  const touched = opts.match ? new Set(edges.flatMap((e) => [e.source, e.target])) : null;
  const nodes = graph.nodes.filter((n) => !hidden.has(n.id) && (!touched || touched.has(n.id)));
  const usedNs = new Set(nodes.flatMap((n) => (n.kind === 'workload' && n.namespace ? [n.namespace] : [])));
  const out: ElementData[] = [];
  // A big graph draws its namespaces as boxes behind their workloads, not as compound parents:
  // Cytoscape walks every compound's family on each style change, which costs seconds there.
  const flat = graph.edges.length > FLAT_NAMESPACES_EDGES;
  const boxes = new Map<string, { x1: number; y1: number; x2: number; y2: number }>();
  if (flat)
    for (const n of nodes) {
      const p = positions.get(n.id);
      if (n.kind !== 'workload' || !n.namespace || !p) continue;
      const b = boxes.get(n.namespace);
      if (!b) boxes.set(n.namespace, { x1: p.x, y1: p.y, x2: p.x, y2: p.y });
      else {
        b.x1 = Math.min(b.x1, p.x);
        b.y1 = Math.min(b.y1, p.y);
        b.x2 = Math.max(b.x2, p.x);
        b.y2 = Math.max(b.y2, p.y);
      }
    }
  for (const ns of graph.namespaces) {
    if (touched && !usedNs.has(ns)) continue;
    const b = boxes.get(ns);
    if (flat && !b) continue;
    out.push(
      b
        ? {
            group: 'nodes',
            // Room for half a node and its label on every side of the workloads.
            data: {
              id: `ns:${ns}`,
              label: ns,
              w: b.x2 - b.x1 + 2 * BOX_MARGIN,
              h: b.y2 - b.y1 + 2 * BOX_MARGIN,
              fs: islandFontSize(ns, b.x2 - b.x1 + 2 * BOX_MARGIN),
            },
            classes: 'namespace flat',
            position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
          }
        : { group: 'nodes', data: { id: `ns:${ns}`, label: ns }, classes: 'namespace' },
    );
  }
  for (const n of nodes) {
    out.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.label,
        parent: !flat && n.kind === 'workload' && n.namespace ? `ns:${n.namespace}` : undefined,
      },
      classes: nodeClass(n),
      position: positions.get(n.id),
    });
  }
  // Edges that would run straight through another node bend around it (a big graph is drawn straight).
  const bends = flat
    ? new Map<string, number>()
    : detours(
        edges,
        positions,
        nodes.map((n) => n.id),
      );
  // Edges that would cut across a namespace they do not belong to go round its box instead.
  const nsOf = new Map(nodes.flatMap((n) => (n.kind === 'workload' && n.namespace ? [[n.id, n.namespace] as const] : [])));
  const around = flat
    ? new Map<string, Route>()
    : routes(
        edges,
        positions,
        (id) => nsOf.get(id),
        namespaceBoxes(
          nodes.flatMap((n) => (n.kind === 'workload' && n.namespace ? [{ id: n.id, namespace: n.namespace, label: n.label }] : [])),
          positions,
        ),
      );
  // (A loop, not Math.max(...): spreading 100,000 arguments overflows the stack.)
  let maxFlows = 1;
  for (const e of graph.edges) maxFlows = Math.max(maxFlows, e.evidence.flows);
  for (const e of edges) {
    out.push({
      group: 'edges',
      data: {
        id: e.key,
        source: e.source,
        target: e.target,
        label: e.port === null ? e.protocol : `${e.port}/${e.protocol}`,
        // An edge with dropped flows is never drawn hairline-thin: its red must be seen beside busy edges.
        width: Math.max((e.evidence.verdicts.DROPPED ?? 0) > 0 ? 2.5 : 0, 1 + 5 * Math.sqrt(e.evidence.flows / maxFlows)),
        bend: bends.get(e.key),
        segD: around.get(e.key)?.distances.join(' '),
        segW: around.get(e.key)?.weights.join(' '),
      },
      classes: `${edgeVerdict(e)}${partlyDropped(e) ? ' some-dropped' : ''}${selection.pruned.has(e.key) ? ' pruned' : ''}${opts.highlight?.has(e.key) ? ' highlight' : ''}${
        e.evidence.direction.uncertain > 0 ? ' uncertain' : ''
      }${around.has(e.key) ? ' routed' : bends.has(e.key) ? ' detour' : ''}`,
    });
  }
  return out;
}
