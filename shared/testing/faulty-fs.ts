// A stand-in for node:fs/promises that passes everything through to the real one, except that a
// test can make writes fail as a full disk does, and read the order of the calls that must come in
// order (a file's data flushed before the rename that makes it visible). Use in a test file:
//   vi.mock('node:fs/promises', async (real) => (await import('…/shared/testing/faulty-fs')).faultyFs(real));
import type * as fsPromises from 'node:fs/promises';
import path from 'node:path';

type FsPromises = typeof fsPromises;

/** What the next writes do, and what was called (`sync NAME`, `rename NAME`; temporary names end in `.tmp`). */
export const faults = {
  failWrite: undefined as NodeJS.ErrnoException | undefined,
  /** Makes opening a file for writing fail (a read-only file system): called with the path. */
  failOpenForWrite: undefined as ((file: string) => NodeJS.ErrnoException) | undefined,
  log: [] as string[],
  reset(): void {
    this.failWrite = undefined;
    this.failOpenForWrite = undefined;
    this.log.length = 0;
  },
};

/** The error a write to a full disk fails with (a write through a handle names no path). */
export const enospc = (): NodeJS.ErrnoException =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });

/** The error opening a file for writing on a read-only file system fails with. */
export const erofs = (file: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`EROFS: read-only file system, open '${file}'`), { code: 'EROFS', syscall: 'open', path: file });

const shortName = (p: unknown): string => path.basename(String(p)).replace(/\.tmp-.*/, '.tmp');

/** The module factory for vi.mock. */
export async function faultyFs(importOriginal: () => Promise<unknown>): Promise<FsPromises> {
  const real = (await importOriginal()) as FsPromises;
  const open = async (...args: Parameters<FsPromises['open']>) => {
    const flags = args[1];
    if (faults.failOpenForWrite && typeof flags === 'string' && /[wa+]/.test(flags)) throw faults.failOpenForWrite(String(args[0]));
    const fh = await real.open(...args);
    return new Proxy(fh, {
      get(target, key) {
        if ((key === 'writeFile' || key === 'write') && faults.failWrite) {
          const e = faults.failWrite;
          return () => Promise.reject(e);
        }
        if (key === 'sync')
          return () => {
            faults.log.push(`sync ${shortName(args[0])}`);
            return target.sync();
          };
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  const rename = async (from: string, to: string) => {
    faults.log.push(`rename ${shortName(to)}`);
    return real.rename(from, to);
  };
  return { ...real, open, rename, default: { ...real, open, rename } } as FsPromises;
}
