import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { BundleFile } from '../bundle/bundle';

/** A bundle is never written over an existing one unless asked. */
export class BundleExistsError extends Error {}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** The sha256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

// Zip entries carry this fixed time, so the same bundle gives the same bytes.
const ZIP_TIME = new Date('2020-01-01T00:00:00Z');

/**
 * Writes a bundle as a folder, or as a `.zip` when `out` ends so. The bundle is written beside
 * the target first and renamed into place, so a reader never sees half a bundle.
 */
export async function writeBundle(files: readonly BundleFile[], out: string, opts: { force?: boolean } = {}): Promise<void> {
  const target = path.resolve(out);
  if ((await exists(target)) && !opts.force) throw new BundleExistsError(`${out} already exists; pass --force to replace it`);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    if (target.toLowerCase().endsWith('.zip')) {
      const entries = Object.fromEntries(files.map((f) => [f.path, [strToU8(f.content), { mtime: ZIP_TIME }] as const]));
      await writeFile(tmp, zipSync(entries as Parameters<typeof zipSync>[0], { level: 6 }));
    } else {
      for (const f of files) {
        const p = path.join(tmp, ...f.path.split('/'));
        if (!p.startsWith(tmp + path.sep)) throw new Error(`bundle path escapes the folder: ${f.path}`);
        await mkdir(path.dirname(p), { recursive: true });
        await writeFile(p, f.content);
      }
    }
    if (await exists(target)) {
      const old = `${target}.old-${randomBytes(4).toString('hex')}`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
