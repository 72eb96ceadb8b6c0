import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { parseClusterSnapshot, SNAPSHOT_COMMAND, SnapshotError, type ClusterSnapshot } from '../../cluster';

const AGAIN = `Fix the file, or take the snapshot again with \`${SNAPSHOT_COMMAND}\`.`;

/** The 1-based line of a `JSON.parse` error: V8 names a position ("at position N"); without one the text ended early. */
function jsonErrorLine(text: string, message: string): number {
  const at = /line (\d+) column \d+/.exec(message);
  if (at) return Number(at[1]);
  const pos = /at position (\d+)/.exec(message);
  const end = pos ? Number(pos[1]) : text.length;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The documents of one file: JSON when it looks like JSON (kubectl's `-o json`), else YAML, several documents allowed. */
function parseDocuments(file: string, text: string): unknown[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/\.ya?ml$/i.test(file) && /^\s*[[{]/.test(body)) {
    try {
      return [JSON.parse(body) as unknown];
    } catch (e) {
      const message = (e as Error).message;
      const reason = message.replace(/ in JSON at position \d+.*$/, '');
      throw new SnapshotError(file, 'syntax', `line ${jsonErrorLine(body, message)}: not valid JSON (${reason}). ${AGAIN}`);
    }
  }
  const out: unknown[] = [];
  // Duplicate keys are tolerated (the last wins), as kubectl's decoder does.
  for (const doc of parseAllDocuments(body, { uniqueKeys: false })) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line;
      const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new SnapshotError(file, 'syntax', `${line ? `line ${line}: ` : ''}not valid YAML (${reason}). ${AGAIN}`);
    }
    try {
      out.push(doc.toJS());
    } catch (e) {
      // toJS refuses documents that expand too many aliases (a "billion laughs" file).
      throw new SnapshotError(file, 'syntax', `cannot be read as YAML (${(e as Error).message}). ${AGAIN}`);
    }
  }
  return out;
}

/**
 * Reads a cluster snapshot from one or more files, each JSON or YAML (multi-document), such as
 * `kubectl get svc,endpointslices,pods,namespaces -A -o json` writes; `source` is the file names joined by ", ".
 * Throws SnapshotError naming the file: `unreadable` (missing, a folder), `syntax` (with the line),
 * `no-cluster-objects` (nothing a snapshot holds), `no-files`.
 */
export async function readClusterSnapshot(files: readonly string[]): Promise<ClusterSnapshot> {
  if (files.length === 0) {
    throw new SnapshotError('cluster snapshot', 'no-files', `no file given. Take one with \`${SNAPSHOT_COMMAND}\` and pass it.`);
  }
  const objects: unknown[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      if (code === 'EISDIR') throw new SnapshotError(file, 'unreadable', 'is a folder, not a snapshot file. Pass the file.');
      throw new SnapshotError(file, 'unreadable', `cannot be read (${code}). Check the path.`);
    }
    for (const doc of parseDocuments(file, text)) objects.push(doc);
  }
  return parseClusterSnapshot(objects, files.join(', '));
}
