import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
import { looksLikeProduction } from '../../shared/cluster/names';
import { KubectlService, type ConfirmRequest, type MutationIntent } from './kubectl-service';
import { prepareRollout } from './rollout-policies';
import { ProcessRunner } from './process-runner';

const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
const set = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'] });
const yamls = set.policies.map((g) => policyYaml(g));
const staging = () =>
  prepareRollout({ namespace: 'bookinfo-staging', namespaceMap: ['bookinfo=bookinfo-staging'], flavor: 'kubernetes', policies: yamls });
const ID = '00000000000000aa';
const intent = (): MutationIntent => ({
  verb: 'Apply',
  production: 'by-name',
  details: ['Flavor: kubernetes'],
  rollout: {
    id: ID,
    stage: 'staging',
    flavor: 'kubernetes',
    mode: 'enforce',
    sourceNamespaces: ['bookinfo'],
    namespaceMap: ['bookinfo=bookinfo-staging'],
  },
});

function setup(answers: boolean[] = [], extra: Record<string, string> = {}) {
  const s = standinEnv({ NETPOL_STANDIN_CLUSTER: fixture('kubectl-standin'), ...extra });
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

  it('dry-runs file by file (client and server), the policies as mapped to the target', async () => {
    const { service, calls } = setup();
    const results = await service.dryRun('kind-staging', staging(), 'server');
    expect(results.map((r) => r.file)).toEqual(['details.yaml', 'productpage.yaml', 'ratings.yaml', 'reviews.yaml']);
    expect(results[0]).toMatchObject({ ok: true, output: 'networkpolicy.networking.k8s.io/details created (server dry run)' });
    expect(calls()[0].args.slice(0, 5)).toEqual(['--context=kind-staging', 'apply', '--dry-run=server', '-n', 'bookinfo-staging']);
  });

  it('refuses to apply without confirmation: nothing runs, nothing is audited, no file is written', async () => {
    const { service, calls, asked, dir } = setup([false]);
    await expect(service.apply('kind-staging', staging(), intent())).rejects.toMatchObject({
      code: 'refused',
      message: 'Not confirmed: nothing was sent to the cluster.',
    });
    expect(calls()).toEqual([]);
    expect(asked[0]).toMatchObject({
      title: 'Apply NetworkPolicies',
      message: 'Apply 4 NetworkPolicies in bookinfo-staging on kind-staging?',
    });
    expect(asked[0].detail).toMatch(
      /^Context: kind-staging\nNamespace: bookinfo-staging\nNamespace map: bookinfo=bookinfo-staging\nFlavor: kubernetes\nFiles:\n {2}details.yaml/,
    );
    await expect(service.auditEntries()).resolves.toEqual([]);
    expect(existsSync(path.join(dir, 'staging'))).toBe(false);
  });

  it('applies after confirmation: what kubectl created, read from its output, audited with the map and the file hashes', async () => {
    const { service, calls } = setup([true]);
    const prepared = staging();
    const r = await service.apply('kind-staging', prepared, intent());
    expect(r).toMatchObject({ at: '2026-11-27T12:00:00.000Z', exitCode: 0 });
    expect(r.objects.map((o) => `${o.name} ${o.operation}`)).toEqual([
      'details created',
      'productpage created',
      'ratings created',
      'reviews created',
    ]);
    const apply = calls()[0].args;
    expect(apply.slice(0, 4)).toEqual(['--context=kind-staging', 'apply', '-n', 'bookinfo-staging']);
    expect(apply.filter((a) => a === '-f')).toHaveLength(4);
    const [entry] = await service.auditEntries();
    expect(entry).toMatchObject({
      time: '2026-11-27T12:00:00.000Z',
      action: 'apply',
      context: 'kind-staging',
      namespace: 'bookinfo-staging',
      exitCode: 0,
      rollout: { id: ID, namespaceMap: ['bookinfo=bookinfo-staging'], sourceNamespaces: ['bookinfo'] },
    });
    expect(entry.files).toEqual(prepared.policies.map((p) => ({ name: `${p.name}.yaml`, sha256: p.sha256 })));
    expect(entry.rollout?.applied).toEqual(r.objects);
  });

  it('an apply that fails half way says exactly what it created (and what existed before)', async () => {
    const { service } = setup([true], { NETPOL_STANDIN_FORBIDDEN: 'ratings', NETPOL_STANDIN_EXISTING: 'productpage' });
    const r = await service.apply('kind-staging', staging(), intent());
    expect(r.exitCode).toBe(1);
    expect(r.objects.map((o) => `${o.name} ${o.operation}`)).toEqual(['details created', 'productpage configured', 'reviews created']);
    expect(r.output).toMatch(/networkpolicies.networking.k8s.io "ratings" is forbidden: User "dev@example.com" cannot create resource/);
    const [entry] = await service.auditEntries();
    expect(entry).toMatchObject({ exitCode: 1, rollout: { applied: r.objects } });
  });

  it('deletes exactly the objects named, by resource and name, and audits what kubectl deleted', async () => {
    const { service, calls } = setup([true]);
    const objects = [
      { resource: 'networkpolicy.networking.k8s.io', name: 'details' },
      { resource: 'networkpolicy.networking.k8s.io', name: 'reviews' },
    ] as const;
    const r = await service.delete('kind-staging', 'bookinfo-staging', objects, { ...intent(), verb: 'Roll back (delete)' });
    expect(calls()[0].args).toEqual([
      '--context=kind-staging',
      'delete',
      '-n',
      'bookinfo-staging',
      '--ignore-not-found=true',
      'networkpolicy.networking.k8s.io/details',
      'networkpolicy.networking.k8s.io/reviews',
    ]);
    expect(r).toMatchObject({ exitCode: 0, objects });
    const [entry] = await service.auditEntries();
    expect(entry).toMatchObject({ action: 'delete', files: [], rollout: { id: ID, deleted: objects } });
  });

  it('the production guard needs a second confirmation; a promotion always does', async () => {
    expect(looksLikeProduction('prod-eu', ['prod'])).toBe(true);
    expect(looksLikeProduction('product-catalog', ['prod'])).toBe(false);
    const once = setup([true, false]);
    await expect(once.service.apply('prod-eu', staging(), intent())).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/production guard/) as unknown,
    });
    expect(once.asked[1].title).toBe('This looks like production');
    expect(once.calls()).toEqual([]);
    const twice = setup([true, true]);
    await expect(twice.service.apply('prod-eu', staging(), intent())).resolves.toMatchObject({ exitCode: 0 });
    const promote = setup([true, false]);
    await expect(
      promote.service.apply('kind-staging', staging(), { ...intent(), verb: 'Promote', production: 'always' }),
    ).rejects.toMatchObject({
      code: 'refused',
    });
    expect(promote.asked.map((a) => a.title)).toEqual(['Promote NetworkPolicies', 'This is production']);
    expect(promote.calls()).toEqual([]);
  });

  it('refuses names that are not names before kubectl runs', async () => {
    const { service, calls } = setup([true]);
    await expect(service.namespaces('--kubeconfig=/etc/passwd')).rejects.toThrow(/not a kube context name/);
    await expect(service.apply('-A', staging(), intent())).rejects.toThrow(/not a kube context name/);
    await expect(service.apply('kind-staging', staging(), { ...intent(), rollout: { ...intent().rollout, id: '../x' } })).rejects.toThrow(
      /not a rollout id/,
    );
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
