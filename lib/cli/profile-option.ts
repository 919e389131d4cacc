import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError } from '../engine/guard.js';
import type { Profile } from '../engine/profile.js';
import { torProfile } from '../tor/tor-profile.js';
import { UsageError } from './command.js';

const profileMembers = ['format', 'codec', 'decode', 'validate', 'diff', 'isReloadable'] as const;

function isProfile(value: unknown): value is Profile<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    profileMembers.every((m) => (value as Record<string, unknown>)[m] !== undefined)
  );
}

/**
 * The profile a `--profile MODULE` names: the module's default export (or its `profile` export),
 * a Profile built with `defineProfile`. The path is resolved against the working directory.
 * Without the option, hotrc's Tor profile. A module that cannot be loaded, or exports no
 * profile, is a usage error naming the module.
 * @example const profile = await profileOption('./app-profile.mjs'); // the app's Profile
 */
export async function profileOption(module: string | undefined): Promise<Profile<unknown>> {
  if (module === undefined) return torProfile as Profile<unknown>;
  if (module === '') throw new UsageError('--profile needs a module path');
  const url = pathToFileURL(resolve(module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--profile ${module}: cannot load it: ${describeError(err)}`);
  }
  const candidate = loaded.default ?? loaded.profile;
  if (!isProfile(candidate)) {
    throw new UsageError(
      `--profile ${module}: its default export is not a profile (build one with defineProfile)`,
    );
  }
  return candidate;
}
