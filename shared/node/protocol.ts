import type { ParserLimits, ParserStats } from '../flows/parser';
import type { CaptureFormat } from '../flows/types';
import type { GraphPartial } from '../graph/builder';

/** Messages between the capture reader and its parsing workers. */
export type ToWorker =
  | { readonly type: 'init'; readonly file: string; readonly mode: 'json' | 'text'; readonly format: CaptureFormat; readonly limits: ParserLimits }
  | { readonly type: 'chunk'; readonly bytes: Uint8Array; readonly firstLine: number }
  | { readonly type: 'end' };

export type FromWorker =
  | { readonly type: 'ack' }
  | { readonly type: 'done'; readonly partial: GraphPartial; readonly stats: ParserStats }
  | { readonly type: 'error'; readonly message: string };
