import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CaptureError } from '../shared/flows/types';
import { filterByNamespaces } from '../shared/graph/filter';
import { summarize } from '../shared/graph/summary';
import { SnapshotError } from '../shared/cluster/snapshot';
import { isNamespaceName, NAMESPACE_NAME_RULE } from '../shared/cluster/names';
import { fsErrorLine } from '../shared/node/fs/fs-errors';
import { FLAVORS } from '../shared/policy/flavors';
import { NamespaceMapError, parseNamespaceMap, type NamespaceMap } from '../shared/rollout/namespace-map';
import { readCapture } from './capture';
import { unusableCapture } from '../shared/graph/analysis';
import { draftCommand } from './draft-command';
import { formatSummary } from './format';
import {
  bundleCommand,
  checkScope,
  connlistCommand,
  diffCommand,
  generateCommand,
  lintCommand,
  UsageError,
  verifyCommand,
} from './policy-commands';
import { soakCommand } from './soak-command';
import { reportUnexpected } from './unexpected';

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** The environment (OPENAI_API_KEY); process.env when not given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the details of an unexpected failure are written; the OS temp folder when not given. */
  readonly tempDir?: string;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export const USAGE = `netpol-studio — observed Kubernetes traffic in, least-privilege NetworkPolicies out

Usage:
  netpol-studio summarize <capture> [--snapshot FILE]... [--json]
      Counts, format, time window, namespaces, workloads, edges and warnings of a capture.
  netpol-studio graph <capture> [--namespace NS]... [--snapshot FILE]... --json
      The service graph as JSON (schema in README.md, "Graph JSON").
  netpol-studio generate <capture> --namespace NS [--namespace NS2]... [--snapshot FILE]... [--prune FILE] [--include-dropped]
                        [--flavor kubernetes|cilium|calico-staged] [--target-namespace FROM=TO]... [--default-deny]
                        [--port-ranges] [--cidr CIDR]... [-o DIR|-]
      Least-privilege NetworkPolicies for the workloads of NS from the observed flows. YAML goes to
      stdout with -o - (the default); with -o DIR one file per policy under DIR/<namespace>/,
      each written whole (files already in DIR that are not regenerated are left alone).
      A prune file holds one edge key per line, as printed by \`graph --json\`. External addresses
      get an ipBlock /32 each, or the --cidr that covers them. --flavor calico-staged writes
      Calico StagedKubernetesNetworkPolicies (previewed, not enforced). --target-namespace
      payments=payments-staging writes the policies of payments for payments-staging (repeatable).
  netpol-studio verify <capture> --policies PATH [--namespace NS]... [--snapshot FILE]... [--prune FILE] [--include-dropped] [--json]
      Checks NetworkPolicies and CiliumNetworkPolicies (a file or folder) against the capture:
      each kept edge allowed, blocked or undecided (with what would decide it), pruned and
      unobserved ones denied. A set with Cilium policies is judged as Cilium enforces it.
      Exit 0 pass, 1 fail (a kept edge blocked, or something pruned or unobserved allowed),
      3 undecided (nothing failed, but some edges cannot be decided from this input).
  netpol-studio lint <PATH> [--capture FILE [--snapshot FILE]...] [--json]
      Checks policies (a file or folder) for mistakes, each with a one-line fix; with a capture
      also ipBlocks over pod networks and cross-namespace peers. Exit 1 when any is an error.
  netpol-studio diff <OLD> <NEW> [--capture FILE [--snapshot FILE]...] [--format text|json|md]
      What changes between two policy sets (files or folders): per policy, with key order and
      comments ignored, and with a capture, which observed flows become blocked or allowed.
  netpol-studio bundle <capture> --namespace NS [--namespace NS2]... -o OUT[.zip] [--snapshot FILE]... [--prune FILE]
                      [--include-dropped] [--flavor kubernetes|cilium|calico-staged] [--target-namespace FROM=TO]...
                      [--default-deny] [--port-ranges] [--cidr CIDR]... [--force]
      A reviewable bundle: policies/<ns>/<name>.yaml, kustomization.yaml, REPORT.md,
      connectivity.csv, capture-summary.json and bundle.json (sha256 of every file). Written
      atomically; an existing OUT is replaced only with --force, and only when it is a bundle
      netpol-studio wrote: its bundle.json lists every file it holds, each unchanged.
  netpol-studio soak <capture since apply> --policies PATH --applied-at TIME [--cycle 24h] [--prune FILE] [--original CAPTURE]
                    [--include-dropped] [--target-namespace FROM=TO]... [--snapshot FILE]... [--json]
      Whether a rollout has been clean for a business cycle: the covered window (from the first
      to the last flow read, against the apply), and each flow not forwarded since the apply
      (DROPPED, Cilium's AUDIT, Calico's pending deny) as a missing rule (with the rule that
      would allow it), expected (a pruned edge, with its reason), denied by another policy, or
      outside the rollout. TIME is RFC 3339 with its zone (2026-11-01T12:00:00Z). The prune file
      and --original are the ones the policies were generated with (--original: the hours of its
      batch traffic must be covered too); --target-namespace is the map they were rolled out with.
      Exit 0 clean for the cycle, 1 a missing rule or a window too short (said which), 3 a flow
      that cannot be decided or a capture that lost flows.
  netpol-studio connlist <DIR> [--format txt|json]
      The allowed connections between the workloads of a folder of Kubernetes manifests
      (pods, workloads, namespaces, NetworkPolicies), in np-guard netpol-analyzer's format.
  netpol-studio draft <capture> --namespace NS [--namespace NS2]... --base-url URL --model M
                     [--snapshot FILE]... [--prune FILE] [--include-dropped] [--allow-external-ips] [--no-stream]
                     [--timeout SECONDS] [--token-budget N] [--preview] [--json] [-o FILE]
      Asks an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM; the key from
      OPENAI_API_KEY) for a draft from the kept edges, scrubbed: external addresses become
      tokens (unless --allow-external-ips), no pod address, pod name or node name is sent.
      --preview prints exactly what would be sent, and sends nothing. Prints the draft and its
      review (coverage, lint, unbacked rules). Exit 1 when the review finds errors, 2 when the
      endpoint fails.
  netpol-studio help [COMMAND]
      This text, or the usage of one command (as \`COMMAND --help\` or \`-h\` print it).

--namespace/-n takes one namespace or a comma-separated list (\`-n shop,search\`), and can be repeated.

Captures: Hubble \`hubble observe -o jsonpb\` output (JSON lines or a JSON array, .gz accepted),
Calico Enterprise flow logs (JSON or text) and Calico OSS Goldmane/Whisker flow JSON.

--snapshot FILE (every command that reads a capture; repeatable): the output of
\`kubectl get svc,endpointslices,pods,namespaces -A -o json\` (JSON or YAML). It resolves flows to a Service's
ClusterIP to the Service's backends and target ports, and gives labels to workloads whose
records carried none (aggregated Calico flow logs, exports with a field mask).

Exit codes: 0 ok, 1 findings, 2 unusable input, an output that cannot be written, or wrong usage
(the reason is on stderr), 3 undecided (verify, soak), 70 an unexpected failure: a bug, with where its
details were written.
`;

/** `--help` / `-h` after a command: its usage goes to stdout, and the command does not run. */
class HelpRequest extends Error {}

type OptionTable = NonNullable<ParseArgsConfig['options']>;
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;
/** What node:util's parseArgs returns for this option table: each value typed by its flag (string, boolean, list, with its default). */
type Parsed<O extends OptionTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_FLAG; allowPositionals: true; strict: true }>
>;

/**
 * node:util's parseArgs (strict, positionals allowed, `-h`/`--help` on every command), with its
 * values typed by the option table; its errors become one-line usage errors naming the flag.
 */
function parse<const O extends OptionTable>(args: string[], options: O): { values: Parsed<O>['values']; positionals: string[] } {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, ...HELP_FLAG },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    // Help wins over whatever else is wrong in the call: it is how one finds out what is right.
    if (args.includes('--help') || args.includes('-h')) throw new HelpRequest();
    const err = e as Error & { code?: string };
    // Node's own wording is long and quotes oddly; say which flag, and leave the rest to the usage.
    const flag = /'(-[^']*)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) throw new UsageError(`unknown option ${flag}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) throw new UsageError(`${flag} needs a value`);
    throw new UsageError(err.message);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequest();
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * The namespaces of `--namespace`/`-n`: repeatable and comma-separated (`-n shop,search`), each
 * checked as a namespace name. Given but naming none (`-n ,`) is an error: nothing would be in scope.
 */
function namespacesOf(values: { readonly namespace?: readonly string[] }, command: string): string[] {
  const given = values.namespace;
  if (!given) return [];
  const names = given.flatMap((v) => v.split(',')).map((s) => s.trim());
  const bad = names.find((n) => n !== '' && !isNamespaceName(n));
  if (bad !== undefined) throw new UsageError(`--namespace "${bad}" is not a namespace name (${NAMESPACE_NAME_RULE})`);
  const namespaces = [...new Set(names.filter(Boolean))];
  if (namespaces.length === 0) throw new UsageError(`--namespace names no namespace, so ${command} would have nothing in scope`);
  return namespaces;
}

/** The usage of one command (its lines of USAGE), or all of it for an unknown one. */
export function usageOf(command: string | undefined): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  netpol-studio ${command ?? ''} `) || l === `  netpol-studio ${command ?? ''}`);
  if (!command || start < 0) return USAGE;
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith('   ') && !lines[end].startsWith('  netpol-studio')) end++;
  return `Usage:\n${lines.slice(start, end).join('\n')}\n\nSee \`netpol-studio help\` for every command.\n`;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? `missing ${what}` : `unexpected argument "${positionals[1]}"`);
  return positionals[0];
}

async function summarizeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false }, snapshot: SNAPSHOT_FLAG });
  const file = onePositional(positionals, '<capture>');
  const analysis = await readCapture(file, snapshotsOf(values), undefined, { allowEmpty: true });
  const summary = summarize(analysis);
  io.out(values.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
  // What was read is shown; a capture without flows is still unusable input.
  const unusable = unusableCapture(analysis);
  if (unusable) throw unusable;
  return EXIT_OK;
}

async function graphCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    namespace: { type: 'string', multiple: true, short: 'n' },
    snapshot: SNAPSHOT_FLAG,
  });
  const file = onePositional(positionals, '<capture>');
  if (!values.json) throw new UsageError('graph prints JSON only: add --json');
  const namespaces = namespacesOf(values, 'graph');
  const analysis = await readCapture(file, snapshotsOf(values));
  checkScope(analysis.graph, namespaces, io);
  const graph = filterByNamespaces(analysis.graph, namespaces);
  io.out(JSON.stringify(graph, null, 2) + '\n');
  return EXIT_OK;
}

/** `--snapshot FILE` (repeatable): `kubectl get svc,endpointslices,pods,namespaces -A -o json` output to resolve Services and labels with. */
const SNAPSHOT_FLAG = { type: 'string', multiple: true } as const;
const snapshotsOf = (values: { readonly snapshot?: readonly string[] }): string[] => [...(values.snapshot ?? [])];

/** Flags shared by the commands that build a selection and generate from it. */
const SELECTION_FLAGS = {
  snapshot: SNAPSHOT_FLAG,
  namespace: { type: 'string', multiple: true, short: 'n' },
  prune: { type: 'string' },
  'include-dropped': { type: 'boolean', default: false },
} as const;
const GENERATION_FLAGS = {
  ...SELECTION_FLAGS,
  cidr: { type: 'string', multiple: true },
  'default-deny': { type: 'boolean', default: false },
  'port-ranges': { type: 'boolean', default: false },
  flavor: { type: 'string', default: 'kubernetes' },
  'target-namespace': { type: 'string', multiple: true },
} as const;

/** `--target-namespace FROM=TO` (repeatable) as a namespace map; a pair that cannot be read is a one-line usage error. */
export function namespaceMapOf(values: { readonly 'target-namespace'?: readonly string[] }): NamespaceMap {
  try {
    return parseNamespaceMap(values['target-namespace'] ?? []);
  } catch (e) {
    if (e instanceof NamespaceMapError) throw new UsageError(`--target-namespace: ${e.message}`, false);
    throw e;
  }
}

/** The generation arguments common to `generate` and `bundle`. */
function generationArgs(values: Parsed<typeof GENERATION_FLAGS>['values'], positionals: string[], command: string) {
  const namespaces = namespacesOf(values, command);
  if (namespaces.length === 0) throw new UsageError(`${command} needs at least one --namespace to lock down`);
  const flavor = FLAVORS.find((f) => f === values.flavor);
  if (!flavor) throw new UsageError(`--flavor must be ${FLAVORS.join(', ')}, not "${values.flavor}"`);
  return {
    flavor,
    namespaceMap: namespaceMapOf(values),
    capture: onePositional(positionals, '<capture>'),
    snapshots: snapshotsOf(values),
    namespaces,
    pruneFile: values.prune,
    includeDropped: values['include-dropped'],
    defaultDeny: values['default-deny'],
    portRanges: values['port-ranges'],
    cidrs: [...(values.cidr ?? [])],
  };
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'summarize':
        return await summarizeCommand(rest, io);
      case 'graph':
        return await graphCommand(rest, io);
      case 'generate': {
        const { values, positionals } = parse(rest, {
          ...GENERATION_FLAGS,
          output: { type: 'string', short: 'o', default: '-' },
        });
        return await generateCommand({ ...generationArgs(values, positionals, 'generate'), output: values.output }, io);
      }
      case 'verify': {
        const { values, positionals } = parse(rest, {
          ...SELECTION_FLAGS,
          policies: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        if (!values.policies) throw new UsageError('verify needs --policies PATH (a YAML file or a folder)');
        return await verifyCommand(
          {
            capture: onePositional(positionals, '<capture>'),
            snapshots: snapshotsOf(values),
            policies: values.policies,
            namespaces: namespacesOf(values, 'verify'),
            pruneFile: values.prune,
            includeDropped: values['include-dropped'],
            json: values.json,
          },
          io,
        );
      }
      case 'lint': {
        const { values, positionals } = parse(rest, {
          capture: { type: 'string' },
          snapshot: SNAPSHOT_FLAG,
          json: { type: 'boolean', default: false },
        });
        return await lintCommand(
          {
            policies: onePositional(positionals, '<PATH>'),
            capture: values.capture,
            snapshots: snapshotsOf(values),
            json: values.json,
          },
          io,
        );
      }
      case 'diff': {
        const { values, positionals } = parse(rest, {
          capture: { type: 'string' },
          snapshot: SNAPSHOT_FLAG,
          format: { type: 'string', default: 'text' },
        });
        if (positionals.length !== 2) throw new UsageError('diff needs two paths: OLD and NEW');
        return await diffCommand(
          {
            before: positionals[0],
            after: positionals[1],
            capture: values.capture,
            snapshots: snapshotsOf(values),
            format: values.format,
          },
          io,
        );
      }
      case 'bundle': {
        const { values, positionals } = parse(rest, {
          ...GENERATION_FLAGS,
          output: { type: 'string', short: 'o' },
          force: { type: 'boolean', default: false },
        });
        const args = generationArgs(values, positionals, 'bundle');
        if (!values.output) throw new UsageError('bundle needs -o OUT (a folder, or a file ending in .zip)');
        return await bundleCommand({ ...args, out: values.output, force: values.force }, io);
      }
      case 'soak': {
        const { values, positionals } = parse(rest, {
          policies: { type: 'string' },
          'applied-at': { type: 'string' },
          cycle: { type: 'string' },
          prune: { type: 'string' },
          original: { type: 'string' },
          'include-dropped': { type: 'boolean', default: false },
          'target-namespace': { type: 'string', multiple: true },
          snapshot: SNAPSHOT_FLAG,
          json: { type: 'boolean', default: false },
        });
        const capture = onePositional(positionals, '<capture since apply>');
        if (!values.policies) throw new UsageError('soak needs --policies PATH (the policies rolled out: a YAML file or a folder)');
        if (!values['applied-at'])
          throw new UsageError('soak needs --applied-at TIME (when the policies were applied, e.g. 2026-11-01T12:00:00Z)');
        return await soakCommand(
          {
            capture,
            policies: values.policies,
            appliedAt: values['applied-at'],
            cycle: values.cycle,
            pruneFile: values.prune,
            original: values.original,
            includeDropped: values['include-dropped'],
            namespaceMap: namespaceMapOf(values),
            snapshots: snapshotsOf(values),
            json: values.json,
          },
          io,
        );
      }
      case 'connlist': {
        const { values, positionals } = parse(rest, { format: { type: 'string', default: 'txt' } });
        return await connlistCommand({ dir: onePositional(positionals, '<DIR>'), format: values.format }, io);
      }
      case 'draft': {
        const { values, positionals } = parse(rest, {
          ...SELECTION_FLAGS,
          'base-url': { type: 'string' },
          model: { type: 'string' },
          'allow-external-ips': { type: 'boolean', default: false },
          'no-stream': { type: 'boolean', default: false },
          timeout: { type: 'string', default: '120' },
          'token-budget': { type: 'string' },
          preview: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          output: { type: 'string', short: 'o' },
        });
        const namespaces = namespacesOf(values, 'draft');
        if (namespaces.length === 0) throw new UsageError('draft needs at least one --namespace to lock down');
        if (!values['base-url']) throw new UsageError('draft needs --base-url URL (e.g. https://api.openai.com/v1)');
        if (!values.model) throw new UsageError('draft needs --model M (e.g. gpt-4o-mini)');
        const timeout = Number(values.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0)
          throw new UsageError(`--timeout must be a number of seconds, not "${String(values.timeout)}"`);
        const budget = values['token-budget'] === undefined ? undefined : Number(values['token-budget']);
        if (budget !== undefined && !(Number.isInteger(budget) && budget >= 200))
          throw new UsageError(`--token-budget must be a whole number of at least 200, not "${String(values['token-budget'])}"`);
        return await draftCommand(
          {
            capture: onePositional(positionals, '<capture>'),
            snapshots: snapshotsOf(values),
            namespaces,
            baseUrl: values['base-url'],
            model: values.model,
            pruneFile: values.prune,
            includeDropped: values['include-dropped'],
            allowExternalIps: values['allow-external-ips'],
            stream: !values['no-stream'],
            timeoutSeconds: timeout,
            tokenBudget: budget,
            preview: values.preview,
            json: values.json,
            output: values.output,
            apiKey: (io.env ?? process.env).OPENAI_API_KEY || undefined,
          },
          io,
        );
      }
      case 'help':
        // `help generate` is `generate --help`; an unknown name gets every command's usage.
        io.out(rest[0] ? usageOf(rest[0]) : USAGE);
        return EXIT_OK;
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT_OK;
      case undefined:
        throw new UsageError('missing command');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.out(usageOf(command));
      return EXIT_OK;
    }
    if (e instanceof UsageError) {
      io.err(`netpol-studio: ${e.message}\n${e.showUsage ? `\n${usageOf(command)}` : ''}`);
      return EXIT_USAGE;
    }
    if (e instanceof CaptureError || e instanceof SnapshotError) {
      io.err(`netpol-studio: ${e.message}\n`);
      return EXIT_USAGE;
    }
    // A file that cannot be read or written (a full disk, a read-only place): one line, as unusable input.
    const fsLine = fsErrorLine(e);
    if (fsLine) {
      io.err(`netpol-studio: ${fsLine}\n`);
      return EXIT_USAGE;
    }
    return reportUnexpected(e, argv, io.err, io.tempDir);
  }
}
