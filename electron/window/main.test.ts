// The window as main.ts really creates it: `electron` is replaced by a recording double, main.ts is
// loaded as the app loads it, and the test reads the options its BrowserWindow was built with and
// what was done to it (sandbox for every renderer, restrictions, IPC, what it loads).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-main-'));

const recorded = vi.hoisted(() => ({
  calls: [] as string[],
  windows: [] as { options: Record<string, unknown>; loaded?: string; listeners: string[] }[],
  handled: [] as string[],
}));

vi.mock('electron-store', () => ({
  default: class {
    private readonly data = new Map<string, unknown>();
    get(k: string): unknown {
      return this.data.get(k);
    }
    set(k: string, v: unknown): void {
      this.data.set(k, v);
    }
  },
}));

vi.mock('electron', () => {
  const listeners = (target: string[]) => (event: string) => void target.push(event);
  class BrowserWindow {
    static getAllWindows = (): unknown[] => recorded.windows;
    readonly webContents;
    private readonly record;
    constructor(options: Record<string, unknown>) {
      this.record = { options, listeners: [] as string[] } as { options: Record<string, unknown>; loaded?: string; listeners: string[] };
      recorded.windows.push(this.record);
      recorded.calls.push('new BrowserWindow');
      this.webContents = {
        setWindowOpenHandler: () => void this.record.listeners.push('window-open-handler'),
        on: listeners(this.record.listeners),
        send: () => undefined,
      };
    }
    once(): void {}
    on(): void {}
    loadFile(file: string): Promise<void> {
      this.record.loaded = file;
      return Promise.resolve();
    }
    loadURL(url: string): Promise<void> {
      this.record.loaded = url;
      return Promise.resolve();
    }
  }
  return {
    app: {
      isPackaged: false,
      getAppPath: () => '/opt/netpol-studio',
      getPath: () => dataDir,
      enableSandbox: () => void recorded.calls.push('enableSandbox'),
      whenReady: () => {
        recorded.calls.push('whenReady');
        return Promise.resolve();
      },
      on: () => undefined,
      quit: () => undefined,
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string) => void recorded.handled.push(channel) },
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: () => Buffer.alloc(0),
      decryptString: () => '',
      getSelectedStorageBackend: () => 'basic_text',
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => void recorded.calls.push('permission-request-handler'),
        setPermissionCheckHandler: () => void recorded.calls.push('permission-check-handler'),
        webRequest: { onHeadersReceived: () => void recorded.calls.push('csp-header') },
      },
    },
    dialog: {},
  };
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the Electron window main.ts creates', () => {
  it('is isolated and sandboxed, restricted, served its IPC, and shows the app page', async () => {
    await import('./main');
    await vi.waitFor(() => expect(recorded.windows).toHaveLength(1));
    const [win] = recorded.windows;
    // Every setting that keeps the page from Node and other origins, as the window really got it.
    expect(win.options.webPreferences).toEqual({
      preload: expect.stringMatching(/preload[/\\]index\.cjs$/) as unknown,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
    });
    // The sandbox is enabled for every renderer before the app is ready, so before any window exists.
    expect(recorded.calls.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(recorded.calls.indexOf('enableSandbox')).toBeLessThan(recorded.calls.indexOf('new BrowserWindow'));
    // Its contents and session are restricted (no new windows, no navigation, no webviews, no permissions, CSP).
    expect(win.listeners).toEqual(expect.arrayContaining(['window-open-handler', 'will-navigate', 'will-redirect', 'will-attach-webview']));
    expect(recorded.calls).toEqual(expect.arrayContaining(['permission-request-handler', 'permission-check-handler', 'csp-header']));
    // IPC is served, and the window loads the built page, not a URL from the environment.
    expect(recorded.handled.length).toBeGreaterThan(10);
    expect(win.loaded).toMatch(/renderer[/\\]index\.html$/);
  });
});
