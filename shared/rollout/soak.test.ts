// The soak on the recorded rollouts (fixtures/SOURCES.md): a Cilium audit-mode soak of bookinfo-staging
// with a nightly job the policies miss, and a Calico staged soak of policy-demo-staging.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune, type Selection } from '../graph/selection';
import type { ServiceGraph } from '../graph/types';
import { generateCilium } from '../policy/cilium';
import type { PolicyDocument } from '../policy/documents';
import { generate } from '../policy/generate';
import { stagedSet } from '../policy/staged';
import { readFixture, ROOT } from '../testing/fixtures';
import { mapPolicy, parseNamespaceMap, type NamespaceMap } from './namespace-map';
import { analyzeSoak, applyPatch, canonicalJson, soakReport, soakReportHash, type SoakAnalysis, type SoakInput } from './soak';

const H = 3_600_000;

interface Scene {
  readonly input: SoakInput;
  readonly map: NamespaceMap;
}

/** Policies generated from `original` for `from`, pruned as `selection` says, rolled out to `to`. */
function scene(
  original: ServiceGraph,
  selection: Selection,
  from: string,
  to: string,
  flows: string,
  policies: (o: ServiceGraph, s: Selection) => readonly PolicyDocument[],
  appliedAt: string,
): Scene {
  const map = parseNamespaceMap([`${from}=${to}`]);
  return {
    map,
    input: {
      flows: analyzeText(readFixture(flows), flows).graph,
      policies: policies(original, selection).map((p) => mapPolicy(p, map)),
      appliedAt: Date.parse(appliedAt),
      selection,
      namespaceMap: map,
      original,
    },
  };
}

// Cilium, audit mode: the sample capture (35 s of bookinfo) generated the policies; the soak of bookinfo-staging runs 24 h.
const sample = analyzeText(readFileSync(`${ROOT}/resources/sample-capture.jsonl`, 'utf8'), 'sample').graph;
const remote = 'entity:remote-node->bookinfo/ratings:9080/TCP';
const sampleSelection = prune(initialSelection(sample), [remote], 'traffic from other nodes, not needed in staging');
const kubernetesPolicies = (o: ServiceGraph, s: Selection) => generate(o, s, { namespaces: ['bookinfo'] }).policies.map((g) => g.policy);
const cilium = scene(
  sample,
  sampleSelection,
  'bookinfo',
  'bookinfo-staging',
  'hubble/derived/audit-soak/flows.jsonl',
  kubernetesPolicies,
  '2021-11-10T12:00:00Z',
);
const JOB = 'bookinfo-staging/ratings-export->bookinfo-staging/ratings:9080/TCP';

const classes = (a: SoakAnalysis) => a.flows.map((f) => [f.class, f.edge]);

/** The policies with every missing rule's patch applied. */
const patched = (a: SoakAnalysis, policies: readonly PolicyDocument[]) =>
  a.flows.reduce<readonly PolicyDocument[]>((p, f) => (f.class === 'missing-rule' && f.patch ? applyPatch(p, f.patch) : p), policies);

describe('a Cilium audit-mode soak with a nightly job the policies miss', () => {
  const a = analyzeSoak(cilium.input);

  it('covers the 24 h cycle from the apply, and knows no batch hours from a 35 s original', () => {
    expect(a.window).toMatchObject({ reachesApply: true, shortfalls: [], startsBeforeApply: false });
    expect(a.window.coveredMs).toBeGreaterThanOrEqual(24 * H);
    expect(a.window.batchNote).toMatch(/covers 35 s, less than 12 h/);
    expect(a.scope).toEqual(['bookinfo-staging']);
    expect(a.namespaceMap).toEqual(['bookinfo=bookinfo-staging']);
  });

  it('finds the nightly job (AUDIT at 02:00) as a missing rule, with the ingress rule on ratings that allows it', () => {
    expect(a.verdict).toEqual({
      status: 'missing-rules',
      exitCode: 1,
      headline: '1 missing rule: the rolled-out policies deny a flow nobody pruned',
    });
    const job = a.flows[0];
    expect(job).toMatchObject({ edge: JOB, class: 'missing-rule', rollout: 'blocked', counts: { audit: 2, dropped: 0, pendingDeny: 0 } });
    expect(new Date(job.firstSeen!).toISOString()).toBe('2021-11-11T02:00:10.200Z');
    // The job's own egress is not restricted: only ratings' ingress needs a rule, on the policy already rolled out for it.
    expect(job.patch).toEqual({
      rules: [
        {
          policy: 'bookinfo-staging/ratings',
          kind: 'NetworkPolicy',
          direction: 'ingress',
          rule: { from: [{ podSelector: { matchLabels: { app: 'ratings-export' } } }], ports: [{ protocol: 'TCP', port: 9080 }] },
          comment: 'observed: ratings-export -> ratings:9080/TCP, 18 flows, 2021-11-11 02:00–02:03 UTC',
        },
      ],
    });
  });

  it("reads a pruned edge's drops as expected, with the reason it was pruned", () => {
    const f = a.flows.find((x) => x.edge === 'entity:remote-node->bookinfo-staging/ratings:9080/TCP')!;
    expect(f).toMatchObject({
      class: 'expected',
      counts: { audit: 9 },
      pruned: { edge: remote, by: 'user', reason: 'traffic from other nodes, not needed in staging' },
    });
    expect(f.explanation).toContain('traffic from other nodes, not needed in staging');
  });

  it('reads a drop named by a policy outside the rollout (egress_denied_by) as denied by another policy', () => {
    const f = a.flows.find((x) => x.class === 'denied-by-other')!;
    expect(f).toMatchObject({
      edge: 'bookinfo-staging/details->ip:93.184.216.34:443/TCP',
      deniedBy: ['block-public-egress'],
      rollout: 'blocked',
    });
    expect(f.explanation).toBe('Denied by block-public-egress, a policy not part of this rollout; the rolled-out policies deny it too.');
    expect(classes(a)).toEqual([
      ['missing-rule', JOB],
      ['denied-by-other', 'bookinfo-staging/details->ip:93.184.216.34:443/TCP'],
      ['expected', 'entity:remote-node->bookinfo-staging/ratings:9080/TCP'],
    ]);
  });

  it('with the suggested rule added, the same flows are clean for the cycle; and a second soak whose job was forwarded is too', () => {
    const fixed = patched(a, cilium.input.policies);
    expect(fixed.find((p) => p.metadata.name === 'ratings')!.spec).toMatchObject({
      ingress: [{}, { from: [{ podSelector: { matchLabels: { app: 'ratings-export' } } }] }],
    });
    const again = analyzeSoak({ ...cilium.input, policies: fixed });
    expect(again.verdict).toMatchObject({ status: 'clean', exitCode: 0 });
    expect(again.verdict.headline).toMatch(
      /^clean for the 24 h 0 min cycle: 24 h 0 min covered since the apply; 3 edges with flows not forwarded, none a missing rule$/,
    );
    // The AUDIT records were made before the fix: now allowed, they are no longer the rollout's.
    expect(again.flows.find((f) => f.edge === JOB)).toMatchObject({ class: 'outside-rollout', rollout: 'allowed' });

    const forwarded = readFixture('hubble/derived/audit-soak/flows.jsonl')
      .split('\n')
      .map((l) => (l.includes('ratings-export') ? l.replaceAll('"verdict":"AUDIT"', '"verdict":"FORWARDED"') : l))
      .join('\n');
    const second = analyzeSoak({ ...cilium.input, flows: analyzeText(forwarded, 'second').graph, policies: fixed });
    expect(second.verdict.status).toBe('clean');
    expect(second.flows.map((f) => f.edge)).not.toContain(JOB);
  });

  it.each([
    ['POLICY_DENIED', 'missing-rule'],
    ['CT_MAP_INSERTION_FAILED', 'outside-rollout'],
  ])('in enforce mode, the job DROPPED for %s is %s', (reason, cls) => {
    const enforced = readFixture('hubble/derived/audit-soak/flows.jsonl')
      .split('\n')
      .map((l) =>
        l.includes('ratings-export') ? l.replaceAll('"verdict":"AUDIT"', `"verdict":"DROPPED","drop_reason_desc":"${reason}"`) : l,
      )
      .join('\n');
    const f = analyzeSoak({ ...cilium.input, flows: analyzeText(enforced, 'enforced').graph }).flows.find((x) => x.edge === JOB)!;
    expect(f).toMatchObject({ class: cls, counts: { dropped: 2, audit: 0 } });
    if (cls === 'outside-rollout')
      expect(f.explanation).toBe(
        "Dropped for a reason that is no policy's verdict (drop reason: CT_MAP_INSERTION_FAILED ×2): no policy, of this rollout or another, stopped it.",
      );
  });

  it('in the Cilium flavor, the rule is a CiliumNetworkPolicy rule, and adding it makes the soak clean', () => {
    const policies = generateCilium(sample, sampleSelection, { namespaces: ['bookinfo'] }).policies.map((g) =>
      mapPolicy(g.policy, cilium.map),
    );
    const c = analyzeSoak({ ...cilium.input, policies });
    expect(classes(c)[0]).toEqual(['missing-rule', JOB]);
    expect(c.flows[0].patch!.rules).toEqual([
      expect.objectContaining({
        policy: 'bookinfo-staging/ratings',
        kind: 'CiliumNetworkPolicy',
        direction: 'ingress',
        rule: {
          fromEndpoints: [{ matchLabels: { app: 'ratings-export', 'k8s:io.kubernetes.pod.namespace': 'bookinfo-staging' } }],
          toPorts: [{ ports: [{ port: '9080', protocol: 'TCP' }] }],
        },
      }),
    ]);
    expect(analyzeSoak({ ...cilium.input, policies: patched(c, policies) }).verdict.status).toBe('clean');
  });

  it('a cycle longer than the flows cover is too short, saying how much was covered', () => {
    const fixed = patched(a, cilium.input.policies);
    const v = analyzeSoak({ ...cilium.input, policies: fixed, cycleMs: 36 * H }).verdict;
    expect(v).toMatchObject({ status: 'too-short', exitCode: 1 });
    expect(v.headline).toBe(
      'window too short: the flows cover 24 h 0 min since the apply, less than the 36 h 0 min cycle (11 h 59 min to go, until 2021-11-12T00:00:00.000Z)',
    );
  });

  it('flows that do not reach back to the apply are too short, however long they run, and say what they covered', () => {
    const fixed = patched(a, cilium.input.policies);
    const v = analyzeSoak({ ...cilium.input, policies: fixed, appliedAt: Date.parse('2021-11-10T06:00:00Z'), cycleMs: 12 * H });
    expect(v.window.reachesApply).toBe(false);
    expect(v.verdict.status).toBe('too-short');
    expect(v.verdict.headline).toBe(
      "window too short: the flows read start at 2021-11-10T12:00:30.000Z, 6 h 0 min after the apply at 2021-11-10T06:00:00.000Z: what came before was not read (Hubble's buffer did not reach back); they cover 24 h 0 min of the 12 h 0 min cycle",
    );
  });

  it('edges seen only before the apply are left out and counted', () => {
    const v = analyzeSoak({ ...cilium.input, appliedAt: Date.parse('2021-11-10T19:00:00Z'), cycleMs: 12 * H });
    expect(v.window.startsBeforeApply).toBe(true);
    expect(v.beforeApply).toBe(1);
    expect(v.flows.map((f) => f.edge)).not.toContain('bookinfo-staging/details->ip:93.184.216.34:443/TCP');
  });
});

describe('a Calico staged soak (pending deny) against an original with a nightly job', () => {
  const original = analyzeText(readFixture('calico/derived/staged-soak/original.jsonl'), 'original').graph;
  const selection = prune(
    initialSelection(original),
    ['policy-demo/access->policy-demo/nginx:9090/TCP'],
    'debug port, opened only in development',
  );
  const staged = (o: ServiceGraph, s: Selection) =>
    stagedSet(generate(o, s, { namespaces: ['policy-demo'] })).policies.map((g) => g.policy);
  const calico = scene(
    original,
    selection,
    'policy-demo',
    'policy-demo-staging',
    'calico/derived/staged-soak/soak.jsonl',
    staged,
    '2020-08-12T08:00:00Z',
  );
  const input = { ...calico.input, cycleMs: 8 * H };
  const a = analyzeSoak(input);
  const NEW = 'policy-demo-staging/access->policy-demo-staging/nginx:443/TCP';

  it("reads each pending deny: a missing rule (both ends' staged rules), an expected drop, another team's staged policy", () => {
    expect(classes(a)).toEqual([
      ['missing-rule', NEW],
      ['denied-by-other', 'policy-demo-staging/access->ip:203.0.113.10:443/TCP'],
      ['expected', 'policy-demo-staging/access->policy-demo-staging/nginx:9090/TCP'],
    ]);
    expect(a.flows[0].counts.pendingDeny).toBeGreaterThan(0);
    expect(a.flows[0].patch!.rules.map((r) => [r.kind, r.policy, r.direction, r.newPolicy])).toEqual([
      ['StagedKubernetesNetworkPolicy', 'policy-demo-staging/access', 'egress', undefined],
      ['StagedKubernetesNetworkPolicy', 'policy-demo-staging/nginx', 'ingress', undefined],
    ]);
    expect(a.flows[1].deniedBy).toEqual(['security.staged:block-external-egress']);
    expect(a.flows[2].pruned).toEqual({
      edge: 'policy-demo/access->policy-demo/nginx:9090/TCP',
      by: 'user',
      reason: 'debug port, opened only in development',
    });
  });

  it('covers the 8 h cycle but not 02:00, when the original saw the nightly report: too short even once the rule is added', () => {
    expect(a.window.coveredMs).toBeGreaterThan(8 * H);
    expect(a.window.batch.map((b) => [b.seen, b.covered, b.edges])).toEqual([
      [
        '2020-08-11 02:00–02:05 UTC',
        false,
        ['policy-demo/nightly-report->kube-system/kube-dns:53/UDP', 'policy-demo/nightly-report->policy-demo/nginx:80/TCP'],
      ],
    ]);
    expect(a.verdict.status).toBe('missing-rules');
    expect(a.verdict.headline).toMatch(
      /^1 missing rule: .* · window too short: the original capture saw batch traffic at 2020-08-11 02:00–02:05 UTC/,
    );
    const fixed = analyzeSoak({ ...input, policies: patched(a, input.policies) });
    expect(fixed.verdict).toMatchObject({ status: 'too-short', exitCode: 1 });
    expect(fixed.flows.find((f) => f.edge === NEW)?.class).toBe('outside-rollout');
    // Without the original, nothing says when batch traffic runs: the 8 h cycle alone is covered.
    expect(analyzeSoak({ ...input, original: undefined, policies: patched(a, input.policies) }).verdict.status).toBe('clean');
  });
});

describe('the report hash', () => {
  it('is sha-256 over the canonical form: the same input gives the same hash, another policy set another', async () => {
    const one = await soakReport(cilium.input);
    const two = await soakReport({ ...cilium.input, policies: [...cilium.input.policies].reverse() });
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(two.sha256).toBe(one.sha256);
    expect(two.policiesSha256).toBe(one.policiesSha256);
    expect(await soakReportHash(one)).toBe(one.sha256);
    const fixed = await soakReport({ ...cilium.input, policies: patched(one, cilium.input.policies) });
    expect(fixed.policiesSha256).not.toBe(one.policiesSha256);
    expect(fixed.sha256).not.toBe(one.sha256);
    // A report changed after it was hashed no longer matches its hash.
    expect(await soakReportHash({ ...one, verdict: { ...one.verdict, status: 'clean' } })).not.toBe(one.sha256);
  });

  it('canonical JSON sorts keys at every depth and leaves out what is undefined', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: undefined, c: null })).toBe('{"b":[{"x":2,"y":1}],"c":null}');
  });
});
