import type { GraphWarning } from '../../../shared/graph/types';
import type { PolicyWarning, PolicyWarningCode } from '../../../shared/policy/generate';
import { plural, worstFirst, type FindingEntry, type FindingGroup } from './finding-groups';

/** What the generation could not write a rule for, as group titles (the warnings' messages say why). */
const GENERATION_TITLES: Record<Exclude<PolicyWarningCode, 'no-dns'>, (n: number) => string> = {
  'entity-peer': (n) => `${plural(n, 'edge')} with the nodes or other entities get no rule`,
  'unselectable-workload': (n) => `${plural(n, 'workload')} no selector can name`,
  'unresolved-service': (n) => `${plural(n, 'edge')} to Services nothing resolved get no rule`,
  'aggregated-network': (n) => `${plural(n, 'edge')} to aggregated networks get no rule`,
  'unknown-port': (n) => `${plural(n, 'edge')} without a port get no rule`,
  'uncertain-direction': (n) => `${plural(n, 'edge')} whose direction is a guess`,
  icmp: (n) => `${plural(n, 'ICMP edge')} get no rule`,
  'empty-scope': () => 'No namespace is in scope: choose the namespaces to lock down',
};

/** What the entries of these groups are about: edges and workloads already said. */
function subjectsOf(groups: readonly FindingGroup[]): Set<string> {
  const out = new Set<string>();
  for (const g of groups)
    for (const p of g.parts)
      for (const e of p.entries) {
        if (e.edge) out.add(e.edge);
        if (e.workload) out.add(e.workload);
      }
  return out;
}

/**
 * One group for a workload that was never seen looking up a name, whichever check said it: the
 * capture (no DNS seen), the generation (an egress policy without DNS) and lint (egress isolated,
 * no rule to the cluster DNS). Each workload once; the lint finding, where there is one, leads to
 * the policy to fix.
 */
function dnsGroup(lint: FindingGroup | undefined, generation: PolicyWarning | undefined, capture: GraphWarning | undefined) {
  const byWorkload = new Map<string, FindingEntry>();
  for (const w of [...(capture?.subjects ?? []), ...(generation?.subjects ?? [])]) byWorkload.set(w, { text: w, workload: w });
  for (const e of lint?.parts.flatMap((p) => p.entries) ?? []) if (e.workload) byWorkload.set(e.workload, e);
  if (!lint && !generation && !capture) return [];
  const entries = [...byWorkload.keys()].sort().map((w) => byWorkload.get(w)!);
  const detail = [generation?.message ?? capture?.message, lint?.detail].filter((x): x is string => !!x).join(' ');
  return [
    {
      key: 'dns',
      severity: 'warning' as const,
      title: `${plural(entries.length, 'workload')} with no DNS lookup seen`,
      count: entries.length,
      detail,
      parts: [{ entries }],
    },
  ];
}

/**
 * Everything the policies tab says about the set shown, each thing once, errors first: coverage and
 * lint; what the generation could not write, unless a finding names the same edges already; the
 * capture's notes (no DNS seen, a short window). DNS is one group whichever check saw it.
 */
export function reviewGroups(
  coverage: readonly FindingGroup[],
  generation: readonly PolicyWarning[],
  notes: readonly GraphWarning[],
  /** Whether a warning's subject is an edge key (else a node id). */
  isEdge: (subject: string) => boolean,
): FindingGroup[] {
  const rest = coverage.filter((g) => g.key !== 'lint:no-dns');
  const said = subjectsOf(rest);
  const byCode = new Map<PolicyWarningCode, PolicyWarning[]>();
  for (const w of generation) {
    if (w.code === 'no-dns') continue;
    // Said already by a finding (a kept edge blocked, with the same reason): not again.
    if (w.subjects.length > 0 && w.subjects.every((s) => said.has(s))) continue;
    (byCode.get(w.code) ?? byCode.set(w.code, []).get(w.code)!).push(w);
  }
  const generated: FindingGroup[] = [...byCode].map(([code, ws]) => {
    const subjects = ws.flatMap((w) => w.subjects.filter((s) => s !== ''));
    return {
      key: `generation:${code}`,
      severity: 'warning',
      title: GENERATION_TITLES[code as Exclude<PolicyWarningCode, 'no-dns'>](subjects.length),
      count: subjects.length,
      parts: ws.map((w) => ({
        reason: w.message,
        entries: w.subjects.filter((s) => s !== '').map((s) => (isEdge(s) ? { text: s, edge: s } : { text: s, workload: s })),
      })),
    };
  });
  const captureNotes: FindingGroup[] = notes
    .filter((n) => n.code !== 'no-dns')
    .map((n) => ({ key: `capture:${n.code}`, severity: 'info', title: n.message, count: 0, parts: [] }));
  // Stable: within a severity, the order here.
  return worstFirst([
    ...rest,
    ...dnsGroup(
      coverage.find((g) => g.key === 'lint:no-dns'),
      generation.find((w) => w.code === 'no-dns'),
      notes.find((n) => n.code === 'no-dns'),
    ),
    ...generated,
    ...captureNotes,
  ]);
}
