import * as E from 'fp-ts/lib/Either.js';
import { ConfigError } from '../engine/config-error.js';

export type { ConfigErrorDetails } from '../engine/config-error.js';
export { ConfigError };

import type { Problem } from '../core/problem.js';
import type { Loaded as EngineLoaded } from '../engine/types.js';
import {
  type ReadOptions,
  readTorrcDocument,
  resolveTorrcDocument,
  type TorrcDocument,
  type TorrcFailure,
} from './include.js';
import { decodeTorrc } from './schema/decode.js';
import { currentDefaultConfig, type TorConfig } from './schema/tor-config.js';
import type { TorrcError } from './torrc.js';

/**
 * Options for loading a torrc: the file policy (`maxBytes`, `root`, `allowInsecureMode`, applied
 * to the main file and every %include), a signal, the base config and strictness.
 */
export interface LoadOptions extends ReadOptions {
  /** What the file is laid over; `defaultConfig()` unless given. */
  readonly base: TorConfig;
  /** Unknown keys are errors, not warnings. */
  readonly strict: boolean;
}

/** A config read from a torrc, and what reading it showed. */
export type Loaded = EngineLoaded<TorConfig>;

/**
 * A reader error as a Problem, to list it with decode and validation problems. Line 0 (no line
 * to blame: a missing or refused file) becomes a problem with a file and no line.
 * @example problemOf({ file: 'torrc', line: 2, message: 'Excess data after quoted string' }).severity // 'error'
 */
export function problemOf(e: TorrcError): Problem {
  return e.line === 0
    ? { severity: 'error', message: e.message, file: e.file }
    : { severity: 'error', message: e.message, file: e.file, line: e.line };
}

function decodeDocument(
  path: string,
  document: E.Either<TorrcFailure, TorrcDocument>,
  options: Partial<LoadOptions> | undefined,
): E.Either<ConfigError, Loaded> {
  if (E.isLeft(document)) {
    const { refused, watched } = document.left;
    return E.left(new ConfigError(path, [problemOf(document.left)], { refused, watched }));
  }
  const { entries, files, watched } = document.right;
  const decoded = decodeTorrc(entries, options);
  return E.isLeft(decoded)
    ? E.left(new ConfigError(path, decoded.left, { watched }))
    : E.right({ config: decoded.right.config, warnings: decoded.right.warnings, files, watched });
}

/**
 * Reads, decodes and validates a torrc and its %includes, under the same file policy as the
 * watcher: a world-writable file (main or included), one in a directory world-writable without
 * the sticky bit, one outside `root` or over `maxBytes` is refused with `refused` set (opt out
 * with `allowInsecureMode: true`). Never rejects for bad input: a Left carries every problem.
 * @example const r = await loadTorrc('/etc/tor/torrc'); if (E.isRight(r)) r.right.config
 */
export async function loadTorrc(
  path: string,
  options?: Partial<LoadOptions>,
): Promise<E.Either<ConfigError, Loaded>> {
  return decodeDocument(path, await readTorrcDocument(path, options), options);
}

/**
 * Like `loadTorrc`, for main-file text the caller already read (safely, mid-write proof);
 * %includes are still read from disk relative to `path`, under the file policy. The main file
 * is the caller's to vouch for (the watcher checks it with `statFile` before reading it).
 * @example await loadTorrcText('LogLevel debug\n', '/etc/tor/torrc')
 */
export async function loadTorrcText(
  text: string,
  path: string,
  options?: Partial<LoadOptions>,
): Promise<E.Either<ConfigError, Loaded>> {
  return decodeDocument(path, await resolveTorrcDocument(text, path, options), options);
}

/**
 * The design document's `LoadFromFile`: defaults (or `base`) plus the file, validated, under the
 * file policy (see loadTorrc; `options.allowInsecureMode`, `root`, `maxBytes`).
 * Resolves with a frozen config or rejects with a ConfigError listing each problem.
 * @example const cfg = await loadFromFile('/etc/tor/torrc', defaultConfig(), { root: '/etc/tor' });
 */
export async function loadFromFile(
  path: string,
  base: TorConfig = currentDefaultConfig(),
  options?: Partial<Omit<LoadOptions, 'base'>>,
): Promise<TorConfig> {
  const loaded = await loadTorrc(path, { ...options, base });
  if (E.isLeft(loaded)) throw loaded.left;
  return loaded.right.config;
}
