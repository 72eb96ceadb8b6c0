import { describe, expect, it } from 'vitest';
import { readFixture } from '../testing/fixtures';
import { enterprisePolicies, goldmanePolicies, parseCalicoPolicyString, parseGoldmaneHit } from './calico-policies';

describe('Calico Enterprise policy strings: <index>|<tier>|<policy name>|<action>|<rule index>', () => {
  it.each([
    // The flow-log data types' example and name formats
    ['0|tier1|ns1/tier1.policy1|pass|3', 0, 'ns1/tier1.policy1', 'CalicoNetworkPolicy', 'pass'],
    ['1|tier2|ns2/staged:tier1.policy1|deny|1', 1, 'ns2/staged:tier1.policy1', 'StagedNetworkPolicy', 'deny'],
    ['2|default|policy-demo/knp.default.allow-web|allow|0', 2, 'policy-demo/knp.default.allow-web', 'NetworkPolicy', 'allow'],
    [
      '0|default|shop/staged:knp.default.allow-web|allow|0',
      0,
      'shop/staged:knp.default.allow-web',
      'StagedKubernetesNetworkPolicy',
      'allow',
    ],
    ['0|default|default.allow-dns|allow|0', 0, 'default.allow-dns', 'GlobalNetworkPolicy', 'allow'],
    ['0|default|staged:default.lockdown|deny|-1', 0, 'staged:default.lockdown', 'StagedGlobalNetworkPolicy', 'deny'],
    ['0|__PROFILE__|__PROFILE__.kns.maintenance-server|allow|0', 0, '__PROFILE__.kns.maintenance-server', 'Profile', 'allow'],
    // Newer Calico writes `staged:` after the tier (goldmane/proto PolicyHit.ToString)
    ['4|default|default.staged:lockdown|deny|-2', 4, 'default.staged:lockdown', 'StagedGlobalNetworkPolicy', 'deny'],
    ['0|tier1|shop/tier1.staged:p1|deny|0', 0, 'shop/tier1.staged:p1', 'StagedNetworkPolicy', 'deny'],
    // Kubernetes admin policies as Calico names them
    ['3|adminnetworkpolicy|kanp.adminnetworkpolicy.name|pass|4', 3, 'kanp.adminnetworkpolicy.name', 'AdminNetworkPolicy', 'pass'],
    [
      '0|baselineadminnetworkpolicy|kbanp.baselineadminnetworkpolicy.name|pass|4',
      0,
      'kbanp.baselineadminnetworkpolicy.name',
      'BaselineAdminNetworkPolicy',
      'pass',
    ],
    ['0|kube-admin|kcnp.kube-admin.name|pass|0', 0, 'kcnp.kube-admin.name', 'ClusterNetworkPolicy', 'pass'],
    [' 7|default|default.x|ALLOW|2 ', 7, 'default.x', 'GlobalNetworkPolicy', 'allow'],
  ])('%s', (s, index, policy, kind, action) => {
    expect(parseCalicoPolicyString(s)).toStrictEqual({ index, hit: { policy, kind, action } });
  });

  it.each([
    ['four fields', '0|default|default.x|allow'],
    ['six fields', '0|default|default.x|allow|0|1'],
    ['an index that is no integer', 'x|default|default.x|allow|0'],
    ['a rule index that is no integer', '0|default|default.x|allow|-'],
    ['an unknown action', '0|default|default.x|permit|0'],
    ['an empty tier', '0||default.x|allow|0'],
    ['an empty name', '0|default||allow|0'],
    ['an empty namespace', '0|default|/default.x|allow|0'],
    ['two slashes', '0|default|a/b/c|allow|0'],
    ['not a string', 42],
  ])('skips a malformed entry: %s', (_, s) => {
    expect(parseCalicoPolicyString(s)).toBeUndefined();
  });
});

describe('enterprisePolicies', () => {
  it('sorts each list by index and skips malformed entries', () => {
    const p = enterprisePolicies({
      enforced_policies: ['2|__PROFILE__|__PROFILE__.kns.shop|allow|0', 'garbage', '0|t1|shop/t1.a|pass|0', '1|t2|shop/t2.b|pass|-1'],
    });
    expect(p?.enforced.map((h) => h.policy)).toEqual(['shop/t1.a', 'shop/t2.b', '__PROFILE__.kns.shop']);
    expect(p?.pending).toBeUndefined();
  });

  it.each([
    [
      '`all_policies` alone counts as enforced',
      { all_policies: ['0|default|default.a|allow|0'] },
      { enforced: [{ policy: 'default.a', kind: 'GlobalNetworkPolicy', action: 'allow' }] },
    ],
    [
      '`all_policies` is ignored beside `enforced_policies`',
      { all_policies: ['0|default|default.a|deny|0'], enforced_policies: ['0|default|default.b|allow|0'] },
      { enforced: [{ policy: 'default.b', kind: 'GlobalNetworkPolicy', action: 'allow' }] },
    ],
    [
      '`all_policies` is ignored beside `pending_policies`',
      { all_policies: ['0|default|default.a|deny|0'], pending_policies: ['0|default|default.b|allow|0'] },
      { enforced: [], pending: [{ policy: 'default.b', kind: 'GlobalNetworkPolicy', action: 'allow' }], pendingAction: 'allow' },
    ],
    [
      'a bare array of strings counts as enforced',
      ['0|default|default.a|allow|0'],
      { enforced: [{ policy: 'default.a', kind: 'GlobalNetworkPolicy', action: 'allow' }] },
    ],
    ['only `transit_policies` (forwarded traffic)', { transit_policies: ['0|default|default.allow-ssh|allow|0'] }, undefined],
    ['empty lists', { enforced_policies: [], pending_policies: [] }, undefined],
    ['only malformed entries', { enforced_policies: ['x'] }, undefined],
    ['no policies field', undefined, undefined],
    ['null', null, undefined],
  ])('%s', (_, policies, expected) => {
    expect(enterprisePolicies(policies)).toStrictEqual(expected);
  });

  it.each([
    ['a pass hands over to the next tier, the deny decides', ['0|t1|shop/t1.a|pass|0', '1|t2|shop/staged:t2.b|deny|0'], undefined, 'deny'],
    ['the last hit that ends evaluation', ['0|t1|shop/t1.a|allow|0', '1|t2|shop/t2.b|pass|0'], undefined, 'allow'],
    ['only passes: no verdict', ['0|t1|shop/t1.a|pass|0'], undefined, undefined],
    ['an explicit field wins', ['0|t1|shop/t1.a|pass|0', '1|t2|shop/staged:t2.b|deny|0'], 'Allow', 'allow'],
  ])('pendingAction: %s', (_, pending, explicit, action) => {
    expect(
      enterprisePolicies({ enforced_policies: ['0|default|default.a|allow|0'], pending_policies: pending }, explicit)?.pendingAction,
    ).toBe(action);
  });

  it('reads a `pending_action` inside `policies` too', () => {
    expect(enterprisePolicies({ pending_policies: ['0|t1|shop/t1.a|pass|0'], pending_action: 'deny' })?.pendingAction).toBe('deny');
  });

  it('reads the documented host-forwarded example (ex_01): the profile allowed it, and would still', () => {
    const ex01 = JSON.parse(readFixture('calico', 'tigera-docs', 'ex_01_b80e197672.json')) as { policies: unknown };
    const profile = { policy: '__PROFILE__.kns.maintenance-server', kind: 'Profile', action: 'allow' };
    expect(enterprisePolicies(ex01.policies)).toStrictEqual({ enforced: [profile], pending: [profile], pendingAction: 'allow' });
  });
});

describe('Goldmane PolicyHit objects', () => {
  it.each([
    [
      { kind: 'CalicoNetworkPolicy', namespace: 'shop', name: 'allow-web', tier: 'platform', action: 'Allow' },
      'shop/platform.allow-web',
      'CalicoNetworkPolicy',
      'allow',
    ],
    [
      { kind: 'GlobalNetworkPolicy', name: 'allow-dns', tier: 'default', action: 'Pass' },
      'default.allow-dns',
      'GlobalNetworkPolicy',
      'pass',
    ],
    [
      { kind: 'NetworkPolicy', namespace: 'shop', name: 'web', tier: 'default', action: 'Deny' },
      'shop/knp.default.web',
      'NetworkPolicy',
      'deny',
    ],
    [
      { kind: 'StagedNetworkPolicy', namespace: 'shop', name: 'lockdown', tier: 't1', action: 'Deny' },
      'shop/t1.staged:lockdown',
      'StagedNetworkPolicy',
      'deny',
    ],
    [
      { kind: 'StagedGlobalNetworkPolicy', name: 'lockdown', tier: 'default', action: 'Deny' },
      'default.staged:lockdown',
      'StagedGlobalNetworkPolicy',
      'deny',
    ],
    [
      { kind: 'StagedKubernetesNetworkPolicy', namespace: 'shop', name: 'web', tier: 'default', action: 'Deny' },
      'shop/staged:knp.default.web',
      'StagedKubernetesNetworkPolicy',
      'deny',
    ],
    [{ kind: 'Profile', name: 'kns.shop', action: 'Allow' }, '__PROFILE__.kns.shop', 'Profile', 'allow'],
    [
      { kind: 'AdminNetworkPolicy', name: 'a', tier: 'adminnetworkpolicy', action: 'Pass' },
      'kanp.adminnetworkpolicy.a',
      'AdminNetworkPolicy',
      'pass',
    ],
    // Enums written as numbers (StagedNetworkPolicy = 3, Deny = 2)
    [{ kind: 3, namespace: 'shop', name: 'lockdown', tier: 't1', action: 2 }, 'shop/t1.staged:lockdown', 'StagedNetworkPolicy', 'deny'],
    // End of tier: named after the policy that selected the flow (its `trigger`)
    [
      {
        kind: 'EndOfTier',
        tier: 'default',
        action: 'Deny',
        rule_index: '-1',
        trigger: { kind: 'NetworkPolicy', namespace: 'shop', name: 'web', tier: 'default' },
      },
      'shop/knp.default.web',
      'NetworkPolicy',
      'deny',
    ],
  ])('%j → %s', (hit, policy, kind, action) => {
    expect(parseGoldmaneHit(hit)?.hit).toStrictEqual({ policy, kind, action });
  });

  it('keeps a hit of an unknown kind by its namespace and name, without a kind', () => {
    expect(parseGoldmaneHit({ kind: 'KindUnspecified', namespace: 'shop', name: 'x', action: 'Allow' })?.hit).toStrictEqual({
      policy: 'shop/x',
      action: 'allow',
    });
  });

  it.each([
    ['no name', { kind: 'GlobalNetworkPolicy', tier: 'default', action: 'Allow' }],
    ['an unknown action', { kind: 'GlobalNetworkPolicy', name: 'a', tier: 'default', action: 'ActionUnspecified' }],
    ['an end of tier without its trigger', { kind: 'EndOfTier', tier: 'default', action: 'Deny', trigger: null }],
    ['an index that is no integer', { kind: 'GlobalNetworkPolicy', name: 'a', tier: 'default', action: 'Allow', policy_index: 'first' }],
    ['not an object', 'default.a'],
  ])('skips a hit with %s', (_, hit) => {
    expect(parseGoldmaneHit(hit)).toBeUndefined();
  });
});

describe('goldmanePolicies', () => {
  const staged = { kind: 'StagedNetworkPolicy', namespace: 'shop', name: 'lockdown', tier: 'default', action: 'Deny' };
  const pass = { kind: 'CalicoNetworkPolicy', namespace: 'shop', name: 'p', tier: 'platform', action: 'Pass' };

  it.each([
    ['protojson (`policy_index` as a string, 0 left out)', { enforced_policies: [{ ...pass, policy_index: '1' }, staged] }],
    ['camelCase', { enforcedPolicies: [{ ...pass, policyIndex: 1 }, staged] }],
    ['the Whisker API', { enforced: [{ ...pass, policy_index: 1 }, staged] }],
  ])('sorts %s by policy index', (_, trace) => {
    expect(goldmanePolicies(trace)?.enforced.map((h) => h.policy)).toEqual(['shop/default.staged:lockdown', 'shop/platform.p']);
  });

  it.each([
    ['derived from the pending hits', { pending_policies: [pass, { ...staged, policy_index: '1' }] }, undefined, 'deny'],
    ['explicit in the trace', { pending_policies: [pass, { ...staged, policy_index: '1' }], pendingAction: 'Allow' }, undefined, 'allow'],
    ['explicit beside the trace', { pending_policies: [pass] }, 'Deny', 'deny'],
    ['none when only passes', { pending_policies: [pass] }, undefined, undefined],
  ])('pendingAction %s', (_, trace, explicit, action) => {
    expect(goldmanePolicies(trace, explicit)?.pendingAction).toBe(action);
  });

  it.each([
    ['no trace', undefined],
    ['empty lists', { enforced: [], pending: [] }],
    ['only malformed hits', { enforced_policies: [{ action: 'Allow' }] }],
  ])('is undefined for %s', (_, trace) => {
    expect(goldmanePolicies(trace)).toBeUndefined();
  });
});
