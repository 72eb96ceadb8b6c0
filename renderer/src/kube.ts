import { useEffect, useState } from 'react';
import type { ApiError } from '../../shared/api/contract';
import { errorText } from './tools';

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

/**
 * Why the actions that need a cluster cannot run, in words that say what to do, or undefined when
 * they can: kubectl missing (main's message and hint: install it, or set its path in Settings), or
 * no context in the kubeconfig. Undefined until kubectl has answered.
 */
export function kubeBlocked(k: {
  readonly error: ApiError | null;
  readonly loaded: boolean;
  readonly contexts: readonly string[];
}): string | undefined {
  if (k.error) return errorText(k.error);
  if (k.loaded && k.contexts.length === 0)
    return 'kubectl knows no context: add your cluster to your kubeconfig (`kubectl config get-contexts` lists them).';
  return undefined;
}
