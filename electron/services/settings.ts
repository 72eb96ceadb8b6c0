import path from 'node:path';
import { z } from 'zod';

/** A configured binary: empty (search the login shell's PATH) or an absolute path, never a command line. */
const binaryPath = z
  .string()
  .max(4096)
  .refine((p) => p === '' || (path.isAbsolute(p) && !/[\n\0]/.test(p)), {
    message: 'use the absolute path of the executable (e.g. /usr/local/bin/hubble), or leave it empty to search PATH',
  });

/** The model endpoint: https, or http only to this machine (a local model server). */
const endpoint = z
  .string()
  .max(2048)
  .refine(
    (u) => {
      if (u === '') return true;
      try {
        const url = new URL(u);
        return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
      } catch {
        return false;
      }
    },
    { message: 'use an https:// URL (http:// only for localhost), e.g. https://api.openai.com/v1' },
  );

/** Everything the app remembers between runs, except secrets (those live in the SecretStore). */
export const SETTINGS_SCHEMA = z.object({
  hubblePath: binaryPath,
  kubectlPath: binaryPath,
  productionPatterns: z
    .array(
      z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9-]+$/),
    )
    .max(32),
  aiBaseUrl: endpoint,
  aiModel: z.string().max(256),
  recentWorkspaces: z.array(z.string().max(4096)).max(10),
  layout: z.object({ hideNoise: z.boolean(), sidebarWidth: z.number().int().min(160).max(800) }),
});

export type Settings = z.infer<typeof SETTINGS_SCHEMA>;

export const DEFAULT_SETTINGS: Settings = {
  hubblePath: '',
  kubectlPath: '',
  productionPatterns: ['prod', 'production', 'live'],
  aiBaseUrl: 'https://api.openai.com/v1',
  aiModel: 'gpt-4o-mini',
  recentWorkspaces: [],
  layout: { hideNoise: true, sidebarWidth: 240 },
};

/** What a settings backend must do (electron-store in the app, a Map in tests). */
export interface KeyValueStore {
  get(key: string): unknown;
  /** Stores a value; resolves once it is on disk (electron-store writes at once and returns nothing). */
  set(key: string, value: unknown): void | Promise<void>;
}

/** Settings with a schema and defaults; a stored value that no longer fits falls back to its default. */
export class SettingsService {
  constructor(private readonly store: KeyValueStore) {}

  get(): Settings {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      const parsed = SETTINGS_SCHEMA.shape[key].safeParse(this.store.get(key));
      out[key] = parsed.success ? parsed.data : DEFAULT_SETTINGS[key];
    }
    return out as Settings;
  }

  /** A change checked against the schema; throws with the field and reason when it does not fit. */
  validate(patch: Partial<Settings>): Partial<Settings> {
    const parsed = SETTINGS_SCHEMA.partial().strict().safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`setting ${issue.path.join('.') || '(unknown)'}: ${issue.message}`);
    }
    return parsed.data;
  }

  /** Validates and stores a change; throws with the field and reason when it does not fit. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    for (const [k, v] of Object.entries(this.validate(patch))) await this.store.set(k, v);
    return this.get();
  }

  /** Puts a workspace at the top of the recent list. */
  async addRecent(file: string): Promise<void> {
    const recent = [file, ...this.get().recentWorkspaces.filter((f) => f !== file)].slice(0, 10);
    await this.store.set('recentWorkspaces', recent);
  }
}
