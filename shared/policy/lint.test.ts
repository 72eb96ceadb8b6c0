import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { ROOT, readFixture } from '../testing/fixtures';
import { generate } from './generate';
import { lint, type LintContext } from './lint';
import type { NetworkPolicy } from './types';
import { parsePolicies } from './yaml';

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
const codes = (p: NetworkPolicy[], ctx: LintContext = {}) =>
  lint(p, ctx).map((f) => `${f.severity}:${f.code}${f.where ? `@${f.where}` : ''}`);
const egressTo = (cidr: string, except?: string[]) =>
  np({ podSelector: web, policyTypes: ['Egress'], egress: [dns, { to: [{ ipBlock: { cidr, except } }] }] });
const sample = () => analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample').graph;

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
      'an invalid protocol (schema), naming the field',
      np({ podSelector: web, ingress: [{ ports: [{ protocol: 'HTTP' as never, port: 80 }] }] }),
      'error:schema',
    ],
    [
      'a selector on pod-template-hash',
      np({ podSelector: { matchLabels: { 'pod-template-hash': '6f7d9c' } } }),
      'error:unstable-label@spec.podSelector',
    ],
    [
      'egress rules when policyTypes leaves Egress out',
      np({ podSelector: web, policyTypes: ['Ingress'], egress: [dns] }),
      'error:dead-section@spec.egress',
    ],
    [
      'ingress rules when policyTypes leaves Ingress out (the mirror)',
      np({
        podSelector: web,
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'lb' } } }] }],
        egress: [dns],
      }),
      'error:dead-section@spec.ingress',
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
      'egress of specific pods restricted without DNS',
      np({ podSelector: web, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] }),
      'warning:no-dns@spec.egress',
    ],
    [
      "an ipBlock in kubeadm's default Service range (a guess, so a warning)",
      egressTo('10.96.0.10/32'),
      'warning:ipblock-service-range@spec.egress[1].to[0].ipBlock',
    ],
  ])('flags %s', (_name, policy, code) => {
    expect(codes([policy])).toContain(code);
    for (const f of lint([policy])) expect(f.fix.length).toBeGreaterThan(10);
  });

  it('the schema finding names the field', () => {
    const [f] = lint([np({ podSelector: web, ingress: [{ ports: [{ protocol: 'HTTP' as never, port: 80 }] }] })]);
    expect(f.message).toContain('spec.ingress[0].ports[0].protocol: expected one of SCTP, TCP, UDP, not "HTTP"');
  });

  it('F14: policyTypes [Egress] with an ingress section is flagged at spec.ingress', () => {
    const read = parsePolicies(readFixture('field', 'F14-policytypes-egress-with-ingress-rules', 'policy.yaml'));
    expect(read.problems).toEqual([]);
    const findings = lint(read.policies);
    // The egress section (web -> db only) also leaves web without DNS: a finding of its own.
    expect(findings.map((f) => `${f.policy}:${f.severity}:${f.code}@${f.where}`)).toEqual([
      'app/web-mixed:error:dead-section@spec.ingress',
      'app/web-mixed:warning:no-dns@spec.egress',
    ]);
    expect(findings[0].message).toMatch(
      /policyTypes lists only Egress, so Kubernetes ignores them: this policy does not restrict ingress to these pods/,
    );
    expect(findings[0].fix).toMatch(/add Ingress to spec.policyTypes/);
  });

  it('no dead section when policyTypes is absent (Kubernetes infers it from the sections)', () => {
    expect(codes([np({ podSelector: web, ingress: [{}], egress: [dns] })])).toEqual([]);
  });

  describe('ipBlocks over the Service range', () => {
    it('is an error when the range is known, and a guess (warning) only without it', () => {
      const p = egressTo('10.96.0.10/32');
      expect(codes([p], { serviceCidrs: ['10.96.0.0/12'] })).toEqual(['error:ipblock-service-range@spec.egress[1].to[0].ipBlock']);
      const [guess] = lint([p]);
      expect(guess.message).toMatch(/kubeadm's default Service range\. That is a guess/);
      expect(guess.fix).toMatch(/--snapshot/);
      expect(codes([egressTo('10.100.3.4/32')])).toEqual(['warning:ipblock-service-range@spec.egress[1].to[0].ipBlock']);
    });

    it('knows ClusterIPs one by one (from a cluster snapshot), and then guesses nothing', () => {
      const ctx = { serviceIps: ['10.96.200.135'] };
      expect(codes([egressTo('10.96.200.135/32')], ctx)).toEqual(['error:ipblock-service-range@spec.egress[1].to[0].ipBlock']);
      expect(codes([egressTo('10.96.0.10/32')], ctx)).toEqual([]);
    });

    it.each([
      ['an external address', '203.0.113.7/32', undefined],
      ['a wider block (it names more than Services)', '10.0.0.0/8', undefined],
      ['a block whose except removes the Service range', '10.96.0.0/11', ['10.96.0.0/12']],
      ['the whole internet', '0.0.0.0/0', undefined],
    ])('leaves %s alone', (_name, cidr, except) => {
      expect(codes([egressTo(cidr, except)], { serviceCidrs: ['10.96.0.0/12'] })).toEqual([]);
    });
  });

  describe('with a capture', () => {
    it('ipBlock inside a pod network is an error; one wider than it a warning unless excepted', () => {
      const graph = sample();
      const p = np(
        {
          podSelector: { matchLabels: { app: 'productpage' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ ipBlock: { cidr: '10.244.1.0/25' } }] },
            { to: [{ podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
            { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }] },
          ],
        },
        'productpage',
        'bookinfo',
      );
      const found = codes([p], { graph });
      expect(found).toContain('error:ipblock-in-cluster@spec.egress[0].to[0].ipBlock');
      expect(found).toContain('error:missing-namespace-selector@spec.egress[1].to[0]');
      expect(found).toContain('warning:ipblock-in-cluster@spec.egress[2].to[0].ipBlock');
      expect(found).not.toContain('warning:ipblock-in-cluster@spec.egress[2].to[1].ipBlock');
      expect(lint([p], { graph }).find((f) => f.code === 'missing-namespace-selector')?.fix).toMatch(
        /kubernetes.io\/metadata.name: kube-system/,
      );
    });

    it('generated policies for the sample pass lint, except the one workload that will lose DNS', () => {
      const graph = sample();
      const set = generate(graph, initialSelection(graph), { namespaces: ['bookinfo'], defaultDeny: true });
      const findings = lint(
        set.policies.map((g) => g.policy),
        { graph },
      );
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      // reviews made no DNS lookup in the capture: one finding for it, not one per policy that isolates it.
      expect(findings.map((f) => `${f.workload}:${f.policy}:${f.code}`)).toEqual(['bookinfo/reviews:bookinfo/reviews:no-dns']);
      expect(findings[0].message).toContain('isolated by bookinfo/default-deny, bookinfo/reviews');
    });
  });
});

describe('lint: DNS and a namespace default deny', () => {
  const denyAll = np({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'default-deny', 'bookinfo');
  const allowDns = (name: string, app: string) =>
    np({ podSelector: { matchLabels: { app } }, policyTypes: ['Egress'], egress: [dns] }, name, 'bookinfo');
  const reviewsToRatings = np(
    {
      podSelector: { matchLabels: { app: 'reviews' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'ratings' } } }] }],
    },
    'reviews',
    'bookinfo',
  );

  it('without a capture, a default deny alone is no finding; a policy for specific pods without DNS is', () => {
    expect(lint([denyAll])).toEqual([]);
    expect(codes([denyAll, reviewsToRatings])).toEqual(['warning:no-dns@spec.egress']);
    const nsWideDns = np({ podSelector: {}, policyTypes: ['Egress'], egress: [dns] }, 'dns', 'bookinfo');
    expect(codes([denyAll, reviewsToRatings, nsWideDns])).toEqual([]);
  });

  it('with a capture: nothing for the deny itself, one finding per workload that talks and loses DNS', () => {
    const graph = sample();
    const findings = lint([denyAll, allowDns('productpage', 'productpage'), reviewsToRatings], { graph });
    // details makes no connection in the capture; productpage may reach kube-dns.
    expect(findings.map((f) => [f.workload, f.policy, f.code, f.severity])).toEqual([
      ['bookinfo/ratings', 'bookinfo/default-deny', 'no-dns', 'warning'],
      ['bookinfo/reviews', 'bookinfo/reviews', 'no-dns', 'warning'],
    ]);
    expect(findings[0].message).toBe(
      'bookinfo/ratings makes connections in the capture but will not resolve names: its egress is isolated by bookinfo/default-deny, and none allows UDP 53 to the cluster DNS the capture shows in use (kube-system/kube-dns)',
    );
    expect(findings[1].message).toContain('isolated by bookinfo/default-deny, bookinfo/reviews');
  });

  it('a namespace the capture does not show falls back to the policy-level check', () => {
    const elsewhere = np(
      { podSelector: web, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] },
      'web',
      'shop',
    );
    expect(lint([denyAll, elsewhere], { graph: sample() }).map((f) => `${f.policy}:${f.code}:${f.workload ?? '-'}`)).toContain(
      'shop/web:no-dns:-',
    );
  });
});
