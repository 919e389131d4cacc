import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../core/problem.js';
import { type Command, onePath, usage } from './command.js';
import { loadWithProfile } from './load-with-profile.js';
import { profileOption } from './profile-option.js';

/**
 * `hotrc check FILE [--profile MODULE]`: like `tor --verify-config`, for a torrc or, with
 * `--profile`, for any config a profile reads. Prints `Configuration was valid` and exits 0, or
 * prints each problem as `FILE:LINE: message` (`FILE:LINE:COLUMN: message` where the format
 * knows columns) on stderr and exits 1.
 * @example await check.run(['/etc/tor/torrc'], io) // 0
 * @example await check.run(['app.yaml', '--profile', './app-profile.mjs'], io) // 0 or 1
 */
export const check: Command = {
  name: 'check',
  summary: 'check FILE            validate a torrc or your config (exit 0 valid, 1 invalid)',
  usage: `Usage: hotrc check FILE [--profile MODULE] [--strict] [--verbose]
                  [--allow-insecure-mode]

Reads FILE (and its %includes) exactly as Tor does, decodes and validates it.
Prints "Configuration was valid" and exits 0, or prints each problem as
FILE:LINE: message on stderr and exits 1. Warnings go to stderr either way.
Like the watcher, it refuses a file anyone could rewrite: world-writable, or in
a directory world-writable without the sticky bit (FILE or any %include).

With --profile, FILE is your own config (JSON, YAML, ...) as the profile reads
it: every problem at once, as FILE:LINE:COLUMN: message, values at the
profile's secret paths never shown.

  --profile MODULE       a JavaScript module whose default export is a profile
                         (defineProfile); without it, FILE is a torrc
  --strict               unknown options or keys are errors, not warnings (a
                         profile with its own decode decides for itself)
  --verbose              also print notes (Tor options hotrc ignores)
  --allow-insecure-mode  accept world-writable files and directories
`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          profile: { type: 'string' },
          strict: { type: 'boolean' },
          verbose: { type: 'boolean' },
          'allow-insecure-mode': { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const path = onePath(positionals, 'check');
    const profile = await profileOption(values.profile);
    const loaded = await loadWithProfile(path, profile, {
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
