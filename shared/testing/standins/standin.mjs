// Shared by the stand-in `hubble` and `kubectl` executables used in tests. They are NOT the real
// tools: they log the exact arguments they were given (NETPOL_STANDIN_LOG) and replay recorded
// real output (fixtures/), so the app's process handling can be tested without a cluster.
import { appendFileSync, readFileSync } from 'node:fs';

export const env = process.env;
export const args = process.argv.slice(2);

/** Records the call for the test to assert. */
export function logCall(tool) {
  if (env.NETPOL_STANDIN_LOG) appendFileSync(env.NETPOL_STANDIN_LOG, JSON.stringify({ tool, args }) + '\n');
}

export function fail(message, code = 1) {
  process.stderr.write(message + '\n');
  process.exit(code);
}

/** Modes every stand-in understands: hang forever, fail, or print a lot. */
export function commonModes() {
  switch (env.NETPOL_STANDIN_MODE) {
    case 'hang':
      setInterval(() => undefined, 1000);
      return true;
    case 'fail':
      fail('Error: connection refused: the server could not be reached (stand-in failure)', 3);
      return true;
    case 'huge': {
      const line = JSON.stringify({ flow: { time: '2026-11-01T00:00:00Z', verdict: 'FORWARDED', padding: 'x'.repeat(200) } });
      const n = Number(env.NETPOL_STANDIN_LINES ?? 200000);
      let i = 0;
      const write = () => {
        while (i < n) {
          i++;
          if (!process.stdout.write(line + '\n')) return void process.stdout.once('drain', write);
        }
      };
      write();
      return true;
    }
    default:
      return false;
  }
}

export function replay(file) {
  process.stdout.write(readFileSync(file));
}

export function flag(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
