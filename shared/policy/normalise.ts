import { stringify } from 'yaml';
import { policyId } from './evaluate';
import type { NetworkPolicy } from './types';

// What a diff compares: the policy as its file has it, less what the API server sets. Keys keep the
// file's order (ours: apiVersion, kind, metadata, spec → podSelector, policyTypes, ingress, egress), so
// hunks line up with the files a user has; only the metadata a person writes is kept.
const KEPT_METADATA = new Set(['name', 'namespace', 'labels']);

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The key order the old side of a diff is written in: the new side's keys in the new side's order, and
 * each key only the old side has right after the key it followed there (first when it led), so that an
 * order-only difference disappears and a removed key shows where it was.
 */
export function mergedKeyOrder(old: readonly string[], next: readonly string[]): string[] {
  const order = [...next];
  const shared = new Set(next);
  old.forEach((k, i) => {
    if (shared.has(k)) return;
    order.splice(i === 0 ? 0 : order.indexOf(old[i - 1]) + 1, 0, k);
  });
  return order;
}

/**
 * `v` with its mappings' keys in the order to print them: its own order, or, with `like` (the value at
 * the same place on the new side), `mergedKeyOrder`. Lists are matched item by item by index.
 */
function ordered(v: unknown, like?: unknown): unknown {
  if (Array.isArray(v)) return v.map((x, i) => ordered(x, Array.isArray(like) ? (like as unknown[])[i] : undefined));
  if (!isPlain(v)) return v;
  const keys = isPlain(like) ? mergedKeyOrder(Object.keys(v), Object.keys(like)).filter((k) => k in v) : Object.keys(v);
  return Object.fromEntries(keys.map((k) => [k, ordered(v[k], isPlain(like) ? like[k] : undefined)]));
}

/** The parts of a policy that count: no `status`, metadata only name, namespace (defaulted) and labels. */
function comparable(p: NetworkPolicy): Plain {
  const metadata: Plain = {};
  for (const [k, x] of Object.entries(p.metadata as Plain)) {
    if (KEPT_METADATA.has(k)) metadata[k] = x;
    if (k === 'name' && p.metadata.namespace === undefined) metadata.namespace = 'default';
  }
  const out: Plain = {};
  for (const [k, x] of Object.entries(p as unknown as Plain)) if (k !== 'status') out[k] = k === 'metadata' ? metadata : x;
  return out;
}

/**
 * The YAML a policy is compared as: no comments, no server-set metadata (status, managedFields,
 * resourceVersion, uid, creationTimestamp, generation, annotations such as kubectl's
 * last-applied-configuration), keys in the file's own order. With `orderOf` (the same policy on the new
 * side of a diff), keys follow that policy's order instead (see `mergedKeyOrder`), so two policies that
 * differ only in key order print the same text.
 */
export function normalisedYaml(p: NetworkPolicy, orderOf?: NetworkPolicy): string {
  return stringify(ordered(comparable(p), orderOf ? comparable(orderOf) : undefined), { lineWidth: 0 });
}

/**
 * A set of policies as one multi-document YAML text, sorted by `namespace/name`, each normalised by
 * `normalisedYaml`; with `orderFrom` (the new side), each policy follows the key order of its namesake there.
 */
export function normalisedSetYaml(policies: readonly NetworkPolicy[], orderFrom?: readonly NetworkPolicy[]): string {
  const like = new Map((orderFrom ?? []).map((p) => [policyId(p), p]));
  return [...policies]
    .sort((a, b) => (policyId(a) < policyId(b) ? -1 : policyId(a) > policyId(b) ? 1 : 0))
    .map((p) => normalisedYaml(p, like.get(policyId(p))))
    .join('---\n');
}
