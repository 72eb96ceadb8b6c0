// The ingress controller's connections, one behaviour per case (semantics of netpol-analyzer's
// ingressanalyzer at e54a334; the replays in replay.test.ts and diff-replay.test.ts check whole outputs).
import { describe, expect, it } from 'vitest';
import { connlist } from './connlist';
import { connDiffText, connlistDiff } from './diff';
import { buildModel } from './model';

type Obj = Record<string, unknown>;

const deployment = (ports: Obj[], labels: Record<string, string> = { app: 'web' }): Obj => ({
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports }] } } },
});
const service = (ports: Obj[], selector: Record<string, string> | null = { app: 'web' }, namespace = 'shop'): Obj => ({
  kind: 'Service',
  metadata: { name: 'web-svc', namespace },
  spec: { ...(selector ? { selector } : {}), ports },
});
const ingress = (port?: Obj): Obj => ({
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'web-svc', ...(port ? { port } : {}) } } }] } }] },
});
const route = (targetPort?: number | string, to: Obj = { kind: 'Service', name: 'web-svc' }): Obj => ({
  kind: 'Route',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { to, ...(targetPort === undefined ? {} : { port: { targetPort } }) },
});
const denyAllIngress: Obj = {
  kind: 'NetworkPolicy',
  apiVersion: 'networking.k8s.io/v1',
  metadata: { name: 'deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};
const allowFrom = (from: Obj[]): Obj => ({
  ...denyAllIngress,
  metadata: { name: 'allow', namespace: 'shop' },
  spec: { podSelector: {}, ingress: [{ from }] },
});

const http = { name: 'http', containerPort: 8080 };
const metrics = { name: 'metrics', containerPort: 9090 };

/** What `{ingress-controller}` may open to shop/web, or undefined when it is not listed. */
const controller = (objects: Obj[]): string | undefined =>
  connlist(buildModel(objects)).find((c) => c.src === '{ingress-controller}' && c.dst === 'shop/web[Deployment]')?.conn;

describe('the {ingress-controller} peer', () => {
  it.each<[string, Obj[], string | undefined]>([
    [
      'an Ingress naming the Service port by number reaches its targetPort',
      [deployment([http]), service([{ port: 80, targetPort: 8080 }]), ingress({ number: 80 })],
      'TCP 8080',
    ],
    [
      '… and by name',
      [
        deployment([http, metrics]),
        service([
          { name: 'web', port: 80, targetPort: 8080 },
          { name: 'm', port: 90, targetPort: 9090 },
        ]),
        ingress({ name: 'web' }),
      ],
      'TCP 8080',
    ],
    [
      'a Service port without targetPort reaches the same port on the pods',
      [deployment([http]), service([{ port: 8080 }]), ingress({ number: 8080 })],
      'TCP 8080',
    ],
    [
      'a named targetPort is looked up among the container ports',
      [deployment([http]), service([{ port: 80, targetPort: 'http' }]), ingress({ number: 80 })],
      'TCP 8080',
    ],
    [
      'a named targetPort on a UDP container port is not reachable',
      [
        deployment([{ name: 'dns', containerPort: 53, protocol: 'UDP' }]),
        service([{ port: 53, targetPort: 'dns' }]),
        ingress({ number: 53 }),
      ],
      undefined,
    ],
    [
      'a port the containers do not declare is not reachable',
      [deployment([metrics]), service([{ port: 80, targetPort: 8080 }]), ingress({ number: 80 })],
      undefined,
    ],
    [
      'a Route without a port reaches every Service port',
      [
        deployment([http, metrics]),
        service([
          { port: 80, targetPort: 8080 },
          { port: 90, targetPort: 9090 },
        ]),
        route(),
      ],
      'TCP 8080,9090',
    ],
    [
      'a Route port may name the Service targetPort',
      [
        deployment([http, metrics]),
        service([
          { name: 'a', port: 80, targetPort: 'http' },
          { name: 'b', port: 90, targetPort: 'metrics' },
        ]),
        route('metrics'),
      ],
      'TCP 9090',
    ],
    [
      'an Ingress port name is a Service port name, never a targetPort',
      [deployment([http]), service([{ name: 'web', port: 80, targetPort: 'http' }]), ingress({ name: 'http' })],
      undefined,
    ],
    [
      'a Route to another kind than Service is left out',
      [deployment([http]), service([{ port: 8080 }]), route(undefined, { kind: 'Deployment', name: 'web-svc' })],
      undefined,
    ],
    [
      'a Service without a selector selects nothing',
      [deployment([http]), service([{ port: 8080 }], null), ingress({ number: 8080 })],
      undefined,
    ],
    [
      'a Service in another namespace is not a backend',
      [deployment([http]), service([{ port: 8080 }], { app: 'web' }, 'other'), ingress({ number: 8080 })],
      undefined,
    ],
    ['without an Ingress or Route there is no controller', [deployment([http]), service([{ port: 8080 }])], undefined],
    [
      'a policy that denies all ingress blocks it',
      [deployment([http]), service([{ port: 8080 }]), ingress({ number: 8080 }), denyAllIngress],
      undefined,
    ],
    [
      'a rule from pods of the same namespace does not match it',
      [deployment([http]), service([{ port: 8080 }]), ingress({ number: 8080 }), allowFrom([{ podSelector: {} }])],
      undefined,
    ],
    [
      'a rule from every namespace does: it runs in a namespace of its own',
      [deployment([http]), service([{ port: 8080 }]), ingress({ number: 8080 }), allowFrom([{ namespaceSelector: {} }])],
      'TCP 8080',
    ],
    [
      '… named by its default label',
      [
        deployment([http]),
        service([{ port: 8080 }]),
        ingress({ number: 8080 }),
        allowFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-controller-ns' } } }]),
      ],
      'TCP 8080',
    ],
  ])('%s', (_name, objects, want) => expect(controller(objects)).toBe(want));

  it('is listed after every other source', () => {
    const list = connlist(buildModel([deployment([http]), service([{ port: 8080 }]), ingress({ number: 8080 })]));
    expect(list.at(-1)).toEqual({ src: '{ingress-controller}', dst: 'shop/web[Deployment]', conn: 'TCP 8080' });
    expect(list.slice(0, -1).every((c) => c.src !== '{ingress-controller}')).toBe(true);
  });

  it('in a diff, comes after the other lines of every kind and is never an added or removed workload', () => {
    const old: Obj = { ...deployment([], { app: 'old' }), metadata: { name: 'old', namespace: 'shop' } };
    const before = buildModel([deployment([http]), old, service([{ port: 8080 }]), denyAllIngress]);
    const after = buildModel([
      deployment([http]),
      service([{ port: 8080 }]),
      ingress({ number: 8080 }),
      allowFrom([{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }]),
    ]);
    expect(connDiffText(connlistDiff(before, after)).split('\n')).toEqual([
      'Connectivity diff:',
      'diff-type: added, source: 0.0.0.0-255.255.255.255[External], destination: shop/web[Deployment], ref1: No Connections, ref2: All Connections',
      'diff-type: removed, source: shop/old[Deployment], destination: 0.0.0.0-255.255.255.255[External], ref1: All Connections, ref2: No Connections, workloads-diff-info: workload shop/old[Deployment] removed',
      'diff-type: added, source: {ingress-controller}, destination: shop/web[Deployment], ref1: No Connections, ref2: TCP 8080',
    ]);
  });
});
