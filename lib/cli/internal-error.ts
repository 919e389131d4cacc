import { exitCodes } from './command.js';
import { oneLine } from './one-line.js';

/**
 * The one line the CLI prints for an error it did not expect: `hotrc COMMAND: internal error:
 * NAME: message`, a multi-line message folded onto that line, never a stack trace (a CLI user
 * needs what went wrong, not where in hotrc; the exit status 70 says it is hotrc's bug).
 * @example internalErrorLine('watch', new TypeError('x is not a function'))
 * // 'hotrc watch: internal error: TypeError: x is not a function\n'
 */
export function internalErrorLine(command: string | undefined, err: unknown): string {
  const prefix = command === undefined ? 'hotrc' : `hotrc ${command}`;
  const text = oneLine(err);
  return `${prefix}: internal error: ${text === '' ? 'unknown error' : text}\n`;
}

/**
 * For the `hotrc` executable only: an error thrown outside the command's promise (a timer, a
 * stream's 'error' event, a rejection nobody awaited) prints `internalErrorLine` on stderr and
 * exits 70 at once, instead of Node's stack trace. The process's state is unknown after such an
 * error, so nothing more is attempted.
 * @example exitOnUncaught(process.argv[2]); // first thing in the bin
 */
export function exitOnUncaught(command: string | undefined): void {
  const crash = (err: unknown) => {
    process.stderr.write(internalErrorLine(command, err));
    process.exit(exitCodes.internal);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
