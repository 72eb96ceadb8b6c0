import { randomUUID } from 'node:crypto';
import { buildDraftPayload, type DraftPayload } from '../../ai/payload';
import { buildDraftMessages, type ChatMessage } from '../../ai/prompt';
import { parseDraftReply } from '../../ai/reply';
import { reviewDraft } from '../../ai/review';
import type { DraftRun } from '../../ai/run';
import { sha256Hex } from '../../bundle/bundle';
import type { Selection } from '../../graph/selection';
import type { ServiceGraph } from '../../graph/types';
import { AiError, complete, type AiEndpoint } from './ai-client';

export type { DraftRun };

export interface DraftRequest {
  readonly namespaces: readonly string[];
  readonly allowExternalIps: boolean;
  readonly tokenBudget?: number;
}

export interface PreparedDraft {
  readonly payload: DraftPayload;
  readonly messages: ChatMessage[];
  readonly promptSha256: string;
}

/** The exact request a draft would send, without sending it: for the preview, and the run itself. */
export async function prepareDraft(
  graph: ServiceGraph,
  selection: Selection,
  request: DraftRequest,
  model: string,
): Promise<PreparedDraft> {
  const payload = buildDraftPayload(graph, selection, request);
  const messages = buildDraftMessages(payload);
  return { payload, messages, promptSha256: await sha256Hex(JSON.stringify({ model, messages })) };
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** Sends the scrubbed edge table to the model, reads the reply as data and reviews every rule against the flows. */
export async function runDraft(
  graph: ServiceGraph,
  selection: Selection,
  request: DraftRequest,
  endpoint: AiEndpoint,
  o: { signal?: AbortSignal; stream?: boolean; timeoutMs?: number; onDelta?: (text: string) => void } = {},
): Promise<DraftRun> {
  const prepared = await prepareDraft(graph, selection, request, endpoint.model);
  const base = {
    id: randomUUID(),
    time: new Date().toISOString(),
    model: endpoint.model,
    endpoint: hostOf(endpoint.baseUrl),
    promptSha256: prepared.promptSha256,
    namespaces: [...request.namespaces],
    allowExternalIps: request.allowExternalIps,
    sentEdges: prepared.payload.sentEdges.length,
    omittedEdges: prepared.payload.omittedEdges,
    tokens: prepared.payload.tokens,
  };
  try {
    const reply = await complete(endpoint, prepared.messages, o);
    const draft = parseDraftReply(reply.text, prepared.payload.tokens);
    return {
      ...base,
      model: reply.model,
      reply: reply.text,
      review: reviewDraft(draft, graph, selection, request.namespaces, prepared.payload.omittedEdges),
    };
  } catch (e) {
    const err = e instanceof AiError ? e : new AiError('unreachable', (e as Error).message);
    return { ...base, reply: err.partial ?? '', error: { kind: err.kind, message: err.message } };
  }
}
