// Coverage and lint off the main thread: on a 10,000-edge graph they take seconds, and the graph,
// the YAML and the keyboard must not wait for them.
import { computeFindings, type FindingsReply, type FindingsRequest } from './findings-compute';

// The worker's global scope (typed as a Worker: the renderer's tsconfig has the DOM lib, not WebWorker).
const scope = self as unknown as Worker;
// The graph comes once per capture (cloning 10,000 edges costs the main thread); changes send only
// the policies and the selection.
let graph: FindingsRequest['graph'] | undefined;
scope.onmessage = (e: MessageEvent<FindingsRequest>) => {
  const { id, ...request } = e.data;
  if (request.graph) graph = request.graph;
  try {
    if (!graph) throw new Error('no graph sent yet');
    scope.postMessage({ id, findings: computeFindings({ ...request, graph }) } satisfies FindingsReply);
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FindingsReply);
  }
};
