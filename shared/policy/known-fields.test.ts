// A field a policy kind does not have is a wrong field (a typo changes what a rule allows), and so is
// a quoted port number in a NetworkPolicy; fields the kinds do have, however rare, are not.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parsePolicies } from './yaml';
import { portNameIssues, unknownCiliumFields, unknownNetworkPolicyFields } from './known-fields';

const np = (spec: string) =>
  parse(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n${spec}`);
const cnp = (spec: string) =>
  parse(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n${spec}`);
const paths = (issues: readonly { path: string; message: string }[]) => issues.map((i) => i.path);

const parse = (text: string): unknown => parseYaml(text) as unknown;

describe('fields a NetworkPolicy does not have', () => {
  it('names each typo by its path, with the closest field', () => {
    const doc = np(`  podSelecter: {}
  ingress:
  - fromm: [{podSelector: {matchLabel: {app: web}}}, {ipBlock: {cidrs: 10.0.0.0/8}}]
    ports: [{port: 80, protocl: TCP}]
  egress:
  - to: [{namespaceSelector: {matchExpressions: [{key: a, operator: Exists, value: [x]}]}}]`);
    const issues = unknownNetworkPolicyFields(doc);
    expect(paths(issues)).toEqual([
      'spec.podSelecter',
      'spec.ingress[0].fromm',
      'spec.ingress[0].ports[0].protocl',
      'spec.egress[0].to[0].namespaceSelector.matchExpressions[0].value',
    ]);
    expect(issues[0].message).toMatch(/did you mean "podSelector"/);
    expect(issues[1].message).toMatch(/did you mean "from"/);
    // Under a typo nothing is walked (what it holds means nothing); a typo inside a known field is found.
    const egress = np(`  podSelector: {}
  egress:
  - to: [{namespaceSelector: {matchExpressions: [{key: a, operator: Exists, value: [x]}]}}, {ipBlock: {cidrs: 10.0.0.0/8}}]`);
    expect(paths(unknownNetworkPolicyFields(egress))).toEqual([
      'spec.egress[0].to[0].namespaceSelector.matchExpressions[0].value',
      'spec.egress[0].to[1].ipBlock.cidrs',
    ]);
  });

  it('a typo in metadata is found too: `namspace` would put the policy in default', () => {
    const doc = parse(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namspace: shop, labels: {a: b}, annotations: {c: d}, resourceVersion: "1", uid: x}\nspec: {podSelector: {}}',
    );
    const issues = unknownNetworkPolicyFields(doc);
    expect(paths(issues)).toEqual(['metadata.namspace']);
    expect(issues[0].message).toMatch(/did you mean "namespace"/);
  });

  it('every field of the kind passes: endPort, except, policyTypes, status', () => {
    const doc = np(`  podSelector: {matchLabels: {app: api}, matchExpressions: [{key: a, operator: In, values: [b]}]}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {}, podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{protocol: TCP, port: 80, endPort: 90}]}]
  egress: [{to: [{podSelector: {}}], ports: [{port: http}]}]
status: {}`);
    expect(unknownNetworkPolicyFields(doc)).toEqual([]);
    expect(portNameIssues(doc)).toEqual([]);
  });

  it('a quoted port number is refused with the fix; a port name must be one', () => {
    const doc = np(`  podSelector: {}
  ingress: [{ports: [{port: "8000"}, {port: http-alt}, {port: HTTP}, {port: a--b}, {port: 8000}]}]`);
    const issues = portNameIssues(doc);
    expect(paths(issues)).toEqual(['spec.ingress[0].ports[0].port', 'spec.ingress[0].ports[2].port', 'spec.ingress[0].ports[3].port']);
    expect(issues[0].message).toMatch(/write 8000 without quotes/);
  });
});

describe('fields a CiliumNetworkPolicy does not have', () => {
  it('names each typo by its path, in spec and in each of specs', () => {
    const doc = cnp(`  endpointSelector: {matchLabels: {app: api}}
  ingress: [{fromEndpoint: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "80", protocl: TCP}]}]}]
  egress: [{toFQDN: [{matchName: example.com}]}]
  egressDeny: [{toFQDNs: [{matchName: example.com}]}]`);
    expect(paths(unknownCiliumFields(doc))).toEqual([
      'spec.ingress[0].fromEndpoint',
      'spec.ingress[0].toPorts[0].ports[0].protocl',
      'spec.egress[0].toFQDN',
      'spec.egressDeny[0].toFQDNs',
    ]);
    const specs: unknown = parse(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: p}
specs:
- {nodeSelector: {}, ingress: [{fromEntities: [host]}]}
- {endpointselector: {}, ingress: [{}]}`);
    expect(paths(unknownCiliumFields(specs))).toEqual(['specs[1].endpointselector']);
  });

  it('every field Cilium has passes, and levels this tool does not judge are not walked', () => {
    const doc = cnp(`  endpointSelector: {matchLabels: {app: api}}
  description: x
  labels: [{key: a, value: b}]
  log: {value: x}
  enableDefaultDeny: {ingress: true, egress: false}
  ingress:
  - fromEndpoints: [{}]
    fromRequires: [{matchLabels: {env: prod}}]
    fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}, {cidrGroupRef: g}]
    fromNodes: [{matchLabels: {a: b}}]
    fromGroups: [{aws: {securityGroupsIds: [sg-1]}}]
    authentication: {mode: required}
    toPorts: [{ports: [{port: "80", endPort: 90, protocol: TCP}], rules: {http: [{method: GET, anything: x}]}, serverNames: [a], listener: {envoyConfig: {name: x}, name: y}}]
    icmps: [{fields: [{family: IPv4, type: 8}]}]
  egress:
  - toServices: [{k8sService: {serviceName: a, namespace: b}}]
    toFQDNs: [{matchPattern: "*.example.com"}]
    toCIDR: [192.0.2.0/24]
  egressDeny: [{toEntities: [world], toRequires: [{}]}]
  ingressDeny: [{fromEntities: [host]}]`);
    expect(unknownCiliumFields(doc)).toEqual([]);
  });
});

describe('reading a file', () => {
  it('a document with an unknown field is not read, and says where and what to write', () => {
    const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {}
  ingress: [{fromm: [{podSelector: {}}], ports: [{port: "8000"}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec: {endpointSelector: {}, ingress: [{fromEndpoint: [{}]}]}
---
apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: {name: api, namespace: shop}
spec: {stagedAction: Set, podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}
`;
    const r = parsePolicies(text);
    expect(r.policies).toEqual([]);
    expect(r.cilium).toEqual([]);
    expect(r.staged.map((p) => p.metadata.name)).toEqual(['api']);
    expect(r.problems.map((p) => [p.code, p.document])).toEqual([
      ['invalid', 1],
      ['invalid', 2],
    ]);
    expect(r.problems[0].message).toMatch(
      /spec\.ingress\[0\]\.fromm: is not a field here \(did you mean "from"\?\).*write 8000 without quotes/,
    );
    expect(r.problems[1].message).toMatch(/spec\.ingress\[0\]\.fromEndpoint: is not a field here \(did you mean "fromEndpoints"\?\)/);
  });
});
