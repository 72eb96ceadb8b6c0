import type { GraphWarning } from '../../../shared/graph/types';
import type { PolicyWarning, PolicyWarningCode } from '../../../shared/policy/generate';
import { dnsFinding, type DnsFinding } from '../../../shared/policy/dns-finding';
import type { LintFinding } from '../../../shared/policy/lint-types';
import { plural, worstFirst, type FindingGroup } from './finding-groups';

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
 * The one DNS finding (shared/policy/dns-finding: the capture, the generation and lint merged,
 * only workloads a policy selects) as a group; each workload once, leading to the policy to fix
 * when lint named one.
 */
function dnsGroup(dns: DnsFinding | undefined): FindingGroup[] {
  if (!dns) return [];
  return [
    {
      key: 'dns',
      severity: 'warning',
      title: `${plural(dns.entries.length, 'workload')} with no DNS lookup seen`,
      count: dns.entries.length,
      detail: dns.message,
      parts: [{ entries: dns.entries.map((e) => ({ text: e.workload, workload: e.workload, ...(e.policy ? { policy: e.policy } : {}) })) }],
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
  /** The workloads a policy of the set selects: only they can lose DNS to it. */
  policied: ReadonlySet<string>,
  /** Lint's findings, for what it says of DNS (its other findings are in `coverage`). */
  lint: readonly LintFinding[] = [],
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
      dnsFinding({
        capture: notes.find((n) => n.code === 'no-dns'),
        generation: generation.find((w) => w.code === 'no-dns'),
        lint,
        policied,
      }),
    ),
    ...generated,
    ...captureNotes,
  ]);
}
