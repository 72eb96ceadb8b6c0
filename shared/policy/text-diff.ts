import { structuredPatch } from 'diff';

/**
 * A unified diff of two texts given as lines, by jsdiff (`structuredPatch`: Myers' O((N+M)·D) line diff,
 * D the number of changed lines): each changed line with `context` unchanged lines around it, every line
 * starting with ' ', '-' or '+', and a bare '@@' between hunks (no line numbers: callers show policies,
 * not patches to apply). Identical texts give no lines.
 */
export function lineHunks(before: readonly string[], after: readonly string[], context = 3): string[] {
  // Both texts end with a newline (or are empty), so jsdiff never adds "\ No newline at end of file".
  const text = (lines: readonly string[]): string => (lines.length > 0 ? `${lines.join('\n')}\n` : '');
  const patch = structuredPatch('before', 'after', text(before), text(after), undefined, undefined, { context });
  return patch.hunks.flatMap((h, i) => (i > 0 ? ['@@', ...h.lines] : h.lines));
}
