// `npm run bench`: ingestion throughput and peak memory on a generated 1,000,000-line Hubble
// capture, compared with jq extracting the same fields from the same file in the same run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandArgsOrExit } from '../shared/node/args/command-args';
import { benchPolicy } from './bench-policy';
import { writeCapture } from './generate-capture';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const values = commandArgsOrExit(
  process.argv.slice(2),
  {
    lines: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
  },
  'usage: npm run bench -- [--lines N] [--workers W] [--runs R]\n\nIngestion throughput and peak memory on a generated N-line capture (default 1000000), against jq;\nW parser threads (default 2), the best of R runs (default 3).\n',
);
const lines = Number(values.lines);
const TARGET_POLICY_MS = 500;
const runs = Math.max(1, Number(values.runs));

const TARGET_RATIO = 8;
const TARGET_RSS_MB = 300;
/** The fields our reader uses, for jq to extract from each line. */
const JQ_FILTER =
  '[.flow.time, .flow.verdict, .flow.IP.source, .flow.IP.destination, .flow.l4, .flow.source.identity, .flow.source.namespace, .flow.source.labels, .flow.source.pod_name, ' +
  '.flow.destination.identity, .flow.destination.namespace, .flow.destination.labels, .flow.destination.pod_name, .flow.is_reply, .flow.traffic_direction, ' +
  '.flow.trace_observation_point, .flow.l7.type, .flow.l7.dns.query, .flow.l7.dns.ips, .flow.destination_names, .flow.drop_reason_desc]';

interface IngestRun {
  ms: number;
  maxRssBytes: number;
  records: number;
  flows: number;
  edges: number;
  badLines: number;
}

function ingest(file: string, workers: number): Promise<IngestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'out/cli/bench-ingest.mjs'), file, String(workers)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as IngestRun) : reject(new Error(`ingest exited ${code}`))));
  });
}

function jq(file: string): number | undefined {
  if (spawnSync('jq', ['--version']).status !== 0) return undefined;
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `jq -c '${JQ_FILTER}' "$1" > /dev/null`, 'jq-baseline', file], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('jq failed');
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);

const dir = path.join(root, '.bench');
await mkdir(dir, { recursive: true });
const file = path.join(dir, `capture-${lines}.jsonl`);
if (!existsSync(file)) {
  process.stdout.write(`generating ${lines.toLocaleString('en-US')} Hubble lines into ${path.relative(root, file)} …\n`);
  await writeCapture(file, { lines, workloads: 2000, edges: 10000 });
}
const bytes = statSync(file).size;
process.stdout.write(`capture: ${lines.toLocaleString('en-US')} lines, ${mb(bytes)} MB (${path.relative(root, file)})\n\n`);

const jqMs = jq(file);
const ours: IngestRun[] = [];
for (let i = 0; i < runs; i++) ours.push(await ingest(file, Number(values.workers)));
const oneThread = await ingest(file, 0);
const ms = median(ours.map((r) => r.ms));
const rss = Math.max(...ours.map((r) => r.maxRssBytes));
const r0 = ours[0];

const row = (k: string, v: string): void => void process.stdout.write(`${k.padEnd(44)}${v}\n`);
row(
  'records / flows / edges',
  `${r0.records.toLocaleString('en-US')} / ${r0.flows.toLocaleString('en-US')} / ${r0.edges.toLocaleString('en-US')} (bad lines: ${r0.badLines})`,
);
row(
  `netpol-studio, ${values.workers} workers (median of ${runs})`,
  `${(ms / 1000).toFixed(2)} s  ${((r0.records / ms) * 1000).toFixed(0)} records/s  ${((bytes / 1e6 / ms) * 1000).toFixed(0)} MB/s`,
);
row(
  'netpol-studio, one thread',
  `${(oneThread.ms / 1000).toFixed(2)} s  ${((bytes / 1e6 / oneThread.ms) * 1000).toFixed(0)} MB/s  (peak RSS ${mb(oneThread.maxRssBytes)} MB)`,
);
row('peak RSS (workers included)', `${mb(rss)} MB   target < ${TARGET_RSS_MB} MB: ${rss / 1e6 < TARGET_RSS_MB ? 'met' : 'MISSED'}`);
if (jqMs === undefined) {
  row('jq baseline', 'jq is not installed: no ratio (apt-get install -y jq)');
} else {
  const ratio = jqMs / ms;
  row('jq baseline (same fields, same file)', `${(jqMs / 1000).toFixed(2)} s  ${((bytes / 1e6 / jqMs) * 1000).toFixed(0)} MB/s`);
  row('ratio (jq time / our time)', `${ratio.toFixed(1)}×   target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}`);
}

// Policy engine: generate plus verify on 1,000 workloads and 10,000 kept edges, each flavor (median of 5, after a warm-up).
process.stdout.write('\n');
for (const flavor of ['kubernetes', 'cilium'] as const) {
  benchPolicy(flavor);
  const policyRuns = Array.from({ length: 5 }, () => benchPolicy(flavor));
  const total = median(policyRuns.map((r) => r.generateMs + r.verifyMs));
  const p0 = policyRuns[0];
  row(
    `policy (${flavor}): graph`,
    `1,000 workloads, 10,000 kept edges -> ${p0.policies.toLocaleString('en-US')} policies, ${p0.rules.toLocaleString('en-US')} rules (verify ok: ${p0.ok})`,
  );
  row(
    `policy (${flavor}): generate + verify`,
    `${total.toFixed(0)} ms (generate ${median(policyRuns.map((r) => r.generateMs)).toFixed(0)} ms, verify ${median(policyRuns.map((r) => r.verifyMs)).toFixed(0)} ms), median of 5`,
  );
  row(
    `policy (${flavor}): budget used`,
    `${((total / TARGET_POLICY_MS) * 100).toFixed(0)}% of ${TARGET_POLICY_MS} ms: ${total < TARGET_POLICY_MS ? 'met' : 'MISSED'}`,
  );
}
