import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/node/atomic-write';

/** Electron's safeStorage, or a stand-in in tests. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
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

  async isSet(): Promise<boolean> {
    return (await this.stored()) !== undefined;
  }

  /** Stores `key` for `origin` (the endpoint's, e.g. `https://api.openai.com`). */
  async set(key: string, origin: string): Promise<void> {
    const trimmed = key.trim();
    if (!trimmed) throw new Error('The key is empty.');
    if (!this.encryptor.isEncryptionAvailable()) {
      throw new Error(
        'This system offers no encrypted storage (no keychain or secret service), so the key cannot be kept safely. Set OPENAI_API_KEY for the CLI instead.',
      );
    }
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
