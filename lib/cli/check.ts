import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../core/problem.js';
import { loadTorrc } from '../tor/config-file.js';
import { type Command, onePath, usage } from './command.js';

/**
 * `hotrc check FILE`: like `tor --verify-config`. Prints `Configuration was valid` and exits 0,
 * or prints each problem as `FILE:LINE: message` on stderr and exits 1.
 * @example await check.run(['/etc/tor/torrc'], io) // 0
 */
export const check: Command = {
  name: 'check',
  summary: 'check FILE            validate a torrc (exit 0 valid, 1 invalid)',
  usage: `Usage: hotrc check FILE [--strict] [--verbose] [--allow-insecure-mode]

Reads FILE (and its %includes) exactly as Tor does, decodes and validates it.
Prints "Configuration was valid" and exits 0, or prints each problem as
FILE:LINE: message on stderr and exits 1. Warnings go to stderr either way.
Like the watcher, it refuses a file anyone could rewrite: world-writable, or in
a directory world-writable without the sticky bit (FILE or any %include).

  --strict               unknown options are errors, not warnings
  --verbose              also print notes (Tor options hotrc ignores)
  --allow-insecure-mode  accept world-writable files and directories
`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          strict: { type: 'boolean' },
          verbose: { type: 'boolean' },
          'allow-insecure-mode': { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const path = onePath(positionals, 'check');
    const loaded = await loadTorrc(path, {
      strict: values.strict === true,
      allowInsecureMode: values['allow-insecure-mode'] === true,
    });
    const problems = E.isLeft(loaded) ? loaded.left.problems : loaded.right.warnings;
    for (const p of problems) {
      if (p.severity !== 'info' || values.verbose === true) io.stderr(`${formatProblem(p)}\n`);
    }
    if (E.isLeft(loaded)) return 1;
    io.stdout('Configuration was valid\n');
    return 0;
  },
};
