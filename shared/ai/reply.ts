import type { NetworkPolicy } from '../policy/types';
import { parsePolicies } from '../policy/yaml';
import { restoreTokens } from './payload';

export interface ParsedDraft {
  /** The YAML found in the reply, tokens restored: what the policies were read from. */
  readonly yaml: string;
  readonly policies: NetworkPolicy[];
  /** Documents that do not parse (with the line inside the YAML): errors. */
  readonly problems: readonly { readonly document: number; readonly line?: number; readonly message: string }[];
  /** What was not used: prose around the YAML, fenced blocks in other languages, other kinds. */
  readonly ignored: readonly string[];
  /** True when the reply reads as a refusal (no YAML, and words of refusal). */
  readonly refused: boolean;
}

const FENCE = /^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:^[ \t]*```[ \t]*$|(?![\s\S]))/gm;
const YAML_START = /^(?:---|apiVersion:|kind:)/;
/** A line that can belong to a YAML stream: indented, a list item, a comment, a separator, or `key:`. */
const YAML_LINE = /^(?:$|\s|-|#|---|\.\.\.|[A-Za-z0-9_."'/-]+\s*:(?:\s|$))/;
const REFUSAL = /\b(?:I can(?:no|')t|I am unable|I'm unable|I won't|I will not|I'm sorry|I apologi[sz]e|cannot (?:help|assist|comply))\b/i;

const firstWords = (s: string): string => {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
};

function prose(text: string, ignored: string[]): void {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0) ignored.push(`${lines.length} line(s) of text outside the YAML, starting "${firstWords(lines.join('\n'))}"`);
}

/** Finds the YAML in a reply: fenced blocks (yaml, yml or unlabelled), or else the lines that read as YAML. */
export function extractYaml(reply: string): { yaml: string; ignored: string[] } {
  const ignored: string[] = [];
  const blocks: string[] = [];
  let last = 0;
  let fenced = false;
  for (const m of reply.matchAll(FENCE)) {
    fenced = true;
    prose(reply.slice(last, m.index), ignored);
    last = m.index + m[0].length;
    const lang = m[1].toLowerCase();
    const body = m[2];
    if (lang === '' || lang === 'yaml' || lang === 'yml' || /^\s*apiVersion:/m.test(body)) blocks.push(body.replace(/\s+$/, ''));
    else ignored.push(`a \`${lang}\` block starting "${firstWords(body)}"`);
  }
  if (fenced) {
    prose(reply.slice(last), ignored);
    return { yaml: blocks.map((b) => b.replace(/^---\s*\n/, '')).join('\n---\n'), ignored };
  }
  const lines = reply.split('\n');
  let start = lines.findIndex((l) => YAML_START.test(l));
  // Comments right above the first document belong to it.
  while (start > 0 && lines[start - 1].startsWith('#')) start--;
  if (start < 0) {
    prose(reply, ignored);
    return { yaml: '', ignored };
  }
  let end = start;
  while (end < lines.length && YAML_LINE.test(lines[end])) end++;
  prose(lines.slice(0, start).join('\n'), ignored);
  prose(lines.slice(end).join('\n'), ignored);
  return { yaml: lines.slice(start, end).join('\n').replace(/\s+$/, ''), ignored };
}

/** Reads a model's reply as data: the YAML in it, tokens restored, parsed into policies; nothing else is used. */
export function parseDraftReply(reply: string, tokens: Readonly<Record<string, string>>): ParsedDraft {
  const { yaml: found, ignored } = extractYaml(reply);
  const yaml = restoreTokens(found, tokens);
  if (yaml.trim() === '') {
    return { yaml, policies: [], problems: [], ignored, refused: REFUSAL.test(reply) };
  }
  const parsed = parsePolicies(yaml);
  const ignorable = (p: (typeof parsed.problems)[number]): boolean => p.code === 'skipped' || p.code === 'not-object';
  const problems = parsed.problems.filter((p) => !ignorable(p));
  const skipped = parsed.problems.filter(ignorable);
  // The draft is asked for as NetworkPolicies: a Cilium policy in it is named, not used.
  const cilium = parsed.cilium.map((p) => `${p.kind} "${p.metadata.name}": drafts are NetworkPolicies; ignored`);
  return {
    yaml,
    policies: parsed.policies,
    problems,
    ignored: [...ignored, ...skipped.map((p) => `document ${p.document}: ${p.message}`), ...cilium],
    refused: false,
  };
}
