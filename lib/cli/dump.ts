import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { formatProblem } from '../core/problem.js';
import { formatTorrc } from '../tor/schema/format-torrc.js';
import type { TorConfig } from '../tor/schema/tor-config.js';
import { redactedKey } from '../tor/schema/values/client-auth.js';
import { type Command, onePath, UsageError, usage } from './command.js';
import { loadWithProfile } from './load-with-profile.js';
import { isTorProfile, profileOption } from './profile-option.js';
import { redactPaths } from './redact-paths.js';

/**
 * The config with onion client keys replaced, for output that may end up in a CI log.
 * @example redactSecrets(cfg).OnionServices[0]?.ClientAuth[0]?.Key // '[REDACTED]'
 */
export function redactSecrets(config: TorConfig): TorConfig {
  return {
    ...config,
    OnionServices: config.OnionServices.map((s) => ({
      ...s,
      ClientAuth: s.ClientAuth.map((a) => ({ ...a, Key: redactedKey })),
    })),
  };
}

// Keys, counted once per onion service directory: its ports share them and print them once.
function redactedCount(config: TorConfig): number {
  const perDir = new Map(config.OnionServices.map((s) => [s.ServiceDir, s.ClientAuth.length]));
  return [...perDir.values()].reduce((a, b) => a + b, 0);
}

/**
 * `hotrc dump FILE [--format json|torrc] [--profile MODULE]`: the effective config (defaults plus
 * file) on stdout; with `--profile`, any config a profile reads, as JSON, its secrets redacted.
 * @example await dump.run(['torrc', '--format', 'torrc'], io)
 * @example await dump.run(['app.yaml', '--profile', './app-profile.mjs'], io)
 */
export const dump: Command = {
  name: 'dump',
  summary: 'dump FILE             print the effective config (defaults plus file)',
  usage: `Usage: hotrc dump FILE [--profile MODULE] [--format json|torrc] [--strict]
                 [--show-secrets]

Prints the effective configuration: hotrc's defaults with FILE laid over them.
Durations are milliseconds in JSON and Tor words in torrc form. On an invalid
FILE, prints each problem as FILE:LINE: message on stderr and exits 1.
Onion client keys are printed as [REDACTED], which hotrc refuses to load (the
line is named), so a redacted dump never passes for a config; --show-secrets
prints a file that loads back to the same config.

With --profile, FILE is your own config: the profile's defaults with FILE laid
over them (objects merged, arrays replaced; a key deleted from FILE shows its
default), printed as JSON in the form the file takes (the codec's encoding).
Every value at one of the profile's secret paths is printed as [REDACTED]
unless --show-secrets. Only a torrc has a torrc form.

  --profile MODULE      a JavaScript module whose default export is a profile
                        (defineProfile); without it, FILE is a torrc
  --format json|torrc   output form (default json; torrc only for a torrc)
  --strict              unknown options or keys are errors, not warnings (a
                        profile with its own decode decides for itself)
  --show-secrets        print secrets (onion client keys, the profile's secret
                        paths) instead of [REDACTED]
`,
  async run(args, io) {
    const { values, positionals } = usage(() =>
      parseArgs({
        args: [...args],
        options: {
          profile: { type: 'string' },
          format: { type: 'string' },
          strict: { type: 'boolean' },
          'show-secrets': { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
    const format = values.format ?? 'json';
    if (format !== 'json' && format !== 'torrc') {
      throw new UsageError(`--format must be json or torrc, not '${format}'`);
    }
    const path = onePath(positionals, 'dump');
    const profile = await profileOption(values.profile);
    const tor = isTorProfile(profile);
    if (format === 'torrc' && !tor) {
      // Said before FILE is read: no file makes the answer different.
      throw new UsageError(
        `--format torrc prints a torrc, and profile '${profile.name}' is not hotrc's Tor profile: use --format json`,
      );
    }
    const loaded = await loadWithProfile(path, profile, {
      strict: values.strict === true,
      allowInsecureMode: false,
    });
    if (E.isLeft(loaded)) {
      for (const p of loaded.left.problems) io.stderr(`${formatProblem(p)}\n`);
      return 1;
    }
    const show = values['show-secrets'] === true;
    if (!tor) {
      const encoded = profile.codec.encode(loaded.right.config);
      const shown = show ? encoded : redactPaths(encoded, profile.secrets);
      io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    const torConfig = loaded.right.config as TorConfig;
    const config = show ? torConfig : redactSecrets(torConfig);
    if (format === 'json') {
      io.stdout(`${JSON.stringify(config, null, 2)}\n`);
      return 0;
    }
    const hidden = show ? 0 : redactedCount(torConfig);
    // Said at the top, where someone about to reuse the file looks; the loader refuses the
    // placeholder anyway, naming its line.
    const note =
      hidden === 0
        ? ''
        : `# ${hidden} onion client ${hidden === 1 ? 'key is' : 'keys are'} ${redactedKey}: this file will not load until the real keys are put back (hotrc dump --show-secrets prints them).\n`;
    io.stdout(`${note}${formatTorrc(config)}`);
    return 0;
  },
};
