// What a failing file operation means for the person who asked for it, in one line: the disk is
// full, the place is read-only, a path is not a folder. Node's own words ("ENOSPC: no space left on
// device, write") name a system call; these name what happened and what to do.

const WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space is left on the device: nothing was left half-written; free some space and run again',
  EDQUOT: 'the disk quota is used up: nothing was left half-written; free some space and run again',
  EROFS: 'the file system is read-only: write somewhere else',
  EACCES: 'permission denied: choose a place you may write to, or a file you may read',
  EPERM: 'the operation is not permitted there: choose another place',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'a folder is there, where a file was expected',
  ENOENT: 'no such file or folder',
  EEXIST: 'something is already there',
  EMFILE: 'too many files are open: close some programs and run again',
  EIO: 'the device reported an input/output error: check the disk',
};

/** One line for a file-system error with a known code (`/x: the file system is read-only: …`), or undefined for any other error. */
export function fsErrorLine(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const words = typeof err?.code === 'string' ? WORDS[err.code] : undefined;
  if (!words) return undefined;
  const where = typeof err?.path === 'string' ? err.path : undefined;
  return where ? `${where}: ${words}` : words;
}
