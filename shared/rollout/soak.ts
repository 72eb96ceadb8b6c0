/**
 * The soak of a rollout: the flows of its target namespaces read since the apply, against the
 * policies rolled out, the business cycle and what was pruned. It says what the flows cover (never
 * more than they show: where Hubble's buffer did not reach back to the apply, how much was covered),
 * reads every flow that was not forwarded as a missing rule (with the rule that would allow it), an
 * expected drop (a pruned edge, with its reason), a drop by another policy, or neither, and gives one
 * verdict: clean for the cycle, missing rules, or a window too short, saying which. Pure: the caller
 * reads the capture (cli/capture.ts readCapture, or the app's capture service) into a graph.
 *
 * Sources of the semantics: Cilium's policy audit mode reports the flows policy would drop with the
 * verdict AUDIT and lets them through (docs.cilium.io, "Creating Policies from Verdicts"; flow.proto
 * `Verdict.AUDIT`), and names explicit deny policies in `ingress_denied_by` / `egress_denied_by`;
 * Calico previews staged policies without enforcing them and reports, per flow, the verdict and the
 * policy trace with every staged policy active (`pending_policies`, Calico Enterprise flow-log data
 * types; Goldmane `PolicyTrace`).
 */
import { sha256Hex } from '../bundle/bundle';
import { dataLossWarnings, formatDuration } from '../graph/warnings';
import type { PolicyDocument } from '../policy/documents';
import { mapEdgeKey, namespaceMapText } from './namespace-map';
import { classifyFlows } from './soak-classify';
import type { SoakAnalysis, SoakFlow, SoakInput, SoakReport, SoakVerdict } from './soak-types';
import { soakWindow } from './soak-window';

export type * from './soak-types';
export { applyPatch, flavorOf, patchRuleYaml } from './patch';
export { START_SLACK_MS, BATCH_MAX_SPAN_MS, BATCH_MIN_CAPTURE_MS } from './soak-window';

/** The business cycle when none is given: a day, with its night. */
export const DEFAULT_CYCLE_MS = 24 * 3_600_000;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const docId = (p: PolicyDocument): string =>
  p.kind === 'CiliumClusterwideNetworkPolicy' ? p.metadata.name : `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

/**
 * The one verdict of a soak (every surface shows this one): missing rules first (exit 1), then a
 * window that falls short of the cycle or of the batch hours (exit 1), then flows that cannot be
 * decided or flows the capture lost (exit 3, undecided); else clean (exit 0). The headline says each
 * reason that applies.
 */
export function soakVerdict(a: Pick<SoakAnalysis, 'window' | 'flows' | 'dataLoss'>): SoakVerdict {
  const missing = a.flows.filter((f) => f.class === 'missing-rule').length;
  const undecided = a.flows.filter((f) => f.class === 'undecided').length;
  const parts: string[] = [];
  if (missing > 0)
    parts.push(`${plural(missing, 'missing rule')}: the rolled-out policies deny ${missing === 1 ? 'a flow' : 'flows'} nobody pruned`);
  if (a.window.shortfalls.length > 0) parts.push(`window too short: ${a.window.shortfalls.join('; ')}`);
  if (undecided > 0) parts.push(`${plural(undecided, 'flow')} cannot be decided from this input`);
  if (a.dataLoss.length > 0)
    parts.push(`the capture lost flows (${a.dataLoss.map((w) => w.code).join(', ')}): what it lost was not checked`);
  if (missing > 0) return { status: 'missing-rules', headline: parts.join(' · '), exitCode: 1 };
  if (a.window.shortfalls.length > 0) return { status: 'too-short', headline: parts.join(' · '), exitCode: 1 };
  if (parts.length > 0) return { status: 'undecided', headline: parts.join(' · '), exitCode: 3 };
  const batch = a.window.batch.length > 0 ? `, the batch hours (${a.window.batch.map((b) => b.seen).join('; ')}) included` : '';
  return {
    status: 'clean',
    headline: `clean for the ${formatDuration(a.window.cycleMs)} cycle: ${formatDuration(a.window.coveredMs)} covered since the apply${batch}; ${plural(a.flows.length, 'edge')} with flows not forwarded, none a missing rule`,
    exitCode: 0,
  };
}

/**
 * Analyses a soak (see the module comment and SoakInput). The policies' namespaces are the scope; a
 * namespace map (source → target) carries the selection's edge keys and the original capture's
 * namespaces over to the targets. Throws nothing: what cannot be known is said in the report.
 */
export function analyzeSoak(input: SoakInput): SoakAnalysis {
  const map = input.namespaceMap ?? new Map<string, string>();
  const namespaced = input.policies.filter((p) => p.kind !== 'CiliumClusterwideNetworkPolicy');
  const scope = [...new Set(namespaced.map((p) => p.metadata.namespace ?? 'default'))].sort();
  const inScope = scope.length > 0 ? scope : [...input.flows.namespaces];
  const back = new Map([...map].map(([from, to]) => [to, from]));
  const sources = new Set(inScope.map((ns) => back.get(ns) ?? ns));
  const pruned = new Map<string, NonNullable<SoakFlow['pruned']>>();
  for (const [edge, p] of input.selection?.pruned ?? [])
    pruned.set(mapEdgeKey(edge, map), { edge, by: p.by, ...(p.reason ? { reason: p.reason } : {}) });
  const window = soakWindow(input.flows, input.appliedAt, input.cycleMs ?? DEFAULT_CYCLE_MS, input.original, sources);
  const { flows, beforeApply } = classifyFlows({
    flows: input.flows,
    policies: input.policies,
    scope: inScope,
    appliedAt: input.appliedAt,
    pruned,
    ...(input.snapshot ? { snapshot: input.snapshot } : {}),
  });
  const dataLoss = dataLossWarnings(input.flows.warnings).map((w) => ({ code: w.code, message: w.message }));
  const base = {
    window,
    policies: input.policies.map((p) => `${p.kind} ${docId(p)}`).sort(),
    scope: inScope,
    namespaceMap: map.size > 0 ? namespaceMapText(map).split(', ') : [],
    flows,
    beforeApply,
    dataLoss,
  };
  return { ...base, verdict: soakVerdict(base) };
}

/** JSON with every object's keys sorted and no whitespace: the same value, the same text. */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, sorted(x)]),
    );
  };
  return JSON.stringify(sorted(value));
}

/** The sha-256 (hex) of a report's canonical form, its own `sha256` left out: what a promotion's audit entry records and checks. */
export async function soakReportHash(report: Omit<SoakReport, 'sha256'> & { readonly sha256?: string }): Promise<string> {
  // canonicalJson leaves out what is undefined.
  return sha256Hex(canonicalJson({ ...report, sha256: undefined }));
}

/** The soak report with the hash of the rolled-out policies and its own (see SoakReport). Web Crypto: runs in the renderer too. */
export async function soakReport(input: SoakInput): Promise<SoakReport> {
  const analysis = analyzeSoak(input);
  const ordered = [...input.policies].sort((a, b) => {
    const x = `${a.kind} ${docId(a)}`;
    const y = `${b.kind} ${docId(b)}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const body = { ...analysis, policiesSha256: await sha256Hex(canonicalJson(ordered)) };
  return { ...body, sha256: await soakReportHash(body) };
}
