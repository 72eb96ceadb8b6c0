import type { GraphEdge } from '../../shared/graph/types';
import type { RuleProvenance } from '../../shared/policy/generate';
import { ruleRefText } from '../../shared/policy/types';
import { formatCount, formatWindow } from '../../shared/policy/format';
import { directionText, hitText, matchTypesText, podsText, serviceText } from './inspector-text';

interface Props {
  readonly edges: readonly GraphEdge[];
  readonly pruned: ReadonlyMap<string, { readonly reason?: string; readonly by: string }>;
  readonly rules: readonly RuleProvenance[];
  readonly reason: string;
  readonly onReason: (r: string) => void;
  readonly onTogglePrune: () => void;
  /** "Prune all edges of this node" (a node id). */
  readonly onPruneNode: (node: string) => void;
  /** "Keep only this namespace". */
  readonly onKeepNamespace: (namespace: string) => void;
  readonly namespaceOf: (node: string) => string | undefined;
  /** Shows a rule's policy in the YAML panel. */
  readonly onShowRule: (policy: string) => void;
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The selected edge(s): evidence, the rules they produced, and prune/restore with an optional reason. */
export function Inspector({
  edges,
  pruned,
  rules,
  reason,
  onReason,
  onTogglePrune,
  onPruneNode,
  onKeepNamespace,
  namespaceOf,
  onShowRule,
}: Props) {
  if (edges.length === 0) return <p className="hint">Select an edge in the graph or the list (shift or a box for several).</p>;
  const allPruned = edges.every((e) => pruned.has(e.key));
  return (
    <section className="inspector" aria-label="Edge inspector">
      {edges.slice(0, 5).map((e) => {
        const ev = e.evidence;
        const mine = rules.filter((r) => r.edges.includes(e.key));
        const p = pruned.get(e.key);
        return (
          <div key={e.key} className="edge-card">
            <h3>{e.key}</h3>
            <dl>
              <dt>Flows</dt>
              <dd>
                {formatCount(ev.flows)} ({plural(ev.replies, 'reply', 'replies')}, {plural(ev.connections, 'connection', 'connections')})
              </dd>
              <dt>Seen</dt>
              <dd>{ev.firstSeen !== null ? formatWindow(ev.firstSeen, ev.lastSeen ?? ev.firstSeen) : '–'}</dd>
              <dt>Verdicts</dt>
              <dd>
                {Object.entries(ev.verdicts)
                  .map(([v, n]) => `${v} ${n}`)
                  .join(', ') || '–'}
              </dd>
              <dt>Pods</dt>
              <dd data-field="pods">{podsText(ev.samplePods)}</dd>
              {ev.l7.http.length > 0 && (
                <>
                  <dt>HTTP</dt>
                  <dd>
                    {ev.l7.http
                      .slice(0, 5)
                      .map((h) => `${h.method} ${h.path} (${h.count})`)
                      .join(', ')}
                  </dd>
                </>
              )}
              {ev.l7.dns.length > 0 && (
                <>
                  <dt>DNS</dt>
                  <dd>
                    {ev.l7.dns
                      .slice(0, 5)
                      .map((d) => `${d.query} (${d.count})`)
                      .join(', ')}
                  </dd>
                </>
              )}
              <dt>Direction</dt>
              <dd data-field="direction" className={ev.direction.uncertain > 0 ? 'uncertain' : undefined}>
                {directionText(ev.direction)}
              </dd>
              {ev.service && (
                <>
                  <dt>Service</dt>
                  <dd data-field="service">{serviceText(ev.service)}</dd>
                </>
              )}
              {e.port === 'unknown' && (
                <>
                  <dt>Port</dt>
                  <dd>unknown: the flow log aggregated it away, so no port-restricted rule can be written</dd>
                </>
              )}
              {(ev.attribution.enforced.length > 0 ||
                ev.attribution.pending.length > 0 ||
                Object.keys(ev.attribution.matchTypes).length > 0) && (
                <>
                  <dt>Policies</dt>
                  <dd data-field="policies">
                    {Object.keys(ev.attribution.matchTypes).length > 0 && (
                      <p className="match-types" data-field="match-types">
                        {matchTypesText(ev.attribution.matchTypes)}
                      </p>
                    )}
                    {(ev.attribution.enforced.length > 0 || ev.attribution.pending.length > 0) && (
                      <ul className="policy-hits">
                        {ev.attribution.enforced.slice(0, 6).map((h) => (
                          <li key={`e${h.action}${h.direction ?? ''}${h.policy}`}>{hitText(h)}</li>
                        ))}
                        {ev.attribution.pending.slice(0, 6).map((h) => (
                          <li key={`p${h.action}${h.policy}`} className="pending">
                            staged: {hitText(h)}
                          </li>
                        ))}
                      </ul>
                    )}
                    {Object.keys(ev.attribution.pendingActions).length > 0 && (
                      <p className="hint">
                        If the staged policies were enforced:{' '}
                        {Object.entries(ev.attribution.pendingActions)
                          .map(([a, n]) => `${a} ${formatCount(n)}`)
                          .join(', ')}
                      </p>
                    )}
                  </dd>
                </>
              )}
              <dt>State</dt>
              <dd data-field="state">{p ? `pruned${p.reason ? `: ${p.reason}` : ''}` : 'kept'}</dd>
              <dt>Rules</dt>
              <dd data-field="rules">
                {mine.length
                  ? mine.map((r) => (
                      <button
                        key={ruleRefText(r.ref)}
                        type="button"
                        className="link"
                        title="Show this policy's YAML"
                        onClick={() => onShowRule(r.ref.policy)}
                      >
                        {ruleRefText(r.ref)}
                      </button>
                    ))
                  : 'none'}
              </dd>
            </dl>
          </div>
        );
      })}
      {edges.length > 5 && <p className="hint">and {edges.length - 5} more selected</p>}
      {edges.length === 1 && (
        <div className="prune-row" role="group" aria-label="Prune whole parts">
          {[...new Set([edges[0].source, edges[0].target])].map((n) => (
            <button key={n} type="button" onClick={() => onPruneNode(n)} title="Prune every edge from or to it (one undo step)">
              Prune all edges of {n}
            </button>
          ))}
          {[...new Set([edges[0].source, edges[0].target].map(namespaceOf).filter((x): x is string => x !== undefined))].map((ns) => (
            <button
              key={ns}
              type="button"
              onClick={() => onKeepNamespace(ns)}
              title="Prune every edge that neither starts nor ends in it; its traffic across the border stays"
            >
              Keep only namespace {ns}
            </button>
          ))}
        </div>
      )}
      <div className="prune-row">
        {!allPruned && (
          <input
            aria-label="Reason for pruning (optional)"
            placeholder="Reason (optional)"
            value={reason}
            onChange={(e) => onReason(e.target.value)}
            // Enter prunes with the reason typed, as x does from the graph.
            onKeyDown={(e) => {
              if (e.key === 'Enter') onTogglePrune();
            }}
          />
        )}
        <button type="button" onClick={onTogglePrune}>
          {allPruned ? 'Restore' : 'Prune'} ({edges.length}) <kbd>x</kbd>
        </button>
      </div>
    </section>
  );
}
