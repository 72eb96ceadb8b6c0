import { useEffect, useState } from 'react';
import { formatCount } from '../../shared/policy/format';
import type { LiveCaptureProgressEvent } from '../../shared/api/contract';
import { useToolProblem } from './tools';

interface Props {
  readonly running: boolean;
  readonly onStart: (request: { namespace: string; seconds: number; server?: string }) => void;
  readonly onStop: () => void;
  /** Whether the form is shown (the empty state's "Capture live…" opens it too). */
  readonly open: boolean;
  readonly onOpen: (open: boolean) => void;
}

/** "Capture live": namespace, duration and relay for `hubble observe`, with progress and stop. */
export function LiveCapture({ running, onStart, onStop, open, onOpen: setOpen }: Props) {
  const [namespace, setNamespace] = useState('default');
  const [seconds, setSeconds] = useState(300);
  const [server, setServer] = useState('');
  const [progress, setProgress] = useState<LiveCaptureProgressEvent | null>(null);

  useEffect(() => window.netpol.onCaptureProgress(setProgress), []);
  // Asked each time the form opens: Start capture is greyed out, with the reason beside it, when hubble is not there.
  const hubbleMissing = useToolProblem('hubble', open);

  if (!open && !running) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Capture live…
      </button>
    );
  }
  return (
    <form
      className="live-capture"
      aria-label="Live capture"
      onSubmit={(e) => {
        e.preventDefault();
        setProgress(null);
        onStart({ namespace: namespace.trim(), seconds, server: server.trim() || undefined });
      }}
    >
      <label>
        Namespace <input autoFocus value={namespace} onChange={(e) => setNamespace(e.target.value)} disabled={running} />
      </label>
      <label>
        Seconds{' '}
        <input type="number" min={1} max={604800} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} disabled={running} />
      </label>
      <label>
        Relay (optional){' '}
        <input placeholder="hubble-relay:4245" value={server} onChange={(e) => setServer(e.target.value)} disabled={running} />
      </label>
      {running ? (
        <>
          <progress aria-label="Capture progress" max={seconds * 1000} value={progress?.elapsedMs ?? 0} />
          <p className="hint" role="status">
            {progress
              ? `${formatCount(progress.records)} records, ${formatCount(progress.connections)} connections, ${Math.round(progress.elapsedMs / 1000)} s`
              : 'Starting hubble…'}
          </p>
          <button type="button" onClick={onStop}>
            Stop (keep what was captured)
          </button>
        </>
      ) : (
        <div className="actions">
          {hubbleMissing && (
            <p className="hint blocked-reason" id="live-blocked" data-testid="live-blocked">
              {hubbleMissing}
            </p>
          )}
          <button
            type="submit"
            className="primary"
            disabled={hubbleMissing !== null}
            aria-describedby={hubbleMissing ? 'live-blocked' : undefined}
            title={hubbleMissing ?? (hubbleMissing === undefined ? 'Looking for hubble…' : undefined)}
          >
            Start capture
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
