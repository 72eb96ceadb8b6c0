// Writes a realistic synthetic `hubble observe -o jsonpb` capture: many namespaces and workloads,
// both-ends observations, replies, DNS with L7 answers, world traffic with names, and some drops.
// Usage: npm run gen -- --out big.jsonl [--lines 1000000] [--workloads 2000] [--edges 10000] [--gzip] (--help says more)
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { readCommandArgs, wrongCall } from '../shared/node/args/command-args';

export interface GenerateOptions {
  readonly lines: number;
  readonly workloads: number;
  readonly edges: number;
  readonly namespaces?: number;
  readonly seed?: number;
  /** First timestamp (ms); events are spread over `spanMs`. */
  readonly startMs?: number;
  readonly spanMs?: number;
}

/** Small deterministic PRNG (mulberry32) so the same options give the same file. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workload {
  ns: string;
  app: string;
  pods: string[];
  ips: string[];
  endpointJson: string[];
  port: number;
}

const WORDS = [
  'api',
  'web',
  'cart',
  'checkout',
  'payments',
  'orders',
  'search',
  'users',
  'auth',
  'ledger',
  'mailer',
  'ratings',
  'reviews',
  'catalog',
  'gateway',
  'worker',
  'cache',
  'queue',
  'billing',
  'reports',
];
const PORTS = [80, 443, 8080, 8443, 9080, 5432, 6379, 9090, 3000, 50051];
const NODES = ['gke-prod-pool-1-a1b2', 'gke-prod-pool-1-c3d4', 'gke-prod-pool-2-e5f6', 'gke-prod-pool-2-g7h8'];

/** The synthetic service graph behind a capture: workloads with pods, and the edges between them. */
export function syntheticTopology(o: GenerateOptions): { workloads: Workload[]; edges: [number, number][]; rand: () => number } {
  const rand = rng(o.seed ?? 42);
  const nsCount = o.namespaces ?? Math.max(1, Math.round(o.workloads / 40));
  const workloads: Workload[] = [];
  for (let i = 0; i < o.workloads; i++) {
    const ns = `team-${i % nsCount}`;
    const app = `${WORDS[i % WORDS.length]}-${Math.floor(i / WORDS.length)}`;
    const hash = Math.floor(rand() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')
      .slice(0, 9);
    const pods: string[] = [];
    const ips: string[] = [];
    const endpointJson: string[] = [];
    for (let p = 0; p < 2; p++) {
      const pod = `${app}-${hash}-${Math.floor(rand() * 36 ** 5)
        .toString(36)
        .padStart(5, '0')}`;
      const ip = `10.${(i >> 8) & 255}.${i & 255}.${10 + p}`;
      pods.push(pod);
      ips.push(ip);
      endpointJson.push(
        JSON.stringify({
          ID: 1000 + i * 2 + p,
          identity: 20000 + i,
          namespace: ns,
          labels: [
            `k8s:app=${app}`,
            `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`,
            `k8s:io.cilium.k8s.namespace.labels.team=${ns}`,
            'k8s:io.cilium.k8s.policy.cluster=default',
            `k8s:io.cilium.k8s.policy.serviceaccount=${app}`,
            `k8s:io.kubernetes.pod.namespace=${ns}`,
            `k8s:pod-template-hash=${hash}`,
            'k8s:version=v1',
          ],
          pod_name: pod,
          workloads: [{ name: app, kind: 'Deployment' }],
        }),
      );
    }
    workloads.push({ ns, app, pods, ips, endpointJson, port: PORTS[i % PORTS.length] });
  }
  const edges: [number, number][] = [];
  const seen = new Set<string>();
  while (edges.length < Math.min(o.edges, o.workloads * (o.workloads - 1))) {
    const a = Math.floor(rand() * o.workloads);
    // Mostly within the namespace neighbourhood, sometimes across.
    const b = rand() < 0.8 ? (a + 1 + Math.floor(rand() * 30)) % o.workloads : Math.floor(rand() * o.workloads);
    if (a === b || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    edges.push([a, b]);
  }
  return { workloads, edges, rand };
}

const KUBE_DNS = JSON.stringify({
  ID: 9,
  identity: 102,
  namespace: 'kube-system',
  labels: [
    'k8s:k8s-app=kube-dns',
    'k8s:io.kubernetes.pod.namespace=kube-system',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:pod-template-hash=5d8f7c9b4',
  ],
  pod_name: 'coredns-5d8f7c9b4-x7k2p',
});
const WORLD = JSON.stringify({ identity: 2, labels: ['reserved:world'] });

interface Packet {
  readonly fromServer: boolean;
  readonly l4: string;
  readonly reply: boolean;
  /** Seen at the sender's node (TO_STACK), or also at the receiver's (TO_ENDPOINT). */
  readonly both: boolean;
  readonly extra?: string;
  readonly verdict?: string;
}

const tcp = (sport: number, dport: number, flags: string): string =>
  `{"TCP":{"source_port":${sport},"destination_port":${dport},"flags":${flags}}}`;

/**
 * Yields capture lines (without newlines) made of whole connections, as `hubble observe` prints
 * them: a handshake seen at both nodes, replies on the same ports, DNS lookups with their answers,
 * HTTPS to named external addresses, drops, connections already open when the capture began, and
 * now and then a reply flag that is wrong after a FIN. The first connections go once over every
 * edge of the topology, so even a short capture has them all.
 */
export function* generateLines(o: GenerateOptions): Generator<string> {
  const { workloads, edges, rand } = syntheticTopology(o);
  const start = o.startMs ?? Date.parse('2026-11-01T00:00:00Z');
  const span = o.spanMs ?? 26 * 3600 * 1000;
  let i = 0;
  for (let c = 0; i < o.lines; c++) {
    const r = rand();
    const [ai, bi] = c < edges.length ? edges[c] : edges[Math.floor(rand() * edges.length)];
    const a = workloads[ai];
    const pa = c % 2;
    const sport = 32768 + Math.floor(rand() * 28000);
    const t0 = start + Math.floor((i / o.lines) * span);
    const node = NODES[c % NODES.length];
    const packets: Packet[] = [];
    let server: { json: string; ip: string; port: number };
    if (r < 0.1) {
      // A DNS lookup and its answer, with L7.
      const q = `${workloads[bi].app}.${workloads[bi].ns}.svc.cluster.local.`;
      server = { json: KUBE_DNS, ip: '10.96.0.10', port: 53 };
      const l4 = (from: boolean) => `{"UDP":{"source_port":${from ? 53 : sport},"destination_port":${from ? sport : 53}}}`;
      packets.push(
        {
          fromServer: false,
          l4: l4(false),
          reply: false,
          both: false,
          extra: `,"Type":"L7","l7":{"type":"REQUEST","latency_ns":"0","dns":{"query":"${q}","qtypes":["A"]},"observation_source":"proxy"}`,
        },
        {
          fromServer: true,
          l4: l4(true),
          reply: true,
          both: false,
          extra: `,"Type":"L7","l7":{"type":"RESPONSE","latency_ns":"182000","dns":{"query":"${q}","ips":["${workloads[bi].ips[0]}"],"ttl":30,"rcode":0,"qtypes":["A"],"rrtypes":["A"]},"observation_source":"proxy"}`,
        },
      );
    } else if (r < 0.13) {
      // HTTPS to a named external address: only the client's node sees it.
      server = { json: WORLD, ip: `52.${Math.floor(ai % 200)}.1.${1 + (ai % 3)}`, port: 443 };
      const names = `,"destination_names":["api-${ai % 50}.example.com"],"Type":"L3_L4"`;
      packets.push(
        { fromServer: false, l4: tcp(sport, 443, '{"SYN":true}'), reply: false, both: false, extra: names },
        { fromServer: true, l4: tcp(443, sport, '{"SYN":true,"ACK":true}'), reply: true, both: false, extra: ',"Type":"L3_L4"' },
        { fromServer: false, l4: tcp(sport, 443, '{"ACK":true,"FIN":true}'), reply: false, both: false, extra: names },
      );
    } else {
      const b = workloads[bi];
      const pb = (c >> 1) % 2;
      server = { json: b.endpointJson[pb], ip: b.ips[pb], port: b.port };
      const out = (flags: string) => tcp(sport, b.port, flags);
      const back = (flags: string) => tcp(b.port, sport, flags);
      if (r > 0.995) {
        // A drop at the server's node: the SYN never gets an answer.
        packets.push({
          fromServer: false,
          l4: out('{"SYN":true}'),
          reply: false,
          both: true,
          verdict: 'DROPPED',
          extra: ',"drop_reason":133,"drop_reason_desc":"POLICY_DENIED"',
        });
      } else if (r > 0.95) {
        // Open before the capture began: no handshake, the flags right.
        packets.push(
          { fromServer: false, l4: out('{"ACK":true,"PSH":true}'), reply: false, both: true },
          { fromServer: true, l4: back('{"ACK":true,"PSH":true}'), reply: true, both: true },
        );
      } else {
        packets.push(
          { fromServer: false, l4: out('{"SYN":true}'), reply: false, both: true },
          { fromServer: true, l4: back('{"SYN":true,"ACK":true}'), reply: true, both: true },
        );
        if (r > 0.7) packets.push({ fromServer: false, l4: out('{"ACK":true,"PSH":true}'), reply: false, both: false });
        // After the FIN the agent sometimes has the flag the wrong way round (cilium/cilium issues about is_reply).
        if (r > 0.9) packets.push({ fromServer: true, l4: back('{"ACK":true,"FIN":true}'), reply: r > 0.93, both: false });
      }
    }
    const client = { json: a.endpointJson[pa], ip: a.ips[pa] };
    let ms = 0;
    for (const p of packets) {
      const [src, dst, sip, dip] = p.fromServer
        ? [server.json, client.json, server.ip, client.ip]
        : [client.json, server.json, client.ip, server.ip];
      for (const point of p.both ? ['TO_STACK', 'TO_ENDPOINT'] : ['TO_STACK']) {
        if (i >= o.lines) return;
        const t = new Date(t0 + ms).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}456Z`);
        const dir = (point === 'TO_STACK') !== p.fromServer ? 'EGRESS' : 'INGRESS';
        yield `{"flow":{"time":"${t}","uuid":"${((i * 2654435761) >>> 0).toString(16)}-7c1e-4c4e-9d3a-0f9b${i.toString(16).padStart(8, '0')}","verdict":"${p.verdict ?? 'FORWARDED'}","ethernet":{"source":"6a:1f:02:3b:9c:${(i & 255).toString(16).padStart(2, '0')}","destination":"d6:ec:b0:4a:ff:46"},"IP":{"source":"${sip}","destination":"${dip}","ipVersion":"IPv4"},"l4":${p.l4},"source":${src},"destination":${dst}${p.extra ?? ',"Type":"L3_L4"'},"node_name":"${node}","event_type":{"type":4},"traffic_direction":"${dir}","trace_observation_point":"${point}","is_reply":${p.reply},"Summary":"TCP Flags: ACK"},"node_name":"${node}","time":"${t}"}`;
        i++;
      }
      ms += 1 + Math.floor(rand() * 3);
    }
  }
}

async function write(out: Writable, lines: Iterable<string>): Promise<void> {
  let batch: string[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 2000) {
      if (!out.write(batch.join('\n') + '\n')) await once(out, 'drain');
      batch = [];
    }
  }
  if (batch.length) out.write(batch.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}

/** Writes a capture file; returns when it is on disk. */
export async function writeCapture(file: string, o: GenerateOptions, gzip = false): Promise<void> {
  const fileStream = createWriteStream(file);
  if (gzip) {
    const z = createGzip({ level: 1 });
    z.pipe(fileStream);
    await write(z, generateLines(o));
    await once(fileStream, 'finish');
  } else {
    await write(fileStream, generateLines(o));
  }
}

/** What `npm run gen -- --help` prints. */
export const GENERATE_USAGE = `usage: npm run gen -- --out FILE [--lines N] [--workloads W] [--edges E] [--namespaces K] [--gzip]

Writes a synthetic \`hubble observe -o jsonpb\` capture to FILE (gzip-compressed with --gzip).
  --lines N        records to write (default 100000)
  --workloads W    workloads across the namespaces (default 200)
  --edges E        distinct connections between them (default 1000)
  --namespaces K   namespaces (default: one per 40 workloads)
  --gzip           compress the file
`;

const GENERATE_FLAGS = {
  lines: { type: 'string', default: '100000' },
  workloads: { type: 'string', default: '200' },
  edges: { type: 'string', default: '1000' },
  namespaces: { type: 'string' },
  out: { type: 'string' },
  gzip: { type: 'boolean', default: false },
} as const;

/** A generator call: the usage, a one-line error, or the file to write and how. */
export type GenerateRequest =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'wrong'; readonly text: string }
  | { readonly kind: 'run'; readonly out: string; readonly options: GenerateOptions; readonly gzip: boolean };

/** Reads the generator's command line; every count must be a whole number above zero. */
export function generateRequest(argv: readonly string[]): GenerateRequest {
  const r = readCommandArgs(argv, GENERATE_FLAGS, GENERATE_USAGE);
  if (r.kind !== 'run') return r;
  const v = r.values;
  if (!v.out) return { kind: 'wrong', text: wrongCall('--out FILE is required', GENERATE_USAGE) };
  const counts: Record<string, number | undefined> = {};
  for (const flag of ['lines', 'workloads', 'edges', 'namespaces'] as const) {
    const text = v[flag];
    if (text === undefined) continue;
    if (!/^[1-9]\d*$/.test(text))
      return { kind: 'wrong', text: wrongCall(`--${flag} "${text}" is not a whole number above 0`, GENERATE_USAGE) };
    counts[flag] = Number(text);
  }
  return {
    kind: 'run',
    out: v.out,
    gzip: v.gzip,
    options: { lines: counts.lines!, workloads: counts.workloads!, edges: counts.edges!, namespaces: counts.namespaces },
  };
}

if (process.argv[1]?.endsWith('generate-capture.mjs')) {
  const r = generateRequest(process.argv.slice(2));
  if (r.kind === 'help') process.stdout.write(r.text);
  else if (r.kind === 'wrong') {
    process.stderr.write(`generate-capture: ${r.text}\n`);
    process.exitCode = 2;
  } else await writeCapture(r.out, r.options, r.gzip);
}
