// The shapes of a cluster snapshot: what the readers (parse.ts), the backend resolution
// (backends.ts) and the index (snapshot.ts) share.

export type SnapshotProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface SnapshotContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: SnapshotProtocol;
}

export interface SnapshotPod {
  readonly namespace: string;
  readonly name: string;
  /** `status.podIPs` / `status.podIP`; empty when not scheduled. */
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
  /** All labels, as in the object. */
  readonly labels: Readonly<Record<string, string>>;
  /** The top-level workload: a ReplicaSet owner becomes its Deployment (strip the pod-template-hash: the RS name is `<deployment>-<hash label value>`), a Job named `<cronjob>-<digits>` its CronJob; a bare pod has none. */
  readonly owner?: { readonly kind: string; readonly name: string };
  readonly ports: readonly SnapshotContainerPort[];
}

export interface SnapshotServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: SnapshotProtocol;
  readonly nodePort?: number;
}

export interface SnapshotService {
  readonly namespace: string;
  readonly name: string;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName. */
  readonly type: string;
  /** `spec.clusterIPs` / `spec.clusterIP`, without "None". */
  readonly clusterIPs: readonly string[];
  /** `spec.externalIPs` + `status.loadBalancer.ingress[].ip`. */
  readonly externalIPs: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly externalName?: string;
  readonly ports: readonly SnapshotServicePort[];
}

export type SnapshotBackend =
  | { readonly kind: 'pod'; readonly pod: SnapshotPod; readonly port: number }
  /** An endpoint that is not a pod (a selector-less Service pointing outside). */
  | { readonly kind: 'address'; readonly ip: string; readonly port: number };

export interface ClusterSnapshot {
  /** File name(s) or "kubectl --context X", for messages. */
  readonly source: string;
  readonly pods: readonly SnapshotPod[];
  readonly services: readonly SnapshotService[];
  pod(namespace: string, name: string): SnapshotPod | undefined;
  /** hostNetwork pods excluded (their IP is the node's). */
  podByIp(ip: string): SnapshotPod | undefined;
  /** Pods whose top-level owner (see SnapshotPod.owner) is `name` in `namespace`, any kind. */
  podsOfWorkload(namespace: string, name: string): readonly SnapshotPod[];
  service(namespace: string, name: string): SnapshotService | undefined;
  /** The Service port whose frontend is ip:port/protocol: a ClusterIP or external/LB IP with `port` (node addresses with `nodePort` are not in a snapshot); undefined when none. */
  serviceByFrontend(
    ip: string,
    port: number,
    protocol: SnapshotProtocol,
  ): { readonly service: SnapshotService; readonly port: SnapshotServicePort } | undefined;
  /** The backends of one Service port, from its EndpointSlices (label kubernetes.io/service-name), falling back to v1 Endpoints, falling back to the selector matched against pods with the targetPort resolved through each pod's container ports. Ready and not-ready endpoints both count (a policy must allow both). Port: the EndpointSlice port whose name and protocol equal the Service port's (or its only port, when the Service has one), else a numeric targetPort, else the named targetPort on the endpoint's pod. The selector fallback leaves out unscheduled and finished pods, as the EndpointSlice controller does. Empty when none is known (ExternalName, no endpoints). Sorted (pods by namespace and name, then addresses) and de-duplicated (a dual-stack pod once). */
  backends(service: SnapshotService, port: SnapshotServicePort): readonly SnapshotBackend[];
  /** The labels of a namespace the snapshot lists (`kubernetes.io/metadata.name` included); undefined when it lists none of that name. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  /** A named container port on a pod (`http-api` → 8000), matching protocol (TCP when the container port says none). */
  namedPort(pod: SnapshotPod, name: string, protocol: SnapshotProtocol): number | undefined;
}
