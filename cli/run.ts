import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CaptureError } from '../shared/flows/types';
import { filterByNamespaces } from '../shared/graph/filter';
import { summarize } from '../shared/graph/summary';
import { analyzeFile } from '../shared/node/read-capture';
import { formatSummary } from './format';

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export const USAGE = `netpol-studio — observed Kubernetes traffic in, least-privilege NetworkPolicies out

Usage:
  netpol-studio summarize <capture> [--json]
      Counts, format, time window, namespaces, workloads, edges and warnings of a capture.
  netpol-studio graph <capture> [--namespace NS]... --json
      The service graph as JSON (schema in README.md, "Graph JSON").
  netpol-studio help

Captures: Hubble \`hubble observe -o jsonpb\` output (JSON lines or a JSON array, .gz accepted),
Calico Enterprise flow logs (JSON or text) and Calico OSS Goldmane/Whisker flow JSON.

Exit codes: 0 ok, 1 findings, 2 unusable input or wrong usage (the reason is on stderr).
`;

class UsageError extends Error {}

function parse(args: string[], options: ParseArgsConfig['options']): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? `missing ${what}` : `unexpected argument "${positionals[1]}"`);
  return positionals[0];
}

async function summarizeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } });
  const file = onePositional(positionals, '<capture>');
  const summary = summarize(await analyzeFile(file));
  io.out(values.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
  return EXIT_OK;
}

async function graphCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    namespace: { type: 'string', multiple: true, short: 'n' },
  });
  const file = onePositional(positionals, '<capture>');
  if (!values.json) throw new UsageError('graph prints JSON only: add --json');
  const analysis = await analyzeFile(file);
  const graph = filterByNamespaces(analysis.graph, (values.namespace as string[] | undefined) ?? []);
  io.out(JSON.stringify(graph, null, 2) + '\n');
  return EXIT_OK;
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
      case 'help':
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
    if (e instanceof UsageError) {
      io.err(`netpol-studio: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (e instanceof CaptureError) {
      io.err(`netpol-studio: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`netpol-studio: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT_USAGE;
  }
}
