import { check } from './check.js';
import { type CliIo, type Command, exitCodes, UsageError } from './command.js';
import { dump } from './dump.js';
import { history } from './history.js';
import { internalErrorLine } from './internal-error.js';
import { push } from './push.js';
import { rollback } from './rollback.js';
import { schema } from './schema.js';
import { status } from './status.js';
import { watch } from './watch.js';

const commands: ReadonlyArray<Command> = [
  check,
  dump,
  schema,
  watch,
  push,
  history,
  rollback,
  status,
];

const usage = `Usage: hotrc COMMAND [options]

Commands:
${commands.map((c) => `  ${c.summary}`).join('\n')}

FILE is a torrc; check, dump and watch take --profile MODULE for a config of
your own (JSON, YAML, ...): MODULE's default export is a profile (defineProfile).
push, history, rollback and status publish a config to a fleet through etcd
(--etcd HOSTS --key KEY) and show which host runs which version.
Run hotrc COMMAND --help for a command's options.
Exit status: 0 ok, 1 invalid config, 2 bad usage, 3 fleet not in sync yet,
4 no such value or revision, 69 etcd unreachable, 70 internal error (a bug in
hotrc), 75 conflict (someone else published first).
`;

/**
 * The `hotrc` command line, as a function: argv without `node hotrc`, resolves with the exit
 * status (0 ok, 1 invalid config, 2 bad usage, 70 internal error). Never rejects: an unexpected
 * error is one line `hotrc COMMAND: internal error: ...` on `io.stderr`, never a stack trace.
 * Importing this module does nothing by itself (no argv, no listeners).
 * @example await runCli(['check', '/etc/tor/torrc'], { stdout: console.log, stderr: console.error })
 */
export async function runCli(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`hotrc: unknown command '${name}' (try hotrc --help)\n`);
    return exitCodes.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.usage);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`hotrc ${name}: ${err.message} (try hotrc ${name} --help)\n`);
      return exitCodes.usage;
    }
    // The io itself may be what failed (stdout closed): the status must still come back.
    try {
      io.stderr(internalErrorLine(name, err));
    } catch {
      // nowhere left to say it; the exit status still says it
    }
    return exitCodes.internal;
  }
}
