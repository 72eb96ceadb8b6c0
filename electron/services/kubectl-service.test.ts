import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standinEnv } from '../../shared/testing/standins';
import { selectorOverlaps } from '../../shared/policy/overlap';
import { policyYaml } from '../../shared/policy/yaml';
import { generate } from '../../shared/policy/generate';
import { initialSelection } from '../../shared/graph/selection';
import { analyzeText } from '../../shared/graph/analysis';
import { fixture, ROOT } from '../../shared/testing/fixtures';
import { KubectlService, looksLikeProduction, type ConfirmRequest } from './kubectl-service';
import { ProcessRunner } from './process-runner';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const set = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'] });
const yamls = set.policies.map((g) => policyYaml(g));

function setup(answers: boolean[] = []) {
  const s = standinEnv({ NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin') });
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-kubectl-'));
  const asked: ConfirmRequest[] = [];
  const service = new KubectlService({
    runner: new ProcessRunner({ binaryPaths: () => ({}), env: s.env, searchPath: () => Promise.resolve(s.env.PATH ?? '') }),
    confirm: (r) => {
      asked.push(r);
      return Promise.resolve(answers.shift() ?? false);
    },
    productionPatterns: () => ['prod', 'production', 'live'],
    stagingDir: path.join(dir, 'staging'),
    auditLog: path.join(dir, 'audit.log'),
    now: () => new Date('2026-11-27T12:00:00Z'),
  });
  return { ...s, service, asked, dir };
}

describe('KubectlService (with the stand-in kubectl)', () => {
  it('lists contexts and namespaces with the user kubeconfig as is', async () => {
    const { service, calls } = setup();
    await expect(service.contexts()).resolves.toEqual({ contexts: ['kind-staging', 'prod-eu'], current: 'kind-staging' });
    await expect(service.namespaces('kind-staging')).resolves.toEqual([
      'default',
      'ingress-nginx',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
    expect(calls().map((c) => c.args.join(' '))).toEqual([
      'config get-contexts -o name',
      'config current-context',
      '--context=kind-staging get namespaces -o json',
    ]);
  });

  it('a snapshot gives workloads, named ports and namespace labels; overlaps show what a selector also matches', async () => {
    const { service, calls } = setup();
    const snap = await service.snapshot('kind-staging');
    expect(calls()[0].args).toEqual(['--context=kind-staging', 'get', 'pods,deploy,sts,ds,job,cronjob,svc,ns', '-A', '-o', 'json']);
    expect(snap.workloads.length).toBe(12);
    expect(snap.namespaces.get('ingress-nginx')).toMatchObject({ 'app.kubernetes.io/name': 'ingress-nginx' });
    const everything = {
      apiVersion: 'networking.k8s.io/v1' as const,
      kind: 'NetworkPolicy' as const,
      metadata: { name: 'all', namespace: 'default' },
      spec: { podSelector: {} },
    };
    expect(selectorOverlaps([everything], snap)[0].matches.length).toBe(12);
    const existing = await service.existingPolicies('kind-staging', 'default');
    expect(existing.map((p) => p.metadata.name)).toContain('frontend-netpol');
  });

  it('dry-runs file by file (client and server)', async () => {
    const { service, calls } = setup();
    const results = await service.dryRun('kind-staging', 'bookinfo', yamls, 'server');
    expect(results.map((r) => r.file)).toEqual(['details.yaml', 'productpage.yaml', 'ratings.yaml', 'reviews.yaml']);
    expect(results[0]).toMatchObject({ ok: true, output: 'networkpolicy.networking.k8s.io/details created (server dry run)' });
    expect(calls()[0].args.slice(0, 5)).toEqual(['--context=kind-staging', 'apply', '--dry-run=server', '-n', 'bookinfo']);
  });

  it('refuses to apply without confirmation: nothing runs, nothing is audited', async () => {
    const { service, calls, asked } = setup([false]);
    await expect(service.apply('kind-staging', 'bookinfo', yamls)).rejects.toMatchObject({
      code: 'refused',
      message: 'Not confirmed: nothing was sent to the cluster.',
    });
    expect(calls()).toEqual([]);
    expect(asked[0].detail).toMatch(/^Context: kind-staging\nNamespace: bookinfo\nFiles:\n {2}details.yaml/);
    await expect(service.auditEntries()).resolves.toEqual([]);
  });

  it('applies after confirmation, audits it with file hashes, and rolls it back', async () => {
    const { service, calls } = setup([true, true]);
    const r = await service.apply('kind-staging', 'bookinfo', yamls);
    expect(r.status).toBe('applied');
    const apply = calls()[0].args;
    expect(apply.slice(0, 4)).toEqual(['--context=kind-staging', 'apply', '-n', 'bookinfo']);
    expect(apply.filter((a) => a === '-f')).toHaveLength(4);
    const [entry] = await service.auditEntries();
    expect(entry).toMatchObject({
      time: '2026-11-27T12:00:00.000Z',
      action: 'apply',
      context: 'kind-staging',
      namespace: 'bookinfo',
      exitCode: 0,
    });
    expect(entry.files.map((f) => f.name)).toEqual(['details.yaml', 'productpage.yaml', 'ratings.yaml', 'reviews.yaml']);
    expect(entry.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const back = await service.rollback();
    expect(back.status).toBe('deleted');
    expect(calls()[1].args.slice(0, 4)).toEqual(['--context=kind-staging', 'delete', '-n', 'bookinfo']);
    expect((await service.auditEntries()).map((e) => e.action)).toEqual(['apply', 'delete']);
    await expect(service.rollback()).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/nothing to roll back/) as unknown,
    });
  });

  it('the production guard needs a second confirmation', async () => {
    expect(looksLikeProduction('prod-eu', ['prod'])).toBe(true);
    expect(looksLikeProduction('product-catalog', ['prod'])).toBe(false);
    const once = setup([true, false]);
    await expect(once.service.apply('prod-eu', 'bookinfo', yamls)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/production guard/) as unknown,
    });
    expect(once.asked[1].title).toBe('This looks like production');
    expect(once.calls()).toEqual([]);
    const twice = setup([true, true]);
    await expect(twice.service.apply('prod-eu', 'bookinfo', yamls)).resolves.toMatchObject({ status: 'applied' });
  });

  it('refuses names that are not names, and policies for another namespace', async () => {
    const { service, calls } = setup([true]);
    await expect(service.namespaces('--kubeconfig=/etc/passwd')).rejects.toThrow(/not a kube context name/);
    await expect(service.apply('kind-staging', 'Bookinfo', yamls)).rejects.toThrow(/not a namespace name/);
    await expect(service.apply('kind-staging', 'default', yamls)).rejects.toThrow(/details is for namespace bookinfo, not default/);
    expect(calls()).toEqual([]);
  });
});

describe('the real kubectl, without a cluster', () => {
  it('reads contexts and the current context from a temporary kubeconfig', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netpol-kubeconfig-'));
    const kubeconfig = path.join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- {name: staging, cluster: {server: "https://127.0.0.1:6443"}}',
        '- {name: prod, cluster: {server: "https://127.0.0.1:6444"}}',
        'users:',
        '- {name: me, user: {token: not-a-real-token}}',
        'contexts:',
        '- {name: kind-staging, context: {cluster: staging, user: me}}',
        '- {name: prod-eu, context: {cluster: prod, user: me, namespace: shop}}',
        'current-context: kind-staging',
        '',
      ].join('\n'),
    );
    const service = new KubectlService({
      runner: new ProcessRunner({ binaryPaths: () => ({ kubectl: '/usr/bin/kubectl' }), env: { ...process.env, KUBECONFIG: kubeconfig } }),
      confirm: () => Promise.resolve(false),
      productionPatterns: () => [],
      stagingDir: dir,
      auditLog: path.join(dir, 'audit.log'),
    });
    await expect(service.contexts()).resolves.toEqual({ contexts: ['kind-staging', 'prod-eu'], current: 'kind-staging' });
  });
});
