import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandin, STANDIN_KEY, type OpenAiStandin } from '../../testing/standins/openai-standin';
import { analyzeText } from '../../graph/analysis';
import { initialSelection } from '../../graph/selection';
import { mixed } from '../../testing/mixed-capture';
import { complete } from './ai-client';
import { runDraft } from './ai-draft';

const { graph } = analyzeText(mixed, 'mixed.json');
const selection = initialSelection(graph);
const request = { namespaces: ['shop'], allowExternalIps: false };

let standin: OpenAiStandin;
beforeAll(async () => {
  standin = await startOpenAiStandin();
});
afterAll(() => standin.close());

const endpoint = (model: string, apiKey: string | undefined = STANDIN_KEY) => ({ baseUrl: standin.url, model, apiKey });

describe('drafting with an OpenAI-compatible endpoint (the loopback stand-in replays recorded replies)', () => {
  it.each([
    ['good', 'pass', []],
    ['ipblock-pod', 'errors', ['ipblock-in-cluster', 'kept-denied']],
    ['missing-namespace-selector', 'errors', ['kept-denied', 'missing-namespace-selector']],
    // Lint's own severity for an empty selector, as the policies tab gives it once the draft is taken.
    ['empty-pod-selector', 'warnings', []],
    ['no-dns', 'errors', ['kept-denied']],
    ['prose', 'pass', []],
    ['refusal', 'errors', ['refused']],
  ] as const)('%s, streamed and not: verdict %s', async (model, verdict, errors) => {
    for (const stream of [true, false]) {
      const deltas: string[] = [];
      const run = await runDraft(graph, selection, request, endpoint(model), { stream, onDelta: (d) => deltas.push(d) });
      expect(run.error).toBeUndefined();
      expect(run.review?.verdict).toBe(verdict);
      const codes = new Set(run.review!.findings.filter((f) => f.severity === 'error').map((f) => f.code));
      for (const c of errors) expect(codes).toContain(c);
      expect(deltas.join('')).toBe(run.reply);
      if (stream) expect(deltas.length).toBeGreaterThan(model === 'refusal' ? 1 : 10);
      expect(run.promptSha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('sends the scrubbed table and the house rules, never an address or a pod name', async () => {
    const before = standin.requests.length;
    await runDraft(graph, selection, request, endpoint('good'));
    const sent = standin.requests.slice(before)[0];
    expect(sent.authorization).toBe(`Bearer ${STANDIN_KEY}`);
    expect(sent.body.stream).toBe(true);
    const text = sent.body.messages.map((m) => m.content).join('\n');
    expect(text).toContain('Generate a default-deny NetworkPolicy');
    expect(text).toContain('namespaceSelector (kubernetes.io/metadata.name) and podSelector in the SAME peer entry');
    expect(text).toContain('EXTERNAL_IP_1');
    for (const secret of ['203.0.113.7', '10.0.0.', '10.1.0.5', 'web-6f7d9c-aaaaa', 'db-0', 'coredns-5d8f-ccccc'])
      expect(text).not.toContain(secret);
  });

  it('says a stream cut short is cut short, and keeps what arrived', async () => {
    const run = await runDraft(graph, selection, request, endpoint('truncated:good'));
    expect(run.error?.kind).toBe('truncated');
    expect(run.error?.message).toMatch(/cut short after \d+ characters/);
    expect(run.reply.length).toBeGreaterThan(100);
    expect(run.review).toBeUndefined();
    const whole = await runDraft(graph, selection, request, endpoint('truncated:good'), { stream: false });
    expect(whole.error?.kind).toBe('truncated');
    expect(whole.error?.message).toMatch(/length limit/);
  });

  it('says a 429 is a rate limit, with the wait the server asked for', async () => {
    const run = await runDraft(graph, selection, request, endpoint('rate-limited'));
    expect(run.error).toEqual({
      kind: 'rate-limited',
      message: expect.stringMatching(/^Rate limited by 127\.0\.0\.1:\d+ \(429\); try again in 20 s: Rate limit reached/) as string,
    });
  });

  it('names a bad key, a server failure, an unknown model', async () => {
    expect((await runDraft(graph, selection, request, endpoint('good', 'sk-wrong'))).error).toMatchObject({
      kind: 'unauthorized',
      message: expect.stringContaining('(401)') as string,
    });
    expect((await runDraft(graph, selection, request, endpoint('server-error'))).error).toMatchObject({
      kind: 'server-error',
      message: expect.stringContaining('(500)') as string,
    });
    expect((await runDraft(graph, selection, request, endpoint('gpt-nonexistent'))).error).toMatchObject({
      kind: 'not-found',
      message: expect.stringContaining('gpt-nonexistent') as string,
    });
  });

  it('needs a key for a remote endpoint, but not for a local server', async () => {
    const run = await runDraft(graph, selection, request, {
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiKey: undefined,
    });
    expect(run.error).toMatchObject({ kind: 'no-key', message: expect.stringContaining('Settings') as string });
    // The stand-in wants its key, so no key gets as far as the server: a 401, not "no key".
    expect((await runDraft(graph, selection, request, { ...endpoint('good'), apiKey: undefined })).error?.kind).toBe('unauthorized');
  });

  it('says an endpoint that does not answer is unreachable', async () => {
    const run = await runDraft(graph, selection, request, { baseUrl: 'http://127.0.0.1:59999/v1', model: 'm', apiKey: 'k' });
    expect(run.error).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/^Cannot reach http:\/\/127\.0\.0\.1:59999\/v1 \(ECONNREFUSED\)/) as string,
    });
  });

  it('times out, and can be cancelled', async () => {
    const slow = await runDraft(graph, selection, request, endpoint('slow:good'), { timeoutMs: 300 });
    expect(slow.error?.kind).toBe('timeout');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    await expect(complete(endpoint('slow:good'), [{ role: 'user', content: 'x' }], { signal: ac.signal })).rejects.toMatchObject({
      kind: 'cancelled',
    });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
