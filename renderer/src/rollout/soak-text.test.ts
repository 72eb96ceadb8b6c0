import { describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../../../shared/api/contract';
import type { SoakFlow, SoakReport } from '../../../shared/rollout/soak-types';
import { batchText, countsText, flowLogHint, flowReason, readiness, windowText } from './soak-text';

const H = 3_600_000;
const APPLIED = Date.parse('2021-11-10T12:00:00Z');

const report = (over: { window?: Partial<SoakReport['window']>; status?: SoakReport['verdict']['status'] } = {}): SoakReport => ({
  window: {
    appliedAt: APPLIED,
    cycleMs: 24 * H,
    first: APPLIED + 30_000,
    last: APPLIED + 24 * H,
    reachesApply: true,
    coveredMs: 24 * H - 30_000,
    startsBeforeApply: false,
    batch: [],
    batchNote: 'no original capture was given, so the hours of its batch traffic are not known',
    shortfalls: [],
    ...over.window,
  },
  policies: [],
  scope: ['bookinfo-staging'],
  namespaceMap: [],
  flows: [],
  beforeApply: 0,
  dataLoss: [],
  verdict: {
    status: over.status ?? 'clean',
    headline: over.status === 'missing-rules' ? '1 missing rule' : 'clean for the 24 h 0 min cycle',
    exitCode: 0,
  },
  policiesSha256: 'a'.repeat(64),
  sha256: 'b'.repeat(64),
});

const record = (soak?: SoakReport, more: Partial<RolloutRecord> = {}): RolloutRecord => ({
  id: '0123456789abcdef',
  stage: 'staging',
  context: 'kind-staging',
  sourceNamespaces: ['bookinfo'],
  targetNamespace: 'bookinfo-staging',
  namespaceMap: ['bookinfo=bookinfo-staging'],
  flavor: 'kubernetes',
  mode: 'audit',
  policies: [],
  appliedAt: new Date(APPLIED).toISOString(),
  exitCode: 0,
  objects: [],
  ...(soak ? { soak: { report: soak, checkedAt: '2021-11-11T13:00:00.000Z', source: 'hubble observe', liveDrops: 0 } } : {}),
  ...more,
});

describe('the soak report in words', () => {
  it('says the hours covered of the cycle, and plainly when the buffer did not reach back to the apply', () => {
    expect(windowText(report())).toBe(
      '23 h 59 min of the 24 h 0 min cycle covered, 2021-11-10 12:00 UTC → 2021-11-11 12:00 UTC, from the apply on.',
    );
    const late = report({ window: { first: APPLIED + 15 * H, reachesApply: false, coveredMs: 9 * H } });
    expect(windowText(late)).toBe(
      "9 h 0 min of the 24 h 0 min cycle covered, 2021-11-11 03:00 UTC → 2021-11-11 12:00 UTC. Hubble's buffer did not reach back to the apply at 2021-11-10 12:00 UTC: the 15 h 0 min before its first flow were not read.",
    );
    expect(windowText(report({ window: { first: null, last: null } }))).toMatch(/^No flow was read since the apply/);
    // A flow log the user exported is not hubble's buffer: it is the file that does not reach back.
    expect(windowText(late, true)).toMatch(/ The flow log given does not reach back to the apply at 2021-11-10 12:00 UTC: /);
  });

  it('names the batch hours required and whether each was covered', () => {
    expect(batchText(report())).toBe('Batch hours: no original capture was given, so the hours of its batch traffic are not known.');
    const batch = [{ start: 0, end: 1, seen: '2021-11-11 02:00–02:05 UTC', edges: ['a->b:80/TCP'], covered: false }];
    expect(batchText(report({ window: { batch } }))).toBe('Batch hours required: 2021-11-11 02:00–02:05 UTC (not covered yet).');
  });

  it("gives each flow's events and its reason: the prune's reason, the other policy, or the explanation", () => {
    const base: SoakFlow = {
      edge: 'e',
      class: 'expected',
      counts: { dropped: 0, audit: 9, pendingDeny: 0 },
      firstSeen: null,
      lastSeen: null,
      rollout: 'blocked',
      explanation: 'Its edge was pruned.',
      pruned: { edge: 'e', by: 'user', reason: 'not needed in staging' },
    };
    expect(countsText(base)).toBe('9 AUDIT');
    expect(flowReason(base)).toBe('not needed in staging');
    expect(flowReason({ ...base, class: 'denied-by-other', deniedBy: ['block-public-egress'] })).toBe('by block-public-egress');
    expect(flowReason({ ...base, class: 'missing-rule' })).toBe('Its edge was pruned.');
  });

  it('says "ready to promote" only for a clean soak of a staging rollout still in place, and why not otherwise', () => {
    expect(readiness(record(report()))).toEqual({ ready: true, text: 'Ready to promote: clean for the 24 h 0 min cycle.' });
    expect(readiness(record(report({ status: 'missing-rules' })))).toEqual({ ready: false, text: 'Not ready to promote: 1 missing rule.' });
    expect(readiness(record()).text).toMatch(/^Not ready to promote: no soak yet/);
    expect(readiness(record(report(), { rollback: { at: 'x', exitCode: 0, deleted: [] } })).text).toMatch(/rolled back/);
    expect(readiness(record(report(), { exitCode: 1 })).text).toMatch(/applied only in part/);
    expect(readiness(record(undefined, { flavor: 'calico-staged' })).text).toMatch(
      /Check soak from a flow-log file reads Calico's flow logs/,
    );
  });

  it('says what flow-log file a staged Calico rollout is soaked from, and how Calico gives it', () => {
    const hint = flowLogHint(record(undefined, { flavor: 'calico-staged', targetNamespace: 'policy-demo-staging' }));
    expect(hint).toMatch(
      /^Give Calico's flow logs of policy-demo-staging since 2021-11-10 12:00 UTC, with their policies field \(pending_policies/,
    );
    expect(hint).toContain('Calico Enterprise or Calico Cloud flow logs');
    expect(hint).toContain('kubectl --context=kind-staging port-forward -n calico-system svc/goldmane 7443:7443');
  });
});
