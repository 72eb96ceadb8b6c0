// `lint` and the policy reader on the command line: both kinds linted, bad documents reported with
// their place and skipped, ClusterIPs taken from a cluster snapshot.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../shared/testing/fixtures';
import { runCli } from './run';

const dir = mkdtempSync(path.join(tmpdir(), 'netpol-lint-'));
const sample = fixture('..', 'resources', 'sample-capture.jsonl');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

const cnpEmpty = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: bookinfo}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress: []
`;

describe('lint from the command line', () => {
  it('F14: the folder with the policy and its pods exits 1 naming spec.ingress; the pods are reported as skipped', async () => {
    const r = await cli('lint', fixture('field', 'F14-policytypes-egress-with-ingress-rules'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: app\/web-mixed spec.ingress: has ingress rules, but policyTypes lists only Egress/m);
    expect(r.out).toMatch(/1 policies, 1 error\(s\), 1 warning\(s\)\n$/);
    expect(r.err).toMatch(/pods.yaml: document 1, line 1: skipped Namespace "app": not a policy this tool reads/);
  });

  it('lints CiliumNetworkPolicies too, and a file of them only is not "nothing found"', async () => {
    const r = await cli('lint', file('cilium.yaml', cnpEmpty));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^error: bookinfo\/api spec.ingress: is an empty list, which in a CiliumNetworkPolicy leaves ingress unenforced/);
    expect(r.out).toMatch(/1 policies, 1 error\(s\), 0 warning\(s\)/);
  });

  it('a document with a wrong field is reported with its file, document and line; the others are linted', async () => {
    const f = file(
      'mixed.yaml',
      `${cnpEmpty}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: {}}]}]\n`,
    );
    const r = await cli('lint', f);
    expect(r.err).toContain(
      `${f}: document 2, line 8: invalid NetworkPolicy "web", not read: spec.ingress[0].ports[0].port: expected string or number`,
    );
    expect(r.out).toMatch(/1 policies, 1 error\(s\)/);
  });

  it('with a cluster snapshot the ClusterIPs are known: an ipBlock on one is an error, not a guess', async () => {
    const policy = file(
      'clusterip.yaml',
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: kibana, namespace: logging}
spec:
  podSelector: {matchLabels: {app: kibana}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.96.200.135/32}}]
    ports: [{protocol: TCP, port: 80}]
  - to: [{namespaceSelector: {}}]
    ports: [{protocol: UDP, port: 53}]
`,
    );
    const guessed = await cli('lint', policy);
    expect(guessed.code).toBe(0);
    expect(guessed.out).toMatch(
      /warning: logging\/kibana spec.egress\[0\].to\[0\].ipBlock: ipBlock 10.96.200.135\/32 lies in 10.96.0.0\/12, kubeadm's default Service range. That is a guess/,
    );
    const known = await cli('lint', policy, '--snapshot', fixture('field', 'F04-snapshot.json'));
    expect(known.code).toBe(1);
    expect(known.out).toMatch(
      /error: logging\/kibana spec.egress\[0\].to\[0\].ipBlock: ipBlock 10.96.200.135\/32 lies in a Service's ClusterIP/,
    );
  });

  it('nothing to lint is unusable input (exit 2), naming every kind it looks for', async () => {
    const r = await cli('lint', file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /no networking.k8s.io\/v1 NetworkPolicy, projectcalico.org\/v3 StagedKubernetesNetworkPolicy or cilium.io\/v2 CiliumNetworkPolicy found in/,
    );
  });

  it('verify reads Cilium policies too, and judges them as Cilium enforces them', async () => {
    const r = await cli('verify', sample, '--policies', file('cilium-only.yaml', cnpEmpty));
    expect(r.out).toMatch(/judged as Cilium enforces it/);
    expect(r.code).not.toBe(2);
  });
});
