// Kubernetes NetworkPolicy in three values: what the input does not tell is 'undecided', never guessed.
import { describe, expect, it } from 'vitest';
import { connlist } from '../connlist/connlist';
import { buildModel } from '../connlist/model';
import { parsePolicies } from '../yaml';
import { policyEngine, type End, type PodEnd, type Verdict3 } from '.';

const pod = (ns: string, labels: Record<string, string> | undefined, extra: Partial<PodEnd> = {}): PodEnd => ({
  kind: 'pod',
  id: `${ns}/${labels?.app ?? 'pod'}`,
  namespace: ns,
  labels,
  ...extra,
});

function verdicts(yaml: string, flows: readonly [End, End, number][]): Verdict3[] {
  const engine = policyEngine(parsePolicies(yaml).policies, []);
  return flows.map(([src, dst, port]) => engine.evaluate({ src, dst, protocol: 'TCP', port }).verdict);
}

const np = (spec: string, ns = 'shop'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ${ns}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

describe('Kubernetes NetworkPolicy in three values', () => {
  const api = pod('shop', { app: 'api' });

  it('a peer whose labels are unknown: undecided where the rule names labels, decided where it does not', () => {
    const unknown = pod('shop', undefined);
    const byLabel = np('podSelector: {matchLabels: {app: api}}\ningress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]');
    expect(verdicts(byLabel, [[unknown, api, 80]])).toEqual(['undecided']);
    const everyPod = np('podSelector: {matchLabels: {app: api}}\ningress: [{from: [{podSelector: {}}]}]');
    expect(verdicts(everyPod, [[unknown, api, 80]])).toEqual(['allowed']);
    const none = np('podSelector: {matchLabels: {app: api}}\npolicyTypes: [Ingress]');
    expect(verdicts(none, [[unknown, api, 80]])).toEqual(['blocked']);
  });

  it('a selected pod whose labels are unknown: whether it is isolated at all is undecided', () => {
    const unknown = pod('shop', undefined);
    expect(verdicts(np('podSelector: {matchLabels: {app: api}}\npolicyTypes: [Ingress]'), [[api, unknown, 80]])).toEqual(['undecided']);
    expect(verdicts(np('podSelector: {}\npolicyTypes: [Ingress]'), [[api, unknown, 80]])).toEqual(['blocked']);
  });

  it('a selector on a key Hubble leaves out of identities cannot be judged from captured labels', () => {
    const captured = pod('shop', { app: 'db' });
    const y = np(
      'podSelector: {matchLabels: {app: api}}\ningress: [{from: [{podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}}]}]',
    );
    expect(verdicts(y, [[captured, api, 80]])).toEqual(['undecided']);
    expect(verdicts(y, [[{ ...captured, labelsComplete: true }, api, 80]])).toEqual(['blocked']);
  });

  it('an ipBlock never matches a pod; a node whose address is unknown is undecided against a private block only', () => {
    const web = pod('shop', { app: 'web' });
    const node: End = { kind: 'entity', id: 'entity:remote-node', entity: 'remote-node' };
    const priv = np('podSelector: {matchLabels: {app: api}}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]');
    expect(
      verdicts(priv, [
        [web, api, 80],
        [node, api, 80],
      ]),
    ).toEqual(['blocked', 'undecided']);
    const pub = np('podSelector: {matchLabels: {app: api}}\ningress: [{from: [{ipBlock: {cidr: 203.0.113.7/32}}]}]');
    expect(verdicts(pub, [[node, api, 80]])).toEqual(['blocked']);
  });

  it("a pod's own node always gets in (Kubernetes: a NetworkPolicy cannot block it); traffic to it depends on the CNI; other nodes need a rule", () => {
    const host: End = { kind: 'entity', id: 'entity:host', entity: 'host' };
    const remote: End = { kind: 'entity', id: 'entity:remote-node', entity: 'remote-node' };
    const deny = np('podSelector: {}\npolicyTypes: [Ingress, Egress]');
    expect(
      verdicts(deny, [
        [host, api, 8080],
        [remote, api, 8080],
        [api, host, 10250],
      ]),
    ).toEqual(['allowed', 'blocked', 'undecided']);
    const v = policyEngine(parsePolicies(deny).policies, []).evaluate({ src: host, dst: api, protocol: 'TCP', port: 8080 });
    expect(v.implicit).toBe(true);
    expect(v.ingressRule).toBeUndefined();
    expect(v.explanation).toMatch(/cannot block a pod's own node/);
    const out = policyEngine(parsePolicies(deny).policies, []).evaluate({ src: api, dst: host, protocol: 'TCP', port: 10250 });
    expect(out.unknowns.join(' ')).toMatch(/to and from a pod's own node is always allowed, but CNIs differ/);
  });

  it('IPv6 ipBlocks with except are address ranges like IPv4 ones', () => {
    const a: End = { kind: 'address', id: 'a', ip: '2001:db8::1' };
    const b: End = { kind: 'address', id: 'b', ip: '2001:db8:ff::1' };
    const y = np(
      'podSelector: {matchLabels: {app: api}}\ningress: [{from: [{ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:ff::/48"]}}]}]',
    );
    expect(
      verdicts(y, [
        [a, api, 80],
        [b, api, 80],
      ]),
    ).toEqual(['allowed', 'blocked']);
  });
});

describe('the policies an explanation names', () => {
  const web = pod('shop', { app: 'web' }, { labelsComplete: true });
  const api = pod('shop', { app: 'api' }, { labelsComplete: true });
  const explain = (yaml: string) => {
    const parsed = parsePolicies(yaml);
    return policyEngine(parsed.policies, parsed.cilium).evaluate({ src: web, dst: api, protocol: 'TCP', port: 80 });
  };

  it('names a policy once when the input gives it twice ("selected by X", not "X, X")', () => {
    const isolate = np('podSelector: {matchLabels: {app: api}}\npolicyTypes: [Ingress]');
    const v = explain(`${isolate}---\n${isolate}`);
    expect(v.verdict).toBe('blocked');
    expect(v.explanation).toMatch(/selected by shop\/p, and no rule allows/);
    expect(v.ingress?.isolating).toEqual(['shop/p']);
  });

  it('names each of two policies once, in input order', () => {
    const one = np('podSelector: {matchLabels: {app: api}}\npolicyTypes: [Ingress]');
    const two = one.replace('name: p,', 'name: q,');
    expect(explain(`${one}---\n${two}---\n${one}---\n${two}`).explanation).toMatch(/selected by shop\/p, shop\/q, and no rule/);
  });
});

describe('connlist with IPv6 ipBlocks', () => {
  it('lists IPv6 ranges beside the IPv4 ones instead of dropping them', () => {
    const docs = parsePolicies(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
---
${np('podSelector: {matchLabels: {app: api}}\npolicyTypes: [Egress]\negress: [{to: [{ipBlock: {cidr: "2001:db8::/32"}}], ports: [{port: 443}]}]')}`);
    const objects = [
      { kind: 'Namespace', metadata: { name: 'shop' } },
      { kind: 'Pod', metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } }, spec: { containers: [] } },
      ...docs.policies,
    ] as Record<string, unknown>[];
    const lines = connlist(buildModel(objects)).map((c) => `${c.src} => ${c.dst} : ${c.conn}`);
    expect(lines).toContain('shop/api[Pod] => 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] : TCP 443');
    expect(lines.some((l) => l.includes('0.0.0.0-255.255.255.255[External]') && l.startsWith('0.0.0.0'))).toBe(true);
  });
});
