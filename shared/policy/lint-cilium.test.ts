import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { ROOT } from '../testing/fixtures';
import { generateCilium } from './cilium';
import type { CiliumNetworkPolicy, CiliumPolicySpec } from './cilium-types';
import { lintCilium, type LintContext } from './lint';
import { parsePolicies, policySetYaml } from './yaml';

const cnp = (spec: CiliumPolicySpec, name = 'web'): CiliumNetworkPolicy => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec,
});
const web = { matchLabels: { app: 'web' } };
const codes = (p: CiliumNetworkPolicy[], ctx: LintContext = {}) =>
  lintCilium(p, ctx).map((f) => `${f.severity}:${f.code}${f.where ? `@${f.where}` : ''}`);

describe('lintCilium', () => {
  it('a clean policy has no findings', () => {
    const p = cnp({
      endpointSelector: web,
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { app: 'lb', 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
          toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
        },
      ],
      egress: [{ toEntities: ['world'] }, { toCIDR: ['0.0.0.0/0'] }],
    });
    expect(codes([p], { podCidrs: ['10.244.0.0/16'] })).toEqual([]);
  });

  it('F08: ingress: [] and egress: [] leave both directions unenforced, so they are flagged', () => {
    const findings = lintCilium([cnp({ endpointSelector: web, ingress: [], egress: [] })]);
    expect(findings.map((f) => `${f.severity}:${f.code}@${f.where}`)).toEqual([
      'error:cilium-empty-section@spec.ingress',
      'error:cilium-empty-section@spec.egress',
    ]);
    expect(findings[0].message).toMatch(/leaves ingress unenforced .*: it is not a deny/);
    expect(findings[0].fix).toMatch(/"ingress: \[\{\}\]" \(a rule that allows nothing\) or set enableDefaultDeny.ingress: true/);
  });

  it.each([
    ['the explicit deny-all form', { endpointSelector: web, ingress: [{}], egress: [{}] }],
    [
      'an empty list with enableDefaultDeny for that direction',
      { endpointSelector: web, ingress: [], egress: [], enableDefaultDeny: { ingress: true, egress: true } },
    ],
    ['no section at all', { endpointSelector: web, ingressDeny: [{ fromEntities: ['world' as const] }] }],
  ])('does not flag %s', (_name, spec) => {
    expect(codes([cnp(spec)])).toEqual([]);
  });

  it('flags unstable labels in every selector, whatever the source prefix; Cilium’s own selector keys are stable', () => {
    const p = cnp({
      endpointSelector: { matchLabels: { 'k8s:pod-template-hash': '6f7d9c' } },
      ingress: [
        {
          fromEndpoints: [
            {
              matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'io.cilium.k8s.policy.serviceaccount': 'api', 'reserved:host': '' },
            },
            { matchExpressions: [{ key: 'any:controller-revision-hash', operator: 'Exists' }] },
          ],
        },
      ],
      egress: [{ toEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a', 'batch.kubernetes.io/job-name': 'x' } }] }],
    });
    expect(codes([p])).toEqual([
      'error:unstable-label@spec.endpointSelector',
      'error:unstable-label@spec.ingress[0].fromEndpoints[1]',
      'error:unstable-label@spec.egress[0].toEndpoints[0]',
    ]);
  });

  it('CIDR rules over pod networks never match (Cilium does not match its pods by CIDR); over the Service range they never match either', () => {
    const p = cnp({
      endpointSelector: web,
      egress: [{ toCIDR: ['10.244.1.7/32'] }, { toCIDRSet: [{ cidr: '10.96.0.0/16' }, { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }],
      ingress: [{ fromCIDR: ['10.244.0.0/24'] }],
    });
    const found = codes([p], { podCidrs: ['10.244.0.0/16'] });
    expect(found).toEqual([
      'error:ipblock-in-cluster@spec.ingress[0].fromCIDR[0]',
      'error:ipblock-in-cluster@spec.egress[0].toCIDR[0]',
      'warning:ipblock-service-range@spec.egress[1].toCIDRSet[0]',
    ]);
    expect(lintCilium([p], { podCidrs: ['10.244.0.0/16'] })[0].message).toMatch(
      /Cilium does not apply CIDR rules to its own pods: it never matches them/,
    );
    expect(codes([p], { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] })).toContain(
      'error:ipblock-service-range@spec.egress[1].toCIDRSet[0]',
    );
  });

  it('reads specs[] and a CiliumClusterwideNetworkPolicy, naming the spec in the path', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: edge}
specs:
- endpointSelector: {}
  egress: [{toEntities: [kube-apiserver]}]
- nodeSelector: {matchLabels: {role: edge}}
  ingress: []
`;
    const read = parsePolicies(text);
    expect(read.problems).toEqual([]);
    expect(lintCilium(read.cilium).map((f) => `${f.policy}:${f.code}@${f.where}`)).toEqual([
      'clusterwide/edge:cilium-empty-section@specs[1].ingress',
    ]);
  });

  it('a policy built in code with a wrong field is a schema finding naming it', () => {
    const bad = cnp({ endpointSelector: web, egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'DNS' as never }] }] }] });
    const [f] = lintCilium([bad]);
    expect(f.code).toBe('schema');
    expect(f.message).toContain('spec.egress[0].toPorts[0].ports[0].protocol: expected one of TCP, UDP, SCTP, ANY');
  });

  it('generated Cilium policies for the sample raise nothing but the empty sections the generator still writes (F08) and the workload that will lose DNS', () => {
    const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
    const set = generateCilium(graph, initialSelection(graph), { namespaces: ['bookinfo'], defaultDeny: true });
    // Linted as written: the YAML read back.
    const read = parsePolicies(policySetYaml(set));
    expect(read.problems).toEqual([]);
    expect(read.cilium).toHaveLength(set.policies.length);
    const findings = lintCilium(read.cilium, { graph });
    // reviews makes connections and no lookup of its was seen: its egress policy allows no DNS, as
    // generate warned (the Kubernetes flavor says the same).
    expect(findings.filter((f) => f.code !== 'cilium-empty-section').map((f) => [f.code, f.workload, f.policy])).toEqual([
      ['no-dns', 'bookinfo/reviews', 'bookinfo/reviews'],
    ]);
    expect(set.warnings.find((w) => w.code === 'no-dns')?.subjects).toEqual(['bookinfo/reviews']);
  });
  it('a workload the capture shows talking loses DNS under an egress rule set with no rule to the DNS server (no-dns); port 53 ANY to it is enough', () => {
    const { graph } = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample');
    const ratings = { matchLabels: { app: 'ratings' } };
    const toMongo = { toEndpoints: [{ matchLabels: { app: 'mongodb' } }] };
    const only = (spec: CiliumPolicySpec) => ({ ...cnp(spec, 'ratings'), metadata: { name: 'ratings', namespace: 'bookinfo' } });
    const lost = lintCilium([only({ endpointSelector: ratings, egress: [toMongo] })], { graph }).filter((f) => f.code === 'no-dns');
    expect(lost.map((f) => [f.workload, f.policy])).toEqual([['bookinfo/ratings', 'bookinfo/ratings']]);
    expect(lost[0].message).toMatch(/will not resolve names: its egress is isolated by bookinfo\/ratings/);
    const dns = {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' as const }] }],
    };
    expect(lintCilium([only({ endpointSelector: ratings, egress: [toMongo, dns] })], { graph }).filter((f) => f.code === 'no-dns')).toEqual(
      [],
    );
  });

  describe('toFQDNs without the DNS proxy (fqdn-without-dns)', () => {
    const fqdn = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' as const }] }] };
    const dns = (endpointSelector: CiliumPolicySpec['endpointSelector']) =>
      cnp(
        {
          endpointSelector,
          egress: [
            {
              toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
              toPorts: [{ ports: [{ port: '53', protocol: 'ANY' as const }], rules: { dns: [{ matchPattern: '*' }] } }],
            },
          ],
        },
        'dns',
      );

    it('flags a toFQDNs rule when nothing sends its pods’ DNS through the proxy', () => {
      expect(codes([cnp({ endpointSelector: web, egress: [{ toEntities: ['kube-apiserver'] }, fqdn] })])).toEqual([
        'warning:fqdn-without-dns@spec.egress[1].toFQDNs',
      ]);
    });

    it.each([
      ['in the same rule set', cnp({ endpointSelector: web, egress: [fqdn, ...dns(web).spec!.egress!] })],
      ['in a namespace-wide policy ({} selects every pod)', [cnp({ endpointSelector: web, egress: [fqdn] }), dns({})]],
      [
        'in a policy on a subset of the labels, prefixed',
        [cnp({ endpointSelector: { matchLabels: { app: 'web', tier: 'a' } }, egress: [fqdn] }), dns({ matchLabels: { 'k8s:app': 'web' } })],
      ],
    ])('does not flag it when the DNS rule is %s', (_name, given) => {
      expect(codes(Array.isArray(given) ? given : [given])).toEqual([]);
    });

    it('still flags it when the DNS rule is for other pods, or in another namespace', () => {
      const other = dns({ matchLabels: { app: 'api' } });
      const elsewhere = { ...dns({}), metadata: { name: 'dns', namespace: 'other' } };
      expect(codes([cnp({ endpointSelector: web, egress: [fqdn] }), other, elsewhere])).toEqual([
        'warning:fqdn-without-dns@spec.egress[0].toFQDNs',
      ]);
    });
  });
});
