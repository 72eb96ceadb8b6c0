import { backendEdges } from '../graph/service-edges';
import type { ServiceGraph } from '../graph/types';
import { enginePolicies, type PolicyDocument } from './documents';
import { policyEngine, type End } from './engine';
import { normalisedYaml } from './normalise';
import { lineHunks } from './text-diff';
import type { NetworkPolicy, PolicyProtocol } from './types';
import { endsFromGraph } from './verify';

type AnyPolicy = PolicyDocument;

/**
 * `ns/name`; a Cilium or staged Calico policy says its kind (a staged policy and the NetworkPolicy of
 * the same name are two objects), a clusterwide one has no namespace.
 */
export function diffPolicyId(p: AnyPolicy): string {
  if (p.kind === 'CiliumClusterwideNetworkPolicy') return `${p.metadata.name} (CiliumClusterwideNetworkPolicy)`;
  const id = `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
  return p.kind === 'NetworkPolicy' ? id : `${id} (${p.kind})`;
}

export interface PolicyChange {
  readonly policy: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Unified diff of the normalised YAML (`normalisedYaml`: in the new file's key order; key order, comments and server-set metadata do not count). */
  readonly diff: readonly string[];
}

export interface FlowChange {
  readonly source: string;
  readonly target: string;
  readonly protocol: PolicyProtocol;
  readonly port: number;
  /** The observed edge, when the connection was observed. */
  readonly edge?: string;
  readonly explanation: string;
}

export interface PolicyDiff {
  readonly policies: readonly PolicyChange[];
  readonly unchanged: number;
  /** With a graph: observed edges allowed before and blocked after (first, they are outages). */
  readonly newlyBlocked?: readonly FlowChange[];
  readonly newlyAllowed?: readonly FlowChange[];
  /** Connections never observed (between seen workloads, on seen ports) that the new set opens. */
  readonly openedUnobserved?: readonly FlowChange[];
  /** Observed edges whose verdict changes to one the input cannot decide (see verify). */
  readonly newlyUndecided?: readonly FlowChange[];
}

const MAX_UNOBSERVED = 500;

/**
 * What changes from policy set `a` to `b` (NetworkPolicies, staged Calico policies, CiliumNetworkPolicies,
 * or a mix): per policy as YAML, and (with a graph) per observed flow, each side judged by the policy
 * engine as verify judges it (Cilium's semantics when the side holds a CiliumNetworkPolicy; a staged
 * policy as the NetworkPolicy it becomes once enforced).
 */
export function diffPolicies(a: readonly AnyPolicy[], b: readonly AnyPolicy[], graph?: ServiceGraph): PolicyDiff {
  const before = new Map(a.map((p) => [diffPolicyId(p), p]));
  const after = new Map(b.map((p) => [diffPolicyId(p), p]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const policies: PolicyChange[] = [];
  let unchanged = 0;
  for (const id of ids) {
    const x = before.get(id);
    const y = after.get(id);
    // The old side is written in the new side's key order: a key that only moved is no change.
    const xs = x
      ? normalisedYaml(x as NetworkPolicy, y as NetworkPolicy | undefined)
          .trimEnd()
          .split('\n')
      : [];
    const ys = y
      ? normalisedYaml(y as NetworkPolicy)
          .trimEnd()
          .split('\n')
      : [];
    if (x && y && xs.join('\n') === ys.join('\n')) {
      unchanged++;
      continue;
    }
    policies.push({ policy: id, change: !x ? 'added' : !y ? 'removed' : 'changed', diff: lineHunks(xs, ys) });
  }
  if (!graph) return { policies, unchanged };

  const engineOf = (set: readonly AnyPolicy[]) => {
    const { kubernetes, cilium } = enginePolicies(set);
    return policyEngine(kubernetes, cilium);
  };
  const ea = engineOf(a);
  const eb = engineOf(b);
  const ends = endsFromGraph(graph);
  const newlyBlocked: FlowChange[] = [];
  const newlyAllowed: FlowChange[] = [];
  const newlyUndecided: FlowChange[] = [];
  const openedUnobserved: FlowChange[] = [];
  const observed = new Set<string>();
  const ports = new Map<string, Set<string>>();
  for (const e of graph.edges.flatMap(backendEdges)) {
    const src = ends.get(e.source);
    const dst = ends.get(e.target);
    if (!src || !dst || typeof e.port !== 'number' || (e.protocol !== 'TCP' && e.protocol !== 'UDP' && e.protocol !== 'SCTP')) continue;
    observed.add(`${e.source}|${e.target}|${e.protocol}|${e.port}`);
    (ports.get(e.target) ?? ports.set(e.target, new Set()).get(e.target)!).add(`${e.protocol}/${e.port}`);
    const flow = { src, dst, protocol: e.protocol, port: e.port };
    const va = ea.evaluate(flow);
    const vb = eb.evaluate(flow);
    if (va.verdict === vb.verdict) continue;
    const change = { source: e.source, target: e.target, protocol: e.protocol, port: e.port, edge: e.key, explanation: vb.explanation };
    (vb.verdict === 'blocked' ? newlyBlocked : vb.verdict === 'allowed' ? newlyAllowed : newlyUndecided).push(change);
  }
  const sources: [string, End][] = [...ends].filter(([, end]) => end.kind === 'pod' || end.kind === 'address');
  for (const [target, set] of [...ports].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const dst = ends.get(target)!;
    if (dst.kind !== 'pod') continue;
    for (const pp of [...set].sort()) {
      const [protocol, port] = [pp.split('/')[0] as PolicyProtocol, Number(pp.split('/')[1])];
      for (const [source, src] of sources) {
        if (source === target || observed.has(`${source}|${target}|${protocol}|${port}`) || openedUnobserved.length >= MAX_UNOBSERVED)
          continue;
        const flow = { src, dst, protocol, port };
        const vb = eb.evaluate(flow);
        if (vb.verdict === 'allowed' && !vb.implicit && ea.evaluate(flow).verdict !== 'allowed')
          openedUnobserved.push({ source, target, protocol, port, explanation: vb.explanation });
      }
    }
  }
  return { policies, unchanged, newlyBlocked, newlyAllowed, openedUnobserved, newlyUndecided };
}

const flowLine = (f: FlowChange): string => `${f.source} -> ${f.target}:${f.port}/${f.protocol}`;

/** Plain text: blocked flows first, then opened ones, then the YAML changes. */
export function diffText(d: PolicyDiff): string {
  const out: string[] = [];
  if (d.newlyBlocked) {
    out.push(`observed flows newly BLOCKED: ${d.newlyBlocked.length}`);
    for (const f of d.newlyBlocked) out.push(`  ${flowLine(f)}\n    ${f.explanation}`);
    out.push(`observed flows newly allowed: ${d.newlyAllowed?.length ?? 0}`);
    for (const f of d.newlyAllowed ?? []) out.push(`  ${flowLine(f)}`);
    out.push(`unobserved connections opened: ${d.openedUnobserved?.length ?? 0}`);
    for (const f of d.openedUnobserved ?? []) out.push(`  ${flowLine(f)}`);
    if ((d.newlyUndecided?.length ?? 0) > 0) {
      out.push(`observed flows that can no longer be decided from this input: ${d.newlyUndecided!.length}`);
      for (const f of d.newlyUndecided!) out.push(`  ${flowLine(f)}\n    ${f.explanation}`);
    }
    out.push('');
  }
  out.push(
    `policies: ${d.policies.filter((p) => p.change === 'added').length} added, ${d.policies.filter((p) => p.change === 'removed').length} removed, ${d.policies.filter((p) => p.change === 'changed').length} changed, ${d.unchanged} unchanged`,
  );
  for (const p of d.policies) {
    out.push(`--- ${p.change}: ${p.policy}`);
    out.push(...p.diff);
  }
  return out.join('\n') + '\n';
}

/** Markdown for a review: tables of flows, fenced diffs of policies. */
export function diffMarkdown(d: PolicyDiff): string {
  const out: string[] = ['# Policy diff', ''];
  const table = (title: string, rows: readonly FlowChange[] | undefined): void => {
    if (!rows) return;
    out.push(`## ${title} (${rows.length})`, '');
    if (rows.length === 0) out.push('None.', '');
    else {
      out.push('| source | destination | port | why |', '|---|---|---|---|');
      for (const f of rows) out.push(`| ${f.source} | ${f.target} | ${f.port}/${f.protocol} | ${f.explanation.replace(/\|/g, '\\|')} |`);
      out.push('');
    }
  };
  table('Observed flows newly blocked', d.newlyBlocked);
  table('Observed flows newly allowed', d.newlyAllowed);
  table('Unobserved connections opened', d.openedUnobserved);
  if ((d.newlyUndecided?.length ?? 0) > 0) table('Observed flows that can no longer be decided', d.newlyUndecided);
  out.push(`## Policies (${d.policies.length} changed, ${d.unchanged} unchanged)`, '');
  for (const p of d.policies) out.push(`### ${p.change}: \`${p.policy}\``, '', '```diff', ...p.diff, '```', '');
  return out.join('\n');
}
