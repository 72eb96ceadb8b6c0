// Electron main process: wires the Electron implementations of the ports into the services.
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron';
import Store from 'electron-store';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENTS } from '../shared/api/channels';
import { registerIpc } from './ipc';
import { applyRestrictions, isAppUrl, secureWebPreferences } from './security';
import { composeServices } from './services/compose';
import { DEFAULT_SETTINGS } from './services/settings';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererFile = path.join(here, '../renderer/index.html');
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).href;
const samplePath = app.isPackaged
  ? path.join(process.resourcesPath, 'sample-capture.jsonl')
  : path.join(app.getAppPath(), 'resources', 'sample-capture.jsonl');

let mainWindow: BrowserWindow | undefined;

const parent = (): BrowserWindow | undefined => mainWindow;
const workspaceFilters = [{ name: 'netpol-studio workspace', extensions: ['json'] }];

const store = new Store<Record<string, unknown>>({ name: 'settings', defaults: { ...DEFAULT_SETTINGS } });

const services = composeServices({
  dataDir: app.getPath('userData'),
  samplePath,
  store: { get: (k) => store.get(k), set: (k, v) => store.set(k, v) },
  encryptor: safeStorage,
  emit: (event, payload) => mainWindow?.webContents.send(EVENTS[event], payload),
  dialogs: {
    async chooseCaptureFile() {
      const options = {
        title: 'Open a flow capture',
        properties: ['openFile' as const],
        filters: [
          { name: 'Flow captures', extensions: ['json', 'jsonl', 'gz', 'log', 'txt'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const w = parent();
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
    async chooseWorkspaceToSave() {
      const w = parent();
      const options = { title: 'Save workspace', defaultPath: 'netpol-workspace.json', filters: workspaceFilters };
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return r.canceled ? undefined : r.filePath;
    },
    async chooseWorkspaceToOpen() {
      const w = parent();
      const options = { title: 'Open workspace', properties: ['openFile' as const], filters: workspaceFilters };
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
    async chooseBundlePath(as) {
      const w = parent();
      if (as === 'zip') {
        const options = {
          title: 'Export policy bundle',
          defaultPath: 'netpol-bundle.zip',
          filters: [{ name: 'Zip archive', extensions: ['zip'] }],
        };
        const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
        return r.canceled ? undefined : r.filePath;
      }
      const options = { title: 'Export policy bundle to a new folder', defaultPath: 'netpol-bundle' };
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return r.canceled ? undefined : r.filePath;
    },
    // The only way to mutate a cluster: a native dialog the renderer cannot answer for the user.
    async confirm(r) {
      const options = {
        type: 'warning' as const,
        title: r.title,
        message: r.message,
        detail: r.detail,
        buttons: ['Cancel', r.confirmLabel],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      };
      const w = parent();
      const answer = w ? await dialog.showMessageBox(w, options) : await dialog.showMessageBox(options);
      return answer.response === 1;
    },
  },
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
  registerIpc(ipcMain, services.api, (url) => isAppUrl(url, appUrl));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

// Children (hubble, kubectl) die with the app, and a pending autosave is written.
app.on('before-quit', () => {
  services.runner.killAll();
  // Unsaved work stays in the autosave copy, so the next start can offer it back.
  void services.workspaces.flush();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
