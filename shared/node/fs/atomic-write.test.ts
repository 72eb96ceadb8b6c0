import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { enospc, faults } from '../../testing/faulty-fs';
import { writeFileAtomic, writeNewTreeSynced } from './atomic-write';

// Writes pass through to the real file system unless a test makes them fail as a full disk does.
vi.mock('node:fs/promises', async (real) => (await import('../../testing/faulty-fs')).faultyFs(real));

afterEach(() => faults.reset());

describe('writeFileAtomic: the one atomic write', () => {
  it('flushes the data to disk before the rename makes it visible, and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-atomic-'));
    const file = path.join(dir, 'settings.json');
    await writeFileAtomic(file, '{"a":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(faults.log.slice(0, 2)).toEqual(['sync settings.json.tmp', 'rename settings.json']);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });

  it('a full disk keeps the old file whole and removes the temporary file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-atomic-'));
    const file = path.join(dir, 'workspace.json');
    writeFileSync(file, 'the old, whole workspace\n');
    faults.failWrite = enospc();
    await expect(writeFileAtomic(file, 'the new one')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readFileSync(file, 'utf8')).toBe('the old, whole workspace\n');
    expect(readdirSync(dir)).toEqual(['workspace.json']);
    expect(faults.log.filter((l) => l.startsWith('rename'))).toEqual([]);
  });

  it('private files are created 0600, and replacing a looser file leaves it 0600', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-atomic-'));
    const file = path.join(dir, 'key.bin');
    writeFileSync(file, 'old', { mode: 0o644 });
    await writeFileAtomic(file, 'new', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a tree that fails half-way (disk full) is removed, and an existing folder is never taken over', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-atomic-'));
    const root = path.join(dir, 'tree');
    faults.failWrite = enospc();
    await expect(writeNewTreeSynced(root, [{ path: 'a/b.yaml', content: 'x' }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(root)).toBe(false);
    faults.failWrite = undefined;
    const theirs = path.join(dir, 'theirs');
    await writeNewTreeSynced(theirs, [{ path: 'notes.txt', content: 'mine' }]);
    await expect(writeNewTreeSynced(theirs, [{ path: 'x.yaml', content: 'x' }])).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path.join(theirs, 'notes.txt'), 'utf8')).toBe('mine');
    await expect(writeNewTreeSynced(path.join(dir, 'evil'), [{ path: '../outside.yaml', content: 'x' }])).rejects.toThrow(
      /not a path inside the folder/,
    );
    expect(existsSync(path.join(dir, 'outside.yaml'))).toBe(false);
  });
});
