import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { ROOT } from '../testing/fixtures';
import { generate } from './generate';
import { lint } from './lint';
import type { NetworkPolicy } from './types';

const np = (spec: NetworkPolicy['spec'], name = 'p', namespace = 'shop'): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const dns = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [{ protocol: 'UDP' as const, port: 53 }],
};
const web = { matchLabels: { app: 'web' } };
const codes = (p: NetworkPolicy[], ctx = {}) => lint(p, ctx).map((f) => `${f.severity}:${f.code}${f.where ? `@${f.where}` : ''}`);

describe('lint', () => {
  it('a clean policy has no findings', () => {
    expect(
      codes([
        np({
          podSelector: web,
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'lb' } } }] }],
          egress: [dns],
        }),
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'an invalid protocol (schema)',
      np({ podSelector: web, ingress: [{ ports: [{ protocol: 'HTTP' as never, port: 80 }] }] }),
      'error:schema',
    ],
    [
      'a selector on pod-template-hash',
      np({ podSelector: { matchLabels: { 'pod-template-hash': '6f7d9c' } } }),
      'error:unstable-label@spec.podSelector',
    ],
    [
      'egress rules without Egress in policyTypes',
      np({ podSelector: web, policyTypes: ['Ingress'], egress: [dns] }),
      'error:egress-without-type@spec.egress',
    ],
    [
      'an empty podSelector in a peer',
      np({ podSelector: web, ingress: [{ from: [{ podSelector: {} }] }] }),
      'warning:empty-selector@spec.ingress[0].from[0].podSelector',
    ],
    ['an empty peer', np({ podSelector: web, ingress: [{ from: [{}] }] }), 'error:empty-selector@spec.ingress[0].from[0]'],
    [
      'namespaceSelector and podSelector split into two entries',
      np({
        podSelector: web,
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }, { podSelector: { matchLabels: { app: 'prom' } } }] }],
      }),
      'warning:split-peer@spec.ingress[0]',
    ],
    [
      'egress restricted without DNS',
      np({ podSelector: web, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] }),
      'warning:no-dns@spec.policyTypes',
    ],
  ])('flags %s', (_name, policy, code) => {
    const found = codes([policy]);
    expect(found).toContain(code);
    for (const f of lint([policy])) expect(f.fix.length).toBeGreaterThan(10);
  });

  it('with a capture: ipBlock over pod networks, and a cross-namespace peer without namespaceSelector', () => {
    const capture = readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8');
    const { graph } = analyzeText(capture, 'sample');
    const p = np(
      {
        podSelector: { matchLabels: { app: 'productpage' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '10.244.1.0/25' } }] },
          { to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
        ],
      },
      'productpage',
      'bookinfo',
    );
    const found = codes([p], { graph });
    expect(found).toContain('error:ipblock-in-cluster@spec.egress[0].to[0].ipBlock');
    expect(found).toContain('error:missing-namespace-selector@spec.egress[1].to[0]');
    expect(lint([p], { graph }).find((f) => f.code === 'missing-namespace-selector')?.fix).toMatch(
      /kubernetes.io\/metadata.name: kube-system/,
    );
  });

  it('generated policies for the sample pass lint, except the warned DNS gap', () => {
    const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
    const set = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'], defaultDeny: true });
    const findings = lint(
      set.policies.map((g) => g.policy),
      { graph },
    );
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // reviews made no DNS lookup in the capture: both policies that restrict its egress say so.
    expect(findings.map((f) => `${f.policy}:${f.code}`)).toEqual(['bookinfo/default-deny:no-dns', 'bookinfo/reviews:no-dns']);
  });
});
