import type { FindingItem } from './finding-items';

interface Props {
  readonly items: readonly FindingItem[] | null;
  /** The policies changed since these findings: a new check is running. */
  readonly checking: boolean;
  readonly onEdge: (edge: string) => void;
  readonly onPolicy: (policy: string) => void;
}

export function Findings({ items, checking, onEdge, onPolicy }: Props) {
  if (!items) return <p className="hint">Checking the policies against the flows…</p>;
  const errors = items.filter((i) => i.severity === 'error').length;
  return (
    <section className="findings" aria-label="Findings" aria-busy={checking}>
      <h3>
        {errors === 0 ? 'Every kept flow is allowed, nothing pruned is' : `${errors} problem${errors === 1 ? '' : 's'}`}
        {items.length > errors ? ` · ${items.length - errors} note${items.length - errors === 1 ? '' : 's'}` : ''}
        {checking ? ' · rechecking…' : ''}
      </h3>
      {items.length > 0 && (
        <ul>
          {items.map((i, n) => (
            <li key={n} className={i.severity} data-severity={i.severity}>
              {i.edge || i.policy ? (
                <button type="button" className="link" onClick={() => (i.edge ? onEdge(i.edge) : onPolicy(i.policy!))}>
                  {i.text}
                </button>
              ) : (
                i.text
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
