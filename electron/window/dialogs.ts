// The native dialogs the Electron window host gives the services as their ports.
import { dialog, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import type { ComposeOptions } from '../services/compose';

const workspaceFilters = [{ name: 'netpol-studio workspace', extensions: ['json'] }];

/** Dialogs modal to the window `parent` returns (free-standing when there is none). */
export function nativeDialogs(parent: () => BrowserWindow | undefined): ComposeOptions['dialogs'] {
  const open = async (options: OpenDialogOptions): Promise<string | undefined> => {
    const w = parent();
    const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
    return r.canceled ? undefined : r.filePaths[0];
  };
  const save = async (options: SaveDialogOptions): Promise<string | undefined> => {
    const w = parent();
    const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
    return r.canceled ? undefined : r.filePath;
  };
  /** A file of flows (a capture, a flow log), in the formats the capture reader takes. */
  const pickFlows = async (title: string, kind: string): Promise<{ path: string } | undefined> => {
    const path = await open({
      title,
      properties: ['openFile'],
      filters: [
        { name: kind, extensions: ['json', 'jsonl', 'gz', 'log', 'txt'] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    return path === undefined ? undefined : { path };
  };
  return {
    chooseCaptureFile: () => pickFlows('Open a flow capture', 'Flow captures'),
    chooseFlowLogFile: () => pickFlows('Check soak from a flow-log file (Calico flow logs or Goldmane flows since the apply)', 'Flow logs'),
    chooseWorkspaceToSave: () => save({ title: 'Save workspace', defaultPath: 'netpol-workspace.json', filters: workspaceFilters }),
    chooseWorkspaceToOpen: () => open({ title: 'Open workspace', properties: ['openFile'], filters: workspaceFilters }),
    chooseBundlePath: (as) =>
      as === 'zip'
        ? save({ title: 'Export policy bundle', defaultPath: 'netpol-bundle.zip', filters: [{ name: 'Zip archive', extensions: ['zip'] }] })
        : save({ title: 'Export policy bundle to a new folder', defaultPath: 'netpol-bundle' }),
    // The only way to mutate a cluster: a native dialog the renderer cannot answer for the user.
    async confirm(r) {
      const options: MessageBoxOptions = {
        type: 'warning',
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
  };
}
