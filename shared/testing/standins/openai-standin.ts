// A stand-in for an OpenAI-compatible endpoint, on loopback: it replays the replies in
// fixtures/ai/replies (the model name picks one) as chat completions, streamed (server-sent
// events, in the chunks the API sends) or not, and plays the failures: 401, 429, 500, a stream
// cut short, a slow reply. It records every request so tests can check what was sent.
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture } from '../fixtures';

export interface RecordedRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: {
    model: string;
    stream?: boolean;
    messages: { role: string; content: string }[];
    [k: string]: unknown;
  };
}

export interface OpenAiStandin {
  /** The base URL to configure (`http://127.0.0.1:PORT/v1`). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The key the stand-in accepts; any other is answered with 401. */
export const STANDIN_KEY = 'sk-standin-test-key';

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

/** Splits a reply into the small pieces a streaming API sends (a few words each). */
export function chunksOf(text: string): string[] {
  return text.match(/[\s\S]{1,24}(?:\s|$)|[\s\S]{1,24}/g) ?? [];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startOpenAiStandin(): Promise<OpenAiStandin> {
  const requests: RecordedRequest[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        json(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      const body = JSON.parse(raw) as RecordedRequest['body'];
      requests.push({ path: req.url, authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${STANDIN_KEY}`) {
        json(res, 401, {
          error: {
            message: 'Incorrect API key provided: sk-***. You can find your API key in your account settings.',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        });
        return;
      }
      const [mode, name] = body.model.includes(':') ? body.model.split(':', 2) : ['', body.model];
      if (body.model === 'rate-limited') {
        json(
          res,
          429,
          {
            error: {
              message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.',
              type: 'requests',
              code: 'rate_limit_exceeded',
            },
          },
          { 'retry-after': '20' },
        );
        return;
      }
      if (body.model === 'server-error') {
        json(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
        return;
      }
      const file = fixture('ai', 'replies', `${name}.md`);
      if (!existsSync(file)) {
        json(res, 404, {
          error: { message: `The model \`${body.model}\` does not exist`, type: 'invalid_request_error', code: 'model_not_found' },
        });
        return;
      }
      if (mode === 'slow') await new Promise((r) => setTimeout(r, 15_000));
      const content = readFileSync(file, 'utf8');
      const id = `chatcmpl-standin-${++n}`;
      const created = Math.floor(Date.now() / 1000);
      const cut = mode === 'truncated';
      if (!body.stream) {
        json(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: cut ? content.slice(0, content.length / 2) : content, refusal: null },
              finish_reason: cut ? 'length' : 'stop',
            },
          ],
          usage: { prompt_tokens: 900, completion_tokens: 700, total_tokens: 1600 },
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const send = (delta: object, finish: string | null) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
        );
      send({ role: 'assistant', content: '' }, null);
      const chunks = chunksOf(content);
      const upto = cut ? Math.floor(chunks.length / 2) : chunks.length;
      for (let i = 0; i < upto; i++) {
        send({ content: chunks[i] }, null);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      if (cut) {
        // The connection drops mid-reply: no finish_reason, no [DONE].
        res.socket?.destroy();
        return;
      }
      send({}, 'stop');
      res.end('data: [DONE]\n\n');
    })().catch((e: unknown) => {
      if (!res.headersSent) json(res, 400, { error: { message: (e as Error).message, type: 'invalid_request_error' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
