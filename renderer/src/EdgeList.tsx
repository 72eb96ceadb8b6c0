import { forwardRef, Fragment, useMemo, useState } from 'react';
import { formatCount } from '../../shared/policy/format';
import type { GraphEdge } from '../../shared/graph/types';

interface Props {
  readonly edges: readonly GraphEdge[];
  readonly pruned: ReadonlySet<string>;
  readonly selected: readonly string[];
  readonly onSelect: (keys: string[], additive: boolean) => void;
}

const LIMIT = 300;

/** Every edge as a list the keyboard and screen readers can use; `/` focuses the filter. */
export const EdgeList = forwardRef<HTMLInputElement, Props>(function EdgeList({ edges, pruned, selected, onSelect }, filterRef) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? edges.filter((e) => e.key.toLowerCase().includes(f)) : edges;
  }, [edges, filter]);
  const sel = new Set(selected);
  return (
    <section className="edge-list" aria-label="Edges">
      <input
        ref={filterRef}
        aria-label="Filter edges"
        placeholder="Filter edges ( / )"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <ul>
        {shown.slice(0, LIMIT).map((e) => (
          <li key={e.key} className={`${pruned.has(e.key) ? 'pruned' : ''} ${sel.has(e.key) ? 'selected' : ''}`}>
            <button type="button" aria-pressed={sel.has(e.key)} onClick={(ev) => onSelect([e.key], ev.shiftKey)} title={e.key}>
              <span className="key">
                {/* A line may break after the arrow: the source on one line, the destination on the next. */}
                {e.key.split('->').map((part, i) => (
                  <Fragment key={i}>
                    {i > 0 && (
                      <>
                        -&gt;
                        <wbr />
                      </>
                    )}
                    {part}
                  </Fragment>
                ))}
              </span>
              <span className="flows">{formatCount(e.evidence.flows)}</span>
            </button>
          </li>
        ))}
      </ul>
      {shown.length > LIMIT && <p className="hint">{shown.length - LIMIT} more: filter to narrow</p>}
    </section>
  );
});
