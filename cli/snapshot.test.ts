// `--snapshot`: a cluster snapshot resolves what the capture alone cannot, on every command that
// reads a capture; without it, verify never calls an unresolved Service "allowed".
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../shared/testing/fixtures';
import { runCli } from './run';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-snapshot-'));
const snapshot = fixture('field', 'F04-snapshot.json');
// Kibana's connection seen only before the Service was translated: the capture alone cannot resolve it.
const capture = path.join(dir, 'f04-41010.jsonl');
writeFileSync(
  capture,
  readFileSync(fixture('field', 'F04-clusterip-world-destination-service.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('41010'))
    .join('\n'),
);

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('--snapshot', () => {
  it('graph: the Service frontend becomes its backend on the target port', async () => {
    const without = JSON.parse((await cli('graph', capture, '--json')).out) as { edges: { key: string }[] };
    expect(without.edges.map((e) => e.key)).toEqual(['logging/kibana->service:logging/elasticsearch-master:80/TCP']);
    const r = await cli('graph', capture, '--snapshot', snapshot, '--json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out) as { edges: { key: string; evidence: { service: unknown } }[] };
    expect(g.edges.map((e) => [e.key, e.evidence.service])).toEqual([
      ['logging/kibana->logging/elasticsearch-master:9200/TCP', { name: 'logging/elasticsearch-master', resolvedBy: 'snapshot' }],
    ]);
  });

  it('generate and verify: with the snapshot the rule names the backend and verify passes; without it verify says why it cannot', async () => {
    const out = path.join(dir, 'policies');
    expect((await cli('generate', capture, '-n', 'logging', '--snapshot', snapshot, '-o', out)).code).toBe(0);
    const ok = await cli('verify', capture, '--policies', out, '-n', 'logging', '--snapshot', snapshot);
    expect(ok.code).toBe(0);

    const bare = path.join(dir, 'bare');
    const gen = await cli('generate', capture, '-n', 'logging', '-o', bare);
    expect(gen.err).toMatch(/Service frontends that nothing resolved to backends get no rule/);
    const v = await cli('verify', capture, '--policies', bare, '-n', 'logging');
    expect(v.code).toBe(1);
    expect(v.out + v.err).toMatch(/service:logging\/elasticsearch-master is a Service frontend nothing resolved/);
    expect(v.out + v.err).not.toMatch(/every kept observed flow is allowed/i);
  });

  it('a snapshot that cannot be read is an error that names the file and says what to do, exit 2', async () => {
    const missing = await cli('summarize', capture, '--snapshot', path.join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.json: cannot be read \(ENOENT\)/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"kind": "List", "items": [');
    const broken = await cli('summarize', capture, '--snapshot', bad);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/bad\.json/);
    expect(broken.err).toMatch(/kubectl get svc,endpointslices,pods,namespaces -A -o json/);
    expect(broken.err).not.toMatch(/\n\s+at /);
  });
});
