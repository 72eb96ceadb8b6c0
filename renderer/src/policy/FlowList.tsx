import type { FlowChange } from '../../../shared/policy/diff';

/** A titled list of flows from a flow-level diff; observed ones select their edge on the graph. */
export function FlowList({ title, flows, onSelect }: { title: string; flows: readonly FlowChange[]; onSelect: (edge: string) => void }) {
  if (flows.length === 0) return null;
  return (
    <>
      <h3>
        {title} ({flows.length})
      </h3>
      <ul aria-label={title}>
        {flows.slice(0, 200).map((f) => (
          <li key={`${f.source}|${f.target}|${f.protocol}|${f.port}`} title={f.explanation}>
            {f.edge ? (
              <button type="button" className="link" onClick={() => onSelect(f.edge!)}>
                {f.source} → {f.target}:{f.port}/{f.protocol}
              </button>
            ) : (
              <span>
                {f.source} → {f.target}:{f.port}/{f.protocol}
              </span>
            )}
          </li>
        ))}
        {flows.length > 200 && <li>… and {flows.length - 200} more (the exported report lists all)</li>}
      </ul>
    </>
  );
}
