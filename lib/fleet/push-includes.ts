// A value in etcd is the whole config: a host cannot follow an include to a file on the
// publisher's disk. Which lines include other files, and how to inline them, is the format's
// business (a torrc's `%include`), so a push is handed it and the fleet code stays ignorant of Tor.
import type { Either } from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import type { FilePolicy } from '../sources/file-policy.js';

/**
 * A format's includes, for a push:
 * - `find`: the lines of `text` that include other files, each an error at its line. Pure; text
 *   that does not parse has none (the load reports it).
 * - `inline`: the text with each include replaced by what it includes, read from disk under
 *   `policy` relative to `file`, meaning exactly what the original means, or the problems.
 * @example const includes: PushIncludes = { find: findTorrcIncludes, inline: inlineTorrcIncludes };
 */
export interface PushIncludes {
  find(text: string, file: string): ReadonlyArray<Problem>;
  inline(
    text: string,
    file: string,
    policy: FilePolicy,
  ): Promise<Either<ReadonlyArray<Problem>, string>>;
}
