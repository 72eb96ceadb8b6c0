import { useEffect, useRef, useState } from 'react';
import type { ApiError, SettingsView } from '../../shared/api/contract';

const FORM_ID = 'settings-form';

/**
 * Binary paths, production patterns and the AI endpoint, checked by main on save. The API key is
 * write-only: it goes to main's encrypted store and the dialog only ever learns whether one is set.
 */
export function SettingsDialog({ onClose }: { readonly onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<SettingsView | null>(null);
  const [form, setForm] = useState({ hubblePath: '', kubectlPath: '', productionPatterns: '', aiBaseUrl: '', aiModel: '' });
  const [key, setKey] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const show = (v: SettingsView): void => {
    setView(v);
    setForm({
      hubblePath: v.hubblePath,
      kubectlPath: v.kubectlPath,
      productionPatterns: v.productionPatterns.join(', '),
      aiBaseUrl: v.aiBaseUrl,
      aiModel: v.aiModel,
    });
  };

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    void window.netpol.getSettings().then((r) => (r.ok ? show(r.value) : setError(r.error)));
  }, []);

  const save = async (): Promise<void> => {
    setError(null);
    setSaved(null);
    const r = await window.netpol.updateSettings({
      hubblePath: form.hubblePath.trim(),
      kubectlPath: form.kubectlPath.trim(),
      productionPatterns: form.productionPatterns
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      aiBaseUrl: form.aiBaseUrl.trim(),
      aiModel: form.aiModel.trim(),
    });
    if (!r.ok) return setError(r.error);
    show(r.value);
    setSaved('Settings saved.');
  };

  const saveKey = async (): Promise<void> => {
    setError(null);
    setSaved(null);
    const r = await window.netpol.setApiKey(key);
    setKey('');
    if (!r.ok) return setError(r.error);
    // Main says which host the key is now bound to; the form's unsaved fields stay as typed.
    const fresh = await window.netpol.getSettings();
    if (fresh.ok) setView(fresh.value);
    else if (view) setView({ ...view, apiKeySet: r.value.apiKeySet });
    setSaved('API key stored, encrypted by the operating system.');
  };

  const clearKey = async (): Promise<void> => {
    setError(null);
    const r = await window.netpol.clearApiKey();
    if (!r.ok) return setError(r.error);
    if (view) setView({ ...view, apiKeySet: false });
    setSaved('API key removed.');
  };

  const field = (name: keyof typeof form, label: string, hint: string) => (
    <label className="setting">
      <span>{label}</span>
      <input aria-label={label} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} placeholder={hint} />
    </label>
  );

  return (
    <dialog ref={ref} className="export-dialog settings-dialog" aria-label="Settings" onClose={onClose}>
      <h2>Settings</h2>
      <div className="dialog-body">
        {error && (
          <p className="error" role="alert">
            {error.message}
            {error.hint ? ` ${error.hint}` : ''}
          </p>
        )}
        {saved && <p role="status">{saved}</p>}
        {view && (
          <form
            id={FORM_ID}
            aria-label="Settings form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <fieldset>
              <legend>Tools (run under your own kube credentials)</legend>
              {window.netpolHost && (
                // The browser host has no confirmation dialog, so it refuses a new tool path from the page.
                <p role="note" className="hint" data-field="browser-tools">
                  In browser mode these paths are set where the app is started: put hubble and kubectl on the PATH of the shell that runs{' '}
                  <code>npm start</code>, or start it with <code>npm start -- --kubectl-path PATH --hubble-path PATH</code>. The desktop app
                  takes them here.
                </p>
              )}
              {field('hubblePath', 'hubble path', 'empty: search PATH')}
              {field('kubectlPath', 'kubectl path', 'empty: search PATH')}
              {field('productionPatterns', 'Production patterns', 'prod, production, live')}
            </fieldset>
            <fieldset>
              <legend>AI drafting (OpenAI-compatible)</legend>
              {field('aiBaseUrl', 'Endpoint', 'https://api.openai.com/v1')}
              {field('aiModel', 'Model', 'gpt-4o-mini')}
            </fieldset>
          </form>
        )}
        {view && (
          <form
            aria-label="API key"
            onSubmit={(e) => {
              e.preventDefault();
              void saveKey();
            }}
          >
            <fieldset>
              <legend>API key</legend>
              <p data-field="api-key-state">
                {view.apiKeySet
                  ? `A key is stored (encrypted)${view.apiKeyFor ? ` for ${view.apiKeyFor}, and is sent there only` : ''}. It is never shown again.`
                  : 'No key stored.'}
              </p>
              {!view.keyStorage.encrypted && (
                <p role="note" data-field="key-storage">
                  {view.keyStorage.message}
                </p>
              )}
              <label className="setting">
                <span>{view.apiKeySet ? 'Replace key' : 'Key'}</span>
                <input
                  aria-label="API key"
                  type="password"
                  autoComplete="off"
                  value={key}
                  onChange={(e) => setKey(e.target.value)}
                  placeholder="sk-…"
                />
              </label>
              <div className="row">
                <button type="submit" disabled={key.trim() === '' || !view.keyStorage.encrypted}>
                  Store key
                </button>
                {view.apiKeySet && (
                  <button type="button" onClick={() => void clearKey()}>
                    Remove key
                  </button>
                )}
              </div>
            </fieldset>
          </form>
        )}
      </div>
      {/* At the foot of the dialog, in view however tall the forms above grow (they scroll). */}
      <footer className="dialog-actions">
        <button type="submit" form={FORM_ID} className="primary" disabled={!view}>
          Save
        </button>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </footer>
    </dialog>
  );
}
