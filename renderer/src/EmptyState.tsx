interface Props {
  readonly onOpen: () => void;
  readonly onSample: () => void;
  readonly onLive: () => void;
  /** What is being opened now, and where its progress is. */
  readonly busy?: string;
}

/** What a first-time user sees: the ways to get flows in. */
export function EmptyState({ onOpen, onSample, onLive, busy }: Props) {
  return (
    <section className="empty" aria-label="Get started">
      <h2>Start from observed traffic</h2>
      <p>
        Open a saved <code>hubble observe -o jsonpb</code> capture or a Calico flow log, capture live with <code>hubble observe</code> on
        this machine, or try the built-in bookinfo sample. Nothing is sent to a cluster.
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onOpen}>
          Open capture…
        </button>
        <button type="button" onClick={onLive} title="Runs hubble observe on this machine, under your kube credentials">
          Capture live…
        </button>
        <button type="button" onClick={onSample}>
          Open sample capture
        </button>
      </div>
      {busy && <p className="busy">{busy}</p>}
    </section>
  );
}
