import { describe, expect, it } from 'vitest';
import type { RolloutRecord } from '../../../shared/api/contract';
import { defaultTarget, objectsByOrigin, productionWarning, rolloutState, targetMap, timeText } from './target';

describe('targetMap', () => {
  it('maps the source to the target, with the other pairs typed', () => {
    expect(targetMap('payments', 'payments-staging', 'data=data-staging, audit=audit-staging')).toMatchObject({
      ok: true,
      pairs: ['payments=payments-staging', 'data=data-staging', 'audit=audit-staging'],
    });
    expect(targetMap('payments', 'payments', '')).toMatchObject({ ok: true, pairs: [] });
  });

  it.each([
    ['no target (it is required)', '', '', 'target', 'Type the target namespace (for example payments-staging).'],
    ['a target that is not a name', 'Payments', '', 'target', '"Payments" is not a namespace name.'],
    ['a pair without =', 'payments-staging', 'data', 'others', /^Other namespace pairs: "data" is not FROM=TO/],
    // A bad entry among good ones is named, not left out.
    [
      'a bad entry among good ones',
      'payments-staging',
      'data=data-staging, audit=Audit',
      'others',
      /"Audit" in "audit=Audit" is not a namespace name/,
    ],
    ['pairs split by ;', 'payments-staging', 'data=data-staging;audit', 'others', /"audit" is not FROM=TO/],
    ['two namespaces on one', 'payments-staging', 'data=payments-staging', 'others', /both mapped to payments-staging/],
  ])('says why it cannot be used, beside the field: %s', (_what, target, others, field, problem) => {
    const r = targetMap('payments', target, others);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.problem).toMatch(problem);
    }
  });

  it("defaults the target to the source's staging namespace, never to the source itself", () => {
    expect(defaultTarget('payments')).toBe('payments-staging');
    expect(defaultTarget('')).toBe('');
    // Too long to stay a namespace name with the suffix: empty, and required.
    expect(defaultTarget('a'.repeat(60))).toBe('');
  });

  it('warns up front when the context or the target looks like production', () => {
    const patterns = ['prod', 'production', 'live'];
    expect(productionWarning('prod-eu', 'payments-staging', patterns)).toMatch(
      /^"prod-eu" looks like production \(Settings → production patterns: prod, production, live\)/,
    );
    expect(productionWarning('kind-staging', 'payments-live', patterns)).toMatch(/^"payments-live" looks like production/);
    expect(productionWarning('kind-staging', 'product-catalog', patterns)).toBeUndefined();
  });
});

describe('a record in words', () => {
  const record: RolloutRecord = {
    id: '0123456789abcdef',
    stage: 'staging',
    context: 'kind-staging',
    sourceNamespaces: ['payments'],
    targetNamespace: 'payments-staging',
    namespaceMap: ['payments=payments-staging'],
    flavor: 'kubernetes',
    mode: 'audit',
    policies: [],
    appliedAt: '2026-11-27T12:00:05.123Z',
    exitCode: 1,
    objects: [
      { resource: 'networkpolicy.networking.k8s.io', name: 'api', operation: 'created' },
      { resource: 'networkpolicy.networking.k8s.io', name: 'web', operation: 'configured' },
    ],
  };

  it('the time, the same everywhere', () => {
    expect(timeText(record.appliedAt)).toBe('2026-11-27 12:00 UTC');
  });

  it('its state, and what rollback would delete', () => {
    expect(rolloutState(record)).toBe('partly applied: kubectl exited 1');
    expect(rolloutState({ ...record, rollback: { at: '2026-11-28T08:30:00Z', exitCode: 0, deleted: [record.objects[0]] } })).toBe(
      'rolled back 2026-11-28 08:30 UTC (1 deleted)',
    );
    const { created, existed } = objectsByOrigin(record);
    expect(created.map((o) => o.name)).toEqual(['api']);
    expect(existed.map((o) => o.name)).toEqual(['web']);
  });
});
