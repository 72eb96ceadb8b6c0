// The rollout's part of the IPC contract: what a rollout request, a promotion and a rollout record
// are, and what an audit entry of a rollout adds. Re-exported by contract.ts with the rest; every
// type is inferred from these schemas.
import { z } from 'zod';
import { CONTEXT_NAME as context, NAMESPACE_NAME as namespace, OBJECT_NAME } from '../cluster/names';
import { ROLLOUT_FLAVORS, ROLLOUT_MODES, ROLLOUT_RESOURCES } from '../rollout/mode';

/** Policies as YAML texts, one policy (or a few documents) each. */
const policyYaml = z.array(z.string().max(1_000_000)).min(1).max(2000);

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/);

/** A rollout's id: 16 hex digits drawn by main, safe as a log key and a file name. */
export const ROLLOUT_ID = z.string().regex(/^[0-9a-f]{16}$/, 'a rollout id is 16 hex digits');

/** One pair of a namespace map, `FROM=TO`; main reads the whole map with parseNamespaceMap (names, one TO per FROM and back). */
const NAMESPACE_PAIR = z.string().min(3).max(127);

const ROLLOUT_FLAVOR = z.enum(ROLLOUT_FLAVORS);
const ROLLOUT_MODE = z.enum(ROLLOUT_MODES);
const ROLLOUT_RESOURCE = z.enum(ROLLOUT_RESOURCES);

/**
 * Policies to roll out and where to: the kube context, the namespace they are applied in, the map
 * that takes them there from the namespaces they were generated for (`payments=payments-staging`),
 * and their flavor. Main parses, checks and maps them again; nothing here is taken on trust.
 */
export const ROLLOUT_TARGET = z.object({
  context,
  namespace,
  namespaceMap: z.array(NAMESPACE_PAIR).max(64),
  flavor: ROLLOUT_FLAVOR,
  policies: policyYaml,
});

/** A rollout to apply: its target, in enforce or audit mode. */
export const ROLLOUT_REQUEST = ROLLOUT_TARGET.extend({ mode: ROLLOUT_MODE });

/** One object kubectl applied, as it said so: created, configured (it existed) or unchanged. */
export const APPLIED_OBJECT = z
  .object({ resource: ROLLOUT_RESOURCE, name: OBJECT_NAME, operation: z.enum(['created', 'configured', 'unchanged']) })
  .readonly();

/** An object by resource and name, as `kubectl delete RESOURCE/NAME` takes it. */
export const OBJECT_REF = z.object({ resource: ROLLOUT_RESOURCE, name: OBJECT_NAME }).readonly();

/**
 * What a soak report says, as far as promotion needs it (the report itself is shared/rollout/soak's):
 * its verdict, the hash that names the report, and its headline. `not-run`: there is no report.
 * The window sends it; main records it as claimed (see ROLLOUT_RECORD's `soakCheckedBy`).
 */
export const SOAK_CLAIM = z.union([
  z
    .object({
      verdict: z.enum(['clean', 'missing-rules', 'window-too-short']),
      hash: SHA256,
      headline: z.string().min(1).max(1000),
    })
    .readonly(),
  z.object({ verdict: z.literal('not-run'), headline: z.string().max(1000) }).readonly(),
]);

/**
 * "Promote to production": the staging rollout it promotes, the production context and namespace
 * (and map), the source policies again (main checks they are the ones that soaked), the soak, and,
 * when the soak is not clean, the production namespace's name typed by the user to override it.
 */
export const PROMOTION_REQUEST = z.object({
  from: ROLLOUT_ID,
  context,
  namespace,
  namespaceMap: z.array(NAMESPACE_PAIR).max(64),
  policies: policyYaml,
  soak: SOAK_CLAIM,
  override: z.string().max(63).optional(),
});

/** Where a promotion's soak verdict comes from: claimed by the window (until main recomputes the soak itself). */
const SOAK_CHECKED_BY = z.enum(['claimed-by-window', 'recomputed-by-main']);

/**
 * A rollout as the workspace keeps it: where (context, source and target namespaces, the map),
 * what (each policy's name and the sha-256 of the file applied, flavor, mode), when, and exactly
 * what kubectl said it did to each object. Rollback deletes only what it created.
 */
export const ROLLOUT_RECORD = z
  .object({
    id: ROLLOUT_ID,
    /** Staging, or production: a promotion of a staging rollout. */
    stage: z.enum(['staging', 'production']),
    context,
    /** The namespaces the policies were generated for. */
    sourceNamespaces: z.array(namespace).max(1000).readonly(),
    targetNamespace: namespace,
    namespaceMap: z.array(NAMESPACE_PAIR).max(64).readonly(),
    flavor: ROLLOUT_FLAVOR,
    mode: ROLLOUT_MODE,
    policies: z
      .array(z.object({ name: OBJECT_NAME, sha256: SHA256 }).readonly())
      .max(2000)
      .readonly(),
    /** ISO time of the apply: the soak reads the flows since then. */
    appliedAt: z.string().max(64),
    exitCode: z.number().int(),
    objects: z.array(APPLIED_OBJECT).max(2000).readonly(),
    promotion: z
      .object({ from: ROLLOUT_ID, soak: SOAK_CLAIM, soakCheckedBy: SOAK_CHECKED_BY, override: z.boolean() })
      .readonly()
      .optional(),
    rollback: z
      .object({ at: z.string().max(64), exitCode: z.number().int(), deleted: z.array(OBJECT_REF).max(2000).readonly() })
      .readonly()
      .optional(),
  })
  .readonly();

/** What an audit entry of a rollout adds: which rollout, how it was mapped, and what kubectl said it did. */
export const AUDIT_ROLLOUT = z
  .object({
    id: ROLLOUT_ID,
    stage: z.enum(['staging', 'production']),
    flavor: ROLLOUT_FLAVOR,
    mode: ROLLOUT_MODE,
    sourceNamespaces: z.array(namespace).readonly(),
    namespaceMap: z.array(NAMESPACE_PAIR).readonly(),
    /** An apply: each object kubectl reported. */
    applied: z.array(APPLIED_OBJECT).readonly().optional(),
    /** A rollback: each object kubectl reported deleted. */
    deleted: z.array(OBJECT_REF).readonly().optional(),
    /** A promotion: what it promotes, the soak as claimed, and the namespace name typed to override a soak that is not clean. */
    promotion: z
      .object({
        from: ROLLOUT_ID,
        soak: SOAK_CLAIM,
        soakCheckedBy: SOAK_CHECKED_BY,
        override: z.object({ typed: z.string() }).readonly().optional(),
      })
      .readonly()
      .optional(),
  })
  .readonly();

export type AuditRollout = z.infer<typeof AUDIT_ROLLOUT>;
export type RolloutTarget = z.infer<typeof ROLLOUT_TARGET>;
export type RolloutRequest = z.infer<typeof ROLLOUT_REQUEST>;
export type RolloutRecord = z.infer<typeof ROLLOUT_RECORD>;
export type PromotionRequest = z.infer<typeof PROMOTION_REQUEST>;
export type SoakClaim = z.infer<typeof SOAK_CLAIM>;
export type AppliedObjectRecord = z.infer<typeof APPLIED_OBJECT>;
export type ObjectRefRecord = z.infer<typeof OBJECT_REF>;
