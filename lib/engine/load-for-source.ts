import * as E from 'fp-ts/lib/Either.js';
import { from, of } from 'rxjs';
import type { FilePolicy } from '../sources/file-policy.js';
import { guardLoad } from './guard.js';
import { type LoadFailure, loadDocumentNow } from './load-document.js';
import type { DecodeContext, Profile } from './profile.js';
import type { Load, Loaded, RejectionFields, SnapshotSource } from './types.js';

/** A value now, or later. */
type Eventually<T> = T | Promise<T>;

/**
 * What loadForSource needs besides the source and the profile: the policy every other file a
 * format reads must satisfy, and the decode context.
 * @example const o: LoadForSourceOptions<TorConfig> = { policy: defaultFilePolicy, base: defaultConfig(), strict: false };
 */
export interface LoadForSourceOptions<C> extends DecodeContext<C> {
  readonly policy: FilePolicy;
}

/**
 * The engine's load for one source: bytes through the profile (`loadDocument`), then the source
 * is told what the load depended on (its includes, found or not) unless the load was superseded
 * and its view is partial. Synchronous when the format and the source's track are (so virtual
 * time covers it), a promise otherwise. Guarded: a throw from the format, codec or validate, or
 * a config the codec refuses (loadDocument's check), is a Left of kind `internal`.
 * @example const load = loadForSource(source, torProfile, { policy, base: defaultConfig(), strict: false });
 */
export function loadForSource<C>(
  source: SnapshotSource,
  profile: Profile<C>,
  options: LoadForSourceOptions<C>,
): Load<C> {
  const { policy, base, strict } = options;
  return guardLoad(
    source.name,
    (bytes, signal) => {
      const finish = (
        result: E.Either<LoadFailure, Loaded<C>>,
      ): Eventually<E.Either<RejectionFields, Loaded<C>>> => {
        const answer = E.isLeft(result) ? E.left(result.left.rejection) : result;
        if (signal.aborted || source.track === undefined) return answer;
        const tracked = source.track(E.isLeft(result) ? result.left.watched : result.right.watched);
        return tracked instanceof Promise ? tracked.then(() => answer) : answer;
      };
      const result = loadDocumentNow(
        profile,
        {
          bytes,
          file: source.name,
          signal,
          policy,
          ...(source.selfContained === true ? { selfContained: true } : {}),
        },
        { base, strict },
      );
      const answer = result instanceof Promise ? result.then(finish) : finish(result);
      return answer instanceof Promise ? from(answer) : of(answer);
    },
    // No codec check here: loadDocument makes it, once, on every decoded config.
  );
}
