// Test support for the CLI's tests: one invocation with its output captured. Tests only.
import { runCli } from './run';

/** Runs `netpol-studio ARGV…` in process and returns its exit code, stdout and stderr. */
export async function runCaptured(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
