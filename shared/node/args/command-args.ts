// The flags of the small commands beside the CLI (the capture generator, the benchmark, the
// browser host): `--help` prints the usage and exits 0, a wrong call exits 2 with one line, and
// neither ever shows node:util's stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionTable = NonNullable<ParseArgsConfig['options']>;
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;
type Values<O extends OptionTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_FLAG; strict: true }>
>['values'];

/** What a command line asks for: the usage, a run with these values, or nothing (a wrong call, said in one line). */
export type CommandArgs<O extends OptionTable> =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'wrong'; readonly text: string }
  | { readonly kind: 'run'; readonly values: Values<O> };

/**
 * Reads `argv` against an option table (strict, no positionals): `-h`/`--help` anywhere asks for
 * the usage; an unknown flag, a flag without its value or a stray argument is a one-line error
 * that names it and ends with the usage's first line.
 */
export function readCommandArgs<const O extends OptionTable>(argv: readonly string[], options: O, usage: string): CommandArgs<O> {
  // Help wins over whatever else is wrong in the call: it is how one finds out what is right.
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help', text: usage };
  try {
    const { values } = parseArgs({ args: [...argv], options: { ...options, ...HELP_FLAG }, strict: true });
    return { kind: 'run', values };
  } catch (e) {
    const err = e as Error & { code?: string };
    // Node quotes the flag, with ` <value>` after it when the value is missing.
    const flag = /'(-[^' ]*)/.exec(err.message)?.[1];
    const why =
      err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag
        ? `unknown option ${flag}`
        : err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag
          ? `${flag} needs a value`
          : err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
            ? `unexpected argument ${/'([^']*)'/.exec(err.message)?.[1] ?? ''}`.trim()
            : err.message.split('\n')[0];
    return { kind: 'wrong', text: wrongCall(why, usage) };
  }
}

/** One line for a wrong call: what is wrong, then the usage's first line. */
export function wrongCall(why: string, usage: string): string {
  return `${why}; ${usage.split('\n')[0]}`;
}

/**
 * The values of a run, or the process ends here: the usage on stdout with exit 0 for `--help`,
 * one line on stderr with exit 2 for a wrong call.
 */
export function commandArgsOrExit<const O extends OptionTable>(argv: readonly string[], options: O, usage: string): Values<O> {
  const r = readCommandArgs(argv, options, usage);
  if (r.kind === 'run') return r.values;
  if (r.kind === 'help') {
    process.stdout.write(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
    process.exit(0);
  }
  process.stderr.write(`${r.text}\n`);
  process.exit(2);
}
