import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { composeBrowserServices } from '../browser/services';
import { standinEnv } from '../../shared/testing/standins';
import { analyzeText } from '../../shared/graph/analysis';
import { initialSelection } from '../../shared/graph/selection';
import { generate } from '../../shared/policy/generate';
import { policyYaml } from '../../shared/policy/yaml';
import { fixture, hubbleFixture, ROOT } from '../../shared/testing/fixtures';
import type { RolloutRequest } from '../../shared/api/contract';
import { createDispatch } from '../dispatch';
import type { ConfirmRequest } from './ports';
import type { Encryptor } from './secrets';

const encryptor: Encryptor = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(Buffer.from(t, 'utf8').map((b) => b ^ 0x33)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x33)).toString('utf8'),
};

function services(o: { confirm?: boolean[]; withStandins?: boolean; capture?: string; file?: string; bundle?: string } = {}) {
  const s = standinEnv({
    NETPOL_STANDIN_CAPTURE: o.capture ?? hubbleFixture('basic-sample-400-tcp-flows.json'),
    NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'),
    NETPOL_STANDIN_UNREACHABLE_CONTEXT: 'fakectx',
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-app-'));
  const answers = [...(o.confirm ?? [])];
  const asked: ConfirmRequest[] = [];
  const emitted: { event: string; payload: unknown }[] = [];
  const composed = composeBrowserServices({
    root: ROOT,
    dataDir,
    encryptor,
    env: s.env,
    searchPath: o.withStandins === false ? '/nonexistent' : s.env.PATH,
    chooseWorkspace: () => path.join(dataDir, 'team.workspace.json'),
    chooseFile: () => o.file,
    chooseBundle: (as) => o.bundle ?? path.join(dataDir, 'exports', as === 'zip' ? 'bundle.zip' : 'bundle'),
    confirm: (r) => (asked.push(r), Promise.resolve(answers.shift() ?? false)),
  });
  composed.events.subscribe((event, payload) => emitted.push({ event, payload }));
  return { ...composed, ...s, dataDir, emitted, asked };
}

const sampleYaml = () => {
  const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
  return generate(graph, initialSelection(graph), { namespaces: ['bookinfo'] }).policies.map((g) => policyYaml(g));
};

/** The sample's bookinfo policies, to bookinfo-staging. */
const rollout = (more: Partial<RolloutRequest> = {}): RolloutRequest => ({
  context: 'kind-staging',
  namespace: 'bookinfo-staging',
  namespaceMap: ['bookinfo=bookinfo-staging'],
  flavor: 'kubernetes',
  mode: 'enforce',
  policies: sampleYaml(),
  ...more,
});

const payload = {
  selection: { version: 1 as const, pruned: [{ edge: 'bookinfo/reviews->bookinfo/ratings:9080/TCP', by: 'user' as const }] },
  options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' as const },
  notes: '',
};

describe('the app API behind IPC (services with stand-ins)', () => {
  it('the AI key is write-only: stored encrypted, never in settings, never in a reply', async () => {
    const { api, dataDir } = services();
    const key = 'sk-live-0123456789abcdef';
    const replies = [
      await api.setApiKey(key),
      await api.getSettings(),
      await api.updateSettings({ aiModel: 'llama3' }),
      await api.getSettings(),
    ];
    expect(replies[3]).toMatchObject({ ok: true, value: { apiKeySet: true, aiModel: 'llama3' } });
    for (const r of replies) expect(JSON.stringify(r)).not.toContain(key);
    for (const f of readdirSync(dataDir, { recursive: true }) as string[]) {
      const p = path.join(dataDir, f);
      try {
        expect(readFileSync(p, 'utf8')).not.toContain(key);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
      }
    }
    await expect(api.clearApiKey()).resolves.toEqual({ ok: true, value: { apiKeySet: false } });
  });

  it('resolves the open capture with a snapshot main takes of the cluster (read-only, the context checked)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-resolve-'));
    const capture = path.join(dir, 'f04.jsonl');
    writeFileSync(
      capture,
      readFileSync(fixture('field', 'F04-clusterip-world-destination-service.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('41010'))
        .join('\n'),
    );
    const { api, calls } = services({ file: capture });
    expect(await api.resolveWithCluster('kind-staging')).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await api.openCapture()).toMatchObject({ ok: true });
    const before = await api.getGraph();
    expect(before.ok && before.value?.edges.map((e) => e.key)).toEqual(['logging/kibana->service:logging/elasticsearch-master:80/TCP']);
    // A context whose cluster cannot be reached: kubectl's sentence once (not its seven log lines), what to do, and the capture as it was.
    const summary = await api.getSummary();
    await expect(api.resolveWithCluster('fakectx')).resolves.toEqual({
      ok: false,
      error: {
        code: 'command-failed',
        message:
          'kubectl could not read the cluster of context "fakectx": The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?',
        hint: expect.stringMatching(/^Check that this context reaches its cluster .*`kubectl --context=fakectx get pods -A`/) as unknown,
      },
    });
    await expect(api.getSummary()).resolves.toEqual(summary);
    await expect(api.getGraph()).resolves.toEqual(before);
    const r = await api.resolveWithCluster('kind-staging');
    expect(r).toMatchObject({ ok: true, value: { snapshot: 'kubectl --context=kind-staging' } });
    expect(r.ok && r.value.summary.warnings.map((w) => w.code)).not.toContain('unresolved-service');
    expect(calls().at(-1)).toEqual({
      tool: 'kubectl',
      args: ['--context=kind-staging', 'get', 'svc,endpointslices,pods,namespaces', '-A', '-o', 'json'],
    });
    const after = await api.getGraph();
    expect(after.ok && after.value?.edges.map((e) => e.key)).toEqual(['logging/kibana->logging/elasticsearch-master:9200/TCP']);
    // A context name kubectl would read as a flag never reaches it.
    expect(await api.resolveWithCluster('--kubeconfig=/etc/passwd')).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('live capture reports progress as events and opens the result', async () => {
    const { api, emitted, calls } = services();
    const r = await api.startCapture({ namespace: 'bookinfo', window: { kind: 'last', last: 400 } });
    expect(r).toMatchObject({ ok: true, value: { summary: { records: 400, edges: 11 }, sample: false } });
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'bookinfo', '--output', 'jsonpb', '--last', '400']);
    expect(emitted.filter((e) => e.event === 'captureProgress').at(-1)?.payload).toMatchObject({ records: 400 });
    const g = await api.getGraph();
    expect(g.ok && g.value?.edges.length).toBe(11);
  });

  it('drops arrive as events while the watch runs', async () => {
    const { api, emitted, calls } = services({ capture: fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl') });
    await expect(api.startDropWatch({ namespace: 'default' })).resolves.toEqual({ ok: true, value: null });
    for (let i = 0; i < 50 && emitted.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    await api.stopDropWatch();
    expect(calls()[0].args).toEqual(['observe', '--namespace', 'default', '--output', 'jsonpb', '--follow', '--verdict', 'DROPPED']);
    expect(emitted.map((e) => `${e.event} ${(e.payload as { dropReason?: string }).dropReason}`)).toEqual([
      'drop INVALID_SOURCE_IP',
      'drop POLICY_DENIED',
    ]);
  });

  it("in Cilium's audit mode the watch reads AUDIT flows (would have been dropped), not DROPPED", async () => {
    // The Cilium docs' capture with its policy denial seen in audit mode: the same flow, verdict AUDIT.
    const audited = path.join(mkdtempSync(path.join(tmpdir(), 'netpol-audit-')), 'audit.jsonl');
    writeFileSync(
      audited,
      readFileSync(fixture('hubble', 'cilium-docs', 'export-rst-dropped-flows.jsonl'), 'utf8')
        .split('\n')
        .map((l) => (l.includes('POLICY_DENIED') ? l.replace('"verdict":"DROPPED"', '"verdict":"AUDIT"') : l))
        .join('\n'),
    );
    const { api, emitted, calls } = services({ capture: audited });
    await expect(api.startDropWatch({ namespace: 'default', verdict: 'AUDIT' })).resolves.toEqual({ ok: true, value: null });
    for (let i = 0; i < 50 && emitted.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await api.stopDropWatch();
    expect(calls()[0].args.slice(-2)).toEqual(['--verdict', 'AUDIT']);
    expect(emitted.map((e) => `${e.event} ${(e.payload as { verdict: string }).verdict}`)).toEqual(['drop AUDIT']);
  });

  it('a missing hubble is reported with how to install it', async () => {
    const { api } = services({ withStandins: false });
    await expect(api.startDropWatch({ namespace: 'default' })).resolves.toMatchObject({ ok: false, error: { code: 'not-installed' } });
    await expect(api.startCapture({ namespace: 'bookinfo', window: { kind: 'last', last: 10 } })).resolves.toMatchObject({
      ok: false,
      error: {
        code: 'not-installed',
        message: 'hubble was not found on your PATH.',
        hint: expect.stringMatching(/Install the Hubble CLI/) as unknown,
      },
    });
  });

  it('a host without a native confirmation (the browser host) says so in the settings, so the window disables Apply up front', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-app-'));
    const bare = composeBrowserServices({ root: ROOT, dataDir, encryptor });
    await expect(bare.api.getSettings()).resolves.toMatchObject({
      ok: true,
      value: { noConfirmation: expect.stringMatching(/^Applying to a cluster needs the desktop app/) as unknown },
    });
    const confirming = await services().api.getSettings();
    expect(confirming.ok && confirming.value.noConfirmation).toBeUndefined();
  });

  it('apply is refused without the confirmation, and audited when confirmed', async () => {
    const refused = services({ confirm: [false] });
    await expect(refused.api.applyRollout(rollout())).resolves.toMatchObject({
      ok: false,
      error: { code: 'refused' },
    });
    await expect(refused.api.auditLog()).resolves.toEqual({ ok: true, value: [] });
    await expect(refused.api.listRollouts()).resolves.toEqual({ ok: true, value: [] });
    expect(refused.calls()).toEqual([]);
    const yes = services({ confirm: [true] });
    await expect(yes.api.applyRollout(rollout())).resolves.toMatchObject({
      ok: true,
      value: { stage: 'staging', targetNamespace: 'bookinfo-staging', namespaceMap: ['bookinfo=bookinfo-staging'] },
    });
    const audit = await yes.api.auditLog();
    expect(
      audit.ok && audit.value.map((e) => `${e.action} ${e.context} ${e.namespace} ${e.exitCode} ${e.rollout?.namespaceMap.join(',')}`),
    ).toEqual(['apply kind-staging bookinfo-staging 0 bookinfo=bookinfo-staging']);
    // The window is told, and autosaves the workspace that now holds the rollout.
    expect(yes.emitted.filter((e) => e.event === 'rollouts')).toHaveLength(1);
  });

  it('a restart in the middle of a soak: the rollout is written with the workspace at once, and comes back intact', async () => {
    const first = services({ confirm: [true] });
    await first.api.loadSample();
    const applied = await first.api.applyRollout(rollout({ mode: 'audit' }));
    expect(applied.ok).toBe(true);
    const record = applied.ok ? applied.value : undefined;
    // What the window does when told of the new rollout: autosave its workspace. Written now, not after the delay.
    await first.api.autosaveWorkspace(payload);
    const written = JSON.parse(readFileSync(path.join(first.dataDir, 'autosave.workspace.json'), 'utf8')) as { rollouts: unknown[] };
    expect(written.rollouts).toEqual([record]);
    // The renderer's payload has no say in the records: what it claims is dropped by the schema, main's records are written.
    const claimed = await createDispatch(first.api, () => true)('autosaveWorkspace', [{ ...payload, notes: 'later', rollouts: [] }], {
      url: 'x',
    });
    expect(claimed).toMatchObject({ ok: true });
    await first.workspaces.flush();
    const rewritten = JSON.parse(readFileSync(path.join(first.dataDir, 'autosave.workspace.json'), 'utf8')) as {
      notes: string;
      rollouts: unknown[];
    };
    expect(rewritten).toMatchObject({ notes: 'later', rollouts: [record] });

    // A restart: new services on the same data folder, nothing open, nothing in memory.
    const again = composeBrowserServices({
      root: ROOT,
      dataDir: first.dataDir,
      encryptor,
      env: first.env,
      searchPath: first.env.PATH,
      confirm: () => Promise.resolve(true),
    });
    await expect(again.api.listRollouts()).resolves.toEqual({ ok: true, value: [] });
    const offered = await again.api.recoverWorkspace();
    expect(offered.ok && offered.value?.workspace.rollouts).toEqual([record]);
    const restored = await again.api.restoreAutosave();
    expect(restored.ok && restored.value.workspace.rollouts).toEqual([record]);
    await expect(again.api.listRollouts()).resolves.toEqual({ ok: true, value: [record] });
    // Still exact after the restart: the rollback deletes what that apply created, from this app's audit log.
    const back = await again.api.rollbackRollout(record!.id);
    expect(back).toMatchObject({ ok: true, value: { id: record!.id, rollback: { exitCode: 0 } } });
    expect(back.ok && back.value.rollback?.deleted.map((o) => o.name)).toEqual(record!.objects.map((o) => o.name));
  });

  it('saves a workspace for the open capture and opens it again', async () => {
    const { api } = services();
    await api.loadSample();
    const payload = {
      selection: { version: 1 as const, pruned: [{ edge: 'x->y:1/TCP', by: 'user' as const, reason: 'not needed' }] },
      options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' as const },
      notes: 'first pass',
    };
    const saved = await api.saveWorkspace(payload);
    expect(saved.ok && saved.value.file.endsWith('team.workspace.json')).toBe(true);
    const opened = await api.openWorkspace();
    expect(opened).toMatchObject({
      ok: true,
      value: { workspace: { notes: 'first pass', selection: payload.selection }, captureWarning: undefined },
    });
    const settings = await api.getSettings();
    expect(settings.ok && settings.value.recentWorkspaces[0]).toMatch(/team\.workspace\.json$/);
  });

  it('a workspace whose capture is gone or no longer a capture says which, by code, and keeps its work', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-ws-capture-'));
    const capture = path.join(dir, 'capture.jsonl');
    writeFileSync(capture, readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'));
    const { api } = services({ file: capture });
    await api.openCapture();
    const payload = {
      selection: { version: 1 as const, pruned: [] },
      options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' as const },
      notes: 'kept',
    };
    await api.saveWorkspace(payload);
    writeFileSync(capture, 'not a capture\n');
    const unreadable = await api.openWorkspace();
    expect(unreadable).toMatchObject({ ok: true, value: { workspace: { notes: 'kept' }, captureWarning: { code: 'capture-unreadable' } } });
    expect(unreadable.ok && unreadable.value.capture).toBeUndefined();
    rmSync(capture);
    const missing = await api.openWorkspace();
    expect(missing).toMatchObject({ ok: true, value: { workspace: { notes: 'kept' }, captureWarning: { code: 'capture-missing' } } });
    expect(missing.ok && missing.value.capture).toBeUndefined();
  });

  it('a dialog closed without a choice is dismissed, not an error; a refusal and a missing capture have their codes', async () => {
    const { api } = services({ confirm: [false] });
    await expect(api.openCapture()).resolves.toEqual({ ok: false, error: { code: 'dismissed', message: 'No file was chosen.' } });
    await expect(api.rollbackRollout('0123456789abcdef')).resolves.toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    await expect(
      api.previewBundle({
        selection: { version: 1, pruned: [] },
        options: { namespaces: ['bookinfo'], defaultDeny: false, portRanges: false },
      }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-request', message: 'Open a capture first: a bundle is made from one.' },
    });
  });

  it('left-over unsaved work is offered, restored with its capture, or discarded', async () => {
    const first = services();
    await first.api.loadSample();
    const payload = {
      selection: { version: 1 as const, pruned: [{ edge: 'bookinfo/reviews->bookinfo/ratings:9080/TCP', by: 'user' as const }] },
      options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' as const },
      notes: '',
    };
    await first.api.autosaveWorkspace(payload);
    await first.workspaces.flush();
    // A restart: new services on the same data folder, nothing open.
    const again = composeBrowserServices({ root: ROOT, dataDir: first.dataDir, encryptor, env: first.env, searchPath: first.env.PATH });
    await expect(again.api.getSummary()).resolves.toEqual({ ok: true, value: null });
    const offered = await again.api.recoverWorkspace();
    expect(offered).toMatchObject({ ok: true, value: { workspace: { selection: payload.selection } } });
    const restored = await again.api.restoreAutosave();
    expect(restored).toMatchObject({
      ok: true,
      value: { workspace: { selection: payload.selection }, capture: { summary: { records: 1200 } } },
    });
    await expect(again.api.getSummary()).resolves.toMatchObject({ ok: true, value: { summary: { records: 1200 } } });
    await expect(again.api.discardAutosave()).resolves.toEqual({ ok: true, value: null });
    await expect(again.api.recoverWorkspace()).resolves.toEqual({ ok: true, value: null });
    await expect(again.api.restoreAutosave()).resolves.toMatchObject({
      ok: false,
      error: { message: 'There is no unsaved work to restore.' },
    });
  });
});

/** A model's reply (or a renderer that lies about one) naming a policy, or its namespace, as a path. */
const pathReply = (name: string, namespace: string) => `\`\`\`yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  podSelector: {matchLabels: {app: ratings}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: reviews}}}]
    ports: [{port: 9080, protocol: TCP}]
\`\`\``;

describe('names become paths only when they are names (an attacker in the renderer)', () => {
  const request = (reply: string) => ({
    selection: { version: 1 as const, pruned: [] },
    options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false },
    ai: { model: 'm', reply, tokens: {}, take: 'draft' as const },
  });

  it.each([
    ['name', pathReply('../../../x', 'bookinfo')],
    ['namespace', pathReply('x', '../../..')],
  ])('a drafted policy whose %s is a path never reaches the zip, its kustomization or the folder', async (_what, reply) => {
    const { api, dataDir } = services();
    await api.loadSample();
    const zip = await api.exportBundle(request(reply), 'zip');
    expect(zip).toMatchObject({ ok: true });
    const entries = unzipSync(readFileSync(path.join(dataDir, 'exports', 'bundle.zip')));
    for (const name of Object.keys(entries)) expect(name).toMatch(/^(policies\/[a-z0-9-]+\/[a-z0-9.-]+\.yaml|[A-Za-z.-]+)$/);
    expect(Object.keys(entries).some((n) => n.includes('..'))).toBe(false);
    expect(new TextDecoder().decode(entries['kustomization.yaml'])).not.toContain('..');
    const folder = await api.exportBundle(request(reply), 'folder');
    expect(folder).toMatchObject({ ok: true });
    expect(folder.ok && folder.value.files.some((f) => f.includes('..'))).toBe(false);
    expect(readdirSync(dataDir)).not.toContain('x.yaml');
  });
});

describe('export never deletes what it did not write', () => {
  it('a folder that is not a previous bundle is refused, and left as it was; a previous bundle is replaced', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'netpol-home-'));
    writeFileSync(path.join(home, 'thesis.tex'), 'years of work');
    const { api } = services({ bundle: home });
    await api.loadSample();
    const request = {
      selection: { version: 1 as const, pruned: [] },
      options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false },
    };
    await expect(api.exportBundle(request, 'folder')).resolves.toEqual({
      ok: false,
      error: {
        code: 'refused',
        message: expect.stringMatching(/was not replaced: it holds no bundle\.json, so it is not a bundle netpol-studio wrote/) as unknown,
      },
    });
    expect(readdirSync(home)).toEqual(['thesis.tex']);
    const again = services();
    await again.api.loadSample();
    await expect(again.api.exportBundle(request, 'folder')).resolves.toMatchObject({ ok: true });
    await expect(again.api.exportBundle(request, 'folder')).resolves.toMatchObject({ ok: true });
  });
});

describe('a workspace cannot point the app at a device', () => {
  it.each([
    ['/dev/zero', 'a character device'],
    ['a named pipe', 'a named pipe'],
  ])(
    'a workspace whose capture is %s is opened with its work, and the capture refused unread',
    async (what, named) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'netpol-ws-device-'));
      let capture = what;
      if (what === 'a named pipe') {
        capture = path.join(dir, 'capture.jsonl');
        execFileSync('mkfifo', [capture]);
      }
      const file = path.join(dir, 'shared.workspace.json');
      writeFileSync(
        file,
        JSON.stringify({
          version: 1,
          capture: { path: capture, sha256: '0'.repeat(64) },
          selection: { version: 1, pruned: [] },
          options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, flavor: 'kubernetes' },
          notes: 'from a colleague',
          savedAt: '2026-01-01T00:00:00Z',
        }),
      );
      const { api } = services();
      const { api: opener } = composeBrowserServices({ root: ROOT, dataDir: dir, encryptor, chooseWorkspace: () => file });
      const started = Date.now();
      const r = await opener.openWorkspace();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(r).toMatchObject({
        ok: true,
        value: {
          workspace: { notes: 'from a colleague' },
          captureWarning: { code: 'capture-unreadable', message: expect.stringContaining(`names ${named}, not a file`) as unknown },
        },
      });
      expect(r.ok && r.value.capture).toBeUndefined();
      await expect(opener.getSummary()).resolves.toEqual({ ok: true, value: null });
      await expect(api.getSummary()).resolves.toEqual({ ok: true, value: null });
    },
    10_000,
  );
});

describe('settings that choose the programs run, or weaken the production guard, are confirmed in main (an attacker in the renderer)', () => {
  it.each([
    ['kubectlPath', 'kubectl'],
    ['hubblePath', 'hubble'],
  ] as const)('another %s is asked in main, naming the path; not confirmed, nothing is saved', async (field, tool) => {
    const refused = services({ confirm: [false] });
    const r = await refused.api.updateSettings({ [field]: '/tmp/not-mine/bin', aiModel: 'llama3' });
    expect(r).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining('/tmp/not-mine/bin') as unknown } });
    expect(refused.asked.map((a) => a.message)).toEqual([`Run /tmp/not-mine/bin as ${tool}?`]);
    await expect(refused.api.getSettings()).resolves.toMatchObject({ ok: true, value: { [field]: '', aiModel: 'gpt-4o-mini' } });
    const confirmed = services({ confirm: [true] });
    await expect(confirmed.api.updateSettings({ [field]: '/opt/bin/x' })).resolves.toMatchObject({
      ok: true,
      value: { [field]: '/opt/bin/x' },
    });
    // Back to the PATH, or saved again unchanged: nothing to ask.
    await expect(confirmed.api.updateSettings({ [field]: '/opt/bin/x' })).resolves.toMatchObject({ ok: true });
    await expect(confirmed.api.updateSettings({ [field]: '' })).resolves.toMatchObject({ ok: true });
    expect(confirmed.asked).toHaveLength(1);
  });

  it('emptying the production patterns (which removes the second confirmation) is asked; refused, apply still asks twice', async () => {
    const { api, asked } = services({ confirm: [false, true, false] });
    await expect(api.updateSettings({ productionPatterns: [] })).resolves.toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(asked.map((a) => a.title)).toEqual(['Turn off the production guard?']);
    await expect(api.updateSettings({ productionPatterns: ['prod', 'production', 'live', 'prd'] })).resolves.toMatchObject({ ok: true });
    expect(asked).toHaveLength(1);
    // The guard held: applying to a production-looking context asks a second time (declined here).
    await expect(api.applyRollout(rollout({ context: 'prod-eu' }))).resolves.toMatchObject({ ok: false, error: { code: 'refused' } });
    expect(asked.map((a) => a.title)).toEqual(['Turn off the production guard?', 'Apply NetworkPolicies', 'This looks like production']);
  });

  it('dropping one pattern is asked too', async () => {
    const { api, asked } = services({ confirm: [true] });
    await expect(api.updateSettings({ productionPatterns: ['prod', 'live'] })).resolves.toMatchObject({
      ok: true,
      value: { productionPatterns: ['prod', 'live'] },
    });
    expect(asked.map((a) => a.message)).toEqual(['Stop treating names with "production" as production?']);
  });
});

describe('on Linux without a keyring (safeStorage falls back to basic_text)', () => {
  it('the key is refused, and Settings is told plainly what that store would mean', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-basic-text-'));
    const { api } = composeBrowserServices({ root: ROOT, dataDir, encryptor: { ...encryptor, storageBackend: () => 'basic_text' } });
    await expect(api.getSettings()).resolves.toMatchObject({
      ok: true,
      value: {
        apiKeySet: false,
        keyStorage: { encrypted: false, backend: 'basic_text', message: expect.stringMatching(/^No keyring is running/) as unknown },
      },
    });
    await expect(api.setApiKey('sk-live-0123456789abcdef')).resolves.toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining('password built into Electron') as unknown },
    });
    expect(readdirSync(dataDir)).not.toContain('secrets');
  });
});
