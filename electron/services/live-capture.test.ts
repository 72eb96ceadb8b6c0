import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standinEnv } from '../../e2e/standins';
import type { FlowRecord } from '../../shared/flows/types';
import { allowDrop } from '../../shared/graph/drops';
import { initialSelection, isKept } from '../../shared/graph/selection';
import { generate } from '../../shared/policy/generate';
import { fixture, hubbleFixture } from '../../shared/testing/fixtures';
import { checkCaptureRequest, LiveCapture, watchDrops } from './live-capture';
import { ProcessRunner, RunError } from './process-runner';

function setup(extra: Record<string, string>) {
  const s = standinEnv(extra);
  const runner = new ProcessRunner({ binaryPaths: () => ({}), env: s.env, searchPath: () => Promise.resolve(s.env.PATH ?? '') });
  const captureDir = mkdtempSync(path.join(tmpdir(), 'netpol-live-'));
  return { ...s, runner, live: new LiveCapture({ runner, captureDir }) };
}

describe('LiveCapture (with the stand-in hubble)', () => {
  it('captures with --since into the same pipeline as files, saves the raw capture and reports progress', async () => {
    const capture = hubbleFixture('basic-sample-400-tcp-flows.json');
    const { live, calls } = setup({ NETPOL_STANDIN_CAPTURE: capture });
    const progress: number[] = [];
    const r = await live.start({ namespace: 'bookinfo', window: { kind: 'since', since: '30m' }, server: 'localhost:4245' }, (p) =>
      progress.push(p.records),
    );
    expect(calls()).toEqual([
      {
        tool: 'hubble',
        args: ['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--since', '30m', '--server', 'localhost:4245'],
      },
    ]);
    expect(r.analysis.stats.records).toBe(400);
    expect(r.analysis.graph.edges).toHaveLength(11);
    expect(progress.at(-1)).toBe(400);
    expect(readFileSync(r.file, 'utf8')).toBe(readFileSync(capture, 'utf8'));
    expect(r.stoppedByUser).toBe(false);
  });

  it('--follow for a duration ends on time and keeps what arrived', async () => {
    const { live, calls } = setup({
      NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-udp-flows.json'),
      NETPOL_STANDIN_DELAY_MS: '1',
    });
    const t0 = Date.now();
    const r = await live.start({ namespace: 'bookinfo', window: { kind: 'follow', seconds: 1 } }, () => undefined);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--follow']);
    expect(r.analysis.stats.records).toBeGreaterThan(10);
    expect(r.analysis.stats.badLines).toBe(0);
  });

  it('stopping keeps what was captured', async () => {
    const { live } = setup({ NETPOL_STANDIN_CAPTURE: hubbleFixture('basic-sample-400-tcp-flows.json'), NETPOL_STANDIN_DELAY_MS: '2' });
    const running = live.start({ namespace: 'bookinfo', window: { kind: 'follow', seconds: 600 } }, () => undefined);
    await new Promise((res) => setTimeout(res, 400));
    expect(live.running).toBe(true);
    live.stop();
    const r = await running;
    expect(r.stoppedByUser).toBe(true);
    expect(r.analysis.stats.records).toBeGreaterThan(0);
    expect(r.analysis.stats.records).toBeLessThan(400);
    expect(readFileSync(r.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(r.analysis.stats.records);
  });

  it('refuses bad requests before running anything, and reports hubble failures', async () => {
    expect(checkCaptureRequest({ namespace: '--all', window: { kind: 'last', last: 10 } })).toMatch(/not a namespace name/);
    expect(checkCaptureRequest({ namespace: 'a', window: { kind: 'since', since: '5 minutes; rm -rf /' } })).toMatch(/not a duration/);
    expect(checkCaptureRequest({ namespace: 'a', window: { kind: 'last', last: 10 }, server: '-x:1' })).toMatch(
      /not a hubble relay address/,
    );
    const { live, calls } = setup({ NETPOL_STANDIN_MODE: 'fail' });
    await expect(live.start({ namespace: 'Bad', window: { kind: 'last', last: 1 } }, () => undefined)).rejects.toBeInstanceOf(RunError);
    expect(calls()).toEqual([]);
    await expect(live.start({ namespace: 'bookinfo', window: { kind: 'last', last: 100 } }, () => undefined)).rejects.toThrow(
      /hubble exited with code 3/,
    );
  });
});

describe('watching drops', () => {
  it('streams DROPPED flows, and "allow this flow" gives the rule that was missing', async () => {
    const { runner, calls } = setup({ NETPOL_STANDIN_CAPTURE: fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl') });
    const ac = new AbortController();
    const drops: FlowRecord[] = [];
    await watchDrops(runner, { namespace: 'default' }, ac.signal, (d) => {
      drops.push(d);
      if (drops.length === 2) ac.abort();
    });
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'default', '--output', 'jsonpb', '--follow', '--verdict', 'DROPPED']);
    expect(drops.map((d) => `${d.verdict} ${d.dropReason}`)).toEqual(['DROPPED INVALID_SOURCE_IP', 'DROPPED POLICY_DENIED']);

    // xwing -> deathstar:80 was denied: allowing it adds the edge, keeps it, and the next generation has the rule.
    const api = { kind: 'workload' as const, namespace: 'default', name: 'deathstar', identity: { 'org.example/class': 'deathstar' } };
    const xwing = { kind: 'workload' as const, namespace: 'default', name: 'xwing', identity: { 'org.example/class': 'xwing' } };
    const drop: FlowRecord = { ...drops[1], src: xwing, dst: api };
    const empty = { nodes: [], edges: [], namespaces: [], window: null, warnings: [] };
    const { graph, selection, edgeKey } = allowDrop(empty, initialSelection(empty), drop);
    expect(edgeKey).toBe('default/xwing->default/deathstar:80/TCP');
    expect(isKept(selection, edgeKey)).toBe(true);
    const set = generate(graph, selection, { namespaces: ['default'] });
    const deathstar = set.policies.find((g) => g.policy.metadata.name === 'deathstar')!.policy;
    expect(deathstar.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'org.example/class': 'xwing' } } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });
});
