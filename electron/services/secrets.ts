import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/node/fs/atomic-write';
import { ServiceError } from './errors';

/** Electron's safeStorage, or a stand-in in tests. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
  /**
   * Linux only: which store safeStorage chose (`safeStorage.getSelectedStorageBackend()`):
   * `gnome_libsecret`, `kwallet*`, or `basic_text` when no keyring runs. Absent elsewhere.
   */
  storageBackend?(): string | undefined;
}

/** Where a key would be kept, said plainly: only `encrypted` storage takes one. */
export interface KeyStorage {
  readonly encrypted: boolean;
  /** safeStorage's backend on Linux (`basic_text`, `gnome_libsecret`…). */
  readonly backend?: string;
  /** What it means, in a sentence a person can act on. */
  readonly message: string;
}

/** What the store an Encryptor offers means for a key. */
export function keyStorageOf(encryptor: Encryptor): KeyStorage {
  if (!encryptor.isEncryptionAvailable())
    return {
      encrypted: false,
      message:
        'This system offers no encrypted storage (no keychain or secret service), so no key is stored here. A local model server needs none; the CLI reads OPENAI_API_KEY.',
    };
  const backend = encryptor.storageBackend?.();
  // Electron's fallback without a keyring: "encrypted" with a password built into Electron, which
  // anyone who can read the file can undo. That is plain text in all but name.
  if (backend === 'basic_text')
    return {
      encrypted: false,
      backend,
      message:
        'No keyring is running (GNOME Keyring, KWallet or another Secret Service), so Electron would keep the key under a password built into Electron, readable by anyone who can read your files: no key is stored. Start a keyring and restart netpol-studio, use a local model server that needs no key, or give the CLI OPENAI_API_KEY.',
    };
  return { encrypted: true, ...(backend ? { backend } : {}), message: 'Keys are encrypted by the operating system keychain.' };
}

/** The origin (`https://api.openai.com`) of an endpoint URL, or undefined for one that is not a URL. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

/** The host (`api.openai.com`, `127.0.0.1:11434`) of an endpoint URL or origin, for messages; the text itself when it is no URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The stored key and the one origin it may be sent to (undefined for a key stored before keys were bound). */
export interface StoredKey {
  readonly key: string;
  readonly origin: string | undefined;
}

/**
 * The AI API key, encrypted by the OS keychain (safeStorage) into its own file, bound to the origin
 * of the endpoint it was stored for: it is sent there and nowhere else. It is never written in
 * plain text, never put in settings, and never sent to the renderer, which only learns whether a
 * key is set, and for which host.
 */
export class SecretStore {
  constructor(
    private readonly encryptor: Encryptor,
    private readonly file: string,
  ) {}

  /** Whether a key would be kept encrypted here, and what it means when not. */
  storage(): KeyStorage {
    return keyStorageOf(this.encryptor);
  }

  async isSet(): Promise<boolean> {
    return (await this.stored()) !== undefined;
  }

  /** Stores `key` for `origin` (the endpoint's, e.g. `https://api.openai.com`). */
  async set(key: string, origin: string): Promise<void> {
    const trimmed = key.trim();
    if (!trimmed) throw new Error('The key is empty.');
    const storage = this.storage();
    if (!storage.encrypted) throw new ServiceError('refused', `The key was not stored. ${storage.message}`);
    await this.write({ key: trimmed, origin });
  }

  /** The key and the origin it is bound to, if one is stored. */
  async stored(): Promise<StoredKey | undefined> {
    let text: string;
    try {
      text = this.encryptor.decryptString(await readFile(this.file));
    } catch {
      return undefined;
    }
    try {
      const v = JSON.parse(text) as { v?: unknown; key?: unknown; origin?: unknown };
      if (v.v === 1 && typeof v.key === 'string' && typeof v.origin === 'string') return { key: v.key, origin: v.origin };
    } catch {
      // Not JSON: a key stored before keys were bound to their endpoint.
    }
    return { key: text, origin: undefined };
  }

  /** Binds the stored key to another origin: only after the user confirmed sending it there. */
  async rebind(origin: string): Promise<void> {
    const s = await this.stored();
    if (s) await this.write({ key: s.key, origin });
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }

  private async write(k: { key: string; origin: string }): Promise<void> {
    // The folder's and the file's permissions are set every time, not only when they are created:
    // a folder or key file left looser by an older version (or by hand) is tightened here.
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const sealed = this.encryptor.encryptString(JSON.stringify({ v: 1, origin: k.origin, key: k.key }));
    await writeFileAtomic(this.file, sealed, { mode: 0o600, dirMode: 0o700 });
  }
}
