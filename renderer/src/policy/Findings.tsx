import type { Findings as FindingsResult } from './findings-compute';

interface Props {
  readonly findings: FindingsResult | null;
  /** The policies changed since these findings: a new check is running. */
  readonly checking: boolean;
  readonly onEdge: (edge: string) => void;
  readonly onPolicy: (policy: string) => void;
}

/** The one verdict on the policies shown (the one `verify` prints and REPORT.md writes), then the findings behind it. */
export function Findings({ findings, checking, onEdge, onPolicy }: Props) {
  if (!findings) return <p className="hint">Checking the policies against the flows…</p>;
  const { verdict, items } = findings;
  const notes = items.filter((i) => i.severity !== 'error').length;
  return (
    <section className="findings" aria-label="Findings" aria-busy={checking}>
      <h3 className={`verdict ${verdict.status}`} data-verdict={verdict.status}>
        {verdict.status === 'pass' ? 'Pass: ' : verdict.status === 'fail' ? 'Fail: ' : 'Undecided: '}
        {verdict.headline}
        {notes > 0 ? ` · ${notes} note${notes === 1 ? '' : 's'}` : ''}
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
