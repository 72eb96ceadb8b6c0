// Child process of the benchmark: reads one capture and prints its figures as JSON, so that
// peak RSS is measured for the ingestion alone.
import { analyzeFile } from '../shared/node/capture/read-capture';
import { summarize } from '../shared/graph/summary';

const [file, workers] = process.argv.slice(2);
const t0 = performance.now();
const analysis = await analyzeFile(file, { workers: Number(workers ?? 2) });
const ms = performance.now() - t0;
const s = summarize(analysis);
process.stdout.write(
  JSON.stringify({
    ms,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    records: s.records,
    flows: s.flows,
    edges: s.edges,
    badLines: s.badLines,
  }) + '\n',
);
