#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from './check.js';
import { type CliIo, type Command, UsageError } from './command.js';
import { dump } from './dump.js';
import { schema } from './schema.js';
import { watch } from './watch.js';

const commands: ReadonlyArray<Command> = [check, dump, schema, watch];

const usage = `Usage: hotrc COMMAND [options]

Commands:
${commands.map((c) => `  ${c.summary}`).join('\n')}

Run hotrc COMMAND --help for a command's options.
`;

/**
 * The `hotrc` command line, as a function: argv without `node hotrc`, resolves with the exit
 * status (0 ok, 1 invalid config, 2 bad usage).
 * @example await runCli(['check', '/etc/tor/torrc'], { stdout: console.log, stderr: console.error })
 */
export async function runCli(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`hotrc: unknown command '${name}' (try hotrc --help)\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`hotrc ${name}: ${err.message} (try hotrc ${name} --help)\n`);
      return 2;
    }
    throw err;
  }
}

// Run only when executed (`hotrc`, `node dist/cli/main.js`), not when imported by tests.
const invoked =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hotrc: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
