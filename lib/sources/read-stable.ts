import { createHash } from 'node:crypto';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkConfigPath, type FilePolicy } from './file-policy.js';
import type { FileProblem } from './file-problem.js';
import { isGone, problemFromError, sizeProblem } from './file-state.js';
import { type Fingerprint, fingerprintOf, matchesStats } from './fingerprint.js';
import { type FsPort, nodeFs } from './fs-port.js';

/**
 * The outcome of one careful read. `moved` means the file changed under the read (or vanished:
 * `fingerprint` undefined): the engine settles and tries again, and never uses the bytes.
 * `readAtMs` is taken before the first stat, the conservative end for `isRacy`.
 * @example const text = r.kind === 'read' ? r.bytes.toString('utf8') : undefined;
 */
export type StableRead =
  | {
      readonly kind: 'read';
      readonly bytes: Buffer;
      readonly fingerprint: Fingerprint;
      readonly sha256: string;
      readonly readAtMs: number;
    }
  | { readonly kind: 'moved'; readonly fingerprint: Fingerprint | undefined }
  | { readonly kind: 'problem'; readonly problem: FileProblem };

/**
 * How readStable is run: `signal` to abort it, `fs` to fake the file system, `now` the clock
 * (ms since the epoch) for `readAtMs`.
 * @example const options: ReadStableOptions = { signal: AbortSignal.timeout(5000) };
 */
export interface ReadStableOptions {
  readonly signal?: AbortSignal | undefined;
  readonly fs?: FsPort | undefined;
  readonly now?: (() => number) | undefined;
  /**
   * Whether to stat before the read (default true). Pass false when `expected` comes from a stat
   * made just before (a look followed at once by its read): the stat after the read is what
   * proves the bytes are `expected`'s (a change at any time before it moves the fingerprint), so
   * the one before only spares a read of a file that has already changed, and costs a round trip
   * on every save.
   */
  readonly statFirst?: boolean | undefined;
}

const moved = (fingerprint: Fingerprint | undefined): StableRead =>
  Object.freeze({ kind: 'moved', fingerprint });

const failed = (problem: FileProblem): StableRead => Object.freeze({ kind: 'problem', problem });

/** A file that vanished is a move (settle, then statFile reports it missing); others are problems. */
const fromError = (path: string, error: unknown): StableRead =>
  isGone(error) ? moved(undefined) : failed(problemFromError(path, error));

async function statOrExplain(
  fs: FsPort,
  path: string,
  expected: Fingerprint,
): Promise<StableRead | undefined> {
  try {
    const stats = await fs.stat(path);
    return matchesStats(stats, expected) ? undefined : moved(fingerprintOf(stats));
  } catch (error) {
    return fromError(path, error);
  }
}

async function attempt(
  path: string,
  expected: Fingerprint,
  policy: FilePolicy,
  fs: FsPort,
  now: () => number,
  signal: AbortSignal | undefined,
  statFirst: boolean,
): Promise<StableRead> {
  const readAtMs = now();
  if (statFirst) {
    const before = await statOrExplain(fs, path, expected);
    if (before !== undefined) return before;
  }
  // `expected` is the file's as last stat'ed, so its size is the file's: refuse before reading.
  const sized = sizeProblem(path, expected.size, policy.maxBytes);
  if (sized !== undefined) return failed(sized);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path, { signal, maxBytes: policy.maxBytes });
  } catch (error) {
    return fromError(path, error);
  }
  const after = await statOrExplain(fs, path, expected);
  if (after !== undefined) return after;
  // Same fingerprint but another length: a write landed inside the timestamp granularity.
  if (BigInt(bytes.length) !== expected.size) return moved(expected);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return Object.freeze({ kind: 'read', bytes, fingerprint: expected, sha256, readAtMs });
}

/**
 * Reads a config file only if it holds still: stat (must equal `expected`; left out with
 * `statFirst: false`), read (at most `policy.maxBytes + 1` bytes), stat again (must still equal),
 * and the byte count must equal the size; anything else is `moved` (FIELD-NOTES row 4). A file over the limit or empty is a
 * `problem` and is not read. Never rejects for I/O.
 *
 * Aborting `signal` settles the promise at once, even if the file system is stuck, as a `problem`
 * of kind `io` with message `aborted` and code `ABORT_ERR` (a value, not a rejection, like every
 * other outcome here); the read stops at its next chunk.
 * @example const r = await readStable(state.path, state.fingerprint, policy, { signal: ac.signal });
 */
export function readStable(
  path: string,
  expected: Fingerprint,
  policy: FilePolicy,
  options: ReadStableOptions = {},
): Promise<StableRead> {
  const { signal, fs = nodeFs, now = Date.now, statFirst = true } = options;
  const checked = checkConfigPath(path);
  if (isLeft(checked)) return Promise.resolve(failed(checked.left));
  const abs = checked.right;
  const aborted = (): StableRead =>
    failed({ kind: 'io', path: abs, message: 'aborted', code: 'ABORT_ERR' });
  if (signal === undefined) return attempt(abs, expected, policy, fs, now, undefined, statFirst);
  if (signal.aborted) return Promise.resolve(aborted());
  return new Promise<StableRead>((resolve, reject) => {
    const onAbort = (): void => resolve(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    // Let go of the signal before settling: a long-lived signal must not collect listeners.
    attempt(abs, expected, policy, fs, now, signal, statFirst).then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
