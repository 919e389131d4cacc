import * as E from 'fp-ts/lib/Either.js';
import { type FilePolicy, resolveFilePolicy } from '../sources/file-policy.js';
import { type FileProblem, isRefusal } from '../sources/file-problem.js';
import { statFile } from '../sources/file-state.js';
import { type FsPort, nodeFs } from '../sources/fs-port.js';
import { readStable } from '../sources/read-stable.js';
import { ConfigError } from './config-error.js';
import { loadDocument } from './load-document.js';
import type { Profile } from './profile.js';
import type { Loaded } from './types.js';

/**
 * How loadConfig reads a file: the file policy (the same as the watcher's, for the main file and
 * every file a format reads), what the file is laid over (`profile.defaults` unless given),
 * whether unknown keys are errors, a signal, the file-system door.
 * @example await loadConfig('app.yaml', appProfile, { root: '/etc/app', strict: true });
 */
export interface LoadConfigOptions<C> extends FilePolicy {
  readonly base: C;
  readonly strict: boolean;
  readonly signal: AbortSignal | undefined;
  readonly fs: FsPort;
}

/** How often a file that moves under the read is read again before the load gives up. */
const readAttempts = 5;

function fileProblemError(path: string, problem: FileProblem): ConfigError {
  return new ConfigError(
    path,
    [{ severity: 'error', message: problem.message, file: problem.path }],
    {
      ...(isRefusal(problem.kind) ? { refused: problem.kind } : {}),
      watched: [path],
    },
  );
}

/**
 * Reads a config file the way the watcher does and decodes it with `profile`: the path checked
 * (no `..` in a relative path), the file policy applied (world-writable, root, size), a
 * stat-read-stat read, then the profile's format, decode and validate. Every problem comes back
 * at once, each with file, line and column where the format knows them. Never rejects for bad
 * input: a Left is a ConfigError (its `refused` set for a policy refusal).
 * @example const r = await loadConfigFile('app.yaml', appProfile); if (E.isRight(r)) r.right.config
 */
export async function loadConfigFile<C>(
  path: string,
  profile: Profile<C>,
  options: Partial<LoadConfigOptions<C>> = {},
): Promise<E.Either<ConfigError, Loaded<C>>> {
  const { base = profile.defaults, strict = false, signal, fs = nodeFs } = options;
  const policy = resolveFilePolicy({
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.root === undefined ? {} : { root: options.root }),
    ...(options.allowInsecureMode === undefined
      ? {}
      : { allowInsecureMode: options.allowInsecureMode }),
  });
  for (let attempt = 1; attempt <= readAttempts; attempt++) {
    const state = await statFile(path, policy, fs);
    if (state.kind === 'problem') return E.left(fileProblemError(path, state.problem));
    const read = await readStable(state.path, state.fingerprint, policy, { fs, signal });
    if (read.kind === 'problem') return E.left(fileProblemError(path, read.problem));
    if (read.kind === 'moved') continue;
    const loaded = await loadDocument(
      profile,
      {
        bytes: read.bytes,
        file: state.path,
        signal: signal ?? new AbortController().signal,
        policy,
      },
      { base, strict },
    );
    if (E.isRight(loaded)) return loaded;
    const { rejection, watched } = loaded.left;
    return E.left(
      new ConfigError(state.path, rejection.problems, {
        ...(rejection.kind === 'security' ? { refused: rejection.cause } : {}),
        watched,
      }),
    );
  }
  const message = `${path} kept changing while being read (${readAttempts} attempts)`;
  return E.left(new ConfigError(path, [{ severity: 'error', message, file: path }]));
}

/**
 * The generic `loadFromFile`: resolves with the frozen config of `path` as `profile` reads it, or
 * rejects with a ConfigError whose problems each have file, line and column.
 * @example const config = await loadConfig('/etc/app/app.yaml', appProfile);
 */
export async function loadConfig<C>(
  path: string,
  profile: Profile<C>,
  options?: Partial<LoadConfigOptions<C>>,
): Promise<C> {
  const loaded = await loadConfigFile(path, profile, options);
  if (E.isLeft(loaded)) throw loaded.left;
  return loaded.right.config;
}
