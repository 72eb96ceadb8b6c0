import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeBrowserServices } from '../browser/services';
import { startOpenAiStandin, STANDIN_KEY, type OpenAiStandin } from '../../shared/testing/standins/openai-standin';
import { draftRules } from '../../shared/ai/adopt';
import { ROOT } from '../../shared/testing/fixtures';
import type { ConfirmRequest } from './ports';
import type { Encryptor } from './secrets';

const encryptor: Encryptor = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(Buffer.from(t, 'utf8').map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
};

let standin: OpenAiStandin;
beforeAll(async () => {
  standin = await startOpenAiStandin();
});
afterAll(() => standin.close());

async function services(model: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-ai-'));
  const composed = composeBrowserServices({
    root: ROOT,
    dataDir,
    encryptor,
    env: process.env,
    searchPath: '/nonexistent',
    chooseWorkspace: () => path.join(dataDir, 'ai.workspace.json'),
    chooseBundle: () => path.join(dataDir, 'bundle'),
    confirm: () => Promise.resolve(false),
  });
  const deltas: string[] = [];
  composed.events.subscribe((event, payload) => {
    if (event === 'aiDelta') deltas.push((payload as { text: string }).text);
  });
  await composed.api.updateSettings({ aiBaseUrl: standin.url, aiModel: model });
  await composed.api.setApiKey(STANDIN_KEY);
  await composed.api.loadSample();
  return { ...composed, dataDir, deltas };
}

const request = { selection: { version: 1 as const, pruned: [] }, namespaces: ['bookinfo'], allowExternalIps: false };

describe('AI drafts through the app API (stand-in endpoint)', () => {
  it('previews the exact payload without sending anything', async () => {
    const { api } = await services('sample-good');
    const before = standin.requests.length;
    const r = await api.aiPreview(request);
    expect(standin.requests.length).toBe(before);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.model).toBe('sample-good');
    expect(r.value.text).toContain('--- system ---');
    expect(r.value.text).toContain('bookinfo/productpage {app=productpage}');
    expect(r.value.sentEdges).toBeGreaterThan(0);
    // What is previewed is what is sent.
    await api.aiDraft(request);
    const sent = standin.requests
      .at(-1)!
      .body.messages.map((m) => `--- ${m.role} ---\n${m.content}`)
      .join('\n\n');
    expect(sent).toBe(r.value.text);
  });

  it('streams the reply as events, reviews it, and never returns or sends the key', async () => {
    const { api, deltas } = await services('sample-good');
    const r = await api.aiDraft(request);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.error).toBeUndefined();
    expect(deltas.join('')).toBe(r.value.reply);
    // The draft adds DNS for reviews, which the capture never saw: a connection never observed
    // (an error), allowed by a rule no flow backs. Another node's flow (remote-node) no
    // NetworkPolicy can allow: an error, as in the policies tab, whose message says the draft is not
    // to blame (the pods' own node gets in whatever the policies say). The rest checks out.
    expect(r.value.review?.verdict).toBe('errors');
    expect(r.value.review?.findings.filter((f) => f.severity !== 'info').map((f) => [f.severity, f.code, f.subject])).toEqual([
      ['error', 'kept-inexpressible', 'entity:remote-node->bookinfo/ratings:9080/TCP'],
      ['error', 'unobserved-allowed', 'bookinfo/reviews->kube-system/kube-dns:53/UDP'],
      ['warning', 'unbacked-rule', 'bookinfo/reviews egress[1]'],
    ]);
    expect(r.value.review?.tally).toEqual({
      error: 2,
      warning: 1,
      info: r.value.review?.findings.filter((f) => f.severity === 'info').length,
    });
    expect(JSON.stringify(r)).not.toContain(STANDIN_KEY);
  });

  it('a draft in progress can be cancelled', async () => {
    const { api } = await services('slow:sample-good');
    const pending = api.aiDraft(request);
    await new Promise((r) => setTimeout(r, 200));
    await expect(api.aiCancel()).resolves.toEqual({ ok: true, value: null });
    const r = await pending;
    expect(r).toMatchObject({ ok: true, value: { error: { kind: 'cancelled' } } });
  });

  it('a failing endpoint comes back as a run with the reason', async () => {
    const { api } = await services('rate-limited');
    const r = await api.aiDraft(request);
    expect(r).toMatchObject({ ok: true, value: { error: { kind: 'rate-limited' } } });
  });

  it('without a capture, says to open one', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-ai-'));
    const { api } = composeBrowserServices({ root: ROOT, dataDir, encryptor, env: process.env, searchPath: '/nonexistent' });
    expect(await api.aiPreview(request)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Open a capture first') as string },
    });
  });

  it('a bundle with a rule taken from the draft: main reads the reply again, and the report names the model and the review', async () => {
    const { api, dataDir } = await services('sample-good');
    const run = await api.aiDraft(request);
    if (!run.ok || !run.value.review) throw new Error('no draft');
    const rule = draftRules(run.value.review.policies)[0].ref;
    const exported = await api.exportBundle(
      {
        selection: request.selection,
        options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false },
        ai: { model: run.value.model, reply: run.value.reply, tokens: run.value.tokens, take: [rule] },
      },
      'folder',
    );
    expect(exported.ok).toBe(true);
    const report = readFileSync(path.join(dataDir, 'bundle', 'REPORT.md'), 'utf8');
    expect(report).toContain('## AI draft');
    expect(report).toContain('`sample-good`');
    expect(report).toContain('taken from the draft by model sample-good');
    const manifest = JSON.parse(readFileSync(path.join(dataDir, 'bundle', 'bundle.json'), 'utf8')) as {
      ai: { model: string; taken: string[] };
    };
    expect(manifest.ai).toMatchObject({ model: 'sample-good', taken: [`${rule.policy} ${rule.direction}[${rule.index}]`] });
  });
});

describe('the API key goes only where the user sent it (an attacker in the renderer)', () => {
  let elsewhere: OpenAiStandin;
  beforeAll(async () => {
    elsewhere = await startOpenAiStandin();
  });
  afterAll(() => elsewhere.close());

  /** The app with a key stored for the stand-in; the native dialog answers from `answers` and records what it was asked. */
  async function keyed(answers: boolean[]) {
    const asked: ConfirmRequest[] = [];
    const composed = composeBrowserServices({
      root: ROOT,
      dataDir: mkdtempSync(path.join(tmpdir(), 'netpol-ai-key-')),
      encryptor,
      env: process.env,
      searchPath: '/nonexistent',
      confirm: (r) => (asked.push(r), Promise.resolve(answers.shift() ?? false)),
    });
    await composed.api.updateSettings({ aiBaseUrl: standin.url, aiModel: 'sample-good' });
    await composed.api.setApiKey(STANDIN_KEY);
    await composed.api.loadSample();
    return { ...composed, asked };
  }
  const sentThere = () => elsewhere.requests.filter((r) => r.authorization?.includes(STANDIN_KEY));
  const elsewhereHost = () => new URL(elsewhere.url).host;

  it('pointing the endpoint at another host asks in main, naming it; not confirmed, nothing changes and the key stays home', async () => {
    const { api, asked } = await keyed([false]);
    await expect(api.getSettings()).resolves.toMatchObject({ ok: true, value: { apiKeyFor: new URL(standin.url).host } });
    const r = await api.updateSettings({ aiBaseUrl: elsewhere.url });
    expect(r).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining(elsewhereHost()) as unknown } });
    expect(asked.map((a) => a.message)).toEqual([`Send your stored API key to ${elsewhereHost()}?`]);
    await expect(api.getSettings()).resolves.toMatchObject({ ok: true, value: { aiBaseUrl: standin.url } });
    const before = elsewhere.requests.length;
    await expect(api.aiDraft(request)).resolves.toMatchObject({ ok: true, value: { review: {} } });
    expect(elsewhere.requests.length).toBe(before);
    expect(standin.requests.at(-1)?.authorization).toBe(`Bearer ${STANDIN_KEY}`);
  });

  it('confirmed, the key goes to the new host, which the user chose', async () => {
    const { api } = await keyed([true]);
    await expect(api.updateSettings({ aiBaseUrl: elsewhere.url })).resolves.toMatchObject({
      ok: true,
      value: { aiBaseUrl: elsewhere.url, apiKeyFor: elsewhereHost() },
    });
    const before = sentThere().length;
    await api.aiDraft(request);
    expect(sentThere().length).toBe(before + 1);
  });

  it('a change of path on the same origin asks nothing; an endpoint changed behind the dialog gets no key', async () => {
    const { api, asked, settings } = await keyed([]);
    await expect(api.updateSettings({ aiBaseUrl: `${standin.url}/` })).resolves.toMatchObject({ ok: true });
    expect(asked).toEqual([]);
    // As if settings.json were edited: the endpoint moves, the key stays bound to where it was stored.
    await settings.update({ aiBaseUrl: elsewhere.url });
    const before = elsewhere.requests.length;
    await api.aiDraft(request);
    expect(elsewhere.requests.length).toBe(before + 1);
    expect(elsewhere.requests.at(-1)?.authorization).not.toContain(STANDIN_KEY);
  });
});
