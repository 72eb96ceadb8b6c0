import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256 } from '../../shared/node/bundle/write-bundle';
import { hubbleFixture } from '../../shared/testing/fixtures';
import { SecretStore, type Encryptor } from './secrets';
import { DEFAULT_SETTINGS, SettingsService, type KeyValueStore } from './settings';
import { WorkspaceService, type Workspace } from './workspace';

/** A fake electron-store: a Map behind the same small interface. */
function fakeStore(initial: Record<string, unknown> = {}): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(initial));
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
}

/** A fake safeStorage: reversible, but never the plain text. */
const fakeEncryptor = (available = true): Encryptor => ({
  isEncryptionAvailable: () => available,
  encryptString: (t) => Buffer.from(Buffer.from(t, 'utf8').map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
});

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-ws-'));

describe('settings', () => {
  it('has defaults, validates changes, and falls back when a stored value no longer fits', async () => {
    const store = fakeStore({ productionPatterns: 'not-a-list', aiModel: 'llama3' });
    const s = new SettingsService(store);
    expect(s.get()).toEqual({ ...DEFAULT_SETTINGS, aiModel: 'llama3' });
    expect((await s.update({ kubectlPath: '/opt/bin/kubectl' })).kubectlPath).toBe('/opt/bin/kubectl');
    await expect(s.update({ productionPatterns: ['prod us'] })).rejects.toThrow(/setting productionPatterns\.0/);
    await expect(s.update({ apiKey: 'sk-x' } as never)).rejects.toThrow(/setting/);
    await s.addRecent('/a.json');
    await s.addRecent('/b.json');
    await s.addRecent('/a.json');
    expect(s.get().recentWorkspaces).toEqual(['/a.json', '/b.json']);
  });

  it('binary paths are absolute or empty, and the AI endpoint is https (http only to this machine)', async () => {
    const s = new SettingsService(fakeStore({}));
    await expect(s.update({ hubblePath: 'hubble' })).rejects.toThrow(/setting hubblePath: use the absolute path of the executable/);
    await expect(s.update({ kubectlPath: 'kubectl --kubeconfig /x' })).rejects.toThrow(/setting kubectlPath/);
    expect((await s.update({ hubblePath: '' })).hubblePath).toBe('');
    await expect(s.update({ aiBaseUrl: 'http://models.example.com/v1' })).rejects.toThrow(/setting aiBaseUrl: use an https:\/\/ URL/);
    await expect(s.update({ aiBaseUrl: 'not a url' })).rejects.toThrow(/setting aiBaseUrl/);
    expect((await s.update({ aiBaseUrl: 'http://localhost:11434/v1' })).aiBaseUrl).toBe('http://localhost:11434/v1');
    expect((await s.update({ aiBaseUrl: 'https://llm.internal.example/v1' })).aiBaseUrl).toBe('https://llm.internal.example/v1');
  });
});

describe('secret store', () => {
  it('keeps the key encrypted in its own file, never in settings', async () => {
    const store = fakeStore();
    const settings = new SettingsService(store);
    const file = path.join(dir, 'secret.bin');
    const secrets = new SecretStore(fakeEncryptor(), file);
    expect(await secrets.isSet()).toBe(false);
    await secrets.set('sk-test-1234567890', 'https://api.openai.com');
    expect(await secrets.isSet()).toBe(true);
    expect(await secrets.stored()).toEqual({ key: 'sk-test-1234567890', origin: 'https://api.openai.com' });
    expect(readFileSync(file).toString('utf8')).not.toContain('sk-test');
    expect(JSON.stringify(settings.get())).not.toContain('sk-test');
    expect(JSON.stringify([...store.data.values()])).not.toContain('sk-test');
    await secrets.clear();
    expect(await secrets.isSet()).toBe(false);
  });

  it("refuses to store a key in Electron's basic_text store (Linux without a keyring), and says what that means", async () => {
    const file = path.join(dir, 'secrets-basic-text', 'key.bin');
    const secrets = new SecretStore({ ...fakeEncryptor(), storageBackend: () => 'basic_text' }, file);
    expect(secrets.storage()).toEqual({
      encrypted: false,
      backend: 'basic_text',
      message: expect.stringMatching(
        /^No keyring is running .* a password built into Electron, readable by anyone who can read your files: no key is stored\./,
      ) as unknown,
    });
    await expect(secrets.set('sk-x', 'https://api.openai.com')).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^The key was not stored\. No keyring is running/) as unknown,
    });
    expect(existsSync(file)).toBe(false);
    expect(new SecretStore({ ...fakeEncryptor(), storageBackend: () => 'gnome_libsecret' }, file).storage()).toMatchObject({
      encrypted: true,
      backend: 'gnome_libsecret',
    });
  });

  it('refuses to store a key when no encrypted storage exists', async () => {
    const secrets = new SecretStore(fakeEncryptor(false), path.join(dir, 'none.bin'));
    await expect(secrets.set('sk-x', 'https://api.openai.com')).rejects.toThrow(/no encrypted storage/);
    expect(existsSync(path.join(dir, 'none.bin'))).toBe(false);
  });
});

describe('workspaces', () => {
  const capture = path.join(dir, 'capture.json');
  copyFileSync(hubbleFixture('basic-sample-10-flows.json'), capture);

  const ws = async (): Promise<Workspace> => ({
    version: 1,
    capture: { path: capture, sha256: await fileSha256(capture) },
    selection: { version: 1, pruned: [{ edge: 'a/b->c/d:80/TCP', by: 'user', reason: 'legacy' }] },
    options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' },
    notes: 'reviewed with the team',
    savedAt: '2026-11-27T12:00:00Z',
  });

  it('saves atomically and opens what it saved', async () => {
    const s = new WorkspaceService(path.join(dir, 'autosave.json'));
    const file = path.join(dir, 'shop.workspace.json');
    await s.save(file, await ws());
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const opened = await s.open(file);
    expect(opened.workspace).toEqual(await ws());
    expect(opened.captureWarning).toBeUndefined();
  });

  it('warns when the capture changed since the save, instead of a silent mismatch', async () => {
    const s = new WorkspaceService(path.join(dir, 'autosave2.json'));
    const file = path.join(dir, 'changed.workspace.json');
    await s.save(file, await ws());
    writeFileSync(capture, readFileSync(capture, 'utf8') + '\n');
    expect((await s.open(file)).captureWarning).toEqual({
      code: 'capture-changed',
      message: expect.stringMatching(/has changed since this workspace was saved/) as unknown,
    });
    rmSync(capture);
    expect((await s.open(file)).captureWarning).toEqual({
      code: 'capture-missing',
      message: expect.stringMatching(/is no longer there: open it from its new place/) as unknown,
    });
    copyFileSync(hubbleFixture('basic-sample-10-flows.json'), capture);
  });

  it('rejects a file that is not a workspace, naming the field', async () => {
    const s = new WorkspaceService(path.join(dir, 'autosave3.json'));
    const bad = path.join(dir, 'bad.json');
    // Everything in order but the capture's hash: the error names that field.
    writeFileSync(
      bad,
      JSON.stringify({
        version: 1,
        capture: { path: 'x', sha256: 'nope' },
        selection: { version: 1, pruned: [] },
        options: { namespaces: ['shop'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' },
        notes: '',
        savedAt: '2026-11-27T00:00:00Z',
      }),
    );
    await expect(s.open(bad)).rejects.toThrow(/bad\.json: not a netpol-studio workspace: capture\.sha256/);
  });

  it('autosaves (debounced), recovers after a crash, and forgets it on a clean quit or a save', async () => {
    const auto = path.join(dir, 'autosave4.json');
    const s = new WorkspaceService(auto, 50);
    s.autosave({ ...(await ws()), notes: 'first' });
    s.autosave({ ...(await ws()), notes: 'second' });
    await new Promise((r) => setTimeout(r, 150));
    // A new run after a crash finds the autosave.
    const next = new WorkspaceService(auto, 50);
    expect((await next.recover())?.notes).toBe('second');
    await next.discardAutosave();
    expect(await next.recover()).toBeUndefined();
    s.autosave(await ws());
    await s.save(path.join(dir, 'saved.json'), await ws());
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(auto)).toBe(false);
  });
});
