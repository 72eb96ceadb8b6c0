// The Kubernetes name rules, once: the IPC contract validates with the schemas, the services and
// the CLI check with the predicates, and every refusal can say the rule in words.
import { z } from 'zod';

/** The rule of namespace names, in words for an error message. */
export const NAMESPACE_NAME_RULE =
  'a namespace name is a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';

/** DNS-1123 label: what a namespace name must be. */
export const NAMESPACE_NAME = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, NAMESPACE_NAME_RULE);

/** The rule of object names, in words for an error message. */
export const OBJECT_NAME_RULE =
  'an object name is a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" and ".", each part between dots starting and ending with a letter or digit';

/** DNS-1123 subdomain: what the name of an object (a NetworkPolicy) must be (Kubernetes' IsDNS1123Subdomain). */
export const OBJECT_NAME = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, OBJECT_NAME_RULE);

/** Kube context names are free-form in kubeconfig; refuse only what could be read as a flag or is not printable. */
export const CONTEXT_NAME = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9._:/@+=-]+$/, 'a context name is printable, without spaces')
  .refine((s) => !s.startsWith('-'), 'a context name must not start with "-" (kubectl would read it as a flag)');

export const isNamespaceName = (s: string): boolean => NAMESPACE_NAME.safeParse(s).success;
export const isObjectName = (s: string): boolean => OBJECT_NAME.safeParse(s).success;
export const isContextName = (s: string): boolean => CONTEXT_NAME.safeParse(s).success;

/**
 * True when a context or namespace name looks like production by the configured patterns: a
 * pattern matches a whole word of the name, case-insensitively (`prod-eu` for `prod`, not
 * `product-catalog`). Main asks twice for such a name; the Rollout tab warns before.
 */
export function looksLikeProduction(name: string, patterns: readonly string[]): boolean {
  const words = name.toLowerCase().split(/[^a-z0-9]+/);
  return patterns.some((p) => words.includes(p.toLowerCase()));
}
