import { describe, expect, it } from 'vitest';
import { auditMechanism, FLAVOR_KIND, modeGuide, ROLLOUT_FLAVORS, ROLLOUT_MODES } from './mode';

describe('rollout modes', () => {
  it.each([
    ['kubernetes', 'enforce', 'enforce'],
    ['kubernetes', 'audit', 'cilium-audit-mode'],
    ['cilium', 'enforce', 'enforce'],
    ['cilium', 'audit', 'cilium-audit-mode'],
    ['calico-staged', 'audit', 'calico-staged'],
  ] as const)('%s in %s mode: %s', (flavor, mode, mechanism) => {
    expect(auditMechanism(flavor, mode)).toBe(mechanism);
    expect(modeGuide(flavor, mode, 'kind-staging', 'payments-staging').mechanism).toBe(mechanism);
  });

  it('staged policies never enforce', () => {
    expect(auditMechanism('calico-staged', 'enforce')).toEqual({ problem: expect.stringMatching(/never enforced/) as unknown });
  });

  it("Cilium's audit mode: the commands to run, named for the context and namespace, and what AUDIT means", () => {
    const g = modeGuide('kubernetes', 'audit', 'kind-staging', 'payments-staging');
    const commands = g.commands.map((c) => c.command);
    expect(commands).toContain(
      'cilium --context kind-staging config set policy-audit-mode true && kubectl --context=kind-staging -n kube-system rollout restart ds/cilium',
    );
    expect(commands).toContain('kubectl --context=kind-staging -n payments-staging get ciliumendpoints');
    expect(commands.some((c) => c.endsWith('cilium-dbg endpoint config ENDPOINT_ID PolicyAuditMode=Enabled'))).toBe(true);
    expect(g.verdicts.map((v) => v.verdict)).toEqual(['FORWARDED', 'AUDIT', 'DROPPED']);
    expect(g.summary).toMatch(/never changes CNI settings/);
  });

  it('Calico staged: pending_action deny is what would be dropped', () => {
    const g = modeGuide('calico-staged', 'audit', 'kind-staging', 'payments-staging');
    expect(g.verdicts.find((v) => v.verdict === 'pending_action: deny')?.meaning).toMatch(/would drop/);
  });

  it('every flavor has one kind, and every mode a guide', () => {
    expect(new Set(ROLLOUT_FLAVORS.map((f) => FLAVOR_KIND[f].resource)).size).toBe(ROLLOUT_FLAVORS.length);
    for (const f of ROLLOUT_FLAVORS) for (const m of ROLLOUT_MODES) expect(modeGuide(f, m, 'c', 'n').verdicts.length).toBeGreaterThan(0);
  });
});
