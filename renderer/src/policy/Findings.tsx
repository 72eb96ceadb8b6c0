import type { FindingEntry, FindingGroup, VerdictLine } from './finding-groups';

interface Props {
  /** The region's name: the policies' findings unless said (a draft's review). */
  readonly label?: string;
  /** The verdict above the groups, or null while the first check runs. */
  readonly verdict: VerdictLine | null;
  /** What the checks found, in groups, errors first (reviewGroups, draftGroups). */
  readonly groups: readonly FindingGroup[];
  /** What was checked changed since these findings: a new check is running. */
  readonly checking?: boolean;
  readonly onEdge: (edge: string) => void;
  /** Shows a policy's YAML; without it, entries about a policy are plain text. */
  readonly onPolicy?: (policy: string) => void;
}

const MARK = { error: '✖', warning: '▲', info: 'ℹ' } as const;

function Entry({ entry, onEdge, onPolicy }: { readonly entry: FindingEntry } & Pick<Props, 'onEdge' | 'onPolicy'>) {
  const { edge } = entry;
  const policy = onPolicy ? entry.policy : undefined;
  return (
    <li title={entry.full ?? entry.text}>
      {edge || policy ? (
        <button type="button" className="link" onClick={() => (edge ? onEdge(edge) : onPolicy?.(policy!))}>
          {entry.text}
        </button>
      ) : (
        entry.text
      )}
    </li>
  );
}

/**
 * The one verdict (on the policies shown, the one `verify` prints and REPORT.md writes; or on an AI
 * draft), then what is behind it: one line per kind of finding with its count, errors first; a line
 * opens to its reasons (each said once) and its edges, rules or workloads, which lead to the graph or the YAML.
 */
export function Findings({ label = 'Findings', verdict, groups, checking = false, onEdge, onPolicy }: Props) {
  if (!verdict) return <p className="hint">Checking the policies against the flows…</p>;
  return (
    <section className="findings" aria-label={label} aria-busy={checking}>
      <h3 className={`verdict ${verdict.status}`} data-verdict={verdict.status}>
        {verdict.text}
        {checking ? ' · rechecking…' : ''}
      </h3>
      {groups.length > 0 && (
        <ul className="finding-groups" aria-label="Finding groups">
          {groups.map((g) => (
            <li key={g.key} className={`severity-${g.severity}`} data-severity={g.severity} data-group={g.key}>
              {g.parts.length === 0 && !g.detail ? (
                <p className="finding-line" title={g.title}>
                  <span className="mark" aria-hidden="true">
                    {MARK[g.severity]}
                  </span>{' '}
                  {g.title}
                </p>
              ) : (
                <details>
                  <summary className="finding-line" title={g.title}>
                    <span className="mark" aria-hidden="true">
                      {MARK[g.severity]}
                    </span>{' '}
                    {g.title}
                  </summary>
                  {g.detail && <p className="detail">{g.detail}</p>}
                  {g.parts.map((p, i) => (
                    <div key={i} className="part">
                      {p.reason && <p className="reason">{p.reason}</p>}
                      <ul>
                        {p.entries.map((e, j) => (
                          <Entry key={j} entry={e} onEdge={onEdge} onPolicy={onPolicy} />
                        ))}
                      </ul>
                    </div>
                  ))}
                  {g.count > g.parts.reduce((n, p) => n + p.entries.length, 0) && g.parts.some((p) => p.entries.length > 0) && (
                    <p className="hint">
                      {g.parts.reduce((n, p) => n + p.entries.length, 0)} of {g.count.toLocaleString('en-US')} listed
                    </p>
                  )}
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
