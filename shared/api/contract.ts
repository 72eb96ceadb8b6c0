import { z } from 'zod';
import type { CaptureSummary } from '../graph/summary';
import { CHANNELS } from './channels';

/** Why an operation did not produce a result, in words a person can act on. */
export interface ApiError {
  readonly code: 'unusable-input' | 'cancelled' | 'invalid-request' | 'internal';
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

/** What the renderer learns about an opened capture: its summary, never its raw flows. */
export interface OpenedCapture {
  readonly summary: CaptureSummary;
  /** True for the built-in sample capture. */
  readonly sample: boolean;
}

/**
 * The whole IPC surface: one entry per operation, with its channel and the runtime schema of its
 * arguments. Main validates every request against `args` before it reaches a service.
 */
export const CONTRACT = {
  openCapture: { channel: CHANNELS.openCapture, args: z.tuple([]) },
  loadSample: { channel: CHANNELS.loadSample, args: z.tuple([]) },
  getSummary: { channel: CHANNELS.getSummary, args: z.tuple([]) },
} as const;

export type Operation = keyof typeof CONTRACT;

/** `window.netpol`: one function per operation. */
export interface NetpolApi {
  /** Asks main to show a file dialog and read the chosen capture. */
  openCapture(): Promise<Result<OpenedCapture>>;
  /** Reads the capture that ships with the app. */
  loadSample(): Promise<Result<OpenedCapture>>;
  /** The summary of the capture open now, if any. */
  getSummary(): Promise<Result<OpenedCapture | null>>;
}

// Every operation of the contract is a function of the API, and nothing else is.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const CONTRACT_MATCHES_API: Exact<Operation, keyof NetpolApi> = true;

export type ArgsOf<K extends Operation> = z.infer<(typeof CONTRACT)[K]['args']>;

/** Validates the arguments of one request; returns a readable reason when they do not fit. */
export function validateArgs(op: Operation, args: unknown[]): { ok: true } | { ok: false; reason: string } {
  const parsed = CONTRACT[op].args.safeParse(args);
  return parsed.success ? { ok: true } : { ok: false, reason: `${op}: ${parsed.error.issues.map((i) => i.message).join('; ')}` };
}

export const OPERATIONS = Object.keys(CONTRACT) as Operation[];

/** Calls the API function of one operation with validated arguments (main and the browser host). */
export function callOperation(api: NetpolApi, op: Operation, _args: unknown[]): Promise<unknown> {
  switch (op) {
    case 'openCapture':
      return api.openCapture();
    case 'loadSample':
      return api.loadSample();
    case 'getSummary':
      return api.getSummary();
  }
}
