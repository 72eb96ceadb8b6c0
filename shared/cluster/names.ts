/** DNS-1123 label: what a namespace name must be. */
export function isNamespaceName(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** The rule of `isNamespaceName`, in words for an error message. */
export const NAMESPACE_NAME_RULE =
  'a namespace name is a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';
