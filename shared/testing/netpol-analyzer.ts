// The copied test suite of np-guard/netpol-analyzer (fixtures/netpol-analyzer, Apache-2.0): its
// cases, their inputs, and outputs compared as upstream compares them. Tests only.
import { readFileSync } from 'node:fs';
import { readResourceDir } from '../node/cluster/k8s-resources';
import { buildModel, type ConnlistModel } from '../policy/connlist/model';
import { fixture } from './fixtures';

/** The folder of the copied suite: cases.json, the case folders and their expected outputs. */
const SUITE = fixture('netpol-analyzer');

/** What cases.json says of every case: its kind, and its expected outputs by format (paths inside the suite). */
interface SuiteCase {
  readonly kind: string;
  readonly expected: Record<string, string>;
}

/** A connlist case: the connectivity of the resources in `input_dir`. */
export interface ConnlistCase extends SuiteCase {
  readonly dir: string;
  readonly input_dir: string;
  readonly input_kinds: readonly string[];
}

/** A diff case: how connectivity changes from the resources in `ref1_dir` to those in `ref2_dir`. */
export interface DiffCase extends SuiteCase {
  readonly ref1: string;
  readonly ref2: string;
  readonly ref1_dir: string;
  readonly ref2_dir: string;
}

/** The cases of one kind as cases.json lists them, not yet typed by their kind. */
const casesOf = (kind: string): unknown[] =>
  (JSON.parse(readFileSync(`${SUITE}/cases.json`, 'utf8')) as { cases: SuiteCase[] }).cases.filter((c) => c.kind === kind);

/** The suite's connlist cases, in the order cases.json lists them. */
export const connlistCases = (): ConnlistCase[] => casesOf('connlist') as ConnlistCase[];

/** The suite's diff cases, in the order cases.json lists them. */
export const diffCases = (): DiffCase[] => casesOf('diff') as DiffCase[];

/** The cluster model of a case's input folder (a path inside the suite). */
export async function caseModel(dir: string): Promise<ConnlistModel> {
  return buildModel((await readResourceDir(`${SUITE}/${dir}`)).objects);
}

/** Output as upstream compares it: newlines removed, then byte for byte. */
export const comparable = (s: string): string => s.replace(/[\r\n]/g, '');

/** A case's expected output (a path inside the suite), as upstream compares it. */
export const expectedOutput = (file: string): string => comparable(readFileSync(`${SUITE}/${file}`, 'utf8'));
