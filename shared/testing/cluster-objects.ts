// Kubernetes objects for cluster-snapshot tests, in the shape the API server returns them but cut to
// the fields a snapshot reads (namespace `shop` unless told). Tests only.
import type { ClusterSnapshot, SnapshotBackend } from '../cluster';

export interface PodSpec {
  readonly ns?: string;
  readonly ips?: readonly string[];
  readonly labels?: Record<string, string>;
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: string }[];
  readonly owner?: readonly [kind: string, name: string];
  readonly hostNetwork?: boolean;
  readonly phase?: string;
}

export const pod = (name: string, p: PodSpec = {}): unknown => ({
  kind: 'Pod',
  metadata: {
    name,
    namespace: p.ns ?? 'shop',
    labels: p.labels ?? {},
    ...(p.owner ? { ownerReferences: [{ kind: p.owner[0], name: p.owner[1], controller: true }] } : {}),
  },
  spec: { hostNetwork: p.hostNetwork, containers: [{ name: 'main', ports: p.ports ?? [] }] },
  status: { phase: p.phase ?? 'Running', podIP: p.ips?.[0], podIPs: (p.ips ?? []).map((ip) => ({ ip })) },
});
export const service = (name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): unknown => ({
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec,
  status,
});
export type Endpoint = readonly [ip: string, pod?: string];
export const slice = (
  svc: string,
  name: string,
  endpoints: readonly Endpoint[],
  ports: readonly unknown[],
  addressType = 'IPv4',
): unknown => ({
  kind: 'EndpointSlice',
  addressType,
  metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': svc } },
  endpoints: endpoints.map(([ip, pod], i) => ({
    addresses: [ip],
    conditions: { ready: i % 2 === 0 },
    ...(pod ? { targetRef: { kind: 'Pod', name: pod, namespace: 'shop' } } : {}),
  })),
  ports,
});
export const list = (...items: unknown[]): unknown => ({ kind: 'List', apiVersion: 'v1', items });

/** A Service's backends as `pod:port` or `ip:port` words, the way a reader of a test would write them. */
export function backendsOf(snap: ClusterSnapshot, svc: string, portName?: string): string[] {
  const s = snap.service('shop', svc) ?? snap.service('logging', svc);
  const port = s?.ports.find((p) => p.name === portName) ?? s?.ports[0];
  if (!s || !port) throw new Error(`no service ${svc}`);
  return snap.backends(s, port).map((b: SnapshotBackend) => (b.kind === 'pod' ? `${b.pod.name}:${b.port}` : `${b.ip}:${b.port}`));
}
