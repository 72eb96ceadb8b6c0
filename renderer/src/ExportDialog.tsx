import { useEffect, useRef, useState } from 'react';
import { formatCount } from '../../shared/policy/format';
import type { ApiError, BundlePreview, BundleRequest } from '../../shared/api/contract';

interface Props {
  readonly request: BundleRequest;
  readonly onClose: () => void;
}

/** Shows what the bundle will hold (files and REPORT.md), then saves it as a folder or a .zip. */
export function ExportDialog({ request, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [preview, setPreview] = useState<BundlePreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    void window.netpol.previewBundle(request).then((r) => (r.ok ? setPreview(r.value) : setError(r.error)));
  }, [request]);

  const save = async (as: 'folder' | 'zip'): Promise<void> => {
    const r = await window.netpol.exportBundle(request, as);
    if (r.ok) setSaved(r.value.path);
    else if (r.error.code !== 'dismissed') setError(r.error);
  };

  return (
    <dialog ref={ref} className="export-dialog" aria-label="Export bundle" onClose={onClose}>
      <h2>Export policy bundle</h2>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {saved && <p role="status">Saved to {saved}</p>}
      {preview && (
        <>
          <ul aria-label="Bundle files">
            {preview.files.map((f) => (
              <li key={f.path}>
                <code>{f.path}</code> <span className="hint">{formatCount(f.bytes)} bytes</span>
              </li>
            ))}
          </ul>
          <pre className="report" aria-label="REPORT.md">
            {preview.report}
          </pre>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!preview} onClick={() => void save('folder')}>
          Save as folder…
        </button>
        <button type="button" disabled={!preview} onClick={() => void save('zip')}>
          Save as .zip…
        </button>
        <button type="button" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
