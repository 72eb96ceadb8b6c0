import { backendEdges } from '../graph/service-edges';
import { isKept, type Selection } from '../graph/selection';
import type { GraphEdge, GraphNode, ServiceGraph } from '../graph/types';

export interface PayloadOptions {
  /** The namespaces to lock down: the kept edges that touch a workload in them are sent. */
  readonly namespaces: readonly string[];
  /** Send external addresses as they are; by default they are replaced by stable tokens. */
  readonly allowExternalIps?: boolean;
  /** At most this many (estimated) tokens of table; the rest of the edges is cut and reported. */
  readonly tokenBudget?: number;
}

/** What is sent to a model about the traffic, and what it takes to read the reply. */
export interface DraftPayload {
  /** The table of kept edges, exactly as it is sent. */
  readonly table: string;
  /** Token → the value it stands for (external addresses, names that were pod names). */
  readonly tokens: Readonly<Record<string, string>>;
  /** The kept edges in the table, by key. */
  readonly sentEdges: readonly string[];
  /** Kept edges in scope left out to stay within the token budget. */
  readonly omittedEdges: readonly string[];
  readonly estimatedTokens: number;
  readonly tokenBudget: number;
}

export const DEFAULT_TOKEN_BUDGET = 8000;

/** A rough count that errs on the high side for tables of names and numbers (about 3.5 characters a token). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3.5);

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b|\b[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:?){1,7}\b/gi;

const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

/**
 * The kept edges of the graph as a compact table a model can read: the peers with namespace and
 * the labels a selector would use, port/proto, flow count and time window. Raw flows are never
 * sent. Scrubbed: pod IPs, pod names and node names never appear (the graph keeps pod names only
 * as samples, which are left out, and a workload named after its pod gets a token); external
 * addresses become `EXTERNAL_IP_n` unless allowed. Large graphs are cut to the token budget.
 */
export function buildDraftPayload(graph: ServiceGraph, selection: Selection, options: PayloadOptions): DraftPayload {
  const budget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
  const scope = new Set(options.namespaces);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  // Every pod name seen anywhere: a label value or workload name equal to one is replaced.
  const podNames = new Set<string>();
  for (const n of graph.nodes) for (const p of n.samplePods ?? []) podNames.add(p);
  for (const e of graph.edges) for (const p of [...e.evidence.samplePods.src, ...e.evidence.samplePods.dst]) podNames.add(p);

  const tokens = new Map<string, string>(); // value → token
  const tokenFor = (value: string, kind: 'EXTERNAL_IP' | 'POD_NAME'): string => {
    let t = tokens.get(value);
    if (!t) {
      t = `${kind}_${[...tokens.values()].filter((v) => v.startsWith(kind)).length + 1}`;
      tokens.set(value, t);
    }
    return t;
  };
  const scrubName = (s: string): string => (podNames.has(s) ? tokenFor(s, 'POD_NAME') : s);
  const scrubAddresses = (s: string): string =>
    options.allowExternalIps ? s : s.replace(IPV4, (ip) => tokenFor(ip, 'EXTERNAL_IP')).replace(IPV6, (ip) => tokenFor(ip, 'EXTERNAL_IP'));

  const peerText = (n: GraphNode | undefined, id: string): string => {
    if (!n) return scrubAddresses(id);
    if (n.kind === 'entity') return `entity:${n.entity ?? n.label}`;
    if (n.kind === 'service') return `${n.id} (a Service frontend no backend is known for)`;
    if (n.kind === 'network') return `network:${n.scope} (an address the flow log aggregated away)`;
    if (n.kind === 'external') {
      const ip = n.ip ?? n.label;
      const names = (n.dnsNames ?? []).slice(0, 3);
      return `external:${options.allowExternalIps ? ip : tokenFor(ip, 'EXTERNAL_IP')}${names.length ? ` (dns: ${names.join(', ')})` : ''}`;
    }
    const labels = Object.entries(n.identity ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${scrubName(v)}`)
      .join(',');
    return `${n.namespace}/${scrubName(n.label)} {${labels || 'no labels seen'}}`;
  };

  // A Service with several backends, none of which the capture shows a connection reaching: its backends, each with its target port.
  const serviceBackends = (e: GraphEdge): string | undefined => {
    const b = e.evidence.service?.backends;
    if (!b || b.length === 0) return undefined;
    const each = b.map((x) => `${peerText(nodes.get(x.node), x.node)} port ${x.port}`).join('; ');
    return `${e.target} (a Service: any of its backends ${each}; the capture does not show which one each connection reached)`;
  };

  const inScope = (id: string): boolean => {
    const n = nodes.get(id);
    return n?.kind === 'workload' && scope.has(n.namespace ?? '');
  };
  const kept = graph.edges.filter((e) => isKept(selection, e.key) && backendEdges(e).some((x) => inScope(x.source) || inScope(x.target)));
  // DNS first (a missing DNS rule is the classic outage), then the busiest edges.
  const rank = (e: GraphEdge): number => (e.port === 53 ? 0 : 1);
  kept.sort((a, b) => rank(a) - rank(b) || b.evidence.flows - a.evidence.flows || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const header = [
    `# Namespaces to lock down: ${[...scope].sort().join(', ')} (namespace label kubernetes.io/metadata.name)`,
    graph.window ? `# Capture window: ${iso(graph.window.start)} to ${iso(graph.window.end)}` : '# Capture window: unknown',
    '# One line per observed connection (client -> server): source | destination | port/proto | flows | first seen | last seen',
  ];
  const lines: string[] = [];
  const sent: string[] = [];
  const omitted: string[] = [];
  // Room for the line that reports a cut, so the table with it stays within the budget.
  let size = estimateTokens(header.join('\n')) + estimateTokens('# 100000 more connection(s) were left out to fit the size limit.') + 1;
  for (const e of kept) {
    const line = scrubAddresses(
      [
        peerText(nodes.get(e.source), e.source),
        serviceBackends(e) ?? peerText(nodes.get(e.target), e.target),
        e.port === null ? e.protocol : `${e.port}/${e.protocol}`,
        // Replies only (the connection began before the capture) still show traffic.
        String(e.evidence.flows),
        iso(e.evidence.firstSeen),
        iso(e.evidence.lastSeen),
      ].join(' | '),
    );
    const cost = estimateTokens(line) + 1;
    if (size + cost > budget) {
      omitted.push(e.key);
      continue;
    }
    size += cost;
    lines.push(line);
    sent.push(e.key);
  }
  if (omitted.length > 0) header.push(`# ${omitted.length} more connection(s) were left out to fit the size limit.`);
  const table = [...header, ...lines].join('\n');
  return {
    table,
    tokens: Object.fromEntries([...tokens].map(([value, token]) => [token, value])),
    sentEdges: sent,
    omittedEdges: omitted,
    estimatedTokens: estimateTokens(table),
    tokenBudget: budget,
  };
}

/** Puts the scrubbed values back in a reply (`EXTERNAL_IP_1/32` becomes `203.0.113.7/32`). */
export function restoreTokens(text: string, tokens: Readonly<Record<string, string>>): string {
  const keys = Object.keys(tokens);
  if (keys.length === 0) return text;
  const re = new RegExp(`\\b(?:${keys.sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');
  return text.replace(re, (t) => tokens[t] ?? t);
}
