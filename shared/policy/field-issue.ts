// What is wrong with a document, field by field: shared by the NetworkPolicy schema check
// (validate.ts), Cilium's (cilium-schema.ts), the staged policies' and the known-fields walk.

/** One wrong field: `spec.ingress[0].ports[0].port` and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** `["spec", "ingress", 0]` → `spec.ingress[0]`. */
export function fieldPath(segments: readonly (string | number | symbol)[]): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out === '' ? String(s) : `${out}.${String(s)}`), '');
}
