import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/contract';
import type { FlowRecord } from '../../../shared/flows/types';
import { peerKey } from '../../../shared/graph/keys';
import { useToolProblem } from '../tools';

interface Props {
  /** The namespace watched: where the policies were rolled out. */
  readonly namespace: string;
  /** DROPPED, or AUDIT in Cilium's policy audit mode (what would have been dropped). */
  readonly verdict: 'DROPPED' | 'AUDIT';
  /** A drop seen there, to allow: already named in the namespaces the policies were generated for. */
  readonly onAllowDrop: (drop: FlowRecord) => void;
  readonly onError: (e: ApiError) => void;
}

const peerText = (p: FlowRecord['src']): string => peerKey(p).replace(/^(entity|ip):/, '');

/** The live `hubble observe --verdict DROPPED|AUDIT` watch of the target namespace; "Allow this flow" adds the missing rule. */
export function DropWatch({ namespace, verdict, onAllowDrop, onError }: Props) {
  const [watching, setWatching] = useState(false);
  const [drops, setDrops] = useState<FlowRecord[]>([]);
  // Greyed out, with the reason beside it, when hubble is not there (as Start capture is).
  const hubbleMissing = useToolProblem('hubble');
  useEffect(() => window.netpol.onDrop((d) => setDrops((all) => [d, ...all].slice(0, 100))), []);
  const toggle = async (): Promise<void> => {
    const r = watching ? await window.netpol.stopDropWatch() : await window.netpol.startDropWatch({ namespace, verdict });
    if (r.ok) setWatching(!watching);
    else onError(r.error);
  };
  return (
    <>
      <h3>
        {verdict === 'AUDIT' ? 'Would-be drops (AUDIT)' : 'Drops'} in {namespace || 'the namespace'}
      </h3>
      {hubbleMissing && !watching && (
        <p className="hint blocked-reason" id="drops-blocked" data-testid="drops-blocked">
          {hubbleMissing}
        </p>
      )}
      <button
        type="button"
        disabled={!namespace || (!watching && hubbleMissing !== null)}
        aria-describedby={hubbleMissing && !watching ? 'drops-blocked' : undefined}
        title={
          !namespace
            ? 'Give the target namespace first.'
            : (hubbleMissing ?? (hubbleMissing === undefined ? 'Looking for hubble…' : undefined))
        }
        onClick={() => void toggle()}
      >
        {watching ? 'Stop watching' : 'Watch drops'}
      </button>
      <ul aria-label="Drops">
        {drops.map((d, i) => (
          <li key={`${d.time}-${i}`}>
            {peerText(d.src)} → {peerText(d.dst)}:{d.port ?? ''}/{d.protocol} {d.verdict === 'AUDIT' ? 'AUDIT' : (d.dropReason ?? '')}{' '}
            <button type="button" onClick={() => onAllowDrop(d)}>
              Allow this flow
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
