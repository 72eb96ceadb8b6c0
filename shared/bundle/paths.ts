// Where each file of a policy bundle (and of `generate -o DIR`) goes. A policy's file is named by
// its namespace and name, so both must be Kubernetes names: `../../x` as a name would otherwise be
// a path outside the folder, or an entry outside the zip. Checked when the bundle is built, and
// again by the writer for every path, zip and folder alike.
import { isNamespaceName, isObjectName, NAMESPACE_NAME_RULE, OBJECT_NAME_RULE } from '../cluster/names';

/** Why a bundle was not written, for code to branch on. */
export type BundleErrorCode =
  /** a namespace or policy name that is not a Kubernetes name, or a path that is no file of a bundle */
  | 'invalid-name'
  /** the target exists and replacing it was not asked for */
  | 'exists'
  /** the target exists and is not a bundle this tool wrote, holding nothing else: it is never replaced */
  | 'not-a-bundle'
  /** a folder was asked for and the path names something else (a file, a device) */
  | 'not-a-folder';

/** A bundle (or policy folder) that was not written, with why. */
export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** The files of a bundle besides its policies. */
export const BUNDLE_FILES = ['kustomization.yaml', 'REPORT.md', 'connectivity.csv', 'capture-summary.json', 'bundle.json'] as const;

/** The manifest: lists every other file of the bundle with its sha256. */
export const MANIFEST = 'bundle.json';

const shown = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}…` : s);

function nameProblem(namespace: string, name: string): string | undefined {
  if (!isNamespaceName(namespace)) return `the namespace ${shown(namespace)} is not a namespace name (${NAMESPACE_NAME_RULE})`;
  if (!isObjectName(name)) return `the policy name ${shown(name)} is not a Kubernetes name (${OBJECT_NAME_RULE})`;
  return undefined;
}

/** `<namespace>/<name>.yaml` for a policy (no namespace: `default`); an `invalid-name` BundleError when either is no Kubernetes name. */
export function policyFile(metadata: { readonly namespace?: string; readonly name: string }): string {
  const namespace = metadata.namespace ?? 'default';
  const problem = nameProblem(namespace, metadata.name);
  if (problem) throw new BundleError('invalid-name', `A policy was not written: ${problem}.`);
  return `${namespace}/${metadata.name}.yaml`;
}

/** Why `p` cannot be a path of a bundle, or undefined when it is one of the paths a bundle has. */
export function bundlePathProblem(p: string): string | undefined {
  if ((BUNDLE_FILES as readonly string[]).includes(p)) return undefined;
  const m = /^policies\/([^/]+)\/([^/]+)\.yaml$/.exec(p);
  if (!m) return `${shown(p)} is not a path of a policy bundle`;
  return nameProblem(m[1], m[2]);
}
