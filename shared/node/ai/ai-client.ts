import OpenAI from 'openai';
import type { ChatMessage } from '../../ai/prompt';
import type { AiErrorKind } from '../../ai/run';

export type { AiErrorKind };

/** Why a model gave no usable reply, in one line a person can act on. */
export class AiError extends Error {
  constructor(
    readonly kind: AiErrorKind,
    message: string,
    /** What had arrived before the failure (a stream cut short). */
    readonly partial?: string,
  ) {
    super(message);
  }
}

export interface AiEndpoint {
  readonly baseUrl: string;
  readonly model: string;
  /** Undefined when none is stored; a local server on loopback may not need one. */
  readonly apiKey: string | undefined;
}

export interface CompletionOptions {
  readonly signal?: AbortSignal;
  /** Stream the reply (the default); false asks for the whole reply at once. */
  readonly stream?: boolean;
  readonly timeoutMs?: number;
  readonly onDelta?: (text: string) => void;
}

export interface Completion {
  readonly text: string;
  readonly model: string;
  readonly finishReason: string;
}

const isLoopback = (url: string): boolean => {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** The lowest-level reason of a connection failure (ECONNREFUSED, ENOTFOUND…), or the message. */
function causeOf(e: Error): string {
  let c: unknown = e;
  for (let i = 0; i < 5 && (c as { cause?: unknown }).cause; i++) c = (c as { cause: unknown }).cause;
  const code = (c as { code?: unknown }).code;
  return typeof code === 'string' ? code : (c as Error).message.replace(/\.$/, '');
}

/** Maps what the SDK throws to a kind and a one-line reason. */
export function aiErrorOf(e: unknown, endpoint: AiEndpoint, partial: string): AiError {
  if (e instanceof AiError) return e;
  const host = (() => {
    try {
      return new URL(endpoint.baseUrl).host;
    } catch {
      return endpoint.baseUrl;
    }
  })();
  const detail = (x: { error?: unknown; message: string }): string => {
    const m = (x.error as { message?: unknown } | undefined)?.message;
    return typeof m === 'string' ? m : x.message;
  };
  if (e instanceof OpenAI.APIUserAbortError) return new AiError('cancelled', 'The request was cancelled.', partial);
  if (e instanceof OpenAI.APIConnectionTimeoutError) return new AiError('timeout', `${host} did not answer in time.`, partial);
  if (e instanceof OpenAI.APIConnectionError) {
    return partial
      ? new AiError('truncated', `The reply was cut short after ${partial.length} characters: the connection to ${host} dropped.`, partial)
      : new AiError('unreachable', `Cannot reach ${endpoint.baseUrl} (${causeOf(e)}): is the server running, and is the URL right?`);
  }
  if (e instanceof OpenAI.RateLimitError) {
    const after = e.headers?.get('retry-after');
    return new AiError('rate-limited', `Rate limited by ${host} (429)${after ? `; try again in ${after} s` : ''}: ${detail(e)}`);
  }
  if (e instanceof OpenAI.AuthenticationError || e instanceof OpenAI.PermissionDeniedError)
    return new AiError('unauthorized', `${host} refused the API key (${e.status}): ${detail(e)} Set a valid key in Settings.`);
  if (e instanceof OpenAI.NotFoundError)
    return new AiError('not-found', `${host} has no model "${endpoint.model}" or no chat completions at this URL (404): ${detail(e)}`);
  if (e instanceof OpenAI.InternalServerError)
    return new AiError('server-error', `${host} failed (${e.status}): ${detail(e)} Try again later.`);
  if (e instanceof OpenAI.APIError)
    return new AiError('bad-request', `${host} rejected the request (${e.status ?? 'no status'}): ${detail(e)}`);
  // The body stream breaking mid-reply surfaces as a plain error from fetch.
  if (partial)
    return new AiError('truncated', `The reply was cut short after ${partial.length} characters: ${(e as Error).message}`, partial);
  return new AiError('unreachable', `The request to ${host} failed: ${(e as Error).message ?? String(e)}`);
}

/**
 * A chat completion from any OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, Ollama,
 * vLLM): the reply streams through onDelta as it arrives, with a timeout and cancellation. No
 * retries: a rate limit or an outage is said at once rather than hidden behind waiting.
 */
export async function complete(endpoint: AiEndpoint, messages: readonly ChatMessage[], o: CompletionOptions = {}): Promise<Completion> {
  if (!endpoint.model.trim())
    throw new AiError('no-model', 'No model is set. Choose one in Settings (e.g. gpt-4o-mini, or llama3.1 for Ollama).');
  if (!endpoint.apiKey && !isLoopback(endpoint.baseUrl))
    throw new AiError(
      'no-key',
      `No API key is set for ${endpoint.baseUrl}: add one in the app's Settings (it is stored encrypted), or set OPENAI_API_KEY for the CLI.`,
    );
  const client = new OpenAI({
    apiKey: endpoint.apiKey ?? 'no-key-needed-on-loopback',
    baseURL: endpoint.baseUrl,
    timeout: o.timeoutMs ?? 120_000,
    maxRetries: 0,
  });
  const request = { model: endpoint.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), temperature: 0 };
  let text = '';
  try {
    if (o.stream === false) {
      const r = await client.chat.completions.create({ ...request, stream: false }, { signal: o.signal });
      const choice = r.choices[0];
      if (choice?.message.refusal) throw new AiError('refused', `The model declined: ${choice.message.refusal}`);
      text = choice?.message.content ?? '';
      o.onDelta?.(text);
      if (choice?.finish_reason === 'length')
        throw new AiError('truncated', `The reply was cut short at the model's length limit after ${text.length} characters.`, text);
      return { text, model: r.model || endpoint.model, finishReason: choice?.finish_reason ?? 'stop' };
    }
    const stream = await client.chat.completions.create({ ...request, stream: true }, { signal: o.signal });
    let finish: string | null = null;
    let model = endpoint.model;
    let refusal = '';
    for await (const chunk of stream) {
      model = chunk.model || model;
      const choice = chunk.choices[0];
      if (!choice) continue;
      if (choice.delta.refusal) refusal += choice.delta.refusal;
      const piece = choice.delta.content ?? '';
      if (piece) {
        text += piece;
        o.onDelta?.(piece);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (refusal) throw new AiError('refused', `The model declined: ${refusal}`);
    if (finish === 'length')
      throw new AiError('truncated', `The reply was cut short at the model's length limit after ${text.length} characters.`, text);
    if (finish === null)
      throw new AiError('truncated', `The reply was cut short after ${text.length} characters: the stream ended without finishing.`, text);
    return { text, model, finishReason: finish };
  } catch (e) {
    throw aiErrorOf(e, endpoint, text);
  }
}
