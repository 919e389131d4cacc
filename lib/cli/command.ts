import { resolve } from 'node:path';

/** Where a command writes; the real process streams, or buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The CLI's exit statuses. 70 is sysexits' EX_SOFTWARE: something hotrc did not expect, a bug to
 * report; it is printed as one line, never as a stack trace. The fleet commands add: 3 the fleet
 * is not in sync yet (`status`), 4 no such value or revision, 69 (EX_UNAVAILABLE) etcd did not
 * answer, 75 (EX_TEMPFAIL) a lost compare-and-swap: someone else published first, read again and
 * retry.
 * @example process.exitCode = exitCodes.usage; // 2
 */
export const exitCodes = Object.freeze({
  ok: 0,
  invalid: 1,
  usage: 2,
  notInSync: 3,
  notFound: 4,
  unreachable: 69,
  internal: 70,
  conflict: 75,
} as const);

/**
 * Bad usage: the CLI prints the message in one line and exits 2.
 * @example throw new UsageError('history takes no FILE');
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One `hotrc` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `hotrc --help`. */
  readonly summary: string;
  /** The whole `hotrc NAME --help` text. */
  readonly usage: string;
  /** Resolves with the exit status. Throws UsageError for bad arguments. */
  readonly run: (args: ReadonlyArray<string>, io: CliIo) => Promise<number>;
}

/**
 * Runs an argument parser (node:util's parseArgs in strict mode), turning its errors into
 * one-line UsageErrors.
 * @example const { values } = usage(() => parseArgs({ args, options, allowPositionals: true }));
 */
export function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err));
  }
}

/**
 * The one FILE positional most commands take, made absolute against the working directory. A
 * path typed on the command line is the operator's own (`hotrc watch ../torrc` is fine), so it
 * is resolved here, at the edge, and the library's guard against `..` in relative paths (meant
 * for paths that come from elsewhere) never sees it.
 * @example onePath(['torrc'], 'check') // '/current/dir/torrc'
 */
export function onePath(positionals: ReadonlyArray<string>, command: string): string {
  const [path, ...rest] = positionals;
  if (path === undefined || path === '') throw new UsageError(`${command} needs a FILE`);
  if (rest.length > 0) throw new UsageError(`${command} takes one FILE, got ${positionals.length}`);
  return resolve(path);
}
