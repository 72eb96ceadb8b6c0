import type { Selection } from '../graph/selection';
import { backendEdges } from '../graph/service-edges';
import type { ServiceGraph } from '../graph/types';
import { evaluate, policyId } from '../policy/evaluate';
import { lint, type LintCode } from '../policy/lint';
import { ruleRefText, type NetworkPolicy, type PolicyProtocol } from '../policy/types';
import { clusterFromGraph, verify, type CoverageVerdict } from '../policy/verify';
import { COVERAGE_SEVERITY } from '../policy/finding-severity';
import type { ParsedDraft } from './reply';

export type DraftVerdict = 'pass' | 'warnings' | 'errors';

/** The lint rules' codes, and the review's own. */
export type DraftFindingCode =
  | LintCode
  | 'no-yaml'
  | 'refused'
  | 'yaml'
  | 'no-policies'
  | 'kept-denied'
  | 'kept-inexpressible'
  | 'kept-undecided'
  | 'pruned-allowed'
  | 'unobserved-allowed'
  | 'unbacked-rule'
  | 'wide-ports'
  | 'not-sent'
  | 'ignored';

export interface DraftFinding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: DraftFindingCode;
  readonly message: string;
  /** The edge key, or `ns/name` with the rule, the finding is about. */
  readonly subject?: string;
  readonly fix?: string;
}

export interface DraftReview {
  readonly verdict: DraftVerdict;
  /**
   * How many findings of each severity the review stands for: the listed ones, and the never-observed
   * connections counted beyond the list. Every count of the review (its verdict line, "Take the
   * draft despite N errors", the bundle) is this one.
   */
  readonly tally: Readonly<Record<DraftFinding['severity'], number>>;
  /** The one coverage verdict `verify` gives the same policies (absent when the draft holds none). */
  readonly coverage?: CoverageVerdict;
  readonly findings: readonly DraftFinding[];
  /** The drafted policies that are valid NetworkPolicies (the others are named in the findings). */
  readonly policies: readonly NetworkPolicy[];
  readonly counts: {
    readonly policies: number;
    readonly rules: number;
    readonly keptAllowed: number;
    readonly keptDenied: number;
    readonly prunedAllowed: number;
    readonly unobservedAllowed: number;
    readonly unbackedRules: number;
  };
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const S = COVERAGE_SEVERITY;

/**
 * What `verify` does not look at: connections from the workloads in scope to pods outside it,
 * on ports those pods were seen serving, never observed from that workload, yet allowed by one
 * of the draft's egress rules (a DNS rule for a workload that never looked anything up).
 */
function unobservedEgressOut(
  policies: readonly NetworkPolicy[],
  graph: ServiceGraph,
  namespaces: readonly string[],
): { subject: string; explanation: string }[] {
  const scope = new Set(namespaces);
  const { cluster, ends } = clusterFromGraph(graph);
  const observed = new Set<string>();
  const served = new Map<string, Set<string>>();
  for (const e of graph.edges.flatMap(backendEdges)) {
    if (typeof e.port !== 'number' || (e.protocol !== 'TCP' && e.protocol !== 'UDP' && e.protocol !== 'SCTP')) continue;
    observed.add(`${e.source}|${e.target}|${e.protocol}|${e.port}`);
    const dst = ends.get(e.target);
    if (dst?.kind === 'pod' && !scope.has(dst.pod.namespace))
      (served.get(e.target) ?? served.set(e.target, new Set()).get(e.target)!).add(`${e.protocol}/${e.port}`);
  }
  const out: { subject: string; explanation: string }[] = [];
  for (const [source, src] of ends) {
    if (src.kind !== 'pod' || !scope.has(src.pod.namespace)) continue;
    for (const [target, ports] of served) {
      for (const pp of ports) {
        const [protocol, port] = [pp.split('/')[0] as PolicyProtocol, Number(pp.split('/')[1])];
        if (observed.has(`${source}|${target}|${protocol}|${port}`)) continue;
        const v = evaluate(policies, cluster, { src, dst: ends.get(target)!, protocol, port });
        // Allowed by a rule of the draft, not merely because the draft leaves egress open.
        if (v.egress?.allowedBy) out.push({ subject: `${source}->${target}:${port}/${protocol}`, explanation: v.explanation });
        if (out.length >= 200) return out;
      }
    }
  }
  return out;
}

/**
 * Checks a drafted policy set against the observed traffic before anyone treats it as a
 * candidate: schema, coverage (kept edges allowed; pruned and unobserved flows denied), the lint
 * rules of the house, and rules that no observed flow backs. Each finding weighs what it weighs in
 * the policies tab (COVERAGE_SEVERITY, lint's own severity), each is listed once, and `tally`
 * counts them all.
 */
export function reviewDraft(
  draft: ParsedDraft,
  graph: ServiceGraph,
  selection: Selection,
  namespaces: readonly string[],
  notSent: readonly string[] = [],
): DraftReview {
  const findings: DraftFinding[] = [];
  if (draft.refused) findings.push({ severity: 'error', code: 'refused', message: 'The model declined to write the policies.' });
  else if (draft.yaml.trim() === '')
    findings.push({
      severity: 'error',
      code: 'no-yaml',
      message: 'The reply holds no YAML.',
      fix: 'Ask again; the reply is shown as it came.',
    });
  for (const p of draft.problems)
    findings.push({
      severity: 'error',
      code: 'yaml',
      message: `YAML document ${p.document}${p.line ? ` (line ${p.line})` : ''} does not parse: ${p.message}`,
    });
  for (const i of draft.ignored) findings.push({ severity: 'info', code: 'ignored', message: `Ignored ${i}.` });

  const lintFindings = lint(draft.policies, { graph });
  // A policy that is not a valid NetworkPolicy, or whose name or namespace is not a Kubernetes name
  // (`../../x` would become a path in a bundle), is named in the findings and never taken.
  const invalid = new Set(lintFindings.filter((f) => f.code === 'schema' || f.code === 'invalid-name').map((f) => f.policy));
  const policies = draft.policies.filter((p) => !invalid.has(policyId(p)));
  // Lint's own severity, as the policies tab shows the same policy once it is taken.
  for (const f of lintFindings) {
    findings.push({
      severity: f.severity,
      code: f.code,
      message: `${f.policy}${f.where ? ` ${f.where}` : ''} ${f.message}`,
      subject: f.policy,
      fix: f.fix,
    });
  }
  if (draft.yaml.trim() !== '' && draft.policies.length === 0)
    findings.push({ severity: 'error', code: 'no-policies', message: 'The YAML holds no networking.k8s.io/v1 NetworkPolicy.' });

  // Without a single policy there is nothing to check coverage of (it would only say "all open").
  const coverage = verify(policies, graph, selection, namespaces);
  const checked = policies.length > 0;
  const notSentSet = new Set(notSent);
  for (const f of checked ? coverage.keptDenied : [])
    findings.push(
      f.inexpressible
        ? {
            // Not the draft's fault (no policy of this flavor can allow it, the deterministic set
            // included), but blocked all the same: as heavy as in the policies tab.
            severity: S['kept-inexpressible'],
            code: 'kept-inexpressible',
            subject: f.edge,
            message: `${f.edge} is kept, and no NetworkPolicy can allow it, the deterministic policies included: ${f.inexpressible}.`,
          }
        : {
            severity: S['kept-denied'],
            code: 'kept-denied',
            subject: f.edge,
            message: `${f.edge} is kept but the draft blocks it${notSentSet.has(f.edge) ? ' (it was cut from the request to fit the size limit)' : ''}: ${f.explanation ?? ''}`,
            fix: 'Add a rule for it, or take the deterministic rule for this edge.',
          },
    );
  for (const f of checked ? coverage.keptUndecided : [])
    findings.push({
      severity: S['kept-undecided'],
      code: 'kept-undecided',
      subject: f.edge,
      message: `${f.edge} is kept, and whether the draft allows it cannot be decided from this input: ${f.explanation ?? ''}`,
      fix: f.decide?.join('; '),
    });
  for (const f of checked ? coverage.prunedAllowed : [])
    findings.push({
      severity: S['pruned-allowed'],
      code: 'pruned-allowed',
      subject: f.edge,
      message: `${f.edge} was pruned but the draft allows it: ${f.explanation ?? ''}`,
    });
  for (const u of checked ? coverage.unobservedAllowed : [])
    findings.push({
      severity: S['unobserved-allowed'],
      code: 'unobserved-allowed',
      subject: `${u.source}->${u.target}:${u.port}/${u.protocol}`,
      message: `never observed, yet allowed: ${u.explanation}`,
      fix: 'Narrow the selector or the ports of the rule that allows it.',
    });
  // Each connection once: one verify already lists is not said again.
  const listed = new Set(coverage.unobservedAllowed.map((u) => `${u.source}->${u.target}:${u.port}/${u.protocol}`));
  const outward = checked ? unobservedEgressOut(policies, graph, namespaces).filter((u) => !listed.has(u.subject)) : [];
  for (const u of outward)
    findings.push({
      severity: S['unobserved-allowed'],
      code: 'unobserved-allowed',
      subject: u.subject,
      message: `never observed, yet allowed: ${u.explanation}`,
      fix: 'Drop the rule unless you know the traffic it is for, or capture longer to see it.',
    });
  // Verify lists the first of them and counts the rest: counted in the tally, not made a finding of their own.
  const unlisted = checked ? coverage.unobservedAllowedCount - coverage.unobservedAllowed.length : 0;
  for (const r of coverage.unbackedRules)
    findings.push({
      severity: S['unbacked-rules'],
      code: 'unbacked-rule',
      subject: ruleRefText(r),
      message: `${ruleRefText(r)} is backed by no observed flow.`,
      fix: 'Drop the rule unless you know the traffic it is for.',
    });
  for (const w of coverage.widePorts)
    findings.push({
      severity: S['wide-ports'],
      code: 'wide-ports',
      subject: ruleRefText(w.rule),
      message: `${ruleRefText(w.rule)} allows ports never observed: ${w.unobserved}.`,
    });
  if (notSent.length > 0)
    findings.push({
      severity: 'warning',
      code: 'not-sent',
      message: `${notSent.length} kept edge(s) were cut from the request to fit the size limit; the draft could not cover them.`,
    });

  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const tally = { error: 0, warning: 0, info: 0 };
  for (const f of findings) tally[f.severity]++;
  tally[S['unobserved-allowed']] += unlisted;
  const verdict: DraftVerdict = tally.error > 0 ? 'errors' : tally.warning > 0 ? 'warnings' : 'pass';
  return {
    verdict,
    tally,
    ...(checked ? { coverage: coverage.verdict } : {}),
    findings,
    policies,
    counts: {
      policies: draft.policies.length,
      rules: draft.policies.reduce((n, p) => n + (p.spec.ingress?.length ?? 0) + (p.spec.egress?.length ?? 0), 0),
      keptAllowed: coverage.keptAllowed.length,
      keptDenied: coverage.keptDenied.length,
      prunedAllowed: coverage.prunedAllowed.length,
      unobservedAllowed: coverage.unobservedAllowedCount + outward.length,
      unbackedRules: coverage.unbackedRules.length,
    },
  };
}
