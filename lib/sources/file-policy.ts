import { constants as bufferConstants } from 'node:buffer';
import { isAbsolute, resolve } from 'node:path';
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { type FileProblem, fileProblem } from './file-problem.js';

/**
 * What a config file must satisfy before hotrc reads it.
 * @example const p: FilePolicy = { maxBytes: 65536, root: '/etc/tor', allowInsecureMode: false };
 */
export interface FilePolicy {
  /** Larger files are refused unread: a torrc is kilobytes, a runaway log is not. */
  readonly maxBytes: number;
  /** When set (absolute), the file's real path, after every symlink, must lie inside it. */
  readonly root: string | undefined;
  /** Accept a world-writable file or directory, which anyone on the host could rewrite. */
  readonly allowInsecureMode: boolean;
}

/**
 * 1 MiB, no root, insecure modes refused.
 * @example resolveFilePolicy({}) // equal to defaultFilePolicy
 */
export const defaultFilePolicy: FilePolicy = Object.freeze({
  maxBytes: 1024 * 1024,
  root: undefined,
  allowInsecureMode: false,
});

const knownOptions: ReadonlySet<string> = new Set(Object.keys(defaultFilePolicy));

/** The reader returns up to maxBytes + 1 bytes in one Buffer. */
const largestMaxBytes = bufferConstants.MAX_LENGTH - 1;

function hasNul(s: string): boolean {
  return s.includes('\0');
}

/**
 * Completes `options` from `defaultFilePolicy` once, and freezes the result. A misspelt or
 * ill-typed option is a programmer error and throws a TypeError here, not on the first poll.
 * `root` must be absolute (a root relative to the working directory would move with it); it is
 * normalised.
 * @example resolveFilePolicy({ maxBytes: 64 * 1024, root: '/etc/tor' })
 */
export function resolveFilePolicy(options: Partial<FilePolicy> = {}): FilePolicy {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('file policy: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) {
      throw new TypeError(
        `file policy: unknown option ${JSON.stringify(key)} (known: ${[...knownOptions].join(', ')})`,
      );
    }
  }
  const maxBytes = options.maxBytes ?? defaultFilePolicy.maxBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > largestMaxBytes) {
    throw new TypeError(
      `file policy: maxBytes must be an integer from 1 to ${largestMaxBytes}, got ${String(maxBytes)}`,
    );
  }
  const root = options.root ?? defaultFilePolicy.root;
  if (root !== undefined) {
    if (typeof root !== 'string' || root === '' || hasNul(root) || !isAbsolute(root)) {
      throw new TypeError(
        `file policy: root must be an absolute path, got ${JSON.stringify(String(root))}`,
      );
    }
  }
  const allowInsecureMode = options.allowInsecureMode ?? defaultFilePolicy.allowInsecureMode;
  if (typeof allowInsecureMode !== 'boolean') {
    throw new TypeError(
      `file policy: allowInsecureMode must be a boolean, got ${typeof allowInsecureMode}`,
    );
  }
  return Object.freeze({
    maxBytes,
    root: root === undefined ? undefined : resolve(root),
    allowInsecureMode,
  });
}

/**
 * Checks a config path as given by a user and returns it absolute and normalised. Refused, as a
 * `path` problem: a non-string or empty path, a NUL byte (the OS would cut the path there), and a
 * relative path with a `..` segment (path traversal out of the working directory). An absolute
 * path may contain `..`: it names one place whatever the working directory. A relative path is
 * resolved against the working directory, as `tor -f` does.
 * @example checkConfigPath('torrc') // right('/current/dir/torrc')
 */
export function checkConfigPath(path: string): Either<FileProblem, string> {
  const refuse = (why: string): Either<FileProblem, string> =>
    left(
      fileProblem(
        'path',
        typeof path === 'string' ? path : String(path),
        `refusing config path ${JSON.stringify(String(path))}: ${why}`,
      ),
    );
  if (typeof path !== 'string') return refuse('not a string');
  if (path === '') return refuse('empty');
  if (hasNul(path)) return refuse('contains a NUL byte');
  // Both separators: a backslash is a separator on Windows, and on POSIX refusing `..\x` costs nothing.
  if (!isAbsolute(path) && path.split(/[\\/]/).includes('..')) {
    return refuse('a relative path may not contain ".." segments');
  }
  return right(resolve(path));
}
