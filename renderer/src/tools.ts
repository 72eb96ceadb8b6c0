import { useEffect, useState } from 'react';
import type { ApiError } from '../../shared/api/contract';

/** An error as one sentence a person acts on: what happened, then what to do. */
export function errorText(e: Pick<ApiError, 'message' | 'hint'>): string {
  return `${e.message}${e.hint ? ` ${e.hint}` : ''}`;
}

/**
 * Why an action that runs `tool` cannot, in words that say what to do (main's not-installed error
 * and its hint, which names what works in this host); null when the tool is there, undefined until
 * main has answered. Asked again whenever `ask` changes (a form opened again may find it installed since).
 */
export function useToolProblem(tool: 'hubble' | 'kubectl', ask: unknown = true): string | null | undefined {
  const [problem, setProblem] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    if (!ask) return;
    let live = true;
    void window.netpol.findTool(tool).then((r) => live && setProblem(r.ok ? null : errorText(r.error)));
    return () => {
      live = false;
    };
  }, [tool, ask]);
  return problem;
}
