// "Allow" on a soak's missing rule: the patch names the rolled-out policies (in the target
// namespaces), while the policy set a user rolls out again is the one generated for the source
// namespaces. So the source texts are mapped to the target, patched with applyPatch (the one way a
// rule is added), and the policies it changed or added are mapped back.
import { Document, isMap, isSeq } from 'yaml';
import type { PolicyDocument } from '../policy/documents';
import { parsePolicies } from '../policy/yaml';
import { mapPolicy, type NamespaceMap } from './namespace-map';
import { applyPatch } from './patch';
import type { SoakPatch } from './soak-types';

const inverse = (map: NamespaceMap): NamespaceMap => new Map([...map].map(([from, to]) => [to, from]));

const docsOf = (text: string): PolicyDocument[] => {
  const read = parsePolicies(text);
  return [...read.policies, ...read.staged, ...read.cilium];
};

/** A policy as YAML, with the `observed:` comment of each rule the patch added above it (as patchRuleYaml writes it). */
function policyText(p: PolicyDocument, added: ReadonlyMap<string, readonly { direction: string; comment: string }[]>): string {
  const doc = new Document(p);
  const lists = (p.spec ?? {}) as Record<string, unknown>;
  for (const a of added.get(`${p.metadata.namespace ?? ''}/${p.metadata.name}`) ?? []) {
    const seq = doc.getIn(['spec', a.direction], true);
    const rules = lists[a.direction];
    // The rule added is the last of its direction (applyPatch appends).
    if (isSeq(seq) && Array.isArray(rules) && isMap(seq.items[rules.length - 1]))
      (seq.items[rules.length - 1] as { commentBefore?: string | null }).commentBefore = a.comment.replace(/^/gm, ' ');
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * The policy texts of source namespace `namespace` with a soak patch added: `texts` are the policies
 * generated for it (one or more documents each), `map` the rollout's namespace map (source → target).
 * A text the patch does not touch comes back as it was; a patched policy is written anew (its new
 * rule with its `observed:` comment), and a policy the patch adds for this namespace is appended.
 * Rules for policies of other namespaces are left to their own namespace's call.
 */
export function withPatchInSource(texts: readonly string[], namespace: string, map: NamespaceMap, patch: SoakPatch): string[] {
  const back = inverse(map);
  const docs = texts.map(docsOf);
  const flat = docs.flat().map((d) => mapPolicy(d, map));
  const patched = applyPatch(flat, patch);
  const added = new Map<string, { direction: string; comment: string }[]>();
  for (const r of patch.rules) {
    const [ns, name] = r.policy.includes('/') ? r.policy.split('/') : ['', r.policy];
    const key = `${back.get(ns) ?? ns}/${name}`;
    added.set(key, [...(added.get(key) ?? []), { direction: r.direction, comment: r.comment }]);
  }
  let i = 0;
  const out = docs.map((group, t) => {
    const changed = group.map(() => patched[i] !== flat[i++]);
    if (!changed.some(Boolean)) return texts[t];
    return group.map((_, k) => policyText(mapPolicy(patched[i - group.length + k], back), added)).join('---\n');
  });
  for (const p of patched.slice(flat.length)) {
    const source = mapPolicy(p, back);
    if ((source.metadata.namespace ?? 'default') === namespace) out.push(policyText(source, added));
  }
  return out;
}
