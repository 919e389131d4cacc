import * as E from 'fp-ts/lib/Either.js';
import { errorsOf, formatProblem, type Problem } from '../core/problem.js';
import type { ConfigError } from './config-error.js';
import type { FormatFailure, FormatInput, ParsedDocument } from './format.js';
import { deepFreeze } from './freeze.js';
import { badProblems, internalRejection } from './guard.js';
import type { DecodeContext, Profile } from './profile.js';
import type { Loaded, RejectionFields } from './types.js';

/**
 * A load that failed: the rejection to report, and what the attempt looked at (so a source can
 * watch a missing include and notice it appear).
 * @example if (E.isLeft(r)) console.log(r.left.rejection.reason, r.left.watched);
 */
export interface LoadFailure {
  readonly rejection: RejectionFields;
  readonly watched: ReadonlyArray<string>;
}

/**
 * Problems that make a text unusable (parse, decode, validation) as an `invalid` rejection whose
 * reason lists each error as `FILE:LINE: message`.
 * @example invalidRejection('/etc/tor/torrc', problems).reason // '/etc/tor/torrc:3: ConnLimit must be at least 1'
 */
export function invalidRejection(path: string, problems: ReadonlyArray<Problem>): RejectionFields {
  return {
    kind: 'invalid',
    cause: 'invalid',
    reason: errorsOf(problems).map(formatProblem).join('; '),
    path,
    problems,
  };
}

/** A value now, or later. */
type Eventually<T> = T | Promise<T>;

const isPromise = <T>(v: Eventually<T>): v is Promise<T> =>
  typeof (v as { then?: unknown }).then === 'function';

/**
 * One load, start to end, the way every source's bytes become a config: the profile's format
 * parses them (syntax; a torrc's `%include`s, under the file policy), its decode lays the
 * document over `context.base` and decodes it, the codec must accept the result, and its
 * validate checks it (unless the decode says it ran that validate already). Every problem
 * comes back at once, each with file, line and column where known; a policy refusal is a
 * `security` rejection whose cause is the check that refused, anything else `invalid`. The
 * config is frozen. Never rejects for bad input.
 * @example const r = await loadDocument(appProfile, { bytes, file: 'app.yaml', signal }, { base: appProfile.defaults, strict: false });
 */
export async function loadDocument<C>(
  profile: Profile<C>,
  input: FormatInput,
  context: DecodeContext<C>,
): Promise<E.Either<LoadFailure, Loaded<C>>> {
  return loadDocumentNow(profile, input, context);
}

/**
 * loadDocument, answering at once when the format does (a format without I/O): the engine's
 * load stage then stays synchronous, which keeps virtual-time tests in virtual time.
 * @example const r = loadDocumentNow(profile, input, context); // an Either, or a promise of one
 */
export function loadDocumentNow<C>(
  profile: Profile<C>,
  input: FormatInput,
  context: DecodeContext<C>,
): Eventually<E.Either<LoadFailure, Loaded<C>>> {
  const parsed = profile.format.parse(input);
  return isPromise(parsed)
    ? parsed.then((p) => finishLoad(profile, input.file, p, context))
    : finishLoad(profile, input.file, parsed, context);
}

// A validate problem names its field (a dotted path); where the file sets that field, that is
// where it points, so `pool.min must not exceed pool.max` comes with the line of pool.min.
function placed(problem: Problem, document: ParsedDocument): Problem {
  if (problem.line !== undefined || problem.field === undefined) return problem;
  const at = document.locate(problem.field.split('.'));
  if (at === undefined) return problem;
  return { ...problem, file: at.file, line: at.line, column: at.column };
}

function finishLoad<C>(
  profile: Profile<C>,
  path: string,
  parsed: E.Either<FormatFailure, ParsedDocument>,
  context: DecodeContext<C>,
): E.Either<LoadFailure, Loaded<C>> {
  if (E.isLeft(parsed)) {
    const { problems, watched, refused } = parsed.left;
    const invalid = invalidRejection(path, problems);
    return E.left({
      rejection: refused === undefined ? invalid : { ...invalid, kind: 'security', cause: refused },
      watched,
    });
  }
  const document = parsed.right;
  const fail = (problems: ReadonlyArray<Problem>) =>
    E.left({ rejection: invalidRejection(path, problems), watched: document.watched });
  const decoded = profile.decode(document, context);
  if (E.isLeft(decoded)) return fail([...document.warnings, ...decoded.left]);
  const { config, warnings, validatedBy } = decoded.right;
  // A decode that hands back what its own codec refuses is a bug in the profile, not a bad file.
  // The one check of it on the way in (the source's guard does not repeat it): for a big config
  // the codec's walk is not free.
  if (!profile.codec.is(config)) {
    const error = new Error(`the decoded config is not a ${profile.codec.name}`);
    return E.left({
      rejection: internalRejection(path, 'decode', error),
      watched: document.watched,
    });
  }
  // Frozen before validate sees it: a validate that writes to it cannot change what is applied.
  const frozen = deepFreeze(config);
  // A decode that already ran this very validate (Tor's, which puts each problem on its line)
  // found no error: running it again would say nothing new.
  const said: unknown = validatedBy === profile.validate ? [] : profile.validate(frozen);
  const malformed = badProblems(said);
  if (malformed !== undefined) {
    return E.left({
      rejection: internalRejection(path, 'validate', new Error(`validate returned ${malformed}`)),
      watched: document.watched,
    });
  }
  const checked = (said as ReadonlyArray<Problem>).map((p) => placed(p, document));
  if (errorsOf(checked).length > 0) {
    return fail([...document.warnings, ...warnings, ...checked]);
  }
  return E.right({
    config: frozen,
    warnings: [...document.warnings, ...warnings, ...checked],
    files: document.files,
    watched: document.watched,
  });
}

/**
 * A ConfigError (from `loadConfig`, `loadTorrc`) as a rejection: `security` when the file policy
 * refused a file (the main file or an include: world-writable, in a world-writable directory
 * without the sticky bit, outside the root, over maxBytes), with that check as `cause`;
 * otherwise `invalid` (see invalidRejection). Either way the reason lists each error as
 * `FILE:LINE: message`, the line being the include that brought a refused file in.
 * @example loadRejection(error).kind // 'security' for a world-writable %included file
 */
export function loadRejection(error: ConfigError): RejectionFields {
  const invalid = invalidRejection(error.path, error.problems);
  return error.refused === undefined
    ? invalid
    : { ...invalid, kind: 'security', cause: error.refused };
}
