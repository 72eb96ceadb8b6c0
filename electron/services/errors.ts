// How every service reports failure: it throws, with a code when it knows what happened, and the
// app API turns that into the Result the renderer branches on (by code, never by the words).
import type { ApiError, Result } from '../../shared/api/contract';
import { BundleError } from '../../shared/bundle/paths';
import { SnapshotError } from '../../shared/cluster/snapshot';
import { CaptureError } from '../../shared/flows/types';
import { fsErrorLine } from '../../shared/node/fs/fs-errors';
import { RunError } from './process-runner';

/** A failure a service can name: its code is what the renderer branches on, its message what a person reads. */
export class ServiceError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** A failure as the renderer sees it: a code and a message (and a hint) it can show where it happened. */
export function apiError(e: unknown): ApiError {
  if (e instanceof ServiceError) return e.hint ? { code: e.code, message: e.message, hint: e.hint } : { code: e.code, message: e.message };
  if (e instanceof CaptureError || e instanceof SnapshotError) return { code: 'unusable-input', message: e.message };
  // A name that would be a path is unusable input; a target that is not a bundle to replace, a refusal.
  if (e instanceof BundleError) return { code: e.code === 'invalid-name' ? 'unusable-input' : 'refused', message: e.message };
  if (e instanceof RunError) {
    switch (e.kind) {
      case 'not-installed':
        return { code: 'not-installed', message: e.message, hint: e.details.hint };
      case 'cancelled':
        return { code: 'cancelled', message: e.message };
      case 'invalid-argument':
        return { code: 'invalid-request', message: e.message };
      default:
        return e.details.hint
          ? { code: 'command-failed', message: e.message, hint: e.details.hint }
          : { code: 'command-failed', message: e.message };
    }
  }
  // A full disk, a read-only place, a missing folder: what happened, in words, not the system call.
  const fsLine = fsErrorLine(e);
  if (fsLine) return { code: 'unusable-input', message: fsLine };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** Runs a service call and answers with its value, or with what went wrong: the one place Results are made. */
export async function attempt<T>(f: () => T | Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: apiError(e) };
  }
}
