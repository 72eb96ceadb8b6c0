import type { DraftReview } from './review';

export type AiErrorKind =
  | 'no-key'
  | 'no-model'
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'rate-limited'
  | 'not-found'
  | 'server-error'
  | 'bad-request'
  | 'truncated'
  | 'refused'
  | 'cancelled';

/** One AI run as it is kept in the workspace: what was asked, of whom, what came back, and the verdict. */
export interface DraftRun {
  readonly id: string;
  readonly time: string;
  readonly model: string;
  /** The endpoint's host (never a key). */
  readonly endpoint: string;
  /** sha256 of the exact messages and model sent. */
  readonly promptSha256: string;
  readonly namespaces: readonly string[];
  readonly allowExternalIps: boolean;
  readonly sentEdges: number;
  readonly omittedEdges: readonly string[];
  /** Token → value, to read the reply again (external addresses, names that were pod names). */
  readonly tokens: Readonly<Record<string, string>>;
  /** The reply as it came (scrubbed tokens and all); for a failed run, what had arrived. */
  readonly reply: string;
  readonly error?: { readonly kind: AiErrorKind; readonly message: string };
  readonly review?: DraftReview;
}

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
