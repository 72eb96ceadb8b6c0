// Reading policy YAML: never a crash, every document validated, the good ones around a bad one kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ALIASES, parsePolicies } from './yaml';

const np = (name: string, port = '8080'): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: ${name}
  ingress:
  - ports:
    - protocol: TCP
      port: ${port}
`;

/** Nine levels of nine aliases: 9^9 (387 million) leaves from a file of a few hundred bytes. */
const billionLaughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat('bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
  .join('\n');

describe('parsePolicies: documents that cannot be used are problems, never exceptions', () => {
  it('refuses an alias bomb quickly, naming the document, and keeps the documents around it', () => {
    const text = `${np('web')}---\n${billionLaughs}\n---\n${np('db')}`;
    expect(text.length).toBeLessThan(1000);
    const started = performance.now();
    const r = parsePolicies(text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.policies.map((p) => p.metadata.name)).toEqual(['web', 'db']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'aliases', document: 2, line: 15 });
    expect(r.problems[0].message).toMatch(/billion laughs/);
    expect(r.problems[0].message).toContain(String(MAX_ALIASES));
  });

  it('still reads a document that uses a few aliases', () => {
    const r = parsePolicies(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: &sel {matchLabels: {app: a}}\n  ingress: [{from: [{podSelector: *sel}]}]\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.policies[0].spec.ingress?.[0].from?.[0].podSelector).toEqual({ matchLabels: { app: 'a' } });
  });

  it.each([
    ['without items', 'apiVersion: v1\nkind: List\nmetadata: {}\n', /kind List has no items/],
    ['with items: null', 'apiVersion: v1\nkind: NetworkPolicyList\nitems:\n', /kind NetworkPolicyList has no items/],
    ['with items that are not a list', 'apiVersion: v1\nkind: List\nitems: {a: 1}\n', /items that are not a list \(object\)/],
  ])('reports a List %s (not a TypeError)', (_name, text, message) => {
    const r = parsePolicies(`${text}---\n${np('web')}`);
    expect(r.problems).toEqual([{ code: 'list-items', document: 1, line: 1, message: expect.stringMatching(message) as string }]);
    expect(r.problems[0].message).toMatch(/put its objects under "items:"/);
    expect(r.policies).toHaveLength(1);
  });

  it('a wrong field type between two good documents: the field, the document, its first line, what to do', () => {
    const r = parsePolicies(`${np('web')}---\n# the port is a list here\n${np('api', '[8080]')}---\n${np('db')}`);
    expect(r.policies.map((p) => p.metadata.name)).toEqual(['web', 'db']);
    expect(r.problems).toHaveLength(1);
    const [p] = r.problems;
    expect(p).toMatchObject({ code: 'invalid', document: 2, line: 16 });
    expect(p.message).toContain('invalid NetworkPolicy "api"');
    expect(p.message).toContain('spec.ingress[0].ports[0].port: expected string or number, not [8080]');
    expect(p.message).toMatch(/Correct the field/);
  });

  it.each([
    [
      'a protocol',
      'spec:\n  podSelector: {}\n  egress: [{ports: [{protocol: HTTP, port: 80}]}]',
      'spec.egress[0].ports[0].protocol: expected one of SCTP, TCP, UDP, not "HTTP"',
    ],
    ['a missing podSelector', 'spec:\n  ingress: []', 'spec.podSelector: is required'],
    [
      'a label value that is a number',
      'spec:\n  podSelector: {matchLabels: {tier: 1}}',
      'spec.podSelector.matchLabels.tier: expected string, not 1',
    ],
    ['a spec that is a string', 'spec: open', 'spec: expected object'],
    ['no name', 'spec: {podSelector: {}}', 'metadata.name: is required'],
  ])('names the field for %s', (_name, body, expected) => {
    const meta = body.includes('no name') || expected.startsWith('metadata') ? 'metadata: {namespace: a}' : 'metadata: {name: p}';
    const r = parsePolicies(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta}\n${body}\n`);
    expect(r.policies).toEqual([]);
    expect(r.problems[0].code).toBe('invalid');
    expect(r.problems[0].message).toContain(expected);
  });

  it('a bad item of a List is reported at its own line; the other items are read', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: good}
  spec: {podSelector: {}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: bad}
  spec: {podSelector: {}, policyTypes: [Sideways]}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: settings}
`;
    const r = parsePolicies(text);
    expect(r.policies.map((p) => p.metadata.name)).toEqual(['good']);
    expect(r.problems.map((p) => [p.code, p.document, p.line])).toEqual([
      ['invalid', 1, 8],
      ['skipped', 1, 12],
    ]);
    expect(r.problems[0].message).toContain('spec.policyTypes[0]: expected one of Egress, Ingress, not "Sideways"');
    expect(r.problems[1].message).toMatch(
      /^skipped ConfigMap "settings": not a policy this tool reads \(networking.k8s.io\/v1 NetworkPolicy, projectcalico.org\/v3 StagedKubernetesNetworkPolicy and cilium.io\/v2/,
    );
  });

  it('says which apiVersion is read when a policy kind comes with another', () => {
    const r = parsePolicies('apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: old}\nspec: {podSelector: {}}\n');
    expect(r.problems[0]).toMatchObject({ code: 'other-version', document: 1 });
    expect(r.problems[0].message).toMatch(/^skipped NetworkPolicy "old": apiVersion extensions\/v1beta1 is not read/);
  });

  it('YAML that does not parse, and documents that are not objects, are problems with their place', () => {
    const r = parsePolicies(`${np('web')}---\nspec: [unclosed\n---\n- just\n- a list\n---\nplain words\n`);
    expect(r.policies).toHaveLength(1);
    expect(r.problems.map((p) => [p.code, p.document])).toEqual([
      ['yaml', 2],
      ['not-object', 3],
      ['not-object', 4],
    ]);
    expect([15, 16]).toContain(r.problems[0].line); // the line opened on, or where the parser noticed
  });

  it('never throws, whatever the text (fixed seed)', () => {
    const yamlish = fc.array(
      fc.constantFrom('a: ', '&x ', '*x', '[', ']', '{', '}', '- ', '\n', '---\n', 'kind: List', 'items:', ' 1', '"', 'NetworkPolicy'),
      {
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          yamlish.map((parts) => parts.join('')),
        ),
        (text) => {
          const r = parsePolicies(text);
          expect(Array.isArray(r.problems)).toBe(true);
        },
      ),
      { seed: 20240611, numRuns: 400 },
    );
  });
});

describe('parsePolicies: Cilium policies', () => {
  const cnp = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: web
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: lb
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
      rules:
        http:
        - method: GET
  egress:
  - toCIDRSet:
    - cidr: 203.0.113.0/24
      except: [203.0.113.8/29]
  - toFQDNs:
    - matchPattern: "*.example.com"
  - icmps:
    - fields:
      - type: 8
        family: IPv4
      - type: EchoRequest
  egressDeny:
  - toEntities: [world]
  enableDefaultDeny:
    ingress: true
`;
  const ccnp = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: dns
specs:
- endpointSelector: {}
  egress:
  - toEndpoints:
    - matchExpressions:
      - {key: k8s-app, operator: In, values: [kube-dns]}
    toPorts:
    - ports: [{port: "53", protocol: ANY}]
- nodeSelector: {matchLabels: {role: edge}}
  ingress:
  - fromEntities: [remote-node, host]
`;

  it('reads CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy into .cilium; .policies stays NetworkPolicy only', () => {
    const r = parsePolicies(`${cnp}---\n${ccnp}---\n${np('api')}`);
    expect(r.problems).toEqual([]);
    expect(r.policies.map((p) => p.metadata.name)).toEqual(['api']);
    expect(r.cilium.map((p) => `${p.kind}/${p.metadata.name}`)).toEqual(['CiliumNetworkPolicy/web', 'CiliumClusterwideNetworkPolicy/dns']);
    const web = r.cilium[0].spec!;
    expect(web.ingress?.[0].toPorts?.[0].ports?.[0]).toEqual({ port: '8080', protocol: 'TCP' });
    expect(web.ingress?.[0].toPorts?.[0].rules).toEqual({ http: [{ method: 'GET' }] });
    expect(web.egress?.[2].icmps?.[0].fields.map((f) => f.type)).toEqual([8, 'EchoRequest']);
    expect(web.enableDefaultDeny).toEqual({ ingress: true });
    expect(r.cilium[1].specs).toHaveLength(2);
  });

  it.each([
    [
      'a protocol Cilium does not take',
      cnp.replace('protocol: TCP', 'protocol: HTTP'),
      'spec.ingress[0].toPorts[0].ports[0].protocol: expected one of TCP, UDP, SCTP, ANY',
    ],
    [
      'a port that is a list',
      cnp.replace('port: "8080"', 'port: [8080]'),
      'spec.ingress[0].toPorts[0].ports[0].port: expected a string such as "80"',
    ],
    [
      'a port written as a number, which the CRD refuses',
      cnp.replace('port: "8080"', 'port: 8080'),
      'spec.ingress[0].toPorts[0].ports[0].port: is the number 8080: Cilium\'s CRD takes port as a string, and the API server refuses a number; write "8080" in quotes',
    ],
    [
      'an address that is not a CIDR',
      cnp.replace('cidr: 203.0.113.0/24', 'cidr: 203.0.113.0/33'),
      'spec.egress[0].toCIDRSet[0].cidr: expected an address or CIDR',
    ],
    ['a misspelt entity', ccnp.replace('remote-node', 'remote_node'), 'specs[1].ingress[0].fromEntities[0]: expected one of all, cluster'],
    [
      'an ICMP type that is a list',
      cnp.replace('type: 8', 'type: [8]'),
      'spec.egress[2].icmps[0].fields[0].type: expected number or string',
    ],
    [
      'no selector',
      cnp.replace(/ {2}endpointSelector:\n {4}matchLabels:\n {6}app: web\n/, ''),
      'spec: needs exactly one of endpointSelector and nodeSelector',
    ],
    ['neither spec nor specs', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\n', 'spec: needs spec or specs'],
  ])('names the wrong field: %s', (_name, text, expected) => {
    const r = parsePolicies(`${np('before')}---\n${text}---\n${np('after')}`);
    expect(r.cilium).toEqual([]);
    expect(r.policies.map((p) => p.metadata.name)).toEqual(['before', 'after']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'invalid', document: 2, line: 15 });
    expect(r.problems[0].message).toContain(expected);
  });
});
