import type { LintCode, LintFinding } from '../../../shared/policy/lint-types';
import type { Coverage, CoverageVerdict, EdgeFinding } from '../../../shared/policy/verify';
import { ruleRefText } from '../../../shared/policy/types';
import { COVERAGE_SEVERITY as S } from '../../../shared/policy/finding-severity';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One thing a group is about, on one line; what it leads to when clicked. */
export interface FindingEntry {
  readonly text: string;
  /** The whole of it, when the line is cut short (a tooltip). */
  readonly full?: string;
  /** An edge to select on the graph, or a policy (`ns/name`) whose YAML to show. */
  readonly edge?: string;
  readonly policy?: string;
  /** The workload it is about (a node id), to merge what different checks say of one workload. */
  readonly workload?: string;
}

/** Entries that share one reason: the reason is said once, above them. */
export interface FindingPart {
  readonly reason?: string;
  readonly entries: readonly FindingEntry[];
}

/** One kind of finding, shown as one line with its count, opened to read the reasons and entries. */
export interface FindingGroup {
  /** Stable: which check, and for lint, which code. */
  readonly key: string;
  readonly severity: FindingSeverity;
  /** One line, the count in it. */
  readonly title: string;
  /** How many there are (the parts may list fewer). */
  readonly count: number;
  /** Said once for the whole group: what it means and what to do. */
  readonly detail?: string;
  readonly parts: readonly FindingPart[];
}

/** The line above the groups: the verdict in a word (its `status`, also its class) and what it rests on. */
export interface VerdictLine {
  readonly status: string;
  readonly text: string;
}

/** Entries listed per group; the count says how many there are. */
export const LISTED = 50;

/** `1 edge`, `2 edges`, `1,204 edges`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The one verdict `verify` gives, as the line above its findings. */
export function coverageVerdictLine(v: CoverageVerdict): VerdictLine {
  return { status: v.status, text: `${v.status === 'pass' ? 'Pass' : v.status === 'fail' ? 'Fail' : 'Undecided'}: ${v.headline}` };
}

/** Worst first: errors, warnings, notes. */
export const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then notes; in the order given within each. */
export function worstFirst(groups: readonly FindingGroup[]): FindingGroup[] {
  return groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => SEVERITY_RANK[a.g.severity] - SEVERITY_RANK[b.g.severity] || a.i - b.i)
    .map((x) => x.g);
}

/** The fix every finding of a kind shares, to be said once for the group; undefined when they differ. */
export function sharedFix(fixes: readonly (string | undefined)[]): string | undefined {
  const all = new Set(fixes);
  return all.size === 1 ? [...all][0] : undefined;
}

/** Titles of the kinds of finding coverage makes, by count (the same words for a draft's review). */
export const COVERAGE_TITLES = {
  'kept-inexpressible': (n: number, kind = 'NetworkPolicy') => `${plural(n, 'kept edge')} no ${kind} can allow`,
  'kept-denied': (n: number) => `${plural(n, 'kept edge')} blocked by the policies`,
  'pruned-allowed': (n: number) => `${plural(n, 'pruned edge')} still allowed`,
  'kept-undecided': (n: number) => `${plural(n, 'kept edge')} that this input cannot decide`,
  'unobserved-allowed': (n: number) => `${plural(n, 'never-observed connection')} allowed`,
  'unbacked-rules': (n: number) => `${plural(n, 'rule')} with no kept flow behind`,
  'wide-ports': (n: number) => `${plural(n, 'rule')} opening ports never seen`,
  'pruned-undecided': (n: number) => `${plural(n, 'pruned edge')} that may still be allowed`,
} as const;

/** The finding's reason without the edge key it repeats (the entry names the edge already). */
function reason(f: EdgeFinding): string | undefined {
  const e = f.explanation;
  return e?.startsWith(`${f.edge}: `) ? e.slice(f.edge.length + 2) : e;
}

/**
 * Edge findings in parts by their shared reason (why no policy of the flavor can allow them), each
 * reason once; the others each with its own reason on its line.
 */
function edgeParts(findings: readonly EdgeFinding[]): FindingPart[] {
  const shared = new Map<string, FindingEntry[]>();
  const own: FindingEntry[] = [];
  for (const f of findings.slice(0, LISTED)) {
    if (f.inexpressible) {
      const list = shared.get(f.inexpressible) ?? shared.set(f.inexpressible, []).get(f.inexpressible)!;
      list.push({ text: f.edge, full: f.explanation, edge: f.edge });
    } else {
      const why = reason(f);
      own.push({ text: why ? `${f.edge}: ${why}` : f.edge, full: f.explanation, edge: f.edge });
    }
  }
  return [...[...shared].map(([r, entries]) => ({ reason: r, entries })), ...(own.length > 0 ? [{ entries: own }] : [])];
}

/** Lint codes as group titles (the findings' own messages name the policy and the field). */
export const LINT_TITLES: Record<LintCode, (n: number) => string> = {
  schema: (n) => `${plural(n, 'field')} of the wrong shape`,
  'dead-section': (n) => `${plural(n, 'section')} Kubernetes ignores (policyTypes leaves the direction out)`,
  'ipblock-in-cluster': (n) => `${plural(n, 'ipBlock')} over pod addresses`,
  'ipblock-service-range': (n) => `${plural(n, 'ipBlock')} over Service addresses`,
  'missing-namespace-selector': (n) => `${plural(n, 'peer')} in another namespace without a namespaceSelector`,
  'split-peer': (n) => `${plural(n, 'peer')} split in two entries (OR where AND is meant)`,
  'empty-selector': (n) => `${plural(n, 'empty selector')}`,
  'no-dns': (n) => `${plural(n, 'workload')} that will not resolve names`,
  'unstable-label': (n) => `${plural(n, 'selector')} on labels that change with every rollout`,
  'cilium-empty-section': (n) => `${plural(n, 'empty Cilium section')} (no enforcement)`,
  'cilium-requires': (n) => `${plural(n, 'rule')} with fromRequires/toRequires (removed in Cilium 1.19)`,
  'fqdn-without-dns': (n) => `${plural(n, 'toFQDNs rule')} whose pods' DNS the proxy may not see`,
  'invalid-name': (n) => `${plural(n, 'name')} that Kubernetes refuses (and that could not be a file name)`,
};

function lintGroups(findings: readonly LintFinding[], severity: 'error' | 'warning'): FindingGroup[] {
  const byCode = new Map<LintCode, LintFinding[]>();
  for (const f of findings) if (f.severity === severity) (byCode.get(f.code) ?? byCode.set(f.code, []).get(f.code)!).push(f);
  return [...byCode].map(([code, list]) => {
    // A fix every finding of the code shares is said once, as the group's detail.
    const one = sharedFix(list.map((f) => f.fix));
    return {
      key: `lint:${code}`,
      severity,
      title: LINT_TITLES[code](list.length),
      count: list.length,
      detail: one,
      parts: [
        {
          entries: list.slice(0, LISTED).map((f) => {
            const text = `${f.policy}${f.where ? ` ${f.where}` : ''}: ${f.message}`;
            return { text, full: one ? text : `${text} ${f.fix}`, policy: f.policy, ...(f.workload ? { workload: f.workload } : {}) };
          }),
        },
      ],
    };
  });
}

const edgeGroup = (key: string, severity: FindingSeverity, title: string, findings: readonly EdgeFinding[]): FindingGroup[] =>
  findings.length === 0 ? [] : [{ key, severity, title, count: findings.length, parts: edgeParts(findings) }];

/**
 * Coverage (every flow against the rules, every rule against the flows) and lint, as groups, worst
 * first: one group per kind of finding, each reason said once, each kind as heavy as
 * COVERAGE_SEVERITY says (an AI draft's review weighs them the same).
 */
export function coverageGroups(coverage: Coverage, lintFindings: readonly LintFinding[]): FindingGroup[] {
  const c = coverage;
  // Blocked because no policy of this flavor could allow them (each reason once), or by the rules.
  const inexpressible = c.keptDenied.filter((f) => f.inexpressible);
  const denied = c.keptDenied.filter((f) => !f.inexpressible);
  const kind = c.engine === 'cilium' ? 'CiliumNetworkPolicy' : 'NetworkPolicy';
  return [
    ...edgeGroup(
      'kept-inexpressible',
      S['kept-inexpressible'],
      COVERAGE_TITLES['kept-inexpressible'](inexpressible.length, kind),
      inexpressible,
    ),
    ...edgeGroup('kept-denied', S['kept-denied'], COVERAGE_TITLES['kept-denied'](denied.length), denied),
    ...edgeGroup('pruned-allowed', S['pruned-allowed'], COVERAGE_TITLES['pruned-allowed'](c.prunedAllowed.length), c.prunedAllowed),
    ...lintGroups(lintFindings, 'error'),
    ...edgeGroup('kept-undecided', S['kept-undecided'], COVERAGE_TITLES['kept-undecided'](c.keptUndecided.length), c.keptUndecided),
    ...(c.unobservedAllowedCount > 0
      ? [
          {
            key: 'unobserved-allowed',
            severity: S['unobserved-allowed'],
            title: COVERAGE_TITLES['unobserved-allowed'](c.unobservedAllowedCount),
            count: c.unobservedAllowedCount,
            parts: [
              {
                entries: c.unobservedAllowed.slice(0, LISTED).map((u) => ({
                  text: `${u.source} -> ${u.target}:${u.port}/${u.protocol}`,
                  full: u.explanation,
                })),
              },
            ],
          },
        ]
      : []),
    ...(c.unbackedRules.length > 0
      ? [
          {
            key: 'unbacked-rules',
            severity: S['unbacked-rules'],
            title: COVERAGE_TITLES['unbacked-rules'](c.unbackedRules.length),
            count: c.unbackedRules.length,
            parts: [{ entries: c.unbackedRules.slice(0, LISTED).map((r) => ({ text: ruleRefText(r), policy: r.policy })) }],
          },
        ]
      : []),
    ...(c.widePorts.length > 0
      ? [
          {
            key: 'wide-ports',
            severity: S['wide-ports'],
            title: COVERAGE_TITLES['wide-ports'](c.widePorts.length),
            count: c.widePorts.length,
            parts: [
              {
                entries: c.widePorts
                  .slice(0, LISTED)
                  .map((w) => ({ text: `${ruleRefText(w.rule)} opens ${w.unobserved}`, policy: w.rule.policy })),
              },
            ],
          },
        ]
      : []),
    ...lintGroups(lintFindings, 'warning'),
    ...edgeGroup(
      'pruned-undecided',
      S['pruned-undecided'],
      COVERAGE_TITLES['pruned-undecided'](c.prunedUndecided.length),
      c.prunedUndecided,
    ),
  ];
}
