import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, OpenedCapture, ReadProgressEvent, Result, WorkspacePayload } from '../../shared/api/contract';
import type { ServiceGraph } from '../../shared/graph/types';
import { fileName } from '../../shared/graph/summary';
import { Banner } from './Banner';
import { EmptyState } from './EmptyState';
import { SummaryView } from './SummaryView';
import { LiveCapture } from './LiveCapture';
import { SettingsDialog } from './SettingsDialog';
import { Workbench } from './Workbench';
import type { ReviewTab } from './state/view';

type Status =
  | { kind: 'idle' }
  | { kind: 'loading'; what: string; file?: boolean }
  // `failed` names what did not happen ("Could not open the capture."), above the error's own words.
  | { kind: 'error'; failed: string; error: ApiError };

/** The app shell: sources on the left, the open capture's summary in the centre, status below. */
export function App() {
  const [opened, setOpened] = useState<OpenedCapture | null>(null);
  const [graph, setGraph] = useState<ServiceGraph | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  // Each opened capture or workspace mounts a fresh workbench (the key), which starts from `restore`.
  // `tab`: the review tab the fresh workbench opens on (Summary again after a snapshot taken there).
  const [session, setSession] = useState<{ key: number; restore?: WorkspacePayload; tab?: ReviewTab }>({ key: 0 });
  const workspace = useRef<WorkspacePayload | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The workbench reports its state when it mounts, then on every change: only changes are unsaved work.
  const reported = useRef(-1);
  const onWorkspace = useCallback(
    (ws: WorkspacePayload) => {
      workspace.current = ws;
      if (reported.current !== session.key) {
        reported.current = session.key;
        return;
      }
      // Main debounces and keeps it, so that unsaved work survives a crash or a quit.
      void window.netpol.autosaveWorkspace(ws);
    },
    [session.key],
  );
  const [recoverable, setRecoverable] = useState<{ savedAt: string; capture: string } | null>(null);
  // A rollout (or its rollback) is part of the workspace: main writes it with the workspace at once.
  useEffect(
    () =>
      window.netpol.onRollouts(() => {
        if (workspace.current) void window.netpol.autosaveWorkspace(workspace.current);
      }),
    [],
  );

  // A reload of the window keeps the capture that main has open.
  useEffect(() => {
    void Promise.all([window.netpol.getSummary(), window.netpol.getGraph()]).then(async ([summary, g]) => {
      if (summary.ok) setOpened(summary.value);
      if (g.ok) setGraph(g.value);
      // Work left unsaved: offer it back, on a fresh start and on a reload of the window alike (a
      // reload keeps main's capture but not the prunes made on it, which the autosave holds).
      if (summary.ok) {
        const r = await window.netpol.recoverWorkspace();
        if (r.ok && r.value)
          setRecoverable({ savedAt: r.value.workspace.savedAt, capture: r.value.workspace.capture.name ?? r.value.workspace.capture.path });
      }
    });
  }, []);

  // The window's title names the open capture as the user picked it (its file name, not the folder the host keeps it in).
  useEffect(() => {
    document.title = opened ? `${fileName(opened.summary.file)} · netpol-studio` : 'netpol-studio';
  }, [opened]);

  const [reading, setReading] = useState<ReadProgressEvent | null>(null);
  useEffect(() => window.netpol.onReadProgress(setReading), []);

  /** Shows a capture main has just opened (or read again), in a fresh workbench. */
  const show = useCallback(async (capture: OpenedCapture, tab?: ReviewTab) => {
    setOpened(capture);
    const g = await window.netpol.getGraph();
    if (g.ok) setGraph(g.value);
    setSession((x) => ({ key: x.key + 1, tab }));
    setNotice(null);
    // New work from here: the left-over autosave is about to be replaced.
    setRecoverable(null);
  }, []);

  const run = useCallback(
    async (what: string, op: () => Promise<Result<OpenedCapture>>, file = false, failed = 'Could not open the capture.') => {
      setReading(null);
      setStatus({ kind: 'loading', what, file });
      const r = await op();
      if (r.ok) {
        await show(r.value);
        setStatus({ kind: 'idle' });
      } else if (r.error.code === 'dismissed' || r.error.code === 'cancelled') {
        setStatus({ kind: 'idle' });
        // A closed dialog needs no words; a stopped read says that the capture open before stays.
        if (r.error.code === 'cancelled') setNotice(r.error.message);
      } else {
        // The capture open before (if any) stays on screen; the error says what went wrong.
        setStatus({ kind: 'error', failed, error: r.error });
      }
    },
    [show],
  );

  // In the browser host there is no native dialog: the page picks the file and streams it to the
  // host, then main reads it as it reads any capture (progress and Cancel as for a file).
  const picker = useRef<HTMLInputElement>(null);
  const [sending, setSending] = useState<{ name: string; sent: number; total: number; abort: AbortController } | null>(null);
  const openCapture = () => {
    if (window.netpolHost) picker.current?.click();
    else void run('Reading capture…', () => window.netpol.openCapture(), true);
  };
  const sendCapture = async (file: File): Promise<void> => {
    const host = window.netpolHost;
    if (!host) return;
    const abort = new AbortController();
    setNotice(null);
    setStatus({ kind: 'loading', what: `Sending ${file.name} to the app…` });
    setSending({ name: file.name, sent: 0, total: file.size, abort });
    const r = await host.uploadCapture(file, (p) => setSending((s) => s && { ...s, ...p }), abort.signal);
    setSending(null);
    if (r.ok) return run(`Reading ${file.name}…`, () => window.netpol.openCapture(), true);
    setStatus({ kind: 'idle' });
    if (r.error.code === 'cancelled') setNotice(`${r.error.message} The capture open before stays.`);
    else setStatus({ kind: 'error', failed: 'Could not open the capture.', error: r.error });
  };
  const saveWorkspace = async () => {
    if (!workspace.current) return;
    const r = await window.netpol.saveWorkspace(workspace.current);
    if (r.ok) setNotice(`Workspace saved to ${r.value.file}`);
    else if (r.error.code !== 'dismissed') setNotice(`Could not save the workspace: ${r.error.message}`);
  };
  const openWorkspace = async (autosaved = false) => {
    setRecoverable(null);
    setStatus({ kind: 'loading', what: autosaved ? 'Restoring unsaved work…' : 'Opening workspace…' });
    const r = autosaved ? await window.netpol.restoreAutosave() : await window.netpol.openWorkspace();
    setStatus({ kind: 'idle' });
    if (!r.ok) {
      if (r.error.code !== 'dismissed') setNotice(`Could not open the workspace: ${r.error.message}`);
      return;
    }
    const v = r.value;
    if (v.capture) {
      setOpened(v.capture);
      const g = await window.netpol.getGraph();
      if (g.ok) setGraph(g.value);
    } else if (!graph) {
      setNotice(`${v.captureWarning?.message ?? 'The workspace has no capture.'} Open the capture, then the workspace again.`);
      return;
    }
    setSession((x) => ({ key: x.key + 1, restore: v.workspace }));
    setNotice(v.captureWarning?.message ?? (v.file ? `Workspace ${v.file} opened.` : 'Unsaved work restored.'));
  };
  const openSample = () => void run('Reading the sample capture…', () => window.netpol.loadSample(), true);
  // A failed snapshot is the resolve section's to show, beside its button: the capture itself is fine and stays as it is.
  const resolveWithCluster = async (context: string): Promise<ApiError | undefined> => {
    setReading(null);
    setStatus({ kind: 'loading', what: `Resolving with a snapshot of ${context}…`, file: true });
    const r = await window.netpol.resolveWithCluster(context);
    if (r.ok) await show(r.value, 'summary');
    setStatus({ kind: 'idle' });
    return r.ok ? undefined : r.error;
  };
  const [capturing, setCapturing] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [liveOpen, setLiveOpen] = useState(false);
  const startLive = (r: { namespace: string; seconds: number; server?: string }) => {
    setCapturing(true);
    void run(
      `Capturing ${r.namespace} with hubble…`,
      () => window.netpol.startCapture({ namespace: r.namespace, window: { kind: 'follow', seconds: r.seconds }, server: r.server }),
      false,
      'The live capture failed.',
    ).finally(() => setCapturing(false));
  };

  return (
    <div className="app">
      <aside className="sources" aria-label="Sources">
        <h1>netpol-studio</h1>
        <input
          ref={picker}
          type="file"
          hidden
          aria-label="Capture file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void sendCapture(file);
          }}
        />
        <button type="button" onClick={openCapture}>
          Open capture…
        </button>
        <button type="button" onClick={openSample}>
          Open sample capture
        </button>
        <LiveCapture
          running={capturing}
          open={liveOpen}
          onOpen={setLiveOpen}
          onStart={startLive}
          onStop={() => void window.netpol.stopCapture()}
        />
        <button type="button" onClick={() => void openWorkspace()}>
          Open workspace…
        </button>
        {graph && (
          <button type="button" onClick={() => void saveWorkspace()}>
            Save workspace
          </button>
        )}
        <button type="button" className="settings-button" onClick={() => setSettingsOpen(true)}>
          Settings…
        </button>
      </aside>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      <main className="centre">
        {status.kind === 'error' && (
          <Banner kind="error" onClose={() => setStatus({ kind: 'idle' })}>
            <strong>{status.failed}</strong> {status.error.message}
            {status.error.hint ? ` ${status.error.hint}` : ''}
          </Banner>
        )}
        {recoverable && (
          <div className="banner" role="region" aria-label="Unsaved work">
            Unsaved work from {new Date(recoverable.savedAt).toLocaleString()} on {recoverable.capture}.{' '}
            <button type="button" onClick={() => void openWorkspace(true)}>
              Restore
            </button>{' '}
            <button
              type="button"
              onClick={() => {
                setRecoverable(null);
                void window.netpol.discardAutosave();
              }}
            >
              Discard
            </button>
          </div>
        )}
        {notice && (
          <Banner kind="notice" onClose={() => setNotice(null)} testId="notice">
            {notice}
          </Banner>
        )}
        {opened && graph ? (
          <Workbench
            key={session.key}
            graph={graph}
            restore={session.restore}
            initialTab={session.tab}
            onWorkspace={onWorkspace}
            summary={<SummaryView opened={opened} onResolve={resolveWithCluster} />}
          />
        ) : opened ? (
          <SummaryView opened={opened} onResolve={resolveWithCluster} />
        ) : (
          <EmptyState
            onOpen={openCapture}
            onSample={openSample}
            onLive={() => setLiveOpen(true)}
            busy={
              status.kind === 'loading'
                ? `${status.what}${status.file || sending ? ' The progress and Cancel are in the status bar below.' : ''}`
                : undefined
            }
          />
        )}
      </main>
      <footer className="status" role="status">
        {status.kind === 'loading' ? status.what : opened ? `${opened.summary.file}` : 'No capture open'}
        {sending && (
          <>
            {' '}
            <progress aria-label="Sending progress" max={sending.total || 1} value={sending.sent} />{' '}
            {Math.round((100 * sending.sent) / Math.max(1, sending.total))} %{' '}
            <button type="button" onClick={() => sending.abort.abort()}>
              Cancel
            </button>
          </>
        )}
        {status.kind === 'loading' && status.file && (
          <>
            {' '}
            <progress aria-label="Reading progress" max={reading?.bytesTotal || 1} value={reading?.bytesDone ?? 0} />{' '}
            {reading ? `${Math.round((100 * reading.bytesDone) / Math.max(1, reading.bytesTotal))} %` : ''}{' '}
            <button type="button" onClick={() => void window.netpol.cancelOpen()}>
              Cancel
            </button>
          </>
        )}
      </footer>
    </div>
  );
}
