// What is read as a capture, or hashed, must be a regular file: a device (/dev/zero) never ends and
// a named pipe blocks whoever opens it until a writer comes, either way pinning a thread for good,
// out of reach of Cancel. A path someone else chose (a workspace's capture) is checked here.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** A path that names something other than a regular file; `what` says what it is. */
export class NotARegularFileError extends Error {
  readonly code = 'not-a-regular-file';
  constructor(
    readonly file: string,
    readonly what: string,
  ) {
    super(`${file} is ${what}, not a regular file`);
    this.name = 'NotARegularFileError';
  }
}

/** What a file system entry is, in words. */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'neither a file nor a folder';
}

// Opening a named pipe without O_NONBLOCK waits for a writer; with it, the open returns at once and
// the check below refuses it. For a regular file the flag changes nothing. (Windows has no such flag.)
const NONBLOCK = (constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0;

/**
 * Opens `file` for reading when it is a regular file, and only then: the check is made on the
 * opened handle, so the path cannot be swapped for a device between the check and the read.
 */
export async function openRegularFile(file: string): Promise<FileHandle> {
  const fh = await open(file, constants.O_RDONLY | NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotARegularFileError(file, kindOf(st));
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}
