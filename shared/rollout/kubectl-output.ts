/**
 * What kubectl says it did, read from its standard output. kubectl's name printer writes one line
 * per object: `apply` prints `KIND.GROUP/NAME created|configured|unchanged` (with `(dry run)` or
 * `(server dry run)` after it when nothing was changed), `delete` prints `KIND.GROUP "NAME" deleted`.
 * Errors go to standard error, so an apply that fails half way still lists here exactly the objects
 * it did reach. Lines of any other shape are not read.
 */
import { isObjectName } from '../cluster/names';
import { ROLLOUT_RESOURCES, type RolloutResource } from './mode';

/** What `kubectl apply` did to one object. */
export type ApplyOperation = 'created' | 'configured' | 'unchanged';

/** One object kubectl applied, named as kubectl names it (`networkpolicy.networking.k8s.io`, `details`). */
export interface AppliedObject {
  readonly resource: RolloutResource;
  readonly name: string;
  readonly operation: ApplyOperation;
}

/** An object by its resource and name: what `kubectl delete RESOURCE/NAME` takes. */
export interface ObjectRef {
  readonly resource: RolloutResource;
  readonly name: string;
}

const APPLIED = /^([a-z0-9.-]+)\/(\S+) (created|configured|unchanged)$/;
const DELETED = /^([a-z0-9.-]+) "([^"]+)" deleted(?: from \S+ namespace)?$/;

const isRolloutResource = (resource: string): resource is RolloutResource => (ROLLOUT_RESOURCES as readonly string[]).includes(resource);

/** The objects a (real, not dry-run) `kubectl apply` reported, in its order; only kinds a rollout applies. */
export function appliedObjects(stdout: string): AppliedObject[] {
  const out: AppliedObject[] = [];
  for (const line of stdout.split('\n')) {
    const m = APPLIED.exec(line.trim());
    if (m && isRolloutResource(m[1]) && isObjectName(m[2])) out.push({ resource: m[1], name: m[2], operation: m[3] as ApplyOperation });
  }
  return out;
}

/** The objects `kubectl delete` reported deleted; only kinds a rollout applies. */
export function deletedObjects(stdout: string): ObjectRef[] {
  const out: ObjectRef[] = [];
  for (const line of stdout.split('\n')) {
    const m = DELETED.exec(line.trim());
    if (m && isRolloutResource(m[1]) && isObjectName(m[2])) out.push({ resource: m[1], name: m[2] });
  }
  return out;
}

/** `resource/name`, as kubectl takes and prints it. */
export const objectRefText = (o: ObjectRef): string => `${o.resource}/${o.name}`;
