// AI runs as the workspace keeps them, and back: pure, so the workbench stays about the screen.
import { parseDraftReply } from '../../../shared/ai/reply';
import { reviewDraft } from '../../../shared/ai/review';
import type { DraftRun } from '../../../shared/ai/run';
import type { AiRunRecord } from '../../../shared/api/contract';
import type { Selection } from '../../../shared/graph/selection';
import type { ServiceGraph } from '../../../shared/graph/types';

/** A run as the workspace keeps it: the review's verdict and findings, not the parsed policies. */
export function runRecord(run: DraftRun): AiRunRecord {
  const { review, ...rest } = run;
  return {
    ...rest,
    namespaces: [...rest.namespaces],
    omittedEdges: [...rest.omittedEdges],
    tokens: { ...rest.tokens },
    verdict: review?.verdict,
    findings: review?.findings.map((f) => ({ ...f })),
  };
}

/** A run from the workspace, reviewed again against the graph as it is now. */
export function runFromRecord(r: AiRunRecord, graph: ServiceGraph, selection: Selection): DraftRun {
  return {
    id: r.id,
    time: r.time,
    model: r.model,
    endpoint: r.endpoint,
    promptSha256: r.promptSha256,
    namespaces: r.namespaces,
    allowExternalIps: r.allowExternalIps,
    sentEdges: r.sentEdges,
    omittedEdges: r.omittedEdges,
    tokens: r.tokens,
    reply: r.reply,
    error: r.error,
    review: r.error ? undefined : reviewDraft(parseDraftReply(r.reply, r.tokens), graph, selection, r.namespaces, r.omittedEdges),
  };
}
