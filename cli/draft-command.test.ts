import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandin, STANDIN_KEY, type OpenAiStandin } from '../shared/testing/standins/openai-standin';
import { mixed } from '../shared/testing/mixed-capture';
import { runCli } from './run';

let standin: OpenAiStandin;
const dir = mkdtempSync(path.join(tmpdir(), 'netpol-draft-cli-'));
const capture = path.join(dir, 'shop.jsonl');
writeFileSync(capture, mixed + '\n');

beforeAll(async () => {
  standin = await startOpenAiStandin();
});
afterAll(() => standin.close());

async function draft(model: string, extra: string[] = [], env: Record<string, string | undefined> = { OPENAI_API_KEY: STANDIN_KEY }) {
  let out = '';
  let err = '';
  const code = await runCli(['draft', capture, '--namespace', 'shop', '--base-url', standin.url, '--model', model, ...extra], {
    out: (s) => (out += s),
    err: (s) => (err += s),
    env,
  });
  return { code, out, err };
}

describe('netpol-studio draft', () => {
  it('prints the draft (tokens restored) and its review; exit 0 when the review finds no error', async () => {
    const r = await draft('good');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# drafted by good at 127\.0\.0\.1:\d+ \(prompt sha256 [0-9a-f]{12}…\)/);
    expect(r.out).toContain('cidr: 203.0.113.7/32');
    expect(r.out).toMatch(/^# review: pass$/m);
  });

  it('exit 1 with the findings when the review finds errors', async () => {
    const r = await draft('missing-namespace-selector', ['--no-stream']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^# review: errors$/m);
    expect(r.out).toMatch(/✗ error: shop\/api spec\.ingress\[0\]\.from\[0\] podSelector alone only matches pods in shop/);
    expect(r.out).toMatch(/fix: Add namespaceSelector/);
  });

  it('exit 2 with a one-line reason when the endpoint fails', async () => {
    const limited = await draft('rate-limited');
    expect(limited.code).toBe(2);
    expect(limited.err).toMatch(/^netpol-studio: Rate limited by 127\.0\.0\.1:\d+ \(429\); try again in 20 s: .*\n$/);
    const cut = await draft('truncated:good');
    expect(cut.code).toBe(2);
    expect(cut.err).toMatch(/cut short/);
    const badKey = await draft('good', [], { OPENAI_API_KEY: 'sk-nope' });
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/refused the API key \(401\)/);
  });

  it('needs OPENAI_API_KEY for a remote endpoint', async () => {
    let err = '';
    const code = await runCli(['draft', capture, '-n', 'shop', '--base-url', 'https://api.openai.com/v1', '--model', 'gpt-4o-mini'], {
      out: () => undefined,
      err: (s) => (err += s),
      env: {},
    });
    expect(code).toBe(2);
    expect(err).toMatch(/No API key is set for https:\/\/api\.openai\.com\/v1/);
  });

  it('--preview prints what would be sent and sends nothing', async () => {
    const before = standin.requests.length;
    const r = await draft('good', ['--preview']);
    expect(r.code).toBe(0);
    expect(standin.requests.length).toBe(before);
    expect(r.out).toContain('shop/web {app=web} | shop/api {app=api} | 8080/TCP');
    expect(r.out).not.toContain('203.0.113.7');
  });

  it('-o writes the draft to a file; --json prints the run', async () => {
    const file = path.join(dir, 'draft.yaml');
    const r = await draft('prose', ['-o', file]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('Sure!');
    expect(readFileSync(file, 'utf8')).toContain('kind: NetworkPolicy');
    const j = await draft('no-dns', ['--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ model: 'no-dns', review: { verdict: 'errors' } });
  });

  it('says what is wrong with the call', async () => {
    let err = '';
    const code = await runCli(['draft', capture, '-n', 'shop', '--model', 'm'], { out: () => undefined, err: (s) => (err += s) });
    expect(code).toBe(2);
    expect(err).toMatch(/draft needs --base-url URL/);
    const other = await draft('good', ['-n', 'nope']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/no workload of namespace nope/);
  });
});
