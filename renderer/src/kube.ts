import { useEffect, useState } from 'react';
import type { ApiError } from '../../shared/api/contract';

/** The kube contexts from main (kubectl), with the current one chosen; the choice is the caller's to change. */
export function useKubeContexts(onError?: (e: ApiError) => void): {
  contexts: string[];
  context: string;
  setContext: (c: string) => void;
  /** True once kubectl answered (with contexts or an error). */
  loaded: boolean;
} {
  const [contexts, setContexts] = useState<string[]>([]);
  const [context, setContext] = useState('');
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    void window.netpol.kubeContexts().then((r) => {
      setLoaded(true);
      if (r.ok) {
        setContexts(r.value.contexts);
        setContext(r.value.current ?? r.value.contexts[0] ?? '');
      } else onError?.(r.error);
    });
    // Asked once per panel: contexts do not change while it is open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { contexts, context, setContext, loaded };
}
