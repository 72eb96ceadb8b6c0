import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeBrowserServices } from '../browser/services';
import { ROOT } from '../../shared/testing/fixtures';
import { enospc, faults } from '../../shared/testing/faulty-fs';
import { SecretStore, type Encryptor } from './secrets';

// Writes pass through to the real file system unless a test makes them fail as a full disk does.
vi.mock('node:fs/promises', async (real) => (await import('../../shared/testing/faulty-fs')).faultyFs(real));
afterEach(() => faults.reset());

const encryptor: Encryptor = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(Buffer.from(t, 'utf8').map((b) => b ^ 0x21)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x21)).toString('utf8'),
};

const modeOf = (p: string): number => statSync(p).mode & 0o777;

const payload = {
  selection: { version: 1 as const, pruned: [] },
  options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' as const },
  notes: 'who may talk to payments',
};

describe('files at rest', () => {
  it('the secrets folder is 0700 and the key file 0600, also when both were looser before', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-rest-'));
    const secrets = path.join(dir, 'secrets');
    const file = path.join(secrets, 'ai-api-key.bin');
    mkdirSync(secrets, { mode: 0o755 });
    chmodSync(secrets, 0o755);
    writeFileSync(file, 'left by an older version', { mode: 0o644 });
    chmodSync(file, 0o644);
    await new SecretStore(encryptor, file).set('sk-rest-0123456789', 'https://api.openai.com');
    expect(modeOf(secrets).toString(8)).toBe('700');
    expect(modeOf(file).toString(8)).toBe('600');
  });

  it("settings, workspaces, the autosave and the host's data folder are readable by their owner only", async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-rest-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const workspace = path.join(path.dirname(dataDir), 'team.workspace.json');
    const { api, workspaces } = composeBrowserServices({ root: ROOT, dataDir, encryptor, chooseWorkspace: () => workspace });
    expect(modeOf(dataDir).toString(8)).toBe('700');
    await expect(api.updateSettings({ aiModel: 'llama3' })).resolves.toMatchObject({ ok: true });
    expect(modeOf(path.join(dataDir, 'settings.json')).toString(8)).toBe('600');
    await api.loadSample();
    await expect(api.saveWorkspace(payload)).resolves.toMatchObject({ ok: true });
    expect(modeOf(workspace).toString(8)).toBe('600');
    await api.autosaveWorkspace(payload);
    await workspaces.flush();
    expect(modeOf(path.join(dataDir, 'autosave.workspace.json')).toString(8)).toBe('600');
  });

  it('a workspace saved on a full disk: the one saved before stays whole, no temporary file is left, and the data is flushed before the rename', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-rest-'));
    const workspace = path.join(dir, 'team.workspace.json');
    const { api } = composeBrowserServices({
      root: ROOT,
      dataDir: path.join(dir, 'data'),
      encryptor,
      chooseWorkspace: () => workspace,
    });
    await api.loadSample();
    await expect(api.saveWorkspace(payload)).resolves.toMatchObject({ ok: true });
    expect(faults.log.indexOf('sync team.workspace.json.tmp')).toBeLessThan(faults.log.indexOf('rename team.workspace.json'));
    expect(faults.log.indexOf('sync team.workspace.json.tmp')).toBeGreaterThanOrEqual(0);
    const saved = readFileSync(workspace, 'utf8');
    faults.failWrite = enospc();
    await expect(api.saveWorkspace({ ...payload, notes: 'a second pass' })).resolves.toEqual({
      ok: false,
      error: {
        code: 'unusable-input',
        message: `${workspace}: no space is left on the device: nothing was left half-written; free some space and run again`,
      },
    });
    expect(readFileSync(workspace, 'utf8')).toBe(saved);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
