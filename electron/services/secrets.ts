import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/node/atomic-write';

/** Electron's safeStorage, or a stand-in in tests. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

/**
 * The AI API key, encrypted by the OS keychain (safeStorage) into its own file. It is never
 * written in plain text, never put in settings, and never sent to the renderer, which only
 * learns whether a key is set.
 */
export class SecretStore {
  constructor(
    private readonly encryptor: Encryptor,
    private readonly file: string,
  ) {}

  async isSet(): Promise<boolean> {
    return (await this.get()) !== undefined;
  }

  async set(key: string): Promise<void> {
    const trimmed = key.trim();
    if (!trimmed) throw new Error('The key is empty.');
    if (!this.encryptor.isEncryptionAvailable()) {
      throw new Error(
        'This system offers no encrypted storage (no keychain or secret service), so the key cannot be kept safely. Set OPENAI_API_KEY for the CLI instead.',
      );
    }
    // The folder's and the file's permissions are set every time, not only when they are created:
    // a folder or key file left looser by an older version (or by hand) is tightened here.
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await writeFileAtomic(this.file, this.encryptor.encryptString(trimmed), { mode: 0o600, dirMode: 0o700 });
  }

  /** For main-process use only (the AI client). */
  async get(): Promise<string | undefined> {
    try {
      return this.encryptor.decryptString(await readFile(this.file));
    } catch {
      return undefined;
    }
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
