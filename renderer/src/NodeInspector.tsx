import type { GraphEdge, GraphNode } from '../../shared/graph/types';
import { formatCount } from '../../shared/policy/format';
import { ruleRefText, type RuleRef } from '../../shared/policy/types';

/** A generated policy as the inspector needs it: its id and the rules with the edges behind them. */
export interface NodePolicy {
  readonly id: string;
  readonly rules: readonly { readonly ref: RuleRef; readonly edges: readonly string[] }[];
}

interface Props {
  readonly node: GraphNode;
  /** Every edge into and out of it (the graph's, not only those drawn). */
  readonly edges: readonly GraphEdge[];
  readonly pruned: ReadonlyMap<string, unknown>;
  /** The policy generated for it, when it is a workload in scope. */
  readonly policy?: NodePolicy;
  /** Whether its namespace is locked down (else no policy is generated for it). */
  readonly inScope: boolean;
  readonly onSelectEdge: (edge: string) => void;
  readonly onShowPolicy: (policy: string) => void;
  readonly onPruneNode: (node: string) => void;
  readonly onKeepNamespace: (namespace: string) => void;
}

const identityText = (labels: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** Why a node has no policy of its own, in words. */
function noPolicy(node: GraphNode, inScope: boolean): string {
  if (node.kind !== 'workload') return 'none: policies select workloads; this is a peer they name';
  if (!inScope) return `none: ${node.namespace ?? 'its namespace'} is not locked down (tick it under Lock down)`;
  if (!node.identity || Object.keys(node.identity).length === 0) return 'none: no labels a policy could select';
  return 'none';
}

function EdgeRows({
  label,
  edges,
  pruned,
  other,
  onSelectEdge,
}: {
  readonly label: string;
  readonly edges: readonly GraphEdge[];
  readonly pruned: ReadonlyMap<string, unknown>;
  readonly other: (e: GraphEdge) => string;
  readonly onSelectEdge: (edge: string) => void;
}) {
  if (edges.length === 0) return <p className="hint">none</p>;
  return (
    <ul className="node-edges" aria-label={label}>
      {edges.map((e) => (
        <li key={e.key} className={pruned.has(e.key) ? 'pruned' : undefined} title={e.key}>
          <button type="button" className="link" onClick={() => onSelectEdge(e.key)}>
            {other(e)} :{e.port === null ? e.protocol : `${e.port}/${e.protocol}`}
          </button>{' '}
          <span className="flows">
            {formatCount(e.evidence.flows)} flows{pruned.has(e.key) ? ' · pruned' : ''}
            {(e.evidence.verdicts.DROPPED ?? 0) > 0 ? ' · dropped' : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The selected node: what it is, its edges in and out (each leads to its edge), and the policy generated for it. */
export function NodeInspector({ node, edges, pruned, policy, inScope, onSelectEdge, onShowPolicy, onPruneNode, onKeepNamespace }: Props) {
  const incoming = edges.filter((e) => e.target === node.id);
  const outgoing = edges.filter((e) => e.source === node.id);
  const labels = identityText(node.identity);
  return (
    <section className="inspector" aria-label="Node inspector">
      <h3>{node.id}</h3>
      <dl>
        <dt>Kind</dt>
        <dd data-field="kind">{node.kind}</dd>
        {node.namespace && (
          <>
            <dt>Namespace</dt>
            <dd>{node.namespace}</dd>
          </>
        )}
        {node.kind === 'workload' && (
          <>
            <dt>Selected by</dt>
            <dd data-field="identity">{labels || 'no labels'}</dd>
          </>
        )}
        {node.samplePods && node.samplePods.length > 0 && (
          <>
            <dt>Pods</dt>
            <dd>{node.samplePods.slice(0, 3).join(', ')}</dd>
          </>
        )}
        {node.dnsNames && node.dnsNames.length > 0 && (
          <>
            <dt>Names</dt>
            <dd>{node.dnsNames.join(', ')}</dd>
          </>
        )}
        <dt>Policy</dt>
        <dd data-field="policy">
          {policy ? (
            <button type="button" className="link" title="Show this policy's YAML" onClick={() => onShowPolicy(policy.id)}>
              {policy.id}
            </button>
          ) : (
            noPolicy(node, inScope)
          )}
          {policy && policy.rules.length > 0 && (
            <span className="hint-inline">
              {' '}
              ({policy.rules.length} rule{policy.rules.length === 1 ? '' : 's'}:{' '}
              {policy.rules.map((r) => ruleRefText(r.ref).split(' ')[1]).join(', ')})
            </span>
          )}
        </dd>
      </dl>
      <h4>In ({incoming.length})</h4>
      <EdgeRows label="Edges in" edges={incoming} pruned={pruned} other={(e) => `from ${e.source}`} onSelectEdge={onSelectEdge} />
      <h4>Out ({outgoing.length})</h4>
      <EdgeRows label="Edges out" edges={outgoing} pruned={pruned} other={(e) => `to ${e.target}`} onSelectEdge={onSelectEdge} />
      <div className="prune-row" role="group" aria-label="Prune whole parts">
        {edges.length > 0 && (
          <button type="button" onClick={() => onPruneNode(node.id)} title="Prune every edge from or to it (one undo step)">
            Prune all edges of {node.id}
          </button>
        )}
        {node.kind === 'workload' && node.namespace && (
          <button
            type="button"
            onClick={() => onKeepNamespace(node.namespace!)}
            title="Prune every edge that neither starts nor ends in it; its traffic across the border stays"
          >
            Keep only namespace {node.namespace}
          </button>
        )}
      </div>
    </section>
  );
}
