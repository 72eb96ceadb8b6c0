import { edgeLook, LEGEND, NODE_LOOKS, type EdgeLook } from './styles';

/** A short line in an edge's colour and dashes, as the graph draws it. */
function EdgeSwatch({ look }: { readonly look: EdgeLook }) {
  const dash = look.dotted ? '2 3' : look.dash?.join(' ');
  return (
    <svg className="swatch" width="28" height="10" aria-hidden="true">
      <line x1="1" y1="5" x2="27" y2="5" stroke={look.colour} strokeWidth="2.5" strokeDasharray={dash} />
    </svg>
  );
}

function NodeSwatch({ shape, colour }: { readonly shape: string; readonly colour: string }) {
  const points: Record<string, string> = {
    diamond: '6,0 12,6 6,12 0,6',
    hexagon: '3,0.8 9,0.8 12,6 9,11.2 3,11.2 0,6',
    tag: '0,1 8,1 12,6 8,11 0,11',
  };
  return (
    <svg className="swatch" width="12" height="12" aria-hidden="true">
      {points[shape] ? <polygon points={points[shape]} fill={colour} /> : <circle cx="6" cy="6" r="6" fill={colour} />}
    </svg>
  );
}

/** The first entries, always in sight: the ones a reader of the graph needs most (what is red, what is dashed). */
const KEY = LEGEND.slice(0, 3);

/** What the graph's colours, lines and shapes mean; the key stays in sight, the rest opens on a click. */
export function GraphLegend() {
  return (
    <details className="graph-legend">
      <summary aria-label="Graph legend">
        {KEY.map((l) => (
          <span key={l.label} className="key">
            <EdgeSwatch look={edgeLook(l.classes)} /> {l.label.replace(/ \(.*\)$/, '')}
          </span>
        ))}
      </summary>
      <ul aria-label="Edges">
        {LEGEND.map((l) => (
          <li key={l.label} data-classes={l.classes.join(' ')}>
            <EdgeSwatch look={edgeLook(l.classes)} /> {l.label}
          </li>
        ))}
      </ul>
      <ul aria-label="Nodes">
        {Object.values(NODE_LOOKS).map((n) => (
          <li key={n.label}>
            <NodeSwatch shape={n.shape} colour={n.colour} /> {n.label}
          </li>
        ))}
        <li>
          <svg className="swatch" width="12" height="12" aria-hidden="true">
            <circle cx="6" cy="6" r="5" fill={NODE_LOOKS.workload.colour} stroke="#dc2626" strokeWidth="2" strokeDasharray="2 2" />
          </svg>{' '}
          workload no selector can name (no labels)
        </li>
      </ul>
    </details>
  );
}
