// The handed cases of issue 11 (F08, F16, the newcomer's Calico example) and variants of their kinds:
// a verdict never says "allowed" when it is not, and says "cannot be decided" when the input cannot tell.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterSnapshot } from '../cluster/snapshot';
import { analyzeText } from '../graph/analysis';
import { initialSelection } from '../graph/selection';
import { readFixture, fixture } from '../testing/fixtures';
import { generateCilium } from './cilium';
import { generate } from './generate';
import { policyEngine } from './engine';
import { endsFromGraph, verify } from './verify';
import { parsePolicies } from './yaml';
import { verifySet } from '../testing/verify-set';

describe('F16: a named port the capture cannot resolve', () => {
  const { graph } = analyzeText(readFixture('field', 'F16-named-port-verify', 'capture.jsonl'), 'capture.jsonl');
  const dir = fixture('field', 'F16-named-port-verify', 'policies');
  const policies = readdirSync(dir).flatMap((f) => parsePolicies(readFixture('field', 'F16-named-port-verify', 'policies', f)).policies);
  const snapshot = parseClusterSnapshot([JSON.parse(readFixture('field', 'F16-named-port-verify', 'snapshot.json'))], 'snapshot.json');
  const edge = 'beta/client-b->alpha/server-a:8000/TCP';

  it('without a snapshot: undecided, saying the port name cannot be resolved and that a snapshot decides it (exit 3)', () => {
    const c = verify(policies, graph, initialSelection(graph), ['beta']);
    expect(c.keptDenied).toEqual([]);
    expect(c.keptUndecided.map((f) => f.edge)).toEqual([edge]);
    expect(c.keptUndecided[0].explanation).toMatch(/named port "http-api" cannot be resolved.*--snapshot/);
    expect(c.keptUndecided[0].decide?.join(' ')).toMatch(/snapshot/);
    expect(c.verdict).toMatchObject({ status: 'undecided', exitCode: 3 });
  });

  it('with a snapshot where http-api is 8000 on the server: allowed by that rule (exit 0)', () => {
    const c = verify(policies, graph, initialSelection(graph), ['beta'], { snapshot });
    expect(c.keptAllowed).toEqual([
      { edge, verdict: 'allowed', egress: { policy: 'beta/allow-egress-by-port-name', direction: 'egress', index: 0 } },
    ]);
    expect(c.verdict).toMatchObject({ status: 'pass', exitCode: 0 });
  });

  it('with a snapshot where http-api is another port: blocked', () => {
    const other: unknown = JSON.parse(
      readFixture('field', 'F16-named-port-verify', 'snapshot.json').replace('"containerPort": 8000', '"containerPort": 9000'),
    );
    const c = verify(policies, graph, initialSelection(graph), ['beta'], { snapshot: parseClusterSnapshot([other], 'other.json') });
    expect(c.keptDenied.map((f) => f.edge)).toEqual([edge]);
    expect(c.verdict.status).toBe('fail');
  });

  it('a namespaceSelector on a label the capture does not carry is undecided; the snapshot with namespaces decides it', () => {
    const bySelector = parsePolicies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-logging-team, namespace: alpha}
spec:
  podSelector: {matchLabels: {app: server-a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: logging}}
    ports: [{protocol: TCP, port: 8000}]
`).policies;
    const unknown = verify(bySelector, graph, initialSelection(graph), ['alpha']);
    expect(unknown.keptUndecided.map((f) => f.edge)).toEqual([edge]);
    expect(unknown.keptUndecided[0].explanation).toMatch(/labels of namespace beta/);
    const known = verify(bySelector, graph, initialSelection(graph), ['alpha'], { snapshot });
    expect(known.keptAllowed.map((f) => f.edge)).toEqual([edge]);
  });
});

describe('F08: the Cilium flavor never leaves a direction unenforced', () => {
  const { graph } = analyzeText(readFixture('field', 'F08-cilium-empty-sections.jsonl'), 'F08.jsonl');
  const selection = initialSelection(graph);

  it('a direction with no allowed peer is an explicit deny-all rule ({}), never an empty list', () => {
    const set = generateCilium(graph, selection, { namespaces: ['jobs'] });
    const byName = new Map(set.policies.map((g) => [g.policy.metadata.name, g.policy.spec]));
    expect(byName.get('api')?.egress).toEqual([{}]);
    expect(byName.get('worker')?.ingress).toEqual([{}]);
    for (const spec of byName.values()) {
      expect(spec.ingress?.length).toBeGreaterThan(0);
      expect(spec.egress?.length).toBeGreaterThan(0);
    }
    // As Cilium enforces it: the kept flow passes, and nothing else reaches either workload.
    const c = verifySet(set, graph, selection);
    expect(c.engine).toBe('cilium');
    expect(c.verdict.status).toBe('pass');
  });

  it('--default-deny writes a namespace-wide deny in the Cilium flavor too', () => {
    const set = generateCilium(graph, selection, { namespaces: ['jobs'], defaultDeny: true });
    expect(set.policies[0].policy).toMatchObject({
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'jobs' },
      spec: { endpointSelector: {}, ingress: [{}], egress: [{}] },
    });
  });

  it('the empty lists of the old output leave the direction open: a connection never seen is allowed', () => {
    const old = parsePolicies(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: worker, namespace: jobs}
spec:
  endpointSelector: {matchLabels: {app: worker}}
  ingress: []
  egress: [{toEndpoints: [{matchLabels: {app: api}}], toPorts: [{ports: [{port: "8080", protocol: TCP}]}]}]
`).cilium;
    const fresh = generateCilium(graph, selection, { namespaces: ['jobs'] }).policies.map((g) => g.policy);
    const ends = endsFromGraph(graph);
    const flow = { src: ends.get('jobs/api')!, dst: ends.get('jobs/worker')!, protocol: 'TCP' as const, port: 9000 };
    expect(policyEngine([], old).evaluate(flow).verdict).toBe('allowed');
    expect(policyEngine([], fresh).evaluate(flow).verdict).toBe('blocked');
  });
});

describe("the newcomer's Calico example: two workloads without labels", () => {
  const { graph } = analyzeText(readFixture('calico', 'tigera-docs', 'ex_01_b80e197672.json'), 'ex_01.json');
  const selection = initialSelection(graph);
  const namespaces = graph.namespaces.filter((ns) => graph.nodes.some((n) => n.kind === 'workload' && n.namespace === ns));

  it('generate --default-deny, then verify: the kept flow is blocked (exit 1), never "every kept flow is allowed"', () => {
    const set = generate(graph, selection, { namespaces, defaultDeny: true });
    const c = verifySet(set, graph, selection);
    const kept = graph.edges.filter((e) => !selection.pruned.has(e.key));
    expect(kept.length).toBeGreaterThan(0);
    expect(c.keptAllowed).toEqual([]);
    expect(c.keptDenied.length + c.keptUndecided.length).toBe(kept.length);
    expect(c.keptDenied.length).toBeGreaterThan(0);
    expect(c.keptDenied[0].explanation).toMatch(/no selector can name it: give a cluster snapshot/);
    expect(c.verdict).toMatchObject({ status: 'fail', exitCode: 1 });
  });
});

describe('one workload, pods with different labels (bookinfo reviews v1, v2, v3)', () => {
  const { graph } = analyzeText(readFixture('hubble', 'cilium-hubble-otel', 'basic-sample-400-tcp-flows.json'), 'tcp.json');
  const sel = initialSelection(graph);
  const edge = 'bookinfo/reviews->bookinfo/ratings:9080/TCP';

  it('the node keeps only the labels its pods share, and lists the key that differs', () => {
    const reviews = graph.nodes.find((n) => n.id === 'bookinfo/reviews')!;
    expect(reviews.varyingLabels).toEqual(['version']);
    expect(reviews.labels).not.toHaveProperty('version');
  });

  it.each(['kubernetes', 'cilium'] as const)(
    '%s: a rule that picks reviews by one version is undecided (the capture does not say which pods made the flows), never allowed',
    (flavor) => {
      const set =
        flavor === 'cilium'
          ? generateCilium(graph, sel, { namespaces: ['bookinfo'] }).policies.map((g) => g.policy)
          : generate(graph, sel, { namespaces: ['bookinfo'] }).policies.map((g) => g.policy);
      expect(verify(set, graph, sel, ['bookinfo']).keptAllowed.map((f) => f.edge)).toContain(edge);
      // Narrow ratings' ingress from reviews to version v1, as a hand edit might.
      const narrowed = JSON.parse(JSON.stringify(set).replaceAll('"app":"reviews"', '"app":"reviews","version":"v1"')) as typeof set;
      const c = verify(narrowed, graph, sel, ['bookinfo']);
      expect(c.keptAllowed.map((f) => f.edge)).not.toContain(edge);
      expect(c.keptUndecided.map((f) => f.edge)).toContain(edge);
      expect(c.keptUndecided.find((f) => f.edge === edge)!.explanation).toMatch(/the pods of bookinfo\/reviews differ in label "version"/);
      expect(c.verdict.status).not.toBe('pass');
      expect(c.verdict.exitCode).not.toBe(0);
    },
  );
});

describe('an address in a default Service range, reported as world and named by nothing', () => {
  // The tester's F04 variant: kibana -> 10.96.200.135:80 with neither destination_service nor the translated flow.
  const { graph } = analyzeText(readFixture('tester', 'svc-S3f-only-frontend-nosvc.jsonl'), 'capture.jsonl');
  const edge = 'logging/kibana->ip:10.96.200.135:80/TCP';

  it.each(['kubernetes', 'cilium'] as const)('%s: its ipBlock rule is never called allowed: undecided, with what would tell', (flavor) => {
    const sel = initialSelection(graph);
    const set =
      flavor === 'cilium'
        ? generateCilium(graph, sel, { namespaces: ['logging'] }).policies.map((g) => g.policy)
        : generate(graph, sel, { namespaces: ['logging'] }).policies.map((g) => g.policy);
    const c = verify(set, graph, sel, ['logging']);
    expect(c.keptAllowed.map((f) => f.edge)).not.toContain(edge);
    expect(c.keptUndecided.find((f) => f.edge === edge)?.explanation).toMatch(
      /10\.96\.200\.135 lies in 10\.96\.0\.0\/12 \(kubeadm's default Service range\), so it may be a Service's ClusterIP.*--snapshot/,
    );
    expect(c.verdict.exitCode).toBe(3);
  });
});

describe('a Service frontend nothing resolved (F04 without its translated flows)', () => {
  // Only the packets to the ClusterIP: no translated flow, no snapshot, so the backends and their port are unknown.
  const lines = readFixture('field', 'F04-clusterip-world-destination-service.jsonl')
    .split('\n')
    .filter((l) => l.includes('"destination":"10.96.200.135"'));
  const { graph } = analyzeText(lines.join('\n') + '\n', 'frontend-only.jsonl');
  const policy = (egress: string): ReturnType<typeof parsePolicies>['policies'] =>
    parsePolicies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: kibana-egress, namespace: logging}
spec:
  podSelector: {matchLabels: {app: kibana}}
  policyTypes: [Egress]
  egress:
${egress}`).policies;

  it('is judged without the Service port: a rule for port 80 to anyone cannot be said to allow it, nor one for 9200 to block it', () => {
    expect(graph.edges.map((e) => e.target)).toEqual(['service:logging/elasticsearch-master']);
    for (const rule of [
      '  - ports: [{protocol: TCP, port: 80}]',
      '  - to: [{podSelector: {matchLabels: {app: elasticsearch-master}}}]\n    ports: [{protocol: TCP, port: 9200}]',
    ]) {
      const c = verify(policy(rule), graph, initialSelection(graph), ['logging']);
      expect(c.keptAllowed).toEqual([]);
      expect(c.keptDenied).toEqual([]);
      expect(c.verdict.status).toBe('undecided');
    }
  });

  it('a rule that allows every port to anyone allows it whatever the backends are', () => {
    const c = verify(policy('  - {}'), graph, initialSelection(graph), ['logging']);
    expect(c.keptAllowed).toHaveLength(1);
  });
});
