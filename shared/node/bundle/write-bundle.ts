import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { BundleFile } from '../../bundle/bundle';
import { BundleError, bundlePathProblem, MANIFEST } from '../../bundle/paths';
import { syncFolder, tempBeside, writeFileAtomic, writeNewTreeSynced } from '../fs/atomic-write';
import { kindOf, openRegularFile } from '../fs/regular-file';

export { BundleError } from '../../bundle/paths';

/** The sha256 of a regular file, streamed (a device or a pipe is refused: it may never end). */
export async function fileSha256(file: string): Promise<string> {
  const fh = await openRegularFile(file);
  try {
    return await handleSha256(fh);
  } finally {
    await fh.close();
  }
}

async function handleSha256(fh: FileHandle): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fh.createReadStream({ autoClose: false })) h.update(chunk as Buffer);
  return h.digest('hex');
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

// Zip entries carry this fixed time, so the same bundle gives the same bytes.
const ZIP_TIME = new Date('2020-01-01T00:00:00Z');
// A manifest or a policy file of a bundle is small; a bigger one is not this tool's.
const MAX_FILE_BYTES = 64 << 20;

interface Listed {
  readonly path: string;
  readonly sha256: string;
}

/** The files a bundle.json lists, or why it is not a manifest of this tool. */
function manifestFiles(text: string): Listed[] | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return 'its bundle.json is not JSON';
  }
  const files = (m as { tool?: unknown; files?: unknown }).files;
  if ((m as { tool?: unknown }).tool !== 'netpol-studio' || !Array.isArray(files)) return 'its bundle.json is not a netpol-studio manifest';
  const listed = files.filter(
    (f): f is Listed =>
      !!f && typeof (f as Listed).path === 'string' && typeof (f as Listed).sha256 === 'string' && !bundlePathProblem((f as Listed).path),
  );
  return listed.length === files.length ? listed : 'its bundle.json lists a file a bundle does not have';
}

const more = (extra: readonly string[]): string => `${extra[0]}${extra.length > 1 ? ` (and ${extra.length - 1} more)` : ''}`;

/** Why the files found (path → bytes, read lazily) are not exactly a bundle's, unchanged; undefined when they are. */
async function notABundle(found: ReadonlyMap<string, () => Promise<Uint8Array>>): Promise<string | undefined> {
  const manifest = found.get(MANIFEST);
  if (!manifest) return 'it holds no bundle.json, so it is not a bundle netpol-studio wrote';
  const listed = manifestFiles(new TextDecoder().decode(await manifest()));
  if (typeof listed === 'string') return listed;
  const known = new Set([MANIFEST, ...listed.map((f) => f.path)]);
  const extra = [...found.keys()].filter((p) => !known.has(p)).sort();
  if (extra.length > 0) return `it holds ${more(extra)}, which its bundle.json does not list`;
  for (const f of listed) {
    const read = found.get(f.path);
    if (read && sha256(await read()) !== f.sha256) return `${f.path} was changed since the bundle was written`;
  }
  return undefined;
}

/** The regular files under a folder, by their path inside it; what is neither a file nor a folder is named as a problem. */
async function folderEntries(dir: string): Promise<Map<string, () => Promise<Uint8Array>> | string> {
  const found = new Map<string, () => Promise<Uint8Array>>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    if (e.isDirectory()) continue;
    if (!e.isFile()) return `it holds ${rel}, which is not a regular file`;
    found.set(rel, async () => {
      const st = await lstat(full);
      if (st.size > MAX_FILE_BYTES) throw new BundleError('not-a-bundle', `${rel} is too big for a bundle file`);
      return readFile(full);
    });
  }
  return found;
}

/** The entries of a zip, by name; only bundle.json and files it lists are ever decompressed (each bounded in size). */
function zipEntries(data: Uint8Array): Map<string, () => Promise<Uint8Array>> | string {
  const names: string[] = [];
  let sizes = true;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(data, {
      filter: (f) => {
        names.push(f.name);
        if (f.originalSize > MAX_FILE_BYTES) sizes = false;
        return f.originalSize <= MAX_FILE_BYTES && !f.name.endsWith('/');
      },
    });
  } catch {
    return 'it is not a zip archive';
  }
  if (!sizes) return 'it holds an entry too big for a bundle file';
  return new Map(names.filter((n) => !n.endsWith('/')).map((n) => [n, () => Promise.resolve(files[n])]));
}

/**
 * Why the existing `target` must not be replaced, or undefined when it is a bundle this tool wrote:
 * its bundle.json lists every file it holds, each unchanged, and it holds nothing else.
 */
async function previousBundleProblem(target: string, zip: boolean): Promise<string | undefined> {
  const st = await lstat(target);
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (zip) {
    if (!st.isFile()) return 'it is not a file';
    if (st.size > MAX_FILE_BYTES) return 'it is too big to be a bundle';
    const entries = zipEntries(await readFile(target));
    return typeof entries === 'string' ? entries : notABundle(entries);
  }
  if (!st.isDirectory()) return 'it is not a folder';
  const entries = await folderEntries(target);
  return typeof entries === 'string' ? entries : notABundle(entries);
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Removes a previous bundle's files and then its folders; anything else found there by then is left. */
async function removeBundleFolder(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) if (e.isFile()) await rm(path.join(e.parentPath, e.name));
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
  for (const d of [...dirs.sort((a, b) => b.length - a.length), dir]) await rmdir(d).catch(() => undefined);
}

/**
 * Writes a bundle as a folder, or as a `.zip` when `out` ends so. Every path is checked first (a
 * namespace or policy name that is no Kubernetes name is never a path); the bundle is written
 * beside the target, flushed to disk and renamed into place, so a reader never sees half a bundle.
 * An existing target is replaced only when `force` is given and it is a bundle this tool wrote,
 * unchanged and holding nothing else: export never deletes what it did not write.
 */
export async function writeBundle(files: readonly BundleFile[], out: string, opts: { force?: boolean } = {}): Promise<void> {
  for (const f of files) {
    const problem = bundlePathProblem(f.path);
    if (problem) throw new BundleError('invalid-name', `The bundle was not written: ${problem}.`);
  }
  const target = path.resolve(out);
  const zip = target.toLowerCase().endsWith('.zip');
  const replacing = await exists(target);
  if (replacing) {
    if (!opts.force) throw new BundleError('exists', `${out} already exists; pass --force to replace it`);
    const problem = await previousBundleProblem(target, zip);
    if (problem)
      throw new BundleError(
        'not-a-bundle',
        `${out} was not replaced: ${problem}. Only a bundle netpol-studio wrote, holding nothing else, is replaced; choose a new ${zip ? 'file' : 'folder'}, or move this one away.`,
      );
  }
  if (zip) {
    const entries = Object.fromEntries(files.map((f) => [f.path, [strToU8(f.content), { mtime: ZIP_TIME }] as const]));
    await writeFileAtomic(target, zipSync(entries as Parameters<typeof zipSync>[0], { level: 6 }));
    return;
  }
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempBeside(target);
  await writeNewTreeSynced(tmp, files, { target });
  try {
    if (replacing) {
      const old = `${target}.old-${randomBytes(4).toString('hex')}`;
      await rename(target, old);
      await rename(tmp, target);
      await removeBundleFolder(old);
    } else await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await syncFolder(path.dirname(target));
}

/**
 * Writes policy files (`<namespace>/<name>.yaml`, as policyFile names them) under `dir`: a new
 * folder appears whole; in an existing one each file is replaced whole (written beside, flushed,
 * renamed), and nothing that is there is deleted.
 */
export async function writePolicyFolder(dir: string, files: readonly BundleFile[]): Promise<void> {
  const target = path.resolve(dir);
  let st;
  try {
    st = await lstat(target);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new BundleError('not-a-folder', `${dir} is ${kindOf(st)}, not a folder`);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempBeside(target);
  await writeNewTreeSynced(tmp, files, { target });
  try {
    if (!st) await rename(tmp, target);
    else {
      for (const f of files) {
        const to = path.join(target, ...f.path.split('/'));
        await mkdir(path.dirname(to), { recursive: true });
        await rename(path.join(tmp, ...f.path.split('/')), to);
      }
      await syncFolder(target);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await syncFolder(path.dirname(target));
}
