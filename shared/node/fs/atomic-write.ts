// The one way this project writes a file that must never be seen half-written: beside its target,
// flushed to disk (fsync), then renamed over it, and the temporary file removed when anything fails,
// a full disk included. Workspaces, settings, the API key, bundles and `generate -o DIR` use it.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Permissions: what a file (and the folders made for it) may at most be; the umask can only narrow them. */
export interface WriteMode {
  /** Of the file; default 0o644. Private data (keys, settings, workspaces) is 0o600. */
  readonly mode?: number;
  /** Of folders created on the way; default 0o755. */
  readonly dirMode?: number;
}

/**
 * An error about the temporary path, said about the path the caller asked for (which is what a
 * person knows); a write error, which names no path (a full disk), gets that path too.
 */
function aboutTarget(e: unknown, tmp: string, target: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (typeof err.path === 'string' && err.path.startsWith(tmp)) err.path = target + err.path.slice(tmp.length);
  else if (err.path === undefined && typeof err.code === 'string') err.path = target;
  return e;
}

/** A name beside `target` for writing it first: same folder (so the rename stays on one file system), never an existing file. */
export function tempBeside(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Creates `file` (it must not exist), writes `data` and flushes it to disk before returning. */
export async function writeNewFileSynced(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const fh = await open(file, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Flushes a folder's entries (a rename into it) to disk. Best effort: some systems (Windows)
 * cannot open a folder for this, and the rename itself is already atomic there.
 */
export async function syncFolder(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Not supported here; the data itself was synced before the rename.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Replaces (or creates) `file` with `data` atomically: a reader sees the old bytes or the new ones,
 * never a mix, and after a crash or a full disk the old file is still whole and no temporary file
 * is left behind.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteMode = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o755 });
  const tmp = tempBeside(file);
  try {
    await writeNewFileSynced(tmp, data, opts.mode ?? 0o644);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw aboutTarget(e, tmp, file);
  }
  await syncFolder(dir);
}

/**
 * Writes files under a new folder `root` (which must not exist yet), each flushed to disk; the
 * caller renames the folder into place, at `target` (the path errors are said about). On failure
 * the folder is removed.
 */
export async function writeNewTreeSynced(
  root: string,
  files: readonly { readonly path: string; readonly content: string | Uint8Array }[],
  opts: WriteMode & { readonly target?: string } = {},
): Promise<void> {
  // Created here, so removing it on failure removes nothing of anyone else's.
  try {
    await mkdir(root, { mode: opts.dirMode ?? 0o755 });
  } catch (e) {
    throw opts.target ? aboutTarget(e, root, opts.target) : e;
  }
  try {
    const dirs = new Set<string>([root]);
    for (const f of files) {
      const p = path.join(root, ...f.path.split('/'));
      if (!p.startsWith(root + path.sep)) throw new Error(`${f.path} is not a path inside the folder`);
      const dir = path.dirname(p);
      if (!dirs.has(dir)) {
        await mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o755 });
        dirs.add(dir);
      }
      await writeNewFileSynced(p, f.content, opts.mode ?? 0o644);
    }
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) await syncFolder(d);
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw opts.target ? aboutTarget(e, root, opts.target) : e;
  }
}
