import { stringify } from 'yaml';
import { fileName, type CaptureSummary } from '../graph/summary';
import type { ServiceGraph } from '../graph/types';
import { isKept, type Selection } from '../graph/selection';
import type { AnyGeneratedPolicy, AnyPolicySet } from '../policy/flavors';
import { enginePolicies, type PolicyDocument } from '../policy/documents';
import { lintCilium } from '../policy/lint-cilium';
import { lint } from '../policy/lint';
import { mapPolicySet, type NamespaceMap } from '../rollout/namespace-map';
import { ruleRefText } from '../policy/types';
import { verify } from '../policy/verify';
import { policyYaml } from '../policy/yaml';
import { MANIFEST, policyFile } from './paths';
import { reportMarkdown, type AiSection } from './report';

export type { AiSection } from './report';

/** The version written into bundles and reports. */
export const TOOL_VERSION = '0.1.0';

export interface BundleFile {
  readonly path: string;
  readonly content: string;
}

export interface BundleInput {
  readonly summary: CaptureSummary;
  readonly graph: ServiceGraph;
  readonly selection: Selection;
  /** NetworkPolicies, CiliumNetworkPolicies (the Cilium flavor) or StagedKubernetesNetworkPolicies (Calico's staged flavor), as generated. */
  readonly set: AnyPolicySet;
  /**
   * Target namespaces (`payments` → `payments-staging`): the files are written for them, while coverage
   * and lint judge the set as generated, against the captured namespaces. Recorded in REPORT.md and the manifest.
   */
  readonly namespaceMap?: NamespaceMap;
  readonly captureSha256: string;
  readonly toolVersion: string;
  /** When a model's draft (or some of its rules) was taken: who drafted it, what was taken, and its review. */
  readonly ai?: AiSection;
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** SHA-256 in hex with Web Crypto (present in browsers and Node), so the renderer can preview bundles too. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The files of a policy bundle: one YAML per policy (with its comments), a kustomization, the
 * report, the observed connectivity, the capture summary and a manifest with every file's sha256.
 */
export async function buildBundle(input: BundleInput): Promise<BundleFile[]> {
  const { set, graph, selection } = input;
  const policies: readonly PolicyDocument[] = (set.policies as readonly AnyGeneratedPolicy[]).map((g) => g.policy);
  // Judged as the flavor's enforcer judges it (a staged policy as the NetworkPolicy it becomes), and
  // linted by the flavor's own rules; both against the captured namespaces, before any mapping.
  const coverage = verify(policies, graph, selection, set.options.namespaces);
  const engine = enginePolicies(policies);
  const findings = set.flavor === 'cilium' ? lintCilium(engine.cilium, { graph }) : lint(engine.kubernetes, { graph });
  const map = input.namespaceMap ?? new Map<string, string>();
  const written = mapPolicySet(set, map);
  // policyFile refuses a namespace or name that is not a Kubernetes name: it would be a path.
  const files: BundleFile[] = (written.policies as readonly AnyGeneratedPolicy[]).map((g) => ({
    path: `policies/${policyFile(g.policy.metadata)}`,
    content: policyYaml(g),
  }));
  files.push({
    path: 'kustomization.yaml',
    content: stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((f) => f.path) }),
  });
  files.push({
    path: 'REPORT.md',
    content: reportMarkdown({
      summary: input.summary,
      graph,
      selection,
      set: written,
      namespaceMap: map,
      coverage,
      lint: findings,
      toolVersion: input.toolVersion,
      ai: input.ai,
    }),
  });

  const ruleOf = new Map<string, string[]>();
  for (const g of written.policies as readonly AnyGeneratedPolicy[])
    for (const r of g.rules) for (const e of r.edges) (ruleOf.get(e) ?? ruleOf.set(e, []).get(e)!).push(ruleRefText(r.ref));
  const rows = [['source', 'destination', 'protocol', 'port', 'flows', 'kept', 'rules'].join(',')];
  for (const e of graph.edges) {
    rows.push(
      [
        e.source,
        e.target,
        e.protocol,
        e.port ?? '',
        e.evidence.flows,
        isKept(selection, e.key) ? 'yes' : 'no',
        (ruleOf.get(e.key) ?? []).join(' '),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  files.push({ path: 'connectivity.csv', content: rows.join('\n') + '\n' });
  files.push({ path: 'capture-summary.json', content: JSON.stringify(input.summary, null, 2) + '\n' });

  const hashed = await Promise.all(files.map(async (f) => ({ path: f.path, sha256: await sha256Hex(f.content) })));
  const manifest = {
    tool: 'netpol-studio',
    version: input.toolVersion,
    capture: { file: fileName(input.summary.file), sha256: input.captureSha256, format: input.summary.format },
    flavor: set.flavor,
    options: set.options,
    ...(map.size > 0 ? { namespaceMap: Object.fromEntries(map) } : {}),
    coverage: {
      ok: coverage.ok,
      keptDenied: coverage.keptDenied.length,
      prunedAllowed: coverage.prunedAllowed.length,
      unobservedAllowed: coverage.unobservedAllowedCount,
    },
    lint: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    ...(input.ai
      ? {
          ai: {
            model: input.ai.model,
            taken: input.ai.take === 'draft' ? 'the whole draft' : input.ai.take.map(ruleRefText),
            verdict: input.ai.review.verdict,
            errors: input.ai.review.tally.error,
          },
        }
      : {}),
    files: hashed,
  };
  files.push({ path: MANIFEST, content: JSON.stringify(manifest, null, 2) + '\n' });
  return files;
}
