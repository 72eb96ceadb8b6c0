// The Electron window host: the app's lifecycle, one sandboxed window with its preload, and IPC
// into the same dispatch the browser host uses. Electron's ports (dialogs, keychain, store) are wired here.
import { app, BrowserWindow, ipcMain, safeStorage, session } from 'electron';
import Store from 'electron-store';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENTS } from '../../shared/api/channels';
import { createDispatch } from '../dispatch';
import { applyRestrictions, isAppUrl, secureWebPreferences } from '../security';
import { composeServices } from '../services/compose';
import { DEFAULT_SETTINGS } from '../services/settings';
import { nativeDialogs } from './dialogs';
import { registerIpc } from './ipc';
import { quitAfterShutdown } from './quit';

// Bundled into out/main/index.js: the preload and the renderer are its siblings under out/.
const here = path.dirname(fileURLToPath(import.meta.url));
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererFile = path.join(here, '../renderer/index.html');
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).href;
const samplePath = app.isPackaged
  ? path.join(process.resourcesPath, 'sample-capture.jsonl')
  : path.join(app.getAppPath(), 'resources', 'sample-capture.jsonl');

let mainWindow: BrowserWindow | undefined;

// Readable by the user only (electron-store's default is 0o666 less the umask).
const store = new Store<Record<string, unknown>>({ name: 'settings', defaults: { ...DEFAULT_SETTINGS }, configFileMode: 0o600 });

const services = composeServices({
  dataDir: app.getPath('userData'),
  samplePath,
  store: { get: (k) => store.get(k), set: (k, v) => store.set(k, v) },
  encryptor: {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    encryptString: (text) => safeStorage.encryptString(text),
    decryptString: (data) => safeStorage.decryptString(data),
    // Without a keyring, Linux falls back to basic_text: the secrets port refuses to store a key there.
    storageBackend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined),
  },
  emit: (event, payload) => mainWindow?.webContents.send(EVENTS[event], payload),
  dialogs: nativeDialogs(() => mainWindow),
});

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'netpol-studio',
    webPreferences: secureWebPreferences(path.join(here, '../preload/index.cjs')),
  });
  mainWindow = win;
  applyRestrictions(win.webContents, session.defaultSession, appUrl, (what) => console.warn(`netpol-studio: denied ${what}`));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => (mainWindow = undefined));
  void (devServerUrl ? win.loadURL(devServerUrl) : win.loadFile(rendererFile));
}

app.enableSandbox();
void app.whenReady().then(() => {
  registerIpc(
    ipcMain,
    createDispatch(services.api, (sender) => isAppUrl(sender.url, appUrl)),
  );
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

// Children (hubble, kubectl) die with the app, and the quit waits until a pending autosave is written.
quitAfterShutdown(
  app,
  () => services.shutdown(),
  (e) => console.error('netpol-studio: the autosave on quit failed:', e),
);

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
