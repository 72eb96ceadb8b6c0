import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { flattenObjects } from '../policy/connlist/model';

export interface ResourceProblem {
  readonly file: string;
  readonly message: string;
}

/** Every Kubernetes object in the YAML and JSON files under `dir` (recursively); unreadable files are reported, not fatal. */
export async function readResourceDir(dir: string): Promise<{ objects: Record<string, unknown>[]; problems: ResourceProblem[] }> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
  const docs: unknown[] = [];
  const problems: ResourceProblem[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const text = await readFile(file, 'utf8');
    // Duplicate keys are tolerated (the last wins), as kubectl's decoder does.
    for (const doc of parseAllDocuments(text, { uniqueKeys: false })) {
      if (doc.errors.length > 0) {
        problems.push({ file, message: doc.errors[0].message.split('\n')[0] });
        continue;
      }
      docs.push(doc.toJS());
    }
  }
  return { objects: flattenObjects(docs), problems };
}
