// Verify on what a generator wrote, judged as the bundle judges it. Tests only.
import type { Selection } from '../graph/selection';
import type { ServiceGraph } from '../graph/types';
import type { PolicyDocument } from '../policy/documents';
import type { GeneratedSet } from '../policy/generate';
import { verify, type Coverage, type VerifyOptions } from '../policy/verify';

/** Verifies a generated set of any flavor: its documents, against the graph and selection it came from, over the namespaces it was generated for. */
export function verifySet(
  set: GeneratedSet<string, PolicyDocument>,
  graph: ServiceGraph,
  selection: Selection,
  options: VerifyOptions = {},
): Coverage {
  return verify(
    set.policies.map((g) => g.policy),
    graph,
    selection,
    set.options.namespaces,
    options,
  );
}
