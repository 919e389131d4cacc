import type * as E from 'fp-ts/lib/Either.js';
import type { ConfigError } from '../engine/config-error.js';
import { loadConfigFile } from '../engine/load-config.js';
import type { Profile } from '../engine/profile.js';
import type { Loaded } from '../engine/types.js';
import { loadTorrc } from '../tor/config-file.js';
import { isTorProfile } from './profile-option.js';

/**
 * What the CLI's commands load a FILE with.
 * @example const options: CliLoadOptions = { strict: false, allowInsecureMode: false };
 */
export interface CliLoadOptions {
  readonly strict: boolean;
  readonly allowInsecureMode: boolean;
}

/**
 * FILE as `profile` reads it, under the watcher's file policy: a torrc through `loadTorrc` (the
 * Tor profile, and `--profile` not given), any other profile through `loadConfigFile`. Either
 * way a Left is a ConfigError whose problems each have file, line (and column where the format
 * knows it), and a Right carries the warnings; never rejects for bad input.
 * @example const r = await loadWithProfile('/etc/app/app.yaml', appProfile, { strict: false, allowInsecureMode: false });
 */
export function loadWithProfile(
  path: string,
  profile: Profile<unknown>,
  { strict, allowInsecureMode }: CliLoadOptions,
): Promise<E.Either<ConfigError, Loaded<unknown>>> {
  return isTorProfile(profile)
    ? loadTorrc(path, { strict, allowInsecureMode })
    : loadConfigFile(path, profile, { strict, allowInsecureMode });
}
