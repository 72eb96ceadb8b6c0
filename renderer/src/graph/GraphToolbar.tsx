import type { RefObject } from 'react';
import type { Flavor } from '../../../shared/policy/flavors';
import { FLAVOR_KIND, kindPlural } from '../../../shared/rollout/mode';
import { isFiltering, NO_FILTER, portFilterError, type GraphFilter } from './filter';
import type { GraphExporter } from './GraphView';

/** Saves a file the renderer made (the browser's download; Electron asks where with its save dialog). */
function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  if (href.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

interface Props {
  readonly namespaces: readonly string[];
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly onUndo: () => void;
  readonly onRedo: () => void;
  readonly hideNoise: boolean;
  readonly onHideNoise: (on: boolean) => void;
  readonly hideDns: boolean;
  readonly onHideDns: (on: boolean) => void;
  readonly filter: GraphFilter;
  readonly onFilter: (f: GraphFilter) => void;
  readonly exporter: RefObject<GraphExporter | null>;
  /** Why the bundle cannot be exported now (said on the button), or undefined when it can. */
  readonly exportBlocked?: string;
  /** The flavor of the policies shown, which the bundle holds. */
  readonly flavor: Flavor;
  readonly onExport: () => void;
  /** Edges kept, all edges, and (with a filter) those shown. */
  readonly kept: number;
  readonly total: number;
  readonly shown?: number;
}

/** Above the graph: undo/redo, the noise toggles, the filters, the image exports and the bundle. */
export function GraphToolbar({
  namespaces,
  canUndo,
  canRedo,
  onUndo,
  onRedo,
  hideNoise,
  onHideNoise,
  hideDns,
  onHideDns,
  filter,
  onFilter,
  exporter,
  exportBlocked,
  flavor,
  onExport,
  kept,
  total,
  shown,
}: Props) {
  const portError = portFilterError(filter.port);
  return (
    <div className="toolbar" role="toolbar" aria-label="Graph tools">
      <button type="button" onClick={onUndo} disabled={!canUndo}>
        Undo <kbd>z</kbd>
      </button>
      <button type="button" onClick={onRedo} disabled={!canRedo}>
        Redo <kbd>⇧z</kbd>
      </button>
      <label>
        <input type="checkbox" checked={hideNoise} onChange={(e) => onHideNoise(e.target.checked)} /> hide host, health, remote-node
      </label>
      <label>
        <input type="checkbox" checked={hideDns} onChange={(e) => onHideDns(e.target.checked)} /> hide kube-dns:53
      </label>
      <select aria-label="Namespace filter" value={filter.namespace} onChange={(e) => onFilter({ ...filter, namespace: e.target.value })}>
        <option value="">all namespaces</option>
        {namespaces.map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
      </select>
      <select
        aria-label="Verdict filter"
        value={filter.verdict}
        onChange={(e) => onFilter({ ...filter, verdict: e.target.value as GraphFilter['verdict'] })}
      >
        <option value="">all verdicts</option>
        <option value="forwarded">forwarded</option>
        <option value="dropped">dropped</option>
        <option value="audit">audit</option>
      </select>
      <input
        aria-label="Port filter"
        placeholder="port or proto"
        size={10}
        value={filter.port}
        aria-invalid={portError !== undefined}
        title={portError ?? 'A port (9080), a port and protocol (53/UDP), or a protocol (TCP)'}
        onChange={(e) => onFilter({ ...filter, port: e.target.value })}
      />
      {isFiltering(filter) && (
        <button type="button" onClick={() => onFilter(NO_FILTER)}>
          Clear filters
        </button>
      )}
      <button
        type="button"
        title="The graph as drawn, as a PNG image"
        onClick={() => exporter.current && download(exporter.current.png(), 'service-graph.png')}
      >
        PNG
      </button>
      <button
        type="button"
        title="The graph as drawn, as an SVG drawing"
        onClick={() =>
          exporter.current &&
          download(URL.createObjectURL(new Blob([exporter.current.svg()], { type: 'image/svg+xml' })), 'service-graph.svg')
        }
      >
        SVG
      </button>
      <button
        type="button"
        onClick={onExport}
        disabled={exportBlocked !== undefined}
        title={exportBlocked ?? `The ${kindPlural(FLAVOR_KIND[flavor].kind)} shown, with a report and a manifest`}
      >
        Export bundle…
      </button>
      {portError && (
        <span className="error" role="alert">
          {portError}
        </span>
      )}
      <span className="counts" role="status">
        {kept} of {total} edges kept
        {shown !== undefined ? ` · ${shown} shown` : ''}
      </span>
    </div>
  );
}
