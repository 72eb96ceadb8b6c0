// The policies of a rollout as main reads them from the renderer's request: every document parsed
// and validated again, of the one kind its flavor writes, mapped to the target namespace through the
// namespace map, each name checked before it becomes a file name, no two with one name. What is
// applied is the text of each file here, and its sha-256 is what the audit log and the record keep.
import { createHash } from 'node:crypto';
import { isMap, parseAllDocuments, stringify, type Document } from 'yaml';
import { isObjectName } from '../../shared/cluster/names';
import { validateCiliumPolicy } from '../../shared/policy/cilium-schema';
import { MAX_ALIASES } from '../../shared/policy/yaml';
import { validateStagedPolicy } from '../../shared/policy/staged';
import { issuesText, validateNetworkPolicy } from '../../shared/policy/validate';
import { FLAVOR_KIND, kindPlural, type RolloutFlavor } from '../../shared/rollout/mode';
import { mapPolicy, NamespaceMapError, namespaceMapText, parseNamespaceMap, type NamespaceMap } from '../../shared/rollout/namespace-map';
import { RunError } from './process-runner';

/** One policy of a rollout, as it is applied. */
export interface RolloutPolicy {
  readonly name: string;
  /** The namespace it was generated for. */
  readonly sourceNamespace: string;
  /** The file applied: the policy in the target namespace, with the comments of its text kept. */
  readonly content: string;
  readonly sha256: string;
}

/** A rollout's policies, ready to apply to `namespace`. */
export interface PreparedRollout {
  readonly namespace: string;
  /** The flavor of the policies applied (a promotion of staged Calico policies applies NetworkPolicies). */
  readonly flavor: RolloutFlavor;
  readonly map: NamespaceMap;
  /** The map as `FROM=TO` pairs, for the record and the audit log. */
  readonly mapPairs: readonly string[];
  readonly sourceNamespaces: readonly string[];
  readonly policies: readonly RolloutPolicy[];
}

/** What a rollout request says about its policies. */
export interface RolloutPolicies {
  readonly namespace: string;
  readonly namespaceMap: readonly string[];
  readonly flavor: RolloutFlavor;
  readonly policies: readonly string[];
}

const refuse = (message: string): RunError => new RunError('invalid-argument', 'kubectl', message);

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** The scalar paths where `after` differs from `before` (a map only renames namespaces, a promotion the kind). */
function changes(before: Json, after: Json, at: readonly (string | number)[] = []): [readonly (string | number)[], Json][] {
  if (before === after) return [];
  if (isList(before) && isList(after) && before.length === after.length) return before.flatMap((b, i) => changes(b, after[i], [...at, i]));
  if (isRecord(before) && isRecord(after)) {
    const keys = Object.keys(after);
    if (keys.length === Object.keys(before).length && keys.every((k) => k in before))
      return keys.flatMap((k) => changes(before[k], after[k], [...at, k]));
  }
  return [[at, after]];
}

const isList = (j: Json): j is readonly Json[] => Array.isArray(j);
const isRecord = (j: Json): j is { readonly [k: string]: Json } => !!j && typeof j === 'object' && !Array.isArray(j);

/** The document with `after`'s values written into it, so that its comments (`# observed: …`) stay where they were. */
function rewritten(doc: Document, before: unknown, after: unknown): string {
  const edits = changes(before as Json, after as Json);
  // Only a value the document holds as a scalar, map or list is edited in place; otherwise the object is written anew.
  if (edits.some(([at]) => at.length === 0)) return stringify(after, { lineWidth: 0 });
  const copy = doc.clone();
  for (const [at, value] of edits) copy.setIn(at, value);
  return copy.toString({ lineWidth: 0 });
}

/** Reads one text of the request into its documents, each checked as the flavor's kind; anything else is refused. */
function readPolicies(text: string, index: number, flavor: RolloutFlavor): { doc: Document; value: Record<string, unknown> }[] {
  const want = FLAVOR_KIND[flavor];
  const out: { doc: Document; value: Record<string, unknown> }[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: false }) as readonly Document.Parsed[];
  docs.forEach((doc, d) => {
    const where = `policy ${index + 1}${docs.length > 1 ? `, document ${d + 1}` : ''}`;
    if (doc.errors.length > 0) throw refuse(`${where}: ${doc.errors[0].message.split('\n')[0]}`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      throw refuse(`${where}: the document cannot be read (${(e as Error).message}).`);
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) throw refuse(`${where}: not a Kubernetes object.`);
    const o = value as Record<string, unknown>;
    if (o.kind !== want.kind || o.apiVersion !== want.apiVersion) {
      const said = (v: unknown, none: string): string => (typeof v === 'string' ? v : none);
      throw refuse(
        `${where}: ${said(o.kind, 'an object without kind')} (${said(o.apiVersion, 'no apiVersion')}) is not what the ${flavor} flavor applies (${want.kind}, ${want.apiVersion}).`,
      );
    }
    // A staged Calico policy has the NetworkPolicy's spec (and stagedAction), and is checked as one.
    const checked =
      flavor === 'cilium' ? validateCiliumPolicy(o) : flavor === 'calico-staged' ? validateStagedPolicy(o) : validateNetworkPolicy(o);
    if (!checked.ok) throw refuse(`${where}: ${issuesText(checked.issues)}.`);
    out.push({ doc, value: o });
  });
  return out;
}

const withoutResource = ({ kind, apiVersion }: { kind: string; apiVersion: string }) => ({ kind, apiVersion });

/**
 * Reads, checks and maps the policies of a rollout. Refused (a RunError `invalid-argument`, before
 * anything runs): a document that is not the flavor's kind or does not validate, a name that is not
 * a DNS-1123 subdomain, a map that cannot be read, a policy the map does not take to `namespace`,
 * and two policies with the same name (kind and namespace) that would overwrite each other.
 * `promote`: staged Calico policies become the NetworkPolicies they preview (the same spec).
 */
export function prepareRollout(r: RolloutPolicies, opts: { readonly promote?: boolean } = {}): PreparedRollout {
  let map: NamespaceMap;
  try {
    map = parseNamespaceMap(r.namespaceMap);
  } catch (e) {
    if (e instanceof NamespaceMapError) throw refuse(`The namespace map cannot be used: ${e.message}.`);
    throw e;
  }
  const flavor: RolloutFlavor = opts.promote && r.flavor === 'calico-staged' ? 'kubernetes' : r.flavor;
  const policies: RolloutPolicy[] = [];
  const seen = new Set<string>();
  r.policies.forEach((text, i) => {
    const read = readPolicies(text, i, r.flavor);
    for (const { doc, value } of read) {
      const meta = value.metadata as { name: string; namespace?: string };
      if (!isObjectName(meta.name)) throw refuse(`"${meta.name}" is not a valid policy name.`);
      const source = meta.namespace ?? r.namespace;
      type Policy = { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace: string } };
      const placed: Policy = { ...value, kind: String(value.kind), metadata: { ...meta, namespace: source } };
      const mapped: Policy = { ...mapPolicy(placed, map), ...(flavor !== r.flavor ? withoutResource(FLAVOR_KIND[flavor]) : {}) };
      const target = mapped.metadata.namespace;
      if (target !== r.namespace)
        throw refuse(
          `${meta.name} is for namespace ${source}, not ${r.namespace}${map.size > 0 ? ` (the map ${namespaceMapText(map)} does not take it there)` : ''}: map ${source}=${r.namespace} to roll it out there.`,
        );
      const key = `${target}/${meta.name}`;
      if (seen.has(key))
        throw refuse(`Two policies are named ${meta.name} in ${target}: one would overwrite the other. Nothing was applied; rename one.`);
      seen.add(key);
      const content = read.length === 1 && isMap(doc.contents) ? rewritten(doc, value, mapped) : stringify(mapped, { lineWidth: 0 });
      policies.push({ name: meta.name, sourceNamespace: source, content, sha256: sha256(content) });
    }
  });
  if (policies.length === 0) throw refuse(`There are no ${kindPlural(FLAVOR_KIND[r.flavor].kind)} to send.`);
  return {
    namespace: r.namespace,
    flavor,
    map,
    mapPairs: [...map].map(([from, to]) => `${from}=${to}`),
    sourceNamespaces: [...new Set(policies.map((p) => p.sourceNamespace))].sort(),
    policies,
  };
}
