// What the capture parser refuses to read past, in a module of its own: the parser and its record
// scanner both need it, and neither may import the other.

export interface ParserLimits {
  /** A single line or multi-line record longer than this is skipped as bad. */
  readonly maxRecordChars: number;
  /** JSON nested deeper than this is skipped as bad. */
  readonly maxDepth: number;
  /** How many bad lines are kept with their reasons (all are counted). */
  readonly keepBadLines: number;
  /** Lines read before giving up on recognising the format. */
  readonly detectLines: number;
}

export const DEFAULT_LIMITS: ParserLimits = {
  maxRecordChars: 8 * 1024 * 1024,
  maxDepth: 64,
  keepBadLines: 20,
  detectLines: 1000,
};
