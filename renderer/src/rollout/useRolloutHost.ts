import { useEffect, useState } from 'react';

/** What the Rollout tab needs of Settings: the production patterns, and why this host cannot confirm a change (browser mode). */
export interface RolloutHost {
  readonly productionPatterns: readonly string[];
  readonly noConfirmation?: string;
}

/** Reads the settings once per panel; until they arrive, no pattern and no refusal are known. */
export function useRolloutHost(): RolloutHost {
  const [host, setHost] = useState<RolloutHost>({ productionPatterns: [] });
  useEffect(() => {
    void window.netpol.getSettings().then((r) => {
      if (r.ok)
        setHost({
          productionPatterns: r.value.productionPatterns,
          ...(r.value.noConfirmation ? { noConfirmation: r.value.noConfirmation } : {}),
        });
    });
  }, []);
  return host;
}
