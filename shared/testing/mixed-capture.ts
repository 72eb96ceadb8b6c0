// A small capture built for tests: replies, DNS with answers, a dropped flow, a cross-namespace caller
// and a world address (namespaces shop, monitoring, kube-system). Tests only.

export function flow(o: {
  t: string;
  src: object;
  dst: object;
  srcIp: string;
  dstIp: string;
  proto: 'TCP' | 'UDP';
  sport: number;
  dport: number;
  reply?: boolean;
  verdict?: string;
  l7?: object;
  names?: string[];
}): string {
  return JSON.stringify({
    flow: {
      time: o.t,
      verdict: o.verdict ?? 'FORWARDED',
      IP: { source: o.srcIp, destination: o.dstIp },
      l4: { [o.proto]: { source_port: o.sport, destination_port: o.dport } },
      source: o.src,
      destination: o.dst,
      is_reply: o.reply ?? false,
      traffic_direction: 'EGRESS',
      ...(o.l7 ? { l7: o.l7 } : {}),
      ...(o.names ? { destination_names: o.names } : {}),
    },
  });
}

export const ep = (ns: string, app: string, pod: string, key = 'app') => ({
  namespace: ns,
  labels: [`k8s:${key}=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`, 'k8s:pod-template-hash=6f7d9c'],
  pod_name: pod,
});
export const web = ep('shop', 'web', 'web-6f7d9c-aaaaa');
export const api = ep('shop', 'api', 'api-6f7d9c-bbbbb');
export const db = ep('shop', 'db', 'db-0');
export const prom = ep('monitoring', 'prometheus', 'prometheus-0');
export const dns = ep('kube-system', 'kube-dns', 'coredns-5d8f-ccccc', 'k8s-app');
export const world = { identity: 2, labels: ['reserved:world'] };

/** Replies, DNS with answers, a dropped flow, a cross-namespace caller and a world address. */
export const mixed = [
  flow({ t: '2026-11-01T09:00:00Z', src: web, dst: api, srcIp: '10.0.0.1', dstIp: '10.0.0.2', proto: 'TCP', sport: 41000, dport: 8080 }),
  flow({
    t: '2026-11-01T09:00:01Z',
    src: api,
    dst: web,
    srcIp: '10.0.0.2',
    dstIp: '10.0.0.1',
    proto: 'TCP',
    sport: 8080,
    dport: 41000,
    reply: true,
  }),
  flow({ t: '2026-11-01T09:00:02Z', src: api, dst: db, srcIp: '10.0.0.2', dstIp: '10.0.0.3', proto: 'TCP', sport: 41001, dport: 5432 }),
  flow({
    t: '2026-11-01T09:00:03Z',
    src: db,
    dst: api,
    srcIp: '10.0.0.3',
    dstIp: '10.0.0.2',
    proto: 'TCP',
    sport: 5432,
    dport: 41001,
    reply: true,
  }),
  flow({
    t: '2026-11-01T09:00:04Z',
    src: api,
    dst: dns,
    srcIp: '10.0.0.2',
    dstIp: '10.0.9.9',
    proto: 'UDP',
    sport: 50000,
    dport: 53,
    l7: { type: 'REQUEST', dns: { query: 'payments.example.com.' } },
  }),
  flow({
    t: '2026-11-01T09:00:04Z',
    src: dns,
    dst: api,
    srcIp: '10.0.9.9',
    dstIp: '10.0.0.2',
    proto: 'UDP',
    sport: 53,
    dport: 50000,
    reply: true,
    l7: { type: 'RESPONSE', dns: { query: 'payments.example.com.', ips: ['203.0.113.7'] } },
  }),
  flow({
    t: '2026-11-01T09:00:05Z',
    src: api,
    dst: world,
    srcIp: '10.0.0.2',
    dstIp: '203.0.113.7',
    proto: 'TCP',
    sport: 41002,
    dport: 443,
  }),
  flow({
    t: '2026-11-01T09:00:06Z',
    src: world,
    dst: api,
    srcIp: '203.0.113.7',
    dstIp: '10.0.0.2',
    proto: 'TCP',
    sport: 443,
    dport: 41002,
    reply: true,
  }),
  flow({ t: '2026-11-01T09:00:07Z', src: prom, dst: api, srcIp: '10.1.0.5', dstIp: '10.0.0.2', proto: 'TCP', sport: 41003, dport: 9090 }),
  flow({
    t: '2026-11-01T09:00:08Z',
    src: web,
    dst: db,
    srcIp: '10.0.0.1',
    dstIp: '10.0.0.3',
    proto: 'TCP',
    sport: 41004,
    dport: 5432,
    verdict: 'DROPPED',
  }),
  flow({ t: '2026-11-01T09:00:09Z', src: web, dst: dns, srcIp: '10.0.0.1', dstIp: '10.0.9.9', proto: 'UDP', sport: 50001, dport: 53 }),
  flow({ t: '2026-11-01T09:00:10Z', src: web, dst: dns, srcIp: '10.0.0.1', dstIp: '10.0.9.9', proto: 'TCP', sport: 50002, dport: 53 }),
].join('\n');
