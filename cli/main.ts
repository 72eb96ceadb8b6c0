#!/usr/bin/env node
// netpol-studio command line: the same pipeline as the app, without a window.
import { runCli } from './run';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
});
