#!/usr/bin/env node
// netpol-studio command line: the same pipeline as the app, without a window.
import { runCli } from './run';
import { reportUnexpected } from './unexpected';

const argv = process.argv.slice(2);
const err = (s: string): void => void process.stderr.write(s);
// `… | head`: the reader went away; that is not a failure to report.
// Whatever escapes runCli is still one line and a details file, never a stack trace.
const crash = (e: unknown): void => void reportUnexpected(e, argv, err).then((code) => process.exit(code));
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : crash(e)));
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exitCode = await runCli(argv, { out: (s) => process.stdout.write(s), err });
