import { describe, expect, it } from 'vitest';
import { effectivePolicyTypes, evaluate, type ClusterModel, type ClusterPod, type Connection } from './evaluate';
import { selectorMatches } from './selectors';
import type { NetworkPolicy } from './types';

const pod = (namespace: string, name: string, labels: Record<string, string>, ports: ClusterPod['ports'] = []): ClusterPod => ({
  namespace,
  name,
  labels,
  ports,
});
const web = pod('shop', 'web', { app: 'web', tier: 'front' });
const api = pod('shop', 'api', { app: 'api' }, [
  { name: 'http', containerPort: 8080 },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
]);
const mon = pod('monitoring', 'prom', { app: 'prometheus' });
const other = pod('other', 'x', { app: 'web' });
const cluster: ClusterModel = {
  pods: [web, api, mon, other],
  namespaceLabels: {
    shop: { 'kubernetes.io/metadata.name': 'shop', team: 'a' },
    monitoring: { 'kubernetes.io/metadata.name': 'monitoring', team: 'obs' },
    other: { 'kubernetes.io/metadata.name': 'other' },
  },
};

const np = (name: string, spec: NetworkPolicy['spec'], namespace = 'shop'): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const conn = (src: ClusterPod | string, dst: ClusterPod | string, port = 8080, protocol: Connection['protocol'] = 'TCP'): Connection => ({
  src: typeof src === 'string' ? { kind: 'ip', ip: src } : { kind: 'pod', pod: src },
  dst: typeof dst === 'string' ? { kind: 'ip', ip: dst } : { kind: 'pod', pod: dst },
  port,
  protocol,
});

describe('selectors', () => {
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'web', tier: 'back' } }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['web', 'api'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn' as const, values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn' as const, values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] }, false],
    [{}, true],
  ])('%j on web → %s', (sel, expected) => expect(selectorMatches(sel, web.labels)).toBe(expected));
});

describe('evaluate', () => {
  it('no policy: everything is allowed', () => {
    expect(evaluate([], cluster, conn(web, api)).allowed).toBe(true);
  });

  it('a default deny isolates ingress only when policyTypes is absent and there are no egress rules', () => {
    const deny = np('default-deny', { podSelector: {} });
    expect(effectivePolicyTypes(deny)).toEqual(['Ingress']);
    const v = evaluate([deny], cluster, conn(web, api));
    expect(v.allowed).toBe(false);
    expect(v.egress?.isolated).toBe(false);
    expect(v.explanation).toMatch(/ingress denied: selected by shop\/default-deny/);
    expect(evaluate([np('d', { podSelector: {}, egress: [{}] })], cluster, conn(web, api)).egress?.isolated).toBe(true);
  });

  it('needs both the egress of the source and the ingress of the destination', () => {
    const egressDeny = np('web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
    const apiIngress = np('api', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    expect(evaluate([apiIngress], cluster, conn(web, api)).allowed).toBe(true);
    expect(evaluate([apiIngress, egressDeny], cluster, conn(web, api)).allowed).toBe(false);
    const webEgress = np('web-out', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    const v = evaluate([apiIngress, egressDeny, webEgress], cluster, conn(web, api));
    expect(v.allowed).toBe(true);
    expect(v.explanation).toMatch(/egress allowed by shop\/web-out egress\[0\]; ingress allowed by shop\/api ingress\[0\]/);
  });

  it('namespaceSelector and podSelector in one entry mean AND, in two entries OR', () => {
    const and = np('and', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const or = np('or', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    expect(evaluate([and], cluster, conn(mon, api)).allowed).toBe(false);
    expect(evaluate([and], cluster, conn(web, api)).allowed).toBe(false);
    expect(evaluate([or], cluster, conn(mon, api)).allowed).toBe(true);
    expect(evaluate([or], cluster, conn(web, api)).allowed).toBe(true);
    // A podSelector alone selects pods of the policy's own namespace only.
    expect(evaluate([or], cluster, conn(other, api)).allowed).toBe(false);
  });

  it('ipBlock with except', () => {
    const p = np('ext', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
    });
    expect(evaluate([p], cluster, conn(web, '10.2.3.4', 443)).allowed).toBe(true);
    expect(evaluate([p], cluster, conn(web, '10.1.3.4', 443)).allowed).toBe(false);
    expect(evaluate([p], cluster, conn(web, '192.168.0.1', 443)).allowed).toBe(false);
    const v6 = np('v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] });
    expect(evaluate([v6], cluster, conn(web, '2001:db8::1', 443)).allowed).toBe(true);
    expect(evaluate([v6], cluster, conn(web, '2001:db9::1', 443)).allowed).toBe(false);
  });

  it('ports: numbers, endPort ranges, named ports on the destination, and protocols (TCP by default)', () => {
    const p = (ports: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports']) =>
      np('p', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports }] });
    expect(evaluate([p([{ port: 8080 }])], cluster, conn(web, api, 8080)).allowed).toBe(true);
    expect(evaluate([p([{ port: 8080 }])], cluster, conn(web, api, 8080, 'UDP')).allowed).toBe(false);
    expect(evaluate([p([{ port: 8000, endPort: 8100 }])], cluster, conn(web, api, 8080)).allowed).toBe(true);
    expect(evaluate([p([{ port: 8000, endPort: 8100 }])], cluster, conn(web, api, 8101)).allowed).toBe(false);
    expect(evaluate([p([{ port: 'http' }])], cluster, conn(web, api, 8080)).allowed).toBe(true);
    expect(evaluate([p([{ port: 'http' }])], cluster, conn(web, api, 9090)).allowed).toBe(false);
    expect(evaluate([p([{ protocol: 'UDP', port: 'dns' }])], cluster, conn(web, api, 53, 'UDP')).allowed).toBe(true);
    expect(evaluate([p([{ protocol: 'SCTP' }])], cluster, conn(web, api, 9999, 'SCTP')).allowed).toBe(true);
  });

  it('several policies selecting a pod combine as a union', () => {
    const a = np('a', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
    });
    const b = np('b', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }] }] });
    expect(evaluate([a, b], cluster, conn(mon, api, 9999)).ingress?.allowedBy).toEqual({
      policy: 'shop/b',
      direction: 'ingress',
      index: 0,
    });
    expect(evaluate([a, b], cluster, conn(web, api, 8080)).ingress?.allowedBy).toEqual({
      policy: 'shop/a',
      direction: 'ingress',
      index: 0,
    });
    expect(evaluate([a, b], cluster, conn(web, api, 9999)).allowed).toBe(false);
  });
});
