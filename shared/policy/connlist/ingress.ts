// The `{ingress-controller}` peer of np-guard/netpol-analyzer (pkg/netpol/connlist/internal/ingressanalyzer,
// and getIngressAllowedConnections in pkg/netpol/connlist/connlist.go, at e54a334): Ingress and Route objects
// say that traffic from outside reaches the workloads their Services select, on the ports they name, through
// the cluster's ingress controller; what the policies then let through is listed as a connection from it.
import { selectorMatches } from '../selectors';
import type { ConnlistModel, PeerConnSet, IngressBackend, IngressControllerPeer, IngressRoute, ServicePort, WorkloadPeer } from './model';
import { connOf, intersect, isEmpty, NO_CONNS, union, type ConnSet } from './portset';

export const INGRESS_CONTROLLER: IngressControllerPeer = { kind: 'ingress-controller' };

/**
 * The pod policies are evaluated against for the ingress controller, as netpol-analyzer adds it: no labels,
 * in a namespace of its own that no manifest names (so only rules whose peers match any namespace, or
 * allow every source, let it in).
 */
export const INGRESS_CONTROLLER_POD: WorkloadPeer = {
  kind: 'workload',
  namespace: 'ingress-controller-ns',
  name: 'ingress-controller',
  workloadKind: 'Pod',
  labels: {},
  ports: [],
};

/** The pod port(s) a backend reaches: the Service port it names (all of them when it names none), mapped to its target port. */
function podPorts(ports: readonly ServicePort[], backend: IngressBackend, kind: IngressRoute['kind']): (number | string)[] {
  const target = (p: ServicePort): number | string => p.targetPort ?? p.port;
  if (backend.port === undefined) return ports.map(target);
  const wanted = backend.port;
  // An Ingress names the Service port (by number or name); a Route's targetPort may also be the Service's targetPort.
  const named = ports.find((p) =>
    typeof wanted === 'number'
      ? p.port === wanted || p.targetPort === wanted
      : (p.name !== undefined && p.name === wanted) || (kind === 'Route' && p.targetPort === wanted),
  );
  return named ? [target(named)] : [];
}

/**
 * The TCP ports of workload `w` a backend reaches: a port by number must be one of `w`'s container ports
 * and a named one must name one of them with TCP (netpol-analyzer counts every container port as TCP
 * for the first check: a pod's "exposed TCP connections").
 */
function backendConn(w: WorkloadPeer, ports: readonly ServicePort[], backend: IngressBackend, kind: IngressRoute['kind']): ConnSet {
  let acc = NO_CONNS;
  for (const p of podPorts(ports, backend, kind)) {
    let port: number;
    if (typeof p === 'string') {
      const c = w.ports.find((x) => x.name === p);
      if (!c || (c.protocol ?? 'TCP') !== 'TCP') continue;
      port = c.containerPort;
    } else port = p;
    if (w.ports.some((x) => x.containerPort === port)) acc = union(acc, connOf('TCP', port, port));
  }
  return acc;
}

/**
 * The ingress controller's connections: for each workload a Service behind an Ingress or Route (in the
 * same namespace) selects, the TCP ports those objects reach, intersected with what the policies allow
 * from `INGRESS_CONTROLLER_POD` (`allowedBetween`, connlist.ts's answer to "what may this pod open to
 * that workload"). Workloads left with nothing are not listed. In the order the workloads were read.
 */
export function ingressConnections(
  model: ConnlistModel,
  allowedBetween: (model: ConnlistModel, src: WorkloadPeer, dst: WorkloadPeer) => ConnSet,
): PeerConnSet[] {
  // A later Service of the same name replaces an earlier one, as in netpol-analyzer's map of them.
  const services = new Map(model.services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const reached = new Map<WorkloadPeer, ConnSet>();
  for (const route of model.ingressRoutes) {
    for (const backend of route.backends) {
      const svc = services.get(`${route.namespace}/${backend.service}`);
      if (!svc) continue;
      for (const w of model.workloads) {
        if (w.namespace !== svc.namespace || !selectorMatches({ matchLabels: svc.selector }, w.labels)) continue;
        reached.set(w, union(reached.get(w) ?? NO_CONNS, backendConn(w, svc.ports, backend, route.kind)));
      }
    }
  }
  return model.workloads.flatMap((dst) => {
    const conn = intersect(reached.get(dst) ?? NO_CONNS, allowedBetween(model, INGRESS_CONTROLLER_POD, dst));
    return isEmpty(conn) ? [] : [{ src: INGRESS_CONTROLLER, dst, conn }];
  });
}
