import type { NodeStatusAt, StreamDamage } from '../flows/stats';
import { SNAPSHOT_COMMAND } from '../cluster/snapshot';
import { skippedRecordsAdvice, unknownPortAdvice } from './advice';
import { isDnsPort } from './keys';
import { isUnresolvedService } from './service-edges';
import type { GraphEdge, GraphNode, GraphWarning, ServiceGraph, WarningCode } from './types';

/**
 * Warnings that mean flows are missing from the capture, most of the capture lost first: policies
 * generated or verified from it may block traffic nobody saw, so no verdict on it is a pass.
 */
export const DATA_LOSS: readonly WarningCode[] = [
  'damaged-gzip',
  'truncated',
  'nodes-unavailable',
  'lost-events',
  'bad-lines',
  'connections-capped',
  'skipped-records',
];

/** The graph's warnings that mean flows are missing, in `DATA_LOSS` order. */
export function dataLossWarnings(warnings: readonly GraphWarning[]): GraphWarning[] {
  return warnings.filter((w) => DATA_LOSS.includes(w.code)).sort((a, b) => DATA_LOSS.indexOf(a.code) - DATA_LOSS.indexOf(b.code));
}

/** What the reader counted, for the warnings that are about the capture rather than the graph. */
export interface CaptureCounts {
  readonly badLines: number;
  readonly firstBadLine?: { readonly line: number; readonly reason: string };
  readonly lostEvents: number;
  readonly truncatedLastLine: boolean;
  /** The cut-off last line is among `badLines`. */
  readonly cutLineCounted?: boolean;
  /** Hubble reports of nodes it could not reach (the first ones, with their lines), and how many there were. */
  readonly nodesUnavailable?: readonly NodeStatusAt[];
  readonly nodesUnavailableEvents?: number;
  /** Where a gzip capture broke: nothing after it could be read. */
  readonly damaged?: StreamDamage;
  /** Bytes after the gzip stream that are no gzip data: where they start and how many (ignored). */
  readonly trailingData?: { readonly offset: number; readonly size: number };
  /** Connections the tracker forgot (too many at once) or decided before the whole capture was read. */
  readonly forgotten?: number;
  readonly decidedEarly?: number;
  /** Records with no L4 protocol the tool reads (TCP, UDP, SCTP, ICMP). */
  readonly skipped?: number;
  /** ICMP errors and replies that answered no ICMP edge of the capture, left out (see foldIcmpResponses). */
  readonly icmpResponsesLeftOut?: number;
  /** The cluster snapshot the graph was resolved with, when one was given. */
  readonly snapshot?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 1918 IPv4, 100.64/10 (shared address space, used for Service ranges too) and IPv6 unique-local addresses. */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPrivateAddress(mapped[1]);
  if (ip.includes(':')) return /^f[cd][0-9a-f]{2}:/i.test(ip);
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

/** Formats a duration in words: `3 min 20 s`, `5 h 12 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function list(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * The warnings a user must see before trusting policies generated from this graph. `owners`: the
 * workload nodes whose pods belong to more than one owner (by their names), with those owners.
 */
export function graphWarnings(
  graph: Pick<ServiceGraph, 'nodes' | 'edges' | 'window' | 'format'>,
  dnsClients: ReadonlySet<string>,
  counts: CaptureCounts,
  owners: ReadonlyMap<string, readonly string[]> = new Map(),
): GraphWarning[] {
  const out: GraphWarning[] = [];
  const edges: readonly GraphEdge[] = graph.edges;
  if (edges.length === 0) {
    out.push({ code: 'no-flows', message: 'The capture holds no connections to build a graph from.' });
  }
  const workloads = new Map<string, GraphNode>(graph.nodes.filter((n) => n.kind === 'workload').map((n) => [n.id, n]));
  const egressWithoutDns = [
    ...new Set(
      edges.filter((e) => workloads.has(e.source) && !isDnsPort(e.protocol, e.port) && !dnsClients.has(e.source)).map((e) => e.source),
    ),
  ].sort();
  if (egressWithoutDns.length > 0) {
    out.push({
      code: 'no-dns',
      message: `${egressWithoutDns.length} workload(s) made connections but no DNS lookup from them was seen (capture window too short?): ${list(egressWithoutDns)}. Their generated egress policy may block DNS.`,
      subjects: egressWithoutDns,
    });
  }
  out.push(...trafficWarnings(graph, counts), ...gatheredWarnings(graph, owners));
  if (counts.lostEvents > 0) {
    out.push({
      code: 'lost-events',
      message: `Hubble lost ${counts.lostEvents} event(s) during the capture, so some flows are missing. Capture again with a narrower filter or a larger Hubble buffer.`,
    });
  }
  if (graph.window) {
    const span = graph.window.end - graph.window.start;
    if (span < DAY_MS) {
      out.push({
        code: 'short-window',
        message: `The capture covers ${formatDuration(span)}, less than 24 hours: nightly jobs, backups and batch traffic may be missing.`,
      });
    }
  }
  const dropped = edges.filter((e) => (e.evidence.verdicts.DROPPED ?? 0) > 0);
  if (dropped.length > 0) {
    const events = dropped.reduce((n, e) => n + (e.evidence.verdicts.DROPPED ?? 0), 0);
    out.push({
      code: 'dropped-flows',
      message: `${events} dropped flow event(s) on ${dropped.length} edge(s); edges that were only ever dropped start pruned.`,
      subjects: dropped.map((e) => e.key),
    });
  }
  // A capture cut short counts its last line as a bad line too: the `truncated` (or `damaged-gzip`)
  // warning says that one, so the bad lines say the others, and nothing is said twice.
  const cutLine = counts.cutLineCounted ? 1 : 0;
  const otherBad = counts.badLines - cutLine;
  if (otherBad > 0) {
    const first = counts.firstBadLine ? ` (first at line ${counts.firstBadLine.line}: ${counts.firstBadLine.reason})` : '';
    out.push({
      code: 'bad-lines',
      message: `${otherBad} line(s) could not be read and were skipped${first}${cutLine ? ', besides the cut-off last line' : ''}.`,
    });
  }
  const outage = nodesUnavailableWarning(counts.nodesUnavailable ?? [], counts.nodesUnavailableEvents ?? 0);
  if (outage) out.push(outage);
  if (counts.damaged) {
    const d = counts.damaged;
    out.push({
      code: 'damaged-gzip',
      message:
        `The gzip stream is damaged near byte ${d.compressedByte.toLocaleString('en-US')} of ${d.compressedSize.toLocaleString('en-US')} (${d.reason}): ` +
        `reading stopped after line ${d.afterLine}, and nothing after that point could be read. ` +
        'Decompress it with `gzip -dc FILE > out.jsonl` to see how much is recoverable, or capture again.',
    });
  } else if (counts.truncatedLastLine) {
    out.push({
      code: 'truncated',
      message: 'The capture ends in the middle of a record: it was cut short, and the last record was skipped.',
    });
  }
  if (counts.trailingData) {
    const t = counts.trailingData;
    out.push({
      code: 'gzip-trailing-data',
      message:
        `${t.size.toLocaleString('en-US')} byte(s) after the end of the gzip stream, from byte ${t.offset.toLocaleString('en-US')}, are no gzip data and were ignored ` +
        '(as `gzip -dc` ignores "trailing garbage"); every record of the gzip stream was read. If those bytes should hold records, the file was put together wrongly: compress the capture again.',
    });
  }
  return out;
}

/** What the graph itself cannot vouch for: guessed directions, unresolved Services, unselectable workloads, missing ports. */
function trafficWarnings(graph: Pick<ServiceGraph, 'nodes' | 'edges' | 'format'>, counts: CaptureCounts): GraphWarning[] {
  const out: GraphWarning[] = [];
  const uncertain = graph.edges.filter((e) => e.evidence.direction.uncertain > 0).map((e) => e.key);
  if (uncertain.length > 0) {
    out.push({
      code: 'uncertain-direction',
      message: `${uncertain.length} edge(s) rest on connections whose direction nothing in the capture settles (no handshake, ports in the same range, neither port a server's elsewhere, reply flags missing or in disagreement): ${list(uncertain)}. Each may be the reverse of what happened; check it before keeping it, or capture longer so the connections' starts are in it.`,
      subjects: uncertain,
    });
  }
  const shared = graph.edges.filter((e) => (e.evidence.service?.backends?.length ?? 0) > 0);
  if (shared.length > 0) {
    const seen = shared.reduce((n, e) => n + e.evidence.connections, 0);
    const which = shared.map((e) => `${e.key} (${e.evidence.service!.backends!.map((b) => `${b.node}:${b.port}`).join(', ')})`);
    out.push({
      code: 'unattributed-service',
      message: `${seen} connection(s) on ${shared.length} edge(s) went to a Service with several backends and were never seen translated, so the capture does not say which backend served each: ${list(which)}. They are counted once, on the edge to the Service, never on every backend; the generated rules allow each backend it may have reached. Capture the translated flows (both nodes of the connection) to place them.`,
      subjects: shared.map((e) => e.key),
    });
  }
  const services = graph.edges.filter(isUnresolvedService);
  if (services.length > 0) {
    const names = [...new Set(services.map((e) => e.target.slice('service:'.length)))].sort();
    out.push({
      code: 'unresolved-service',
      message: `${services.length} edge(s) go to Service frontends that nothing in the capture${counts.snapshot ? ' or the snapshot' : ''} resolves to backends (${list(names)}). A NetworkPolicy sees traffic after the Service is translated, so no rule can allow them as they are: ${counts.snapshot ? 'check that the snapshot is of the same cluster and has the EndpointSlices' : `give a cluster snapshot (\`${SNAPSHOT_COMMAND}\`)`}, or capture the translated flows too.`,
      subjects: services.map((e) => e.key),
    });
  }
  const unlabelled = (why: 'not-captured' | 'none') =>
    graph.nodes.filter((n) => n.kind === 'workload' && n.unlabelled === why).map((n) => n.id);
  const notCaptured = unlabelled('not-captured');
  if (notCaptured.length > 0) {
    out.push({
      code: 'unlabelled-workloads',
      message: `${notCaptured.length} workload(s) appear only in records that carried no labels (${list(notCaptured)}), so no selector can name them yet. ${counts.snapshot ? 'The snapshot does not know their pods either: take it from the same cluster while they run' : `Give a cluster snapshot to take their labels from (\`${SNAPSHOT_COMMAND}\`)`}; until then the generated policies allow none of their flows: verify counts them blocked, or undecided where a selector might match their unknown labels.`,
      subjects: notCaptured,
    });
  }
  const none = unlabelled('none');
  if (none.length > 0) {
    out.push({
      code: 'unlabelled-workloads',
      message: `${none.length} workload(s) have no labels a policy could select (${list(none)}): label their pods (for example app=NAME). Until then no rule can name them, and the generated policies allow none of their flows.`,
      subjects: none,
    });
  }
  // An address in a private range reported as outside the cluster may be a Service's ClusterIP that
  // Hubble did not name: an ipBlock for it would never match. Only a snapshot can tell.
  const privateAddresses = counts.snapshot
    ? []
    : graph.nodes
        .filter((n) => n.kind === 'external' && n.ip && isPrivateAddress(n.ip) && graph.edges.some((e) => e.target === n.id))
        .map((n) => n.id);
  if (privateAddresses.length > 0) {
    out.push({
      code: 'private-address',
      message: `${privateAddresses.length} address(es) in a private range were reached as if outside the cluster (${list(privateAddresses)}). If one is a Service's ClusterIP that the capture does not name, an ipBlock for it never matches (a policy sees traffic after the Service is translated): give a cluster snapshot to tell, or capture the translated flows.`,
      subjects: privateAddresses,
    });
  }
  // Two workloads with the same labels: a policy that selects one selects the other.
  const bySelector = new Map<string, string[]>();
  for (const n of graph.nodes) {
    if (n.kind !== 'workload' || !n.identity || Object.keys(n.identity).length === 0) continue;
    const sel = `${n.namespace}|${Object.entries(n.identity)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    (bySelector.get(sel) ?? bySelector.set(sel, []).get(sel)!).push(n.id);
  }
  for (const [sel, ids] of bySelector) {
    if (ids.length < 2) continue;
    out.push({
      code: 'shared-selector',
      message: `${list(ids)} carry the same labels (${sel.slice(sel.indexOf('|') + 1)}), so a policy that selects one selects the others too and each gets the others' rules: add a label that tells them apart (for example app=NAME), then capture again.`,
      subjects: ids,
    });
  }
  const noPort = graph.edges.filter((e) => e.port === 'unknown').map((e) => e.key);
  if (noPort.length > 0) {
    const advice = unknownPortAdvice(graph.format);
    out.push({
      code: 'unknown-port',
      message: `${noPort.length} edge(s) have no port: ${advice.cause}, or a record gave a value that is no port (${list(noPort)}). No port-restricted rule can be written for them: ${advice.fix}.`,
      subjects: noPort,
    });
  }
  const networks = graph.edges.filter((e) => e.source.startsWith('net:') || e.target.startsWith('net:')).map((e) => e.key);
  if (networks.length > 0) {
    out.push({
      code: 'aggregated-network',
      message: `${networks.length} edge(s) reach addresses the flow log reduced to "a public network" or "a private network" (${list(networks)}). No ipBlock can be derived from that; lower Calico's flow-log aggregation to keep the addresses, or add the CIDRs by hand.`,
      subjects: networks,
    });
  }
  if (counts.skipped) {
    out.push({
      code: 'skipped-records',
      message: `${counts.skipped} record(s) named no L4 protocol the tool reads (TCP, UDP, SCTP, ICMP) and were left out: no rule can come from them. ${skippedRecordsAdvice(graph.format)}`,
    });
  }
  if (counts.icmpResponsesLeftOut) {
    out.push({
      code: 'skipped-records',
      message: `${counts.icmpResponsesLeftOut} ICMP error(s) or echo repl(ies) answered no ICMP request in the capture (for example a destination unreachable answering a UDP or TCP packet) and were left out: an answer never opens a connection, so no rule comes from it.`,
    });
  }
  const capped = (counts.forgotten ?? 0) + (counts.decidedEarly ?? 0);
  if (capped > 0) {
    out.push({
      code: 'connections-capped',
      message: `The capture holds more connections waiting for a settlement than are kept at once: ${counts.decidedEarly ?? 0} connection(s) were settled before the whole capture was read and ${counts.forgotten ?? 0} settled one(s) were forgotten early. Their direction used only what was read until then, so it may differ from a reading of the whole capture, and between a read on one thread and on several. Split the capture by namespace or time to read it exactly.`,
    });
  }
  return out;
}

/** Hubble's relay could not reach some nodes: their flows are missing from the capture. */
function nodesUnavailableWarning(kept: readonly NodeStatusAt[], events: number): GraphWarning | undefined {
  const first = kept[0];
  if (!first) return undefined;
  const nodes = [...new Set(kept.flatMap((k) => k.nodes))];
  const who = nodes.length > 0 ? `node(s) ${list(nodes)}` : 'some node(s)';
  const detail = `${first.state} at line ${first.line}${first.message ? `: ${first.message}` : ''}`;
  const more = events > 1 ? `, and ${events - 1} more such report(s)` : '';
  return {
    code: 'nodes-unavailable',
    message:
      `Hubble could not reach ${who} during the capture (${detail}${more}): their flows are missing, so edges through them may be absent. ` +
      'Capture again when every node is connected (`hubble list nodes`).',
  };
}

/** Two workloads (two owners of pods) behind one node: their pods carry the same identity labels. */
function gatheredWarnings(graph: Pick<ServiceGraph, 'nodes'>, owners: ReadonlyMap<string, readonly string[]>): GraphWarning[] {
  return graph.nodes.flatMap((n) => {
    const names = owners.get(n.id);
    if (!names || n.kind !== 'workload') return [];
    const labels = Object.entries(n.identity ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return [
      {
        code: 'shared-selector' as const,
        message: `${n.id} gathers the pods of ${names.length} workloads (${list(names)}) under one selector (${labels}): a policy that selects one selects the others too, and each gets the others' rules. If they should not share rules, give their pods a label that tells them apart (for example app.kubernetes.io/instance, or an app=NAME of their own), then capture again.`,
        subjects: [n.id],
      },
    ];
  });
}
