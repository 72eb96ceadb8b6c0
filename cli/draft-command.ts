import { parseDraftReply } from '../shared/ai/reply';
import type { DraftFinding } from '../shared/ai/review';
import { readCapture } from './capture';
import { writeFileAtomic } from '../shared/node/fs/atomic-write';
import { prepareDraft, runDraft } from '../shared/node/ai/ai-draft';
import { messagesText } from '../shared/ai/prompt';
import { InputError, selectionFor, UsageError, type CommandIo } from './policy-commands';

export interface DraftArgs {
  /** Cluster snapshot files (`--snapshot`), read with the capture. */
  readonly snapshots?: readonly string[];
  readonly capture: string;
  readonly namespaces: string[];
  readonly baseUrl: string;
  readonly model: string;
  readonly pruneFile?: string;
  readonly includeDropped: boolean;
  readonly allowExternalIps: boolean;
  readonly stream: boolean;
  readonly timeoutSeconds: number;
  readonly tokenBudget?: number;
  readonly preview: boolean;
  readonly json: boolean;
  readonly output?: string;
  readonly apiKey: string | undefined;
}

const mark = { error: '✗', warning: '!', info: '·' } as const;

function reviewText(findings: readonly DraftFinding[], verdict: string): string {
  const lines = [`review: ${verdict}`];
  for (const f of findings) lines.push(`  ${mark[f.severity]} ${f.severity}: ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}`);
  return lines.join('\n');
}

/**
 * `draft`: sends the scrubbed table of kept edges to an OpenAI-compatible endpoint, reads the reply
 * as data and reviews every rule against the flows. Exit 0 when the review finds no error, 1 when
 * it does, 2 when the endpoint fails (with the reason on one line).
 */
export async function draftCommand(a: DraftArgs, io: CommandIo): Promise<number> {
  try {
    new URL(a.baseUrl);
  } catch {
    throw new UsageError(`--base-url "${a.baseUrl}" is not a URL such as https://api.openai.com/v1 or http://localhost:11434/v1`);
  }
  const analysis = await readCapture(a.capture, a.snapshots, io);
  const known = new Set(analysis.graph.namespaces);
  const unknown = a.namespaces.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new InputError(`no workload of namespace ${unknown.join(', ')} in ${a.capture} (it has ${[...known].join(', ') || 'none'})`);
  const selection = await selectionFor(analysis.graph, a.pruneFile, a.includeDropped, io);
  const request = { namespaces: a.namespaces, allowExternalIps: a.allowExternalIps, tokenBudget: a.tokenBudget };

  if (a.preview) {
    const prepared = await prepareDraft(analysis.graph, selection, request, a.model);
    io.out(messagesText(prepared.messages) + '\n');
    if (prepared.payload.omittedEdges.length > 0)
      io.err(`netpol-studio: ${prepared.payload.omittedEdges.length} kept edge(s) cut to fit the token budget\n`);
    return 0;
  }

  const run = await runDraft(
    analysis.graph,
    selection,
    request,
    { baseUrl: a.baseUrl, model: a.model, apiKey: a.apiKey },
    { stream: a.stream, timeoutMs: a.timeoutSeconds * 1000 },
  );
  if (run.error) {
    io.err(`netpol-studio: ${run.error.message}\n`);
    if (a.json) io.out(JSON.stringify(run, null, 2) + '\n');
    return 2;
  }
  const review = run.review!;
  if (a.json) {
    io.out(JSON.stringify(run, null, 2) + '\n');
  } else {
    const yaml = parseDraftReply(run.reply, run.tokens).yaml;
    const header = `# drafted by ${run.model} at ${run.endpoint} (prompt sha256 ${run.promptSha256.slice(0, 12)}…), reviewed by netpol-studio against ${a.capture}`;
    const text = `${header}\n${yaml}\n`;
    if (a.output) {
      await writeFileAtomic(a.output, text);
      io.out(`draft written to ${a.output}\n`);
    } else io.out(text);
    // The review as YAML comments, so that stdout stays a YAML stream.
    io.out(
      reviewText(review.findings, review.verdict)
        .split('\n')
        .map((l) => `# ${l}`)
        .join('\n') + '\n',
    );
  }
  if (run.omittedEdges.length > 0) io.err(`netpol-studio: ${run.omittedEdges.length} kept edge(s) were cut to fit the token budget\n`);
  return review.verdict === 'errors' ? 1 : 0;
}
