import type { Coverage } from '../../../shared/policy/verify';
import type { LintFinding } from '../../../shared/policy/lint';
import { ruleRefText } from '../../../shared/policy/types';

export interface FindingItem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly text: string;
  /** What clicking focuses: an edge on the graph, or a policy's YAML. */
  readonly edge?: string;
  readonly policy?: string;
}

const LISTED = 50;

/** The finding's reason without the edge key it repeats (the item names the edge already). */
function reason(f: { readonly edge: string; readonly explanation?: string }): string | undefined {
  const e = f.explanation;
  return e?.startsWith(`${f.edge}: `) ? e.slice(f.edge.length + 2) : e;
}

/** Coverage (every flow against the rules, every rule against the flows) and lint, as one list, worst first. */
export function findingItems(coverage: Coverage, lintFindings: readonly LintFinding[]): FindingItem[] {
  const out: FindingItem[] = [];
  for (const f of coverage.keptDenied.slice(0, LISTED))
    out.push({ severity: 'error', edge: f.edge, text: `Kept flow blocked: ${f.edge}${f.explanation ? `: ${reason(f)}` : ''}` });
  for (const f of coverage.keptUndecided.slice(0, LISTED))
    out.push({
      severity: 'warning',
      edge: f.edge,
      text: `Cannot be decided from this input: ${f.edge}${f.explanation ? `: ${reason(f)}` : ''}`,
    });
  for (const f of coverage.prunedAllowed.slice(0, LISTED))
    out.push({ severity: 'error', edge: f.edge, text: `Pruned flow still allowed: ${f.edge}${f.explanation ? `: ${f.explanation}` : ''}` });
  for (const l of lintFindings.filter((x) => x.severity === 'error').slice(0, LISTED))
    out.push({ severity: 'error', policy: l.policy, text: `${l.policy}${l.where ? ` ${l.where}` : ''}: ${l.message} ${l.fix}` });
  if (coverage.unobservedAllowedCount > 0)
    out.push({
      severity: 'warning',
      text: `${coverage.unobservedAllowedCount} never-observed connections are allowed, e.g. ${coverage.unobservedAllowed
        .slice(0, 3)
        .map((u) => `${u.source} -> ${u.target}:${u.port}/${u.protocol}`)
        .join(', ')}`,
    });
  for (const r of coverage.unbackedRules.slice(0, LISTED))
    out.push({ severity: 'warning', policy: r.policy, text: `Rule with no kept flow behind it: ${ruleRefText(r)}` });
  for (const w of coverage.widePorts.slice(0, LISTED))
    out.push({ severity: 'warning', policy: w.rule.policy, text: `${ruleRefText(w.rule)} opens ports never seen: ${w.unobserved}` });
  for (const l of lintFindings.filter((x) => x.severity === 'warning').slice(0, LISTED))
    out.push({ severity: 'warning', policy: l.policy, text: `${l.policy}${l.where ? ` ${l.where}` : ''}: ${l.message} ${l.fix}` });
  for (const f of coverage.prunedUndecided.slice(0, LISTED))
    out.push({
      severity: 'warning',
      edge: f.edge,
      text: `Pruned flow that may still be allowed: ${f.edge}${f.explanation ? `: ${reason(f)}` : ''}`,
    });
  return out;
}
