// The services behind the browser host: the same composition as the Electron window's, with ports
// that work outside Electron (a JSON settings file, no OS keychain, no native dialogs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/node/fs/atomic-write';
import type { ConfirmRequest } from '../services/ports';
import { composeServices, type ComposedServices } from '../services/compose';
import type { Encryptor } from '../services/secrets';
import type { KeyValueStore } from '../services/settings';
import { createEventHub } from './server';
import type { UploadInbox } from './upload';

/**
 * Settings in a JSON file (the browser host has no electron-store), readable by its owner only and
 * written whole: the file is read once, and each change is written after the one before it.
 */
export function jsonFileStore(file: string): KeyValueStore {
  let data: Record<string, unknown> | undefined;
  let written: Promise<void> = Promise.resolve();
  const load = (): Record<string, unknown> => {
    try {
      data ??= JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      data = {};
    }
    return data;
  };
  return {
    get: (k) => load()[k],
    set: (k, v) => {
      data = { ...load(), [k]: v };
      const text = JSON.stringify(data, null, 2);
      written = written.catch(() => undefined).then(() => writeFileAtomic(file, text, { mode: 0o600, dirMode: 0o700 }));
      return written;
    },
  };
}

/** Without an OS keychain no key is stored, rather than storing it in the clear. */
export const NO_ENCRYPTION: Encryptor = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('no encrypted storage');
  },
  decryptString: () => {
    throw new Error('no encrypted storage');
  },
};

export interface BrowserServicesOptions {
  readonly root: string;
  readonly dataDir: string;
  readonly store?: KeyValueStore;
  readonly encryptor?: Encryptor;
  readonly env?: NodeJS.ProcessEnv;
  readonly searchPath?: string;
  readonly chooseFile?: () => string | undefined;
  /** Captures the user picked in the page: "Open capture…" reads the one waiting, before chooseFile. */
  readonly uploads?: UploadInbox;
  readonly chooseWorkspace?: () => string | undefined;
  readonly chooseBundle?: (as: 'folder' | 'zip') => string | undefined;
  readonly confirm?: (r: ConfirmRequest) => Promise<boolean>;
  /** The clock of applies and soak checks (tests replay a recorded day). */
  readonly now?: () => Date;
}

/** What the window is told when there is no confirmer: why Apply, Roll back and Promote cannot run here. */
export const NO_NATIVE_CONFIRMATION =
  'Applying to a cluster needs the desktop app: its native confirmation dialog is what lets a change through, and a browser has none. Dry-runs work here.';

/** The services with the browser host's ports, and the hub its event stream forwards. */
export function composeBrowserServices(o: BrowserServicesOptions): ComposedServices & { events: ReturnType<typeof createEventHub> } {
  const events = createEventHub();
  const services = composeServices({
    dataDir: o.dataDir,
    samplePath: path.join(o.root, 'resources/sample-capture.jsonl'),
    store: o.store ?? jsonFileStore(path.join(o.dataDir, 'settings.json')),
    encryptor: o.encryptor ?? NO_ENCRYPTION,
    env: o.env,
    searchPath: o.searchPath,
    ...(o.now ? { now: o.now } : {}),
    ...(o.confirm ? {} : { noConfirmation: NO_NATIVE_CONFIRMATION }),
    host: 'browser',
    emit: (event, payload) => events.emit(event, payload),
    dialogs: {
      chooseCaptureFile: () => {
        const file = o.chooseFile?.();
        return Promise.resolve(o.uploads?.take() ?? (file === undefined ? undefined : { path: file }));
      },
      // A flow log to soak from arrives as a capture does: uploaded by the page, then read here.
      chooseFlowLogFile: () => {
        const file = o.chooseFile?.();
        return Promise.resolve(o.uploads?.take() ?? (file === undefined ? undefined : { path: file }));
      },
      chooseWorkspaceToSave: () => Promise.resolve(o.chooseWorkspace?.()),
      chooseWorkspaceToOpen: () => Promise.resolve(o.chooseWorkspace?.()),
      chooseBundlePath: (as) => Promise.resolve(o.chooseBundle?.(as)),
      // There is no native dialog in a browser: nothing is applied unless a confirmer is given (tests).
      confirm: o.confirm ?? (() => Promise.resolve(false)),
    },
  });
  return { ...services, events };
}
