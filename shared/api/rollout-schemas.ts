// The rollout's part of the IPC contract: what a rollout request, a promotion and a rollout record
// are, and what an audit entry of a rollout adds. Re-exported by contract.ts with the rest; every
// type is inferred from these schemas.
import { z } from 'zod';
import { CONTEXT_NAME as context, NAMESPACE_NAME as namespace, OBJECT_NAME } from '../cluster/names';
import { ROLLOUT_FLAVORS, ROLLOUT_MODES, ROLLOUT_RESOURCES } from '../rollout/mode';
import type { SoakReport } from '../rollout/soak-types';

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

/** A soak's verdict, as shared/rollout/soak's soakVerdict names it. */
export const SOAK_STATUS = z.enum(['clean', 'missing-rules', 'too-short', 'undecided']);

/**
 * What a soak report says, as far as promotion and its audit entry need it (the report itself is
 * shared/rollout/soak's): its verdict, the hash that names the report, and its headline. `not-run`:
 * main has no report for the rollout. Always main's own summary of the report it stored, never the
 * window's word.
 */
export const SOAK_SUMMARY = z.union([
  z.object({ verdict: SOAK_STATUS, hash: SHA256, headline: z.string().min(1).max(4000) }).readonly(),
  z.object({ verdict: z.literal('not-run'), headline: z.string().max(4000) }).readonly(),
]);

/**
 * A soak report as a record keeps it. Main made it (analyzeSoak over `hubble observe`); a workspace
 * brings it back, so the parts promotion reads are checked here, and its hash again when it is read.
 */
const SOAK_REPORT_SHAPE = z.looseObject({
  sha256: SHA256,
  policiesSha256: SHA256,
  verdict: z.object({
    status: SOAK_STATUS,
    headline: z.string().max(20_000),
    exitCode: z.union([z.literal(0), z.literal(1), z.literal(3)]),
  }),
  window: z.looseObject({
    appliedAt: z.number(),
    cycleMs: z.number(),
    first: z.number().nullable(),
    last: z.number().nullable(),
    reachesApply: z.boolean(),
    coveredMs: z.number(),
    shortfalls: z.array(z.string()),
    batch: z.array(z.looseObject({ seen: z.string(), covered: z.boolean(), edges: z.array(z.string()) })),
  }),
  flows: z
    .array(
      z.looseObject({
        edge: z.string(),
        class: z.enum(['missing-rule', 'expected', 'denied-by-other', 'outside-rollout', 'undecided']),
        explanation: z.string(),
      }),
    )
    .max(100_000),
});
export const SOAK_REPORT = z.custom<SoakReport>((v) => SOAK_REPORT_SHAPE.safeParse(v).success, 'not a soak report');

/**
 * The soak of a rollout, as main last computed it: the report, when, over which cycle, how many of
 * its flows came from the live drop watch (flows Hubble's buffer no longer held), and what was read.
 */
export const ROLLOUT_SOAK = z
  .object({
    report: SOAK_REPORT,
    /** ISO time of the check. */
    checkedAt: z.string().max(64),
    /** What the flows were read from: the `hubble observe` command as run (its arguments joined for reading), or the flow-log file given. */
    source: z.string().max(1000),
    /** Drop events the live watch saw outside what hubble returned, folded in. */
    liveDrops: z.number().int().min(0),
  })
  .readonly();

/** What "Check soak" asks: the selection the policies were generated with (pruned edges and why), and the business cycle. */
export const SOAK_CHECK = z.object({
  /** Hours to be clean for; 24 when not given. */
  cycleHours: z
    .number()
    .min(1)
    .max(24 * 90)
    .optional(),
});

/**
 * "Promote to production": the staging rollout it promotes, the production context and namespace
 * (and map), the source policies again (main checks they are the ones that soaked) and, when the
 * soak main stored for the rollout is not clean, the production namespace's name typed by the user
 * to override it. The soak is main's own record, never sent by the window.
 */
export const PROMOTION_REQUEST = z.object({
  from: ROLLOUT_ID,
  context,
  namespace,
  namespaceMap: z.array(NAMESPACE_PAIR).max(64),
  policies: policyYaml,
  override: z.string().max(63).optional(),
});

/**
 * A rollout as the workspace keeps it: where (context, source and target namespaces, the map),
 * what (each policy's name, the file applied and its sha-256, flavor, mode), when, exactly what
 * kubectl said it did to each object, and its soak. Rollback deletes only what it created.
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
    /** Each policy applied: its name, the sha-256 of the file, and the file (what the soak judges the flows against). */
    policies: z
      .array(z.object({ name: OBJECT_NAME, sha256: SHA256, content: z.string().max(1_000_000).optional() }).readonly())
      .max(2000)
      .readonly(),
    /**
     * The policy texts the apply was asked for, before main mapped them (the source namespaces'):
     * what a promotion of this rollout sends again, so that it is exactly the set that soaked.
     */
    sourcePolicies: policyYaml.readonly().optional(),
    /** ISO time of the apply: the soak reads the flows since then. */
    appliedAt: z.string().max(64),
    exitCode: z.number().int(),
    objects: z.array(APPLIED_OBJECT).max(2000).readonly(),
    /** The soak main last computed for it (staging rollouts). */
    soak: ROLLOUT_SOAK.optional(),
    /** Why the last soak check failed (hubble missing, unreachable…), and when; cleared by the next good one. */
    soakError: z
      .object({ at: z.string().max(64), message: z.string().max(4000) })
      .readonly()
      .optional(),
    promotion: z.object({ from: ROLLOUT_ID, soak: SOAK_SUMMARY, override: z.boolean() }).readonly().optional(),
    rollback: z
      .object({ at: z.string().max(64), exitCode: z.number().int(), deleted: z.array(OBJECT_REF).max(2000).readonly() })
      .readonly()
      .optional(),
  })
  .readonly();

/** A rule added with Allow: the staging rollout whose soak found the flow, and the flow's edge there. */
const ADDED_RULE = z.object({ rollout: ROLLOUT_ID, edge: z.string().min(1).max(2048) }).readonly();

/**
 * The policies of one source namespace, in one flavor, with the rules added from soaks (Allow): main
 * keeps them with the rollouts in the workspace until the user removes them, so that after a restart
 * they are still what is rolled out again and promoted. `from`: the staging rollout the last rule
 * came from, whose context, target, map and mode "Apply to staging again" reuses.
 */
export const PATCHED_POLICIES = z
  .object({
    namespace,
    flavor: ROLLOUT_FLAVOR,
    from: ROLLOUT_ID,
    added: z.array(ADDED_RULE).min(1).max(1000).readonly(),
    policies: policyYaml.readonly(),
  })
  .readonly();

/**
 * "Allow" on a missing rule of a stored soak: which rollout and which flow (its edge), the source
 * namespace whose policies take the rule, and those policies as the window generates them now (used
 * when none are kept yet). The rule itself is main's: the patch in the soak report it stored.
 */
export const ALLOW_REQUEST = z.object({
  from: ROLLOUT_ID,
  edge: z.string().min(1).max(2048),
  namespace,
  policies: policyYaml,
});

/** "Remove the added rules": the kept policies of this source namespace and flavor are dropped. */
export const PATCHED_KEY = z.object({ namespace, flavor: ROLLOUT_FLAVOR });

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
    /** A promotion: what it promotes, main's stored soak (its report's hash), and the namespace name typed to override a soak that is not clean. */
    promotion: z
      .object({
        from: ROLLOUT_ID,
        soak: SOAK_SUMMARY,
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
export type SoakSummary = z.infer<typeof SOAK_SUMMARY>;
export type RolloutSoak = z.infer<typeof ROLLOUT_SOAK>;
export type SoakCheck = z.infer<typeof SOAK_CHECK>;
export type AppliedObjectRecord = z.infer<typeof APPLIED_OBJECT>;
export type ObjectRefRecord = z.infer<typeof OBJECT_REF>;
export type PatchedPolicies = z.infer<typeof PATCHED_POLICIES>;
export type AllowRequest = z.infer<typeof ALLOW_REQUEST>;
export type PatchedKey = z.infer<typeof PATCHED_KEY>;
