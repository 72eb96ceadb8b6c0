import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Selection } from '../shared/graph/selection';
import { initialSelection, prune } from '../shared/graph/selection';
import type { ServiceGraph } from '../shared/graph/types';
import { readCapture } from './capture';
import { BundleError, fileSha256, writeBundle, writePolicyFolder } from '../shared/node/bundle/write-bundle';
import { policyFile } from '../shared/bundle/paths';
import { buildBundle, TOOL_VERSION } from '../shared/bundle/bundle';
import { summarize } from '../shared/graph/summary';
import { generateFlavor, type AnyGeneratedPolicy, type AnyPolicySet, type Flavor } from '../shared/policy/flavors';
import { enforcedOf, type StagedKubernetesNetworkPolicy } from '../shared/policy/staged';
import type { NetworkPolicy } from '../shared/policy/types';
import { mapPolicySet, type NamespaceMap } from '../shared/rollout/namespace-map';
import { ruleRefText } from '../shared/policy/types';
import { diffMarkdown, diffPolicies, diffText } from '../shared/policy/diff';
import { lint, lintCilium } from '../shared/policy/lint';
import type { CiliumNetworkPolicy } from '../shared/policy/cilium-types';
import { readClusterSnapshot } from '../shared/node/cluster/read-snapshot';
import { parseCidr } from '../shared/policy/cidr';
import { connlist, connlistJson, connlistText } from '../shared/policy/connlist/connlist';
import { buildModel } from '../shared/policy/connlist/model';
import { readResourceDir } from '../shared/node/cluster/k8s-resources';
import { verify, type Coverage } from '../shared/policy/verify';
import { parsePolicies, policyYaml, policySetYaml, UNREAD_POLICY } from '../shared/policy/yaml';

export interface CommandIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

/** A wrong flag, a missing file: the CLI says why (with usage when the call itself is wrong) and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

/** Input that cannot be used (a missing file, an existing bundle): exit 2, without the usage text. */
export class InputError extends UsageError {
  constructor(message: string) {
    super(message, false);
  }
}

function checkCidrs(cidrs: readonly string[] | undefined): string[] {
  const list = [...(cidrs ?? [])];
  const bad = list.find((c) => !/\//.test(c) || !parseCidr(c));
  if (bad) throw new UsageError(`--cidr "${bad}" is not a CIDR such as 203.0.113.0/24`);
  return list;
}

/** An edge a prune file lists, with the reason its line gives. */
export interface PruneEntry {
  readonly key: string;
  readonly reason?: string;
}

/**
 * Reads a prune file: one edge key per line (as `graph --json` prints them), a `#` comment after a
 * key is its reason (`shop/a->shop/b:80/TCP  # only during the migration`); whole-line comments and
 * blank lines are ignored. With a graph, keys it does not have are said on stderr and left out.
 */
export async function readPruneFile(file: string, graph: ServiceGraph | undefined, io: CommandIo): Promise<PruneEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the prune file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const known = graph ? new Set(graph.edges.map((e) => e.key)) : undefined;
  const entries: PruneEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = (hash < 0 ? raw : raw.slice(0, hash)).trim();
    if (!line) return;
    const reason = hash < 0 ? '' : raw.slice(hash + 1).trim();
    if (known && !known.has(line))
      io.err(`netpol-studio: ${file}:${i + 1}: no edge "${line}" in the capture; ignored (edge keys are printed by \`graph --json\`)\n`);
    else entries.push(reason ? { key: line, reason } : { key: line });
  });
  return entries;
}

/**
 * The selection a command works with: edges only ever dropped start pruned (unless
 * `includeDropped`), then those the prune file lists, each with its own reason or
 * `listed in FILE`. Without a graph nothing starts pruned, and the file's keys are taken as they are.
 */
export async function selectionFor(
  graph: ServiceGraph | undefined,
  pruneFile: string | undefined,
  includeDropped: boolean,
  io: CommandIo,
): Promise<Selection> {
  const base: Selection = includeDropped || !graph ? { pruned: new Map() } : initialSelection(graph);
  if (!pruneFile) return base;
  const byReason = new Map<string, string[]>();
  for (const e of await readPruneFile(pruneFile, graph, io)) {
    const reason = e.reason ?? `listed in ${path.basename(pruneFile)}`;
    (byReason.get(reason) ?? byReason.set(reason, []).get(reason)!).push(e.key);
  }
  return [...byReason].reduce((sel, [reason, keys]) => prune(sel, keys, reason), base);
}

/**
 * The namespaces in scope that the capture has. None at all is a usage error (a typo in
 * `--namespace` would otherwise write or check nothing and exit 0), unless `absentOk` (a default
 * deny is still written for them); some missing is said on stderr.
 */
export function checkScope(graph: ServiceGraph, namespaces: readonly string[], io: CommandIo, absentOk = false): void {
  const unknown = namespaces.filter((ns) => !graph.namespaces.includes(ns));
  if (unknown.length === 0) return;
  const has = `the capture has ${graph.namespaces.join(', ') || 'no namespace'}`;
  if (unknown.length === namespaces.length && !absentOk)
    throw new UsageError(`no namespace in scope appears in the capture (${unknown.join(', ')}; ${has}), so nothing is in scope`);
  io.err(
    `netpol-studio: namespace(s) ${unknown.join(', ')} do not appear in the capture (${has})${absentOk ? '; they get only a default deny' : ''}.\n`,
  );
}

export interface GenerateArgs {
  /** Cluster snapshot files (`--snapshot`), read with the capture. */
  readonly snapshots?: readonly string[];
  readonly capture: string;
  /** CIDRs to use for the external addresses they cover (instead of one /32 each). */
  readonly cidrs?: readonly string[];
  readonly flavor?: Flavor;
  /** Target namespaces (`--target-namespace FROM=TO`): the policies are written for them. */
  readonly namespaceMap?: NamespaceMap;
  readonly namespaces: readonly string[];
  readonly pruneFile?: string;
  readonly includeDropped: boolean;
  readonly defaultDeny: boolean;
  readonly portRanges: boolean;
  readonly output: string;
}

/**
 * The set a command writes: generated in its flavor, then mapped to the target namespaces. Two
 * policies that would land on one `namespace/name` (a map onto a namespace also in scope) are refused.
 */
function writtenSet(set: AnyPolicySet, map: NamespaceMap | undefined): AnyPolicySet {
  const written = mapPolicySet(set, map ?? new Map<string, string>());
  const seen = new Set<string>();
  for (const g of written.policies as readonly AnyGeneratedPolicy[]) {
    const id = `${g.policy.metadata.namespace ?? 'default'}/${g.policy.metadata.name}`;
    if (seen.has(id))
      throw new InputError(
        `--target-namespace would write two policies as ${id}: map onto a namespace that is not also in scope (--namespace)`,
      );
    seen.add(id);
  }
  return written;
}

function printWarnings(set: AnyPolicySet, io: CommandIo): void {
  for (const w of set.warnings)
    io.err(
      `warning: ${w.message}${w.subjects.length ? ` (${w.subjects.slice(0, 5).join(', ')}${w.subjects.length > 5 ? ', …' : ''})` : ''}\n`,
    );
}

/** `generate`: YAML to stdout (`-o -`), or one file per policy under DIR/<namespace>/, in its target namespaces when mapped. */
export async function generateCommand(a: GenerateArgs, io: CommandIo): Promise<number> {
  const { graph } = await readCapture(a.capture, a.snapshots, io);
  checkScope(graph, a.namespaces, io, a.defaultDeny);
  const selection = await selectionFor(graph, a.pruneFile, a.includeDropped, io);
  const options = { namespaces: a.namespaces, defaultDeny: a.defaultDeny, portRanges: a.portRanges, cidrs: checkCidrs(a.cidrs) };
  const generated = generateFlavor(a.flavor ?? 'kubernetes', graph, selection, options);
  printWarnings(generated, io);
  const set = writtenSet(generated, a.namespaceMap);
  if (a.output === '-') {
    io.out(policySetYaml(set));
    return 0;
  }
  try {
    await writePolicyFolder(
      a.output,
      (set.policies as readonly AnyGeneratedPolicy[]).map((g) => ({ path: policyFile(g.policy.metadata), content: policyYaml(g) })),
    );
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    throw new InputError(e.code === 'not-a-folder' ? `-o ${e.message}: give a folder (made if missing), or -o - for stdout` : e.message);
  }
  io.err(`wrote ${set.policies.length} policies under ${a.output}\n`);
  return 0;
}

/** The policies of a file or folder: NetworkPolicies, Calico's staged ones and Cilium policies, each in their own list. */
export interface LoadedPolicies {
  readonly policies: NetworkPolicy[];
  readonly staged: StagedKubernetesNetworkPolicy[];
  readonly cilium: CiliumNetworkPolicy[];
  /** Documents that could not be read (each reported on stderr). */
  readonly unread: number;
}

/** Every policy loaded, NetworkPolicies first, as the checks take them. */
export const allLoaded = (l: LoadedPolicies): (NetworkPolicy | StagedKubernetesNetworkPolicy | CiliumNetworkPolicy)[] => [
  ...l.policies,
  ...l.staged,
  ...l.cilium,
];

/** What the commands read, in words for a message that found none of it. */
const POLICY_KINDS = 'NetworkPolicy, StagedKubernetesNetworkPolicy or CiliumNetworkPolicy';

/**
 * Reads every NetworkPolicy, Calico StagedKubernetesNetworkPolicy and CiliumNetworkPolicy /
 * CiliumClusterwideNetworkPolicy in a YAML/JSON file or a folder (recursively). Documents that cannot be used are reported on stderr, with the
 * file, document and line, and skipped; the rest are read.
 */
export async function loadPolicies(target: string, io: CommandIo): Promise<LoadedPolicies> {
  let files: string[];
  try {
    const st = await stat(target);
    files = st.isDirectory()
      ? (await readdir(target, { recursive: true }))
          .filter((f) => /\.(ya?ml|json)$/i.test(f))
          .sort()
          .map((f) => path.join(target, f))
      : [target];
  } catch (e) {
    throw new InputError(`cannot read ${target} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const policies: NetworkPolicy[] = [];
  const staged: StagedKubernetesNetworkPolicy[] = [];
  const cilium: CiliumNetworkPolicy[] = [];
  let unread = 0;
  for (const f of files) {
    const parsed = parsePolicies(await readFile(f, 'utf8'));
    unread += parsed.problems.filter((pr) => UNREAD_POLICY.has(pr.code)).length;
    for (const pr of parsed.problems)
      io.err(`netpol-studio: ${f}: document ${pr.document}${pr.line ? `, line ${pr.line}` : ''}: ${pr.message}\n`);
    policies.push(...parsed.policies);
    staged.push(...parsed.staged);
    cilium.push(...parsed.cilium);
  }
  return { policies, staged, cilium, unread };
}

/** The coverage report as text: each kept edge that is not allowed with why, the other checks, then the one verdict. */
export function coverageText(c: Coverage): string {
  const lines: string[] = [];
  const total = c.keptAllowed.length + c.keptDenied.length + c.keptUndecided.length;
  lines.push(
    `scope: ${c.scope.join(', ')} (${c.engine === 'cilium' ? 'judged as Cilium enforces it' : 'Kubernetes NetworkPolicy semantics'})`,
  );
  lines.push(`kept edges allowed: ${c.keptAllowed.length} of ${total}`);
  for (const f of c.keptDenied) lines.push(`  BLOCKED ${f.edge}\n    ${f.explanation}`);
  if (c.keptUndecided.length > 0) lines.push(`kept edges that cannot be decided from this input: ${c.keptUndecided.length}`);
  for (const f of c.keptUndecided) lines.push(`  UNDECIDED ${f.edge}\n    ${f.explanation}`);
  lines.push(
    `pruned edges denied: ${c.prunedDenied.length} of ${c.prunedDenied.length + c.prunedAllowed.length + c.prunedUndecided.length}`,
  );
  for (const f of c.prunedAllowed) lines.push(`  STILL ALLOWED ${f.edge}\n    ${f.explanation}`);
  for (const f of c.prunedUndecided) lines.push(`  UNDECIDED ${f.edge}\n    ${f.explanation}`);
  lines.push(`unobserved connections allowed: ${c.unobservedAllowedCount}`);
  for (const u of c.unobservedAllowed.slice(0, 20)) lines.push(`  ${u.source} -> ${u.target}:${u.port}/${u.protocol}`);
  lines.push(`rules with no observed flow behind them: ${c.unbackedRules.length}`);
  for (const r of c.unbackedRules) lines.push(`  ${ruleRefText(r)}`);
  lines.push(`rules wider than the observed ports: ${c.widePorts.length}`);
  for (const w of c.widePorts) lines.push(`  ${ruleRefText(w.rule)}: ${w.unobserved}`);
  lines.push(`result: ${c.verdict.status.toUpperCase()}: ${c.verdict.headline}`);
  return lines.join('\n') + '\n';
}

export interface VerifyArgs {
  /** Cluster snapshot files (`--snapshot`), read with the capture. */
  readonly snapshots?: readonly string[];
  readonly capture: string;
  readonly policies: string;
  readonly namespaces: readonly string[];
  readonly pruneFile?: string;
  readonly includeDropped: boolean;
  readonly json: boolean;
}

/** `verify`: the coverage report; exit 0 pass, 1 fail (a kept flow blocked, or something pruned or unobserved allowed), 3 undecided. */
export async function verifyCommand(a: VerifyArgs, io: CommandIo): Promise<number> {
  const { graph, snapshot } = await readCapture(a.capture, a.snapshots, io);
  const loaded = await loadPolicies(a.policies, io);
  const all = allLoaded(loaded);
  if (all.length === 0) throw new InputError(`no ${POLICY_KINDS} found in ${a.policies}`);
  // Clusterwide policies have no namespace: the scope is the namespaces the namespaced ones are in,
  // or every namespace of the capture when there are only clusterwide ones.
  const named = [...new Set(all.flatMap((p) => p.metadata.namespace ?? (p.kind === 'CiliumClusterwideNetworkPolicy' ? [] : 'default')))];
  const namespaces = a.namespaces.length > 0 ? a.namespaces : (named.length > 0 ? named : graph.namespaces).slice().sort();
  checkScope(graph, namespaces, io);
  const selection = await selectionFor(graph, a.pruneFile, a.includeDropped, io);
  const c = verify(all, graph, selection, namespaces, { snapshot, unreadPolicies: loaded.unread });
  io.out(a.json ? JSON.stringify(c, null, 2) + '\n' : coverageText(c));
  return c.verdict.exitCode;
}

export interface LintArgs {
  /** Cluster snapshot files (`--snapshot`), read with the capture. */
  readonly snapshots?: readonly string[];
  readonly policies: string;
  readonly capture?: string;
  readonly json: boolean;
}

/**
 * `lint`: findings with a fix each, for NetworkPolicies and Cilium policies; exit 1 when any is an
 * error. With `--snapshot`, the Services' ClusterIPs are known (no guessing at the Service range).
 */
export async function lintCommand(a: LintArgs, io: CommandIo): Promise<number> {
  const { policies, staged, cilium, unread } = await loadPolicies(a.policies, io);
  if (policies.length === 0 && staged.length === 0 && cilium.length === 0)
    throw new InputError(
      `no networking.k8s.io/v1 NetworkPolicy, projectcalico.org/v3 StagedKubernetesNetworkPolicy or cilium.io/v2 CiliumNetworkPolicy found in ${a.policies}`,
    );
  // The capture (a capture without flows is unusable input here as everywhere), else the snapshot alone.
  const read = a.capture ? await readCapture(a.capture, a.snapshots ?? [], io) : undefined;
  const snapshot = read ? read.snapshot : a.snapshots && a.snapshots.length > 0 ? await readClusterSnapshot(a.snapshots) : undefined;
  const graph = read?.graph;
  const context = { graph, serviceIps: snapshot?.services.flatMap((s) => s.clusterIPs) };
  // A staged policy is linted as the NetworkPolicy it becomes once enforced.
  const findings = [...lint([...policies, ...staged.map(enforcedOf)], context), ...lintCilium(cilium, context)];
  if (a.json) io.out(JSON.stringify(findings, null, 2) + '\n');
  else {
    for (const f of findings) io.out(`${f.severity}: ${f.policy}${f.where ? ` ${f.where}` : ''}: ${f.message}\n  fix: ${f.fix}\n`);
    const errors = findings.filter((f) => f.severity === 'error').length;
    io.out(
      `${policies.length + staged.length + cilium.length} policies, ${errors} error(s), ${findings.length - errors} warning(s)${unread > 0 ? `, ${unread} document(s) that could not be read (on stderr)` : ''}\n`,
    );
  }
  // A document that could not be read is an error of the file, like a finding.
  return unread > 0 || findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export interface DiffArgs {
  /** Cluster snapshot files (`--snapshot`), read with the capture. */
  readonly snapshots?: readonly string[];
  readonly before: string;
  readonly after: string;
  readonly capture?: string;
  readonly format: string;
}

/** `diff OLD NEW`: per policy (normalised YAML) and, with a capture, per observed flow. */
export async function diffCommand(a: DiffArgs, io: CommandIo): Promise<number> {
  if (!['text', 'json', 'md'].includes(a.format)) throw new UsageError(`--format must be text, json or md, not "${a.format}"`);
  const before = allLoaded(await loadPolicies(a.before, io));
  const after = allLoaded(await loadPolicies(a.after, io));
  const graph = a.capture ? (await readCapture(a.capture, a.snapshots, io)).graph : undefined;
  const d = diffPolicies(before, after, graph);
  io.out(a.format === 'json' ? JSON.stringify(d, null, 2) + '\n' : a.format === 'md' ? diffMarkdown(d) : diffText(d));
  return 0;
}

export interface BundleArgs extends Omit<GenerateArgs, 'output' | 'portRanges'> {
  readonly portRanges: boolean;
  readonly out: string;
  readonly force: boolean;
}

/** `bundle`: policies, kustomization, REPORT.md, connectivity.csv, capture summary and manifest. */
export async function bundleCommand(a: BundleArgs, io: CommandIo): Promise<number> {
  const analysis = await readCapture(a.capture, a.snapshots, io);
  const { graph } = analysis;
  checkScope(graph, a.namespaces, io, a.defaultDeny);
  const selection = await selectionFor(graph, a.pruneFile, a.includeDropped, io);
  const set = generateFlavor(a.flavor ?? 'kubernetes', graph, selection, {
    namespaces: a.namespaces,
    defaultDeny: a.defaultDeny,
    portRanges: a.portRanges,
    cidrs: checkCidrs(a.cidrs),
  });
  // Refused before anything is written when two policies would land on one name.
  writtenSet(set, a.namespaceMap);
  const files = await buildBundle({
    summary: summarize(analysis),
    graph,
    selection,
    set,
    ...(a.namespaceMap ? { namespaceMap: a.namespaceMap } : {}),
    captureSha256: await fileSha256(a.capture),
    toolVersion: TOOL_VERSION,
  });
  try {
    await writeBundle(files, a.out, { force: a.force });
  } catch (e) {
    if (e instanceof BundleError) throw new InputError(e.message);
    throw e;
  }
  io.err(`wrote ${a.out}: ${files.length} files (${set.policies.length} policies)\n`);
  return 0;
}

/** `connlist DIR`: the allowed connections between the workloads of a folder of manifests, in netpol-analyzer's format. */
export async function connlistCommand(a: { dir: string; format: string }, io: CommandIo): Promise<number> {
  if (a.format !== 'txt' && a.format !== 'json') throw new UsageError(`--format must be txt or json, not "${a.format}"`);
  let read;
  try {
    read = await readResourceDir(a.dir);
  } catch (e) {
    throw new InputError(`cannot read ${a.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const p of read.problems) io.err(`netpol-studio: ${p.file}: ${p.message}; skipped\n`);
  const conns = connlist(buildModel(read.objects));
  io.out(a.format === 'json' ? connlistJson(conns) + '\n' : connlistText(conns));
  return 0;
}
