// Electron main process: wires the Electron implementations of the ports into the services.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registerIpc } from './ipc';
import { applyRestrictions, isAppUrl, secureWebPreferences } from './security';
import { CaptureService, createApi } from './services/capture-service';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const rendererFile = path.join(here, '../renderer/index.html');
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).href;
const samplePath = app.isPackaged
  ? path.join(process.resourcesPath, 'sample-capture.jsonl')
  : path.join(app.getAppPath(), 'resources', 'sample-capture.jsonl');

let mainWindow: BrowserWindow | undefined;

const captures = new CaptureService({
  samplePath,
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
      const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
  },
});

const api = createApi(captures);

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
  registerIpc(ipcMain, api, (url) => isAppUrl(url, appUrl));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
