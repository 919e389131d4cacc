import * as E from 'fp-ts/lib/Either.js';
import {
  type ReadOptions,
  readTorrc,
  resolveTorrc,
  type TorrcDocument,
} from './formats/include.js';
import type { TorrcError } from './formats/torrc.js';
import { decodeTorrc } from './schema/decode.js';
import { errorsOf, formatProblem, type Problem } from './schema/problem.js';
import { defaultConfig, type TorConfig } from './schema/tor-config.js';

/**
 * A config file that cannot be used, with every problem found in it (file and line each).
 * `message` lists them one per line as `FILE:LINE: message`.
 * @example
 * try { await loadFromFile('/etc/tor/torrc'); } catch (e) { if (e instanceof ConfigError) e.problems }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly problems: ReadonlyArray<Problem>,
  ) {
    super(
      [
        `Invalid configuration ${path}:`,
        ...errorsOf(problems).map((p) => `  ${formatProblem(p)}`),
      ].join('\n'),
    );
  }
}

/** Options for loading a torrc. */
export interface LoadOptions extends ReadOptions {
  /** What the file is laid over; `defaultConfig()` unless given. */
  readonly base: TorConfig;
  /** Unknown keys are errors, not warnings. */
  readonly strict: boolean;
}

/** A config read from a torrc, and what reading it showed. */
export interface Loaded {
  readonly config: TorConfig;
  /** Warnings and notes; never errors. */
  readonly warnings: ReadonlyArray<Problem>;
  /** Every file read (main first, then %includes). */
  readonly files: ReadonlyArray<string>;
  /** Files and directories whose change could change the config. */
  readonly watched: ReadonlyArray<string>;
}

/**
 * A reader error as a Problem, to list it with decode and validation problems.
 * @example problemOf({ file: 'torrc', line: 2, message: 'Excess data after quoted string' }).severity // 'error'
 */
export function problemOf(e: TorrcError): Problem {
  return { severity: 'error', message: e.message, file: e.file, line: e.line };
}

function decodeDocument(
  path: string,
  document: E.Either<TorrcError, TorrcDocument>,
  options: Partial<LoadOptions> | undefined,
): E.Either<ConfigError, Loaded> {
  if (E.isLeft(document)) return E.left(new ConfigError(path, [problemOf(document.left)]));
  const { entries, files, watched } = document.right;
  const decoded = decodeTorrc(entries, options);
  return E.isLeft(decoded)
    ? E.left(new ConfigError(path, decoded.left))
    : E.right({ config: decoded.right.config, warnings: decoded.right.warnings, files, watched });
}

/**
 * Reads, decodes and validates a torrc and its %includes. Never rejects for bad input: a Left
 * carries every problem.
 * @example const r = await loadTorrc('/etc/tor/torrc'); if (E.isRight(r)) r.right.config
 */
export async function loadTorrc(
  path: string,
  options?: Partial<LoadOptions>,
): Promise<E.Either<ConfigError, Loaded>> {
  return decodeDocument(path, await readTorrc(path, options), options);
}

/**
 * Like `loadTorrc`, for main-file text the caller already read (safely, mid-write proof);
 * %includes are still read from disk relative to `path`.
 * @example await loadTorrcText('LogLevel debug\n', '/etc/tor/torrc')
 */
export async function loadTorrcText(
  text: string,
  path: string,
  options?: Partial<LoadOptions>,
): Promise<E.Either<ConfigError, Loaded>> {
  return decodeDocument(path, await resolveTorrc(text, path, options), options);
}

/**
 * The design document's `LoadFromFile`: defaults (or `base`) plus the file, validated.
 * Resolves with a frozen config or rejects with a ConfigError listing each problem.
 * @example const cfg = await loadFromFile('/etc/tor/torrc');
 */
export async function loadFromFile(
  path: string,
  base: TorConfig = defaultConfig(),
  options?: Partial<Omit<LoadOptions, 'base'>>,
): Promise<TorConfig> {
  const loaded = await loadTorrc(path, { ...options, base });
  if (E.isLeft(loaded)) throw loaded.left;
  return loaded.right.config;
}
