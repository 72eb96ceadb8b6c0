// Helpers for tests that run the stand-in `hubble` and `kubectl` (shared/testing/standins/bin) instead of the real tools.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../fixtures';

export const STANDIN_BIN = path.join(ROOT, 'shared/testing/standins/bin');

export interface StandinCall {
  readonly tool: 'hubble' | 'kubectl';
  readonly args: string[];
}

/** An environment whose PATH finds the stand-ins first, and a log of every call they receive. */
export function standinEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; calls: () => StandinCall[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-standin-'));
  const log = path.join(dir, 'calls.jsonl');
  const env = { ...process.env, PATH: `${STANDIN_BIN}${path.delimiter}${process.env.PATH ?? ''}`, NETPOL_STANDIN_LOG: log, ...extra };
  return {
    env,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as StandinCall)
        : [],
  };
}
