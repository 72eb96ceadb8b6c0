import { useEffect, useRef, useState } from 'react';
import type { Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';
import type { GenerateOptions } from '../../../shared/policy/generate';
import type { CiliumNetworkPolicy } from '../../../shared/policy/cilium-types';
import type { NetworkPolicy } from '../../../shared/policy/types';
import { computeFindings, type Findings, type FindingsReply, type FindingsRequest } from './findings-compute';

/** From this many edges, coverage and lint run in a Web Worker. */
const WORKER_EDGES = 1500;
/** How long the worker waits after a change before it checks the policies. */
const WORKER_PAUSE_MS = 400;

export interface FindingsInput {
  readonly policies: readonly (NetworkPolicy | CiliumNetworkPolicy)[];
  readonly graph: ServiceGraph;
  readonly selection: Selection;
  readonly namespaces: readonly string[];
  /** When the policies are the deterministic generation: the worker makes them again from these. */
  readonly generate?: GenerateOptions & { readonly flavor?: 'kubernetes' | 'cilium' };
}

/**
 * Coverage and lint of the policies shown: in a Web Worker (seconds on a 10,000-edge graph), on the
 * main thread after the paint for small graphs or where workers are unavailable. Only the newest
 * answer is shown; until it comes, the last one is marked as being rechecked.
 */
export function useFindings({ policies, graph, selection, namespaces, generate }: FindingsInput): {
  readonly findings: Findings | null;
  readonly checking: boolean;
} {
  const [answer, setAnswer] = useState<{
    readonly findings: Findings;
    readonly policies: readonly (NetworkPolicy | CiliumNetworkPolicy)[];
    readonly selection: Selection;
  } | null>(null);
  const worker = useRef<Worker | null>(null);
  const request = useRef(0);
  const sentGraph = useRef<ServiceGraph | null>(null);
  useEffect(() => () => worker.current?.terminate(), []);
  useEffect(() => {
    const id = ++request.current;
    const onMain = (): ReturnType<typeof setTimeout> =>
      setTimeout(() => {
        if (id === request.current)
          setAnswer({ findings: computeFindings({ policies, graph, selection, namespaces }), policies, selection });
      }, 0);
    if (graph.edges.length < WORKER_EDGES) {
      const t = onMain();
      return () => clearTimeout(t);
    }
    try {
      worker.current ??= new Worker(new URL('./findings.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      const t = onMain();
      return () => clearTimeout(t);
    }
    worker.current.onmessage = (e: MessageEvent<FindingsReply>) => {
      if (e.data.id === request.current && e.data.findings) setAnswer({ findings: e.data.findings, policies, selection });
    };
    // A short pause first: the page and the canvas paint before the worker takes a core (this
    // machine class has two), and a quick run of prunes costs one check, not one each.
    const t = setTimeout(() => {
      const graphChanged = sentGraph.current !== graph;
      sentGraph.current = graph;
      // Cloning 2,000 policies costs the main thread more than generating them again in the worker.
      worker.current?.postMessage({
        id,
        ...(generate ? { generate } : { policies }),
        selection,
        namespaces,
        graph: graphChanged ? graph : undefined,
      } satisfies FindingsRequest);
    }, WORKER_PAUSE_MS);
    return () => clearTimeout(t);
  }, [policies, graph, selection, namespaces, generate]);
  return {
    findings: answer?.findings ?? null,
    checking: !answer || answer.policies !== policies || answer.selection !== selection,
  };
}
