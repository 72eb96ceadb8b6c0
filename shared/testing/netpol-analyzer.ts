// The copied test suite of np-guard/netpol-analyzer (fixtures/netpol-analyzer, Apache-2.0): its
// cases, their inputs, and outputs compared as upstream compares them. Tests only.
import { readFileSync } from 'node:fs';
import { readResourceDir } from '../node/cluster/k8s-resources';
import { buildModel, type ConnlistModel } from '../policy/connlist/model';
import { fixture } from './fixtures';

const SUITE = fixture('netpol-analyzer');

/** The suite's cases of one kind (`connlist`, `diff`), in the order cases.json lists them. */
export function netpolAnalyzerCases<C extends { readonly kind: string }>(kind: C['kind']): C[] {
  return (JSON.parse(readFileSync(`${SUITE}/cases.json`, 'utf8')) as { cases: C[] }).cases.filter((c) => c.kind === kind);
}

/** The cluster model of a case's input folder (a path inside the suite). */
export async function caseModel(dir: string): Promise<ConnlistModel> {
  return buildModel((await readResourceDir(`${SUITE}/${dir}`)).objects);
}

/** Output as upstream compares it: newlines removed, then byte for byte. */
export const comparable = (s: string): string => s.replace(/[\r\n]/g, '');

/** A case's expected output (a path inside the suite), as upstream compares it. */
export const expectedOutput = (file: string): string => comparable(readFileSync(`${SUITE}/${file}`, 'utf8'));
