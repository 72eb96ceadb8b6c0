import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { flattenObjects } from '../../policy/connlist/model';

export interface ResourceProblem {
  readonly file: string;
  readonly message: string;
}

/**
 * `text` with the tabs in each line's leading white space replaced by the previous line's indentation.
 * kubectl's YAML decoder (go-yaml) reads a tab as white space inside `[ ]` and `{ }`, where indentation
 * only has to be deeper than the parent's; the yaml package refuses a tab there as indentation.
 */
function tabsAsIndentation(text: string): string {
  let previous = '';
  return text
    .split('\n')
    .map((line) => {
      const lead = /^[ \t]*/.exec(line)![0];
      if (!lead.includes('\t')) {
        if (line.trim() !== '') previous = lead;
        return line;
      }
      return previous + line.slice(lead.length);
    })
    .join('\n');
}

// Duplicate keys are tolerated (the last wins), as kubectl's decoder does.
const parse = (text: string) => parseAllDocuments(text, { uniqueKeys: false });

/** Every Kubernetes object in the YAML and JSON files under `dir` (recursively); unreadable files are reported, not fatal. */
export async function readResourceDir(dir: string): Promise<{ objects: Record<string, unknown>[]; problems: ResourceProblem[] }> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
  const docs: unknown[] = [];
  const problems: ResourceProblem[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const text = await readFile(file, 'utf8');
    let parsed = parse(text);
    // A file that fails only because of tabs kubectl accepts is read again with them as spaces.
    if (parsed.some((d) => d.errors.length > 0) && /^[ ]*\t/m.test(text)) {
      const again = parse(tabsAsIndentation(text));
      if (again.every((d) => d.errors.length === 0)) parsed = again;
    }
    for (const doc of parsed) {
      if (doc.errors.length > 0) {
        problems.push({ file, message: doc.errors[0].message.split('\n')[0] });
        continue;
      }
      docs.push(doc.toJS());
    }
  }
  return { objects: flattenObjects(docs), problems };
}
