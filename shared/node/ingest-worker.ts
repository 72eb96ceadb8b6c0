// Worker thread: parses whole-line chunks of a capture and aggregates them into a partial graph.
import { parentPort } from 'node:worker_threads';
import { CaptureParser } from '../flows/parser';
import { GraphBuilder } from '../graph/builder';
import { forEachLine } from '../flows/lines';
import type { FromWorker, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('ingest-worker must run in a worker thread');

let parser: CaptureParser | undefined;
const builder = new GraphBuilder();
const decoder = new TextDecoder();
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  try {
    if (m.type === 'init') {
      parser = new CaptureParser(m.file, (ev) => {
        if (ev.kind === 'flow') builder.add(ev.record);
      }, m.limits, { mode: m.mode, format: m.format });
    } else if (m.type === 'chunk') {
      if (!parser) throw new Error('chunk before init');
      const p = parser;
      forEachLine(decoder.decode(m.bytes), m.firstLine, (line, no) => p.pushLine(line, no));
      send({ type: 'ack' });
    } else {
      if (!parser) throw new Error('end before init');
      send({ type: 'done', partial: builder.partial(), stats: parser.stats });
    }
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
  }
});
