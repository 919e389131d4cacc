import { type Either, isLeft, left } from 'fp-ts/lib/Either.js';
import type { Problem } from '../core/problem.js';
import type { FormatFailure, FormatInput, ParsedDocument } from '../engine/format.js';

/**
 * A parse that reads only its own bytes, as a Format's parse: its problems become a
 * FormatFailure whose `watched` is the file itself (nothing else was looked at).
 * @example const parse = withWatchedFile(async ({ bytes, file }) => left([{ severity: 'error', message: 'bad', file }]));
 */
export function withWatchedFile(
  parse: (input: FormatInput) => Promise<Either<ReadonlyArray<Problem>, ParsedDocument>>,
): (input: FormatInput) => Promise<Either<FormatFailure, ParsedDocument>> {
  return async (input) => {
    const result = await parse(input);
    return isLeft(result) ? left({ problems: result.left, watched: [input.file] }) : result;
  };
}
