// verify's three steps on a small capture with hand-written policies: each check can fail.
import { describe, expect, it } from 'vitest';
import { analyzeText } from '../graph/analysis';
import { initialSelection, prune } from '../graph/selection';
import { mixed } from '../testing/mixed-capture';
import { verifySet } from '../testing/verify-set';
import { generate } from './generate';
import type { NetworkPolicy } from './types';
import { verify } from './verify';

const { graph } = analyzeText(mixed, 'mixed.json');
const kept = initialSelection(graph);
const shop = ['shop'];

const np = (name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec,
});
const app = (a: string) => ({ podSelector: { matchLabels: { app: a } } });
/** A policy of shop, named after the app it selects, that isolates that app's ingress and allows `rules`. */
const ingressTo = (name: string, ...rules: NonNullable<NetworkPolicy['spec']['ingress']>): NetworkPolicy =>
  np(name, { ...app(name), policyTypes: ['Ingress'], ingress: rules });

describe('verify, step by step', () => {
  it('generated policies pass: every kept edge allowed by its rules, nothing unobserved, every rule backed', () => {
    const c = verifySet(generate(graph, kept, { namespaces: shop }), graph, kept);
    expect(c.keptDenied).toEqual([]);
    expect(c.verdict).toMatchObject({ status: 'pass', exitCode: 0 });
    expect(c.unobservedAllowedCount).toBe(0);
    expect(c.unbackedRules).toEqual([]);
    const web = c.keptAllowed.find((f) => f.edge === 'shop/web->shop/api:8080/TCP')!;
    expect(web.ingress).toMatchObject({ policy: 'shop/api', direction: 'ingress' });
  });

  it('classify: a pruned edge the policies still allow fails the verdict, with the rule that allows it', () => {
    // Policies generated while web->api was kept, checked after it was pruned.
    const sel = prune(kept, ['shop/web->shop/api:8080/TCP'], 'test');
    const c = verifySet(generate(graph, kept, { namespaces: shop }), graph, sel);
    expect(c.prunedAllowed.map((f) => f.edge)).toEqual(['shop/web->shop/api:8080/TCP']);
    expect(c.prunedAllowed[0].explanation).toMatch(
      /is allowed: egress allowed by shop\/web egress\[\d\]; ingress allowed by shop\/api ingress\[\d\]/,
    );
    // The edge pruned from the start (its flows were dropped) is denied, as it should be.
    expect(c.prunedDenied.map((f) => f.edge)).toEqual(['shop/web->shop/db:5432/TCP']);
    expect(c.verdict).toMatchObject({ status: 'fail', exitCode: 1, headline: '1 pruned edge still allowed' });
  });

  it('unobserved: a rule for every pod of the namespace lets web reach db, a connection never observed', () => {
    const policies = [
      np('deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }),
      ingressTo('db', { from: [{ podSelector: {} }], ports: [{ port: 5432 }] }),
    ];
    // Without the web->db edge in the capture, web->db:5432 is a connection never observed.
    const withoutWebDb = { ...graph, edges: graph.edges.filter((e) => e.key !== 'shop/web->shop/db:5432/TCP') };
    const c = verify(policies, withoutWebDb, initialSelection(withoutWebDb), shop);
    expect(c.unobservedAllowed.map((u) => `${u.source}->${u.target}:${u.port}`)).toEqual(['shop/web->shop/db:5432']);
    expect(c.unobservedAllowedCount).toBe(1);
    expect(c.unobservedAllowed[0].explanation).toMatch(/ingress allowed by shop\/db ingress\[0\]/);
    expect(c.verdict.headline).toMatch(/1 never-observed connection allowed/);
  });

  it('backing: a rule no kept edge uses is unbacked, and a port range wider than the ports seen is wide', () => {
    const policies = [
      ingressTo('api', { from: [app('web')], ports: [{ port: 8000, endPort: 8090 }] }, { from: [app('db')], ports: [{ port: 7000 }] }),
    ];
    const c = verify(policies, graph, kept, shop);
    expect(c.unbackedRules).toEqual([{ policy: 'shop/api', direction: 'ingress', index: 1 }]);
    expect(c.widePorts).toEqual([
      { rule: { policy: 'shop/api', direction: 'ingress', index: 0 }, unobserved: '90 unobserved TCP port(s)' },
    ]);
    // prometheus -> api:9090 is kept and no rule allows it.
    expect(c.keptDenied.map((f) => f.edge)).toEqual(['monitoring/prometheus->shop/api:9090/TCP']);
  });

  it('a set with a named port and no snapshot is undecided (exit 3), and says what would decide it', () => {
    const policies = [
      ingressTo(
        'api',
        { from: [app('web')], ports: [{ port: 'http' }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090 }] },
      ),
      ingressTo('db', { from: [app('api'), app('web')], ports: [{ port: 5432 }] }),
    ];
    const c = verify(policies, graph, { pruned: new Map() }, shop);
    expect(c.keptUndecided.map((f) => f.edge)).toEqual(['shop/web->shop/api:8080/TCP']);
    expect(c.keptUndecided[0].decide!.join(' ')).toMatch(/named port "http" cannot be resolved.*--snapshot/);
    expect(c.verdict).toMatchObject({ status: 'undecided', exitCode: 3 });
  });
});
