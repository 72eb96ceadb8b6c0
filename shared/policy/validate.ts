// Checking a document before it is used as a policy: the field that is wrong, by its path, in
// words a person can act on. NetworkPolicies are checked against the Kubernetes OpenAPI schema
// that kubernetes-models ships (the API server's own), CiliumNetworkPolicies by cilium-schema.ts.
import { NetworkPolicy as NetworkPolicyModel } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { fieldPath, type FieldIssue, type Validated } from './field-issue';
import { portNameIssues, unknownNetworkPolicyFields } from './known-fields';
import type { NetworkPolicy } from './types';

/** The part of an ajv error (what kubernetes-models throws) read here. */
interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** A JSON pointer (`/spec/ingress/0`) as a field path. */
function pointerPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return fieldPath(parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const p of pointer.split('/').slice(1)) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

const TYPE_WORDS: Record<string, string> = { integer: 'number', number: 'number', string: 'string', boolean: 'true or false' };

/** Turns ajv's errors into one issue per field: `expected number or string`, not three lines of schema talk. */
function schemaIssues(errors: readonly SchemaError[], value: unknown): FieldIssue[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const e of errors) {
    const at = e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath;
    (byPath.get(at) ?? byPath.set(at, []).get(at)!).push(e);
  }
  return [...byPath].map(([pointer, errs]) => {
    const path = pointerPath(pointer) || '(the document)';
    const types = [
      ...new Set(errs.filter((e) => e.keyword === 'type').map((e) => TYPE_WORDS[String(e.params.type)] ?? String(e.params.type))),
    ];
    const got = valueAt(value, pointer);
    const shown = typeof got === 'string' ? `"${got}"` : JSON.stringify(got);
    if (errs.some((e) => e.keyword === 'required')) return { path, message: 'is required' };
    if (types.length > 0) return { path, message: `expected ${types.join(' or ')}, not ${shown ?? 'nothing'}` };
    const allowed = errs.find((e) => e.keyword === 'enum')?.params.allowedValues;
    if (Array.isArray(allowed)) return { path, message: `expected one of ${allowed.join(', ')}, not ${shown}` };
    return { path, message: errs.map((e) => e.message ?? e.keyword).join('; ') };
  });
}

function isSchemaErrors(x: unknown): x is SchemaError[] {
  return Array.isArray(x) && x.every((e) => !!e && typeof (e as SchemaError).instancePath === 'string');
}

/**
 * Validates a `networking.k8s.io/v1` NetworkPolicy against the Kubernetes OpenAPI schema
 * (kubernetes-models' generated validator), plus what this tool needs that the schema leaves
 * optional: `metadata.name`, and what the schema allows but the API server refuses (a field the kind
 * does not have, a quoted port number: known-fields.ts). Never throws; an invalid document comes back
 * as its field issues.
 */
export function validateNetworkPolicy(value: unknown): Validated<NetworkPolicy> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, issues: [{ path: '(the document)', message: 'expected an object' }] };
  const issues: FieldIssue[] = [];
  try {
    new NetworkPolicyModel(value).validate();
  } catch (e) {
    const errors = (e as { errors?: unknown }).errors;
    issues.push(...(isSchemaErrors(errors) ? schemaIssues(errors, value) : [{ path: '(the document)', message: (e as Error).message }]));
  }
  // What the schema lets through but the API server does not: unknown fields, a quoted port number.
  issues.push(...unknownNetworkPolicyFields(value), ...portNameIssues(value));
  const meta = (value as { metadata?: unknown }).metadata;
  const name = meta && typeof meta === 'object' ? (meta as { name?: unknown }).name : undefined;
  if ((typeof name !== 'string' || name === '') && !issues.some((i) => i.path.startsWith('metadata')))
    issues.push({ path: 'metadata.name', message: 'is required' });
  // The schema has just held: the object is a NetworkPolicy of the shape types.ts describes.
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as NetworkPolicy };
}

/** Issues as one line: the first three, and how many more. */
export function issuesText(issues: readonly FieldIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`);
  return issues.length > 3 ? `${shown.join('; ')} (and ${issues.length - 3} more)` : shown.join('; ');
}
