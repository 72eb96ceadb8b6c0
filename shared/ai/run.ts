import { z } from 'zod';
import { NAMESPACE_NAME } from '../cluster/names';
import type { DraftReview } from './review';

export const AI_ERROR_KINDS = [
  'no-key',
  'no-model',
  'unreachable',
  'timeout',
  'unauthorized',
  'rate-limited',
  'not-found',
  'server-error',
  'bad-request',
  'truncated',
  'refused',
  'cancelled',
] as const;
export type AiErrorKind = (typeof AI_ERROR_KINDS)[number];

/** Token → value of a scrubbed request (`EXT_IP_1` → the address it stands for). */
export const TOKENS = z.record(
  z
    .string()
    .regex(/^[A-Z_]+_\d+$/)
    .max(64),
  z.string().max(256),
);

/**
 * One AI run as it is kept: what was asked, of whom, what came back. The schema main validates a
 * workspace's runs with (shared/api's AI_RUN_RECORD adds the verdict), and the type of a run.
 */
export const DRAFT_RUN = z.object({
  id: z.string().max(64),
  time: z.string().max(64),
  model: z.string().max(256),
  /** The endpoint's host (never a key). */
  endpoint: z.string().max(2048),
  /** sha256 of the exact messages and model sent. */
  promptSha256: z.string().regex(/^[0-9a-f]{64}$/),
  namespaces: z.array(NAMESPACE_NAME).max(1000).readonly(),
  allowExternalIps: z.boolean(),
  sentEdges: z.number().int().min(0),
  omittedEdges: z.array(z.string().max(2048)).max(200_000).readonly(),
  /** Token → value, to read the reply again (external addresses, names that were pod names). */
  tokens: TOKENS.readonly(),
  /** The reply as it came (scrubbed tokens and all); for a failed run, what had arrived. */
  reply: z.string().max(2_000_000),
  error: z.object({ kind: z.enum(AI_ERROR_KINDS), message: z.string().max(4000) }).optional(),
});

/** One AI run: the record, and the review of its draft when one was made (main's reply; not stored as is). */
export type DraftRun = Readonly<z.infer<typeof DRAFT_RUN>> & { readonly review?: DraftReview };

/** What a draft request would send, shown before anything is sent. */
export interface DraftPreview {
  /** Every message, exactly as sent. */
  readonly text: string;
  readonly model: string;
  readonly endpoint: string;
  readonly sentEdges: number;
  readonly omittedEdges: number;
  readonly estimatedTokens: number;
  readonly tokenBudget: number;
  readonly promptSha256: string;
}
