import type { ParserLimits } from '../../flows/limits';
import type { ParserStats } from '../../flows/stats';
import type { CaptureFormat } from '../../flows/types';
import type { GraphPartial } from '../../graph/builder';

/** A parser thread's job: the bytes [start, end) of the file, both at line starts. */
export interface RangeJob {
  /** The file's name, for messages. */
  readonly file: string;
  /** The reader's open descriptor of it (checked to be a regular file): threads read through it and never close it. */
  readonly fd: number;
  readonly start: number;
  readonly end: number;
  /** True when `end` is the end of the file (a last line without newline is judged there). */
  readonly last: boolean;
  readonly mode: 'json' | 'text';
  readonly format: CaptureFormat;
  readonly limits: ParserLimits;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly bytes: number }
  /** Bad-line numbers in `stats` count from 1 at the range's first line; `lines` is how many it had. */
  | { readonly type: 'done'; readonly partial: GraphPartial; readonly stats: ParserStats; readonly lines: number }
  | { readonly type: 'error'; readonly message: string };
