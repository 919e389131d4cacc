// What a push would publish, loaded exactly as a watching host will load it: the engine's own
// load (the profile's format, decode, validate) over the very bytes that go to etcd.
import * as E from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import { loadDocument } from '../engine/load-document.js';
import type { Profile } from '../engine/profile.js';
import type { Loaded } from '../engine/types.js';
import { type FilePolicy, resolveFilePolicy } from '../sources/file-policy.js';
import type { PushIncludes } from './push-includes.js';
import { sha256Hex } from './push-read.js';

/**
 * A value that loads: its bytes (as they go to etcd), their sha256, and the loaded config.
 * @example const { bytes, loaded } = candidate;
 */
export interface Candidate<C> {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly loaded: Loaded<C>;
  /** Whether includes were inlined into these bytes. */
  readonly inlined: boolean;
}

/**
 * How a candidate is loaded: as the hosts do (strict or not), the largest value etcd is to
 * hold, the format's includes (none for a format without them), whether to inline them.
 * @example const o: CandidateOptions = { strict: false, maxValueBytes: defaultMaxValueBytes, includes: undefined, inlineIncludes: false };
 */
export interface CandidateOptions {
  readonly strict: boolean;
  readonly maxValueBytes: number;
  readonly includes: PushIncludes | undefined;
  readonly inlineIncludes: boolean;
  /** The policy an inlined file must satisfy (mode, root, size). Default: the watcher's. */
  readonly policy?: FilePolicy;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

const refusal = (file: string, message: string): ReadonlyArray<Problem> => [
  { severity: 'error', message, file },
];

/**
 * `bytes` (named `file` in problems) as a value to publish: includes refused, or inlined when
 * `inlineIncludes`; the size checked against `maxValueBytes`; then the engine's `loadDocument`
 * with the profile's defaults as base. A Left holds every problem, each `FILE:LINE` where known.
 * A format that read other files anyway (no `includes` given for it) is refused too.
 * @example const c = await loadCandidate(torProfile, bytes, '/etc/tor/torrc', options); if (E.isLeft(c)) c.left.map(formatProblem)
 */
export async function loadCandidate<C>(
  profile: Profile<C>,
  original: Uint8Array,
  file: string,
  options: CandidateOptions,
): Promise<E.Either<ReadonlyArray<Problem>, Candidate<C>>> {
  const policy = options.policy ?? resolveFilePolicy({});
  let bytes = original;
  let inlined = false;
  if (options.includes !== undefined) {
    const text = decoder.decode(original);
    const found = options.includes.find(text, file);
    if (found.length > 0) {
      if (!options.inlineIncludes) return E.left(found);
      const inline = await options.includes.inline(text, file, policy);
      if (E.isLeft(inline)) return inline;
      bytes = Buffer.from(inline.right);
      inlined = true;
    }
  }
  if (bytes.length > options.maxValueBytes) {
    return E.left(
      refusal(
        file,
        `${bytes.length} bytes${inlined ? ' with its includes inlined' : ''}: over the ${options.maxValueBytes}-byte limit of a value in etcd`,
      ),
    );
  }
  const loaded = await loadDocument(
    profile,
    { bytes, file, signal: new AbortController().signal, policy },
    { base: profile.defaults, strict: options.strict },
  );
  if (E.isLeft(loaded)) return E.left(loaded.left.rejection.problems);
  const others = loaded.right.files.slice(1);
  if (others.length > 0) {
    return E.left(
      refusal(
        file,
        `it reads other files (${others.join(', ')}), which no host can read from etcd`,
      ),
    );
  }
  return E.right({ bytes, sha256: sha256Hex(bytes), loaded: loaded.right, inlined });
}
