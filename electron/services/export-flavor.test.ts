import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeBrowserServices } from '../browser/services';
import { ROOT } from '../../shared/testing/fixtures';

const request = (flavor?: 'kubernetes' | 'cilium' | 'calico-staged') => ({
  selection: { version: 1 as const, pruned: [] },
  options: { namespaces: ['bookinfo'], defaultDeny: true, portRanges: false, ...(flavor ? { flavor } : {}) },
});

describe('export in the flavor shown (app API)', () => {
  it('the Cilium flavor exports CiliumNetworkPolicies; a taken AI draft (NetworkPolicy) is refused there with the reason', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-flavor-'));
    const out = path.join(dataDir, 'bundle');
    const { api } = composeBrowserServices({ root: ROOT, dataDir, chooseBundle: () => out });
    await api.loadSample();
    const preview = await api.previewBundle(request('cilium'));
    expect(preview).toMatchObject({
      ok: true,
      value: { report: expect.stringMatching(/^# CiliumNetworkPolicy bundle report/) as unknown },
    });
    expect(await api.exportBundle(request('cilium'), 'folder')).toMatchObject({ ok: true });
    expect(parse(readFileSync(path.join(out, 'policies/bookinfo/productpage.yaml'), 'utf8'))).toMatchObject({
      kind: 'CiliumNetworkPolicy',
    });
    // Without a flavor: NetworkPolicy, as before.
    expect(await api.previewBundle(request())).toMatchObject({
      ok: true,
      value: { report: expect.stringMatching(/^# NetworkPolicy bundle/) as unknown },
    });
    const withDraft = { ...request('cilium'), ai: { model: 'm', reply: 'kind: NetworkPolicy', tokens: {}, take: 'draft' as const } };
    expect(await api.previewBundle(withDraft)).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'A taken AI draft is NetworkPolicy: export it with the Kubernetes flavor.' },
    });
  });

  it("Calico's staged flavor, which the flavor menu offers, exports StagedKubernetesNetworkPolicies", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netpol-flavor-'));
    const out = path.join(dataDir, 'bundle');
    const { api } = composeBrowserServices({ root: ROOT, dataDir, chooseBundle: () => out });
    await api.loadSample();
    expect(await api.exportBundle(request('calico-staged'), 'folder')).toMatchObject({ ok: true });
    expect(parse(readFileSync(path.join(out, 'policies/bookinfo/productpage.yaml'), 'utf8'))).toMatchObject({
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
    });
  });
});
