import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Profile } from '../engine/profile.js';
import { torProfile } from '../tor/tor-profile.js';
import { UsageError } from './command.js';
import { oneLine } from './one-line.js';

const profileFunctions = [
  'decode',
  'validate',
  'diff',
  'isReloadable',
  'keepRestartRequired',
] as const;

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

// What the engine calls on a profile; defineProfile builds exactly this, and anything else that
// passed would fail on the first reload instead of here.
function isProfile(value: unknown): value is Profile<unknown> {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    isObject(value.format) &&
    typeof value.format.parse === 'function' &&
    isObject(value.codec) &&
    typeof value.codec.decode === 'function' &&
    Array.isArray(value.secrets) &&
    profileFunctions.every((m) => typeof value[m] === 'function')
  );
}

/**
 * Whether `profile` is hotrc's own Tor profile, for what only a torrc has: the torrc form of
 * `dump`, Tor's reading of the file (`loadTorrc`).
 * @example isTorProfile(await profileOption(undefined)) // true
 */
export function isTorProfile(profile: Profile<unknown>): boolean {
  return profile === (torProfile as Profile<unknown>);
}

/**
 * The profile a `--profile MODULE` names: the default export (or else the `profile` export) of
 * the JavaScript module at MODULE, resolved against the working directory; build it with
 * `defineProfile`. Without the option, hotrc's Tor profile. A module that is missing, cannot be
 * loaded (a syntax error, an import that fails, a throw at its top level) or exports no profile
 * is a UsageError (exit 2) of one line naming the module.
 * @example const profile = await profileOption('./app-profile.mjs'); // the app's Profile
 */
export async function profileOption(module: string | undefined): Promise<Profile<unknown>> {
  if (module === undefined) return torProfile as Profile<unknown>;
  if (module === '') throw new UsageError('--profile needs a module path');
  const path = resolve(module);
  const found = await stat(path).then(
    (s) => (s.isFile() ? undefined : 'is not a file'),
    () => 'no such file',
  );
  if (found !== undefined) throw new UsageError(`--profile ${module}: ${found} (${path})`);
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(path).href);
  } catch (err) {
    throw new UsageError(`--profile ${module}: cannot load it: ${oneLine(err)}`);
  }
  const exports = isObject(loaded) ? loaded : {};
  const candidate = exports.default ?? exports.profile;
  if (candidate === undefined) {
    throw new UsageError(
      `--profile ${module}: it has no default export (export default defineProfile({ ... }))`,
    );
  }
  if (!isProfile(candidate)) {
    throw new UsageError(
      `--profile ${module}: its default export is not a profile (build one with defineProfile)`,
    );
  }
  return candidate;
}
