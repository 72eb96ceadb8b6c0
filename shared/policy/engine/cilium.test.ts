// CiliumNetworkPolicy as Cilium enforces it, form by form (docs.cilium.io "Policy Enforcement Modes",
// "Layer 3/4", "Deny Policies", and cilium/cilium pkg/policy/api): each case a hand-written policy a
// user may bring, judged on a few connections.
import { describe, expect, it } from 'vitest';
import { parsePolicies } from '../yaml';
import { policyEngine, type End, type Flow, type PodEnd, type Verdict3 } from '.';

const pod = (ns: string, app: string, extra: Partial<PodEnd> = {}): PodEnd => ({
  kind: 'pod',
  id: `${ns}/${app}`,
  namespace: ns,
  labels: { app },
  labelsComplete: true,
  ...extra,
});
const web = pod('shop', 'web');
const api = pod('shop', 'api', { podPorts: [[{ name: 'http', containerPort: 8080, protocol: 'TCP' }]] });
const otherWeb = pod('other', 'web');
const host: End = { kind: 'entity', id: 'entity:host', entity: 'host' };
const remote: End = { kind: 'entity', id: 'entity:remote-node', entity: 'remote-node' };
const outside: End = { kind: 'address', id: 'ip:203.0.113.7', ip: '203.0.113.7', names: ['api.example.com'] };
const deep: End = { kind: 'address', id: 'ip:203.0.113.9', ip: '203.0.113.9', names: ['a.b.example.com'] };
const unnamed: End = { kind: 'address', id: 'ip:198.51.100.1', ip: '198.51.100.1' };

function judge(yaml: string, flows: readonly [End, End, Flow['protocol'], number | undefined][]): Verdict3[] {
  const parsed = parsePolicies(yaml);
  expect(parsed.problems).toEqual([]);
  const engine = policyEngine(parsed.policies, parsed.cilium, 'cilium');
  return flows.map(([src, dst, protocol, port]) => engine.evaluate({ src, dst, protocol, port }).verdict);
}

/** Expects each flow, judged under the policies of `yaml`, to get the verdict written at the end of its row. */
function expectVerdicts(yaml: string, rows: readonly [End, End, Flow['protocol'], number | undefined, Verdict3][]): void {
  expect(
    judge(
      yaml,
      rows.map(([src, dst, protocol, port]) => [src, dst, protocol, port]),
    ),
  ).toEqual(rows.map((r) => r[4]));
}

const cnp = (name: string, ns: string, spec: string): string =>
  `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec.replace(/^/gm, '  ')}\n---\n`;

/** A CiliumNetworkPolicy of shop, named after the app whose endpoints it selects, with `rules` (the rest of its spec, as YAML). */
const selecting = (app: string, rules: string): string => cnp(app, 'shop', `endpointSelector: {matchLabels: {app: ${app}}}\n${rules}`);

describe('Cilium: which endpoints a policy selects, and in which namespace', () => {
  it("an endpointSelector selects in the policy's namespace only", () => {
    const y = selecting('web', 'ingress: [{}]');
    expectVerdicts(y, [
      [api, web, 'TCP', 80, 'blocked'],
      [api, otherWeb, 'TCP', 80, 'allowed'],
    ]);
  });

  it("fromEndpoints without a namespace label means the policy's namespace; naming one reaches it", () => {
    const same = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]');
    expectVerdicts(same, [
      [web, api, 'TCP', 8080, 'allowed'],
      [otherWeb, api, 'TCP', 8080, 'blocked'],
    ]);
    const named = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web, k8s:io.kubernetes.pod.namespace: other}}]}]');
    expectVerdicts(named, [
      [web, api, 'TCP', 8080, 'blocked'],
      [otherWeb, api, 'TCP', 8080, 'allowed'],
    ]);
  });

  it('fromEndpoints [{}] is every pod of the namespace, not the host, not the world', () => {
    const y = selecting('api', 'ingress: [{fromEndpoints: [{}]}]');
    expectVerdicts(y, [
      [web, api, 'TCP', 1, 'allowed'],
      [otherWeb, api, 'TCP', 1, 'blocked'],
      [unnamed, api, 'TCP', 1, 'blocked'],
      [remote, api, 'TCP', 1, 'blocked'],
    ]);
  });

  it('a clusterwide policy selects everywhere, and its fromEndpoints [{}] is every pod of the cluster', () => {
    const y = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: api-everywhere}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{}]}]
`;
    expectVerdicts(y, [
      [api, otherWeb, 'TCP', 80, 'allowed'],
      [unnamed, otherWeb, 'TCP', 80, 'blocked'],
    ]);
  });

  it('labels the input does not know make the answer undecided', () => {
    const unknown = pod('shop', 'mystery', { labels: undefined });
    const y = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]');
    expectVerdicts(y, [[unknown, api, 'TCP', 80, 'undecided']]);
  });
});

describe('Cilium: default deny, empty rules and deny rules', () => {
  it('an empty list leaves the direction open; [{}] enforces it and allows nothing', () => {
    const open = selecting('api', 'ingress: []\negress: [{toEndpoints: [{matchLabels: {app: web}}]}]');
    expectVerdicts(open, [
      [web, api, 'TCP', 80, 'allowed'],
      [api, otherWeb, 'TCP', 80, 'blocked'],
      [api, web, 'TCP', 80, 'allowed'],
    ]);
    const closed = selecting('api', 'ingress: [{}]');
    expectVerdicts(closed, [
      [web, api, 'TCP', 80, 'blocked'],
      [api, web, 'TCP', 80, 'allowed'],
    ]);
  });

  it('enableDefaultDeny.ingress false: the allow rules add nothing, the direction stays open', () => {
    const y = selecting('api', 'enableDefaultDeny: {ingress: false}\ningress: [{fromEndpoints: [{matchLabels: {app: web}}]}]');
    expectVerdicts(y, [[otherWeb, api, 'TCP', 80, 'allowed']]);
  });

  it('a deny rule wins over every allow, a Kubernetes NetworkPolicy included; a deny-only policy enforces', () => {
    const y =
      selecting(
        'api',
        'ingress: [{fromEndpoints: [{}]}]\ningressDeny: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "22"}]}]}]',
      ) +
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all-in, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
`;
    expectVerdicts(y, [
      [web, api, 'TCP', 22, 'blocked'],
      [web, api, 'UDP', 22, 'blocked'],
      [web, api, 'TCP', 80, 'allowed'],
    ]);
    const denyOnly = selecting('web', 'egressDeny: [{toEntities: [world]}]');
    expectVerdicts(denyOnly, [
      [web, api, 'TCP', 80, 'blocked'],
      [web, unnamed, 'TCP', 443, 'blocked'],
    ]);
  });

  it('the node reaches its pods whatever the allow rules say (allow-localhost); a deny from the host stops it', () => {
    const y = selecting('api', 'ingress: [{}]');
    expectVerdicts(y, [
      [host, api, 'TCP', 8080, 'allowed'],
      [remote, api, 'TCP', 8080, 'blocked'],
    ]);
    const denied = selecting('api', 'ingressDeny: [{fromEntities: [host]}]');
    expectVerdicts(denied, [[host, api, 'TCP', 8080, 'blocked']]);
  });
});

describe('Cilium: the policies an explanation names', () => {
  const explain = (yaml: string) => {
    const parsed = parsePolicies(yaml);
    expect(parsed.problems).toEqual([]);
    return policyEngine(parsed.policies, parsed.cilium, 'cilium').evaluate({ src: web, dst: api, protocol: 'TCP', port: 8080 });
  };
  const specs = (second: string) =>
    `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspecs:\n` +
    `- endpointSelector: {matchLabels: {app: api}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: db}}]}]\n` +
    `- endpointSelector: {matchLabels: ${second}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: cache}}]}]\n`;

  it('a policy whose specs select the endpoint twice is named once', () => {
    const v = explain(specs('{app: api}'));
    expect(v.verdict).toBe('blocked');
    expect(v.explanation).toMatch(/selected by shop\/api, and no rule allows/);
    expect([v.ingress?.isolating, v.ingress?.maybeIsolating]).toEqual([['shop/api'], []]);
  });

  it('a policy that surely selects the endpoint in one spec and maybe in another is listed as selecting it, once', () => {
    // The second spec's selector names a label key Hubble leaves out: whether it selects is not known.
    const v = explain(specs('{app: api, io.cilium.k8s.policy.serviceaccount: default}'));
    expect([v.ingress?.isolating, v.ingress?.maybeIsolating]).toEqual([['shop/api'], []]);
  });

  it('a CiliumNetworkPolicy and a NetworkPolicy of the same name are one name in the list', () => {
    const np =
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}\n';
    expect(explain(`${specs('{app: api}')}---\n${np}`).explanation).toMatch(/selected by shop\/api, and no rule allows/);
  });
});

describe('Cilium: entities, CIDRs and names', () => {
  it('world is every address outside the cluster; cluster is pods and nodes; all is everything', () => {
    const to = (entity: string): string => selecting('web', `egress: [{toEntities: [${entity}]}]`);
    const targets: [End, End, Flow['protocol'], number][] = [
      [web, unnamed, 'TCP', 443],
      [web, api, 'TCP', 80],
      [web, remote, 'TCP', 10250],
    ];
    expect(judge(to('world'), targets)).toEqual(['allowed', 'blocked', 'blocked']);
    expect(judge(to('cluster'), targets)).toEqual(['blocked', 'allowed', 'allowed']);
    expect(judge(to('all'), targets)).toEqual(['allowed', 'allowed', 'allowed']);
  });

  it('toCIDRSet with except; a CIDR rule never selects a pod or a node', () => {
    const y = selecting('web', 'egress: [{toCIDRSet: [{cidr: 0.0.0.0/0, except: [203.0.113.0/24]}]}]');
    expectVerdicts(y, [
      [web, unnamed, 'TCP', 443, 'allowed'],
      [web, outside, 'TCP', 443, 'blocked'],
      [web, api, 'TCP', 80, 'blocked'],
      [web, remote, 'TCP', 80, 'blocked'],
    ]);
  });

  it('toFQDNs by the names seen, with the DNS rule it needs; without that rule or without a name it cannot be decided', () => {
    const dns =
      'toEndpoints: [{matchLabels: {k8s:k8s-app: kube-dns, k8s:io.kubernetes.pod.namespace: kube-system}}], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]';
    const withDns = selecting('web', `egress:\n- {toFQDNs: [{matchPattern: "*.example.com"}]}\n- {${dns}}`);
    expectVerdicts(withDns, [
      [web, outside, 'TCP', 443, 'allowed'],
      [web, deep, 'TCP', 443, 'blocked'],
      [web, unnamed, 'TCP', 443, 'undecided'],
    ]);
    const noDns = selecting('web', 'egress: [{toFQDNs: [{matchName: api.example.com}]}]');
    expectVerdicts(noDns, [[web, outside, 'TCP', 443, 'undecided']]);
  });
});

describe('Cilium: ports and ICMP', () => {
  const rule = (toPorts: string): string => selecting('api', `ingress: [{fromEndpoints: [{matchLabels: {app: web}}], ${toPorts}}]`);

  it('protocol ANY (or none) is TCP, UDP and SCTP, never ICMP; port "0" is every port; endPort a range', () => {
    expectVerdicts(rule('toPorts: [{ports: [{port: "53"}]}]'), [
      [web, api, 'UDP', 53, 'allowed'],
      [web, api, 'SCTP', 53, 'allowed'],
      [web, api, 'ICMPv4', 8, 'blocked'],
    ]);
    expectVerdicts(rule('toPorts: [{ports: [{port: "0", protocol: TCP}]}]'), [
      [web, api, 'TCP', 31337, 'allowed'],
      [web, api, 'UDP', 1, 'blocked'],
    ]);
    expectVerdicts(rule('toPorts: [{ports: [{port: "8000", endPort: 8010, protocol: TCP}]}]'), [
      [web, api, 'TCP', 8010, 'allowed'],
      [web, api, 'TCP', 8011, 'blocked'],
    ]);
  });

  it('a named port resolves on the destination pod, and cannot be decided where its ports are not known', () => {
    expectVerdicts(rule('toPorts: [{ports: [{port: http, protocol: TCP}]}]'), [
      [web, api, 'TCP', 8080, 'allowed'],
      [web, api, 'TCP', 9090, 'blocked'],
    ]);
    const bare = pod('shop', 'api');
    expectVerdicts(rule('toPorts: [{ports: [{port: http, protocol: TCP}]}]'), [[web, bare, 'TCP', 8080, 'undecided']]);
  });

  it('icmps allow their family and type only; a rule without ports or icmps allows ICMP too', () => {
    const icmp = rule('icmps: [{fields: [{type: 8, family: IPv4}, {type: EchoRequest, family: IPv6}]}]');
    expectVerdicts(icmp, [
      [web, api, 'ICMPv4', 8, 'allowed'],
      [web, api, 'ICMPv4', 13, 'blocked'],
      [web, api, 'ICMPv6', 128, 'allowed'],
      [web, api, 'TCP', 80, 'blocked'],
    ]);
    const l3 = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]');
    expectVerdicts(l3, [
      [web, api, 'ICMPv4', 8, 'allowed'],
      [web, api, 'UDP', 9, 'allowed'],
    ]);
  });

  it('ports without peers allow them from any peer, the world included', () => {
    const y = selecting('api', 'ingress: [{toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]');
    expectVerdicts(y, [
      [unnamed, api, 'TCP', 443, 'allowed'],
      [web, api, 'TCP', 80, 'blocked'],
    ]);
  });
});

describe('Cilium: what a capture cannot show', () => {
  it('L7 rules that filter requests leave their ports undecided; DNS rules that let every name through do not', () => {
    const http = selecting(
      'api',
      'ingress: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /healthz}]}}]}]',
    );
    expectVerdicts(http, [
      [web, api, 'TCP', 8080, 'undecided'],
      [web, api, 'TCP', 9090, 'blocked'],
    ]);
    const dnsAll = selecting(
      'web',
      'egress: [{toEndpoints: [{matchLabels: {app: api}}], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]}]',
    );
    const dnsSome = dnsAll.replace('matchPattern: "*"', 'matchPattern: "*.internal"');
    expectVerdicts(dnsAll, [[web, api, 'UDP', 53, 'allowed']]);
    expectVerdicts(dnsSome, [[web, api, 'UDP', 53, 'undecided']]);
  });

  it('a rule that requires mutual authentication cannot be decided from a capture', () => {
    const y = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}], authentication: {mode: required}}]');
    expectVerdicts(y, [[web, api, 'TCP', 8080, 'undecided']]);
  });
});

describe('Cilium: fromRequires (docs "Requires"; pkg/policy resolveIngressPolicy; removed in 1.19, cilium/cilium#42615)', () => {
  const prodWeb = pod('shop', 'web', { labels: { app: 'web', env: 'prod' } });
  const devWeb = pod('shop', 'web', { id: 'shop/web-dev', labels: { app: 'web', env: 'dev' } });
  const allowWeb = selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "8080"}]}]}]');

  it("within its own rule a requirement narrows the rule's peers up to Cilium 1.18; 1.19 removed it, so an unmet one is undecided", () => {
    expectVerdicts(
      selecting('api', 'ingress: [{fromEndpoints: [{matchLabels: {app: web}}], fromRequires: [{matchLabels: {env: prod}}]}]'),
      [
        [prodWeb, api, 'TCP', 8080, 'allowed'],
        [devWeb, api, 'TCP', 8080, 'undecided'],
        [otherWeb, api, 'TCP', 8080, 'blocked'],
      ],
    );
  });

  it("another policy's requirement: met, allowed; not met, undecided (up to 1.18 it applies to every rule of the pod; 1.19 removed it)", () => {
    const y =
      allowWeb +
      cnp('prod-only', 'shop', 'endpointSelector: {matchLabels: {app: api}}\ningress: [{fromRequires: [{matchLabels: {env: prod}}]}]');
    expectVerdicts(y, [
      [prodWeb, api, 'TCP', 8080, 'allowed'],
      [devWeb, api, 'TCP', 8080, 'undecided'],
    ]);
    const parsed = parsePolicies(y);
    const v = policyEngine(parsed.policies, parsed.cilium, 'cilium').evaluate({ src: devWeb, dst: api, protocol: 'TCP', port: 8080 });
    expect(v.unknowns.join(' ')).toMatch(/shop\/prod-only ingress\[0\] has fromRequires that shop\/web-dev may not meet/);
  });

  it('requirements alone grant nothing; with ports, whether they open them to any peer is not settled', () => {
    expectVerdicts(selecting('api', 'ingress: [{fromRequires: [{matchLabels: {env: prod}}]}]'), [[prodWeb, api, 'TCP', 8080, 'blocked']]);
    expectVerdicts(selecting('api', 'ingress: [{fromRequires: [{matchLabels: {env: prod}}], toPorts: [{ports: [{port: "8080"}]}]}]'), [
      [prodWeb, api, 'TCP', 8080, 'undecided'],
      [prodWeb, api, 'TCP', 9090, 'blocked'],
    ]);
  });
});
