// Integers the way Tor reads them: tor_parse_long(value, 10, min, max), i.e. C strtol in base 10
// with nothing allowed after the digits. So "+3", "007" and (from a quoted value) " 5" are fine,
// and so is "-0", which strtol reads as zero; "0x1f", "1e3", "12abc", "5 " and "3.0" are not.
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { skipCSpace } from './c-string.js';
import { valueCodec } from './value-codec.js';

const decimal = /^([+-]?)(\d+)$/;

/**
 * The largest value of a C `int`, Tor's bound for integer and interval options.
 * @example NonNegativeInt.is(INT_MAX); // true
 */
export const INT_MAX = 2147483647;

/**
 * Reads a base-10 integer between min and max exactly as Tor's tor_parse_long does.
 * Left carries Tor's message: "Integer X is malformed or out of bounds. Allowed values are
 * between MIN and MAX."
 * @example parseTorInteger('+7', 0, 10); // right(7)
 * @example parseTorInteger('0x1f', 0, 100); // left('Integer 0x1f is malformed ...')
 */
export function parseTorInteger(text: string, min: number, max: number): Either<string, number> {
  const m = decimal.exec(skipCSpace(text));
  // Every digit string is finite as a double, and any value that strtol would clamp with ERANGE
  // is far outside every range hotrc asks for, so comparing doubles is exact enough here.
  const value = m === null ? Number.NaN : Number(`${m[1]}${m[2]}`) + 0;
  return Number.isInteger(value) && value >= min && value <= max
    ? right(value)
    : left(
        `Integer ${text} is malformed or out of bounds. Allowed values are between ${min} and ${max}.`,
      );
}

/** True for a whole number in [0, INT_MAX]. */
function isNonNegativeInt(u: unknown): u is number {
  return typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= INT_MAX;
}

/**
 * A non-negative C int (0..2147483647), read with Tor's integer rules; encodes as plain digits.
 * @example NonNegativeInt.decode('007'); // right(7)
 * @example NonNegativeInt.decode('-1'); // left: Integer -1 is malformed or out of bounds. ...
 */
export const NonNegativeInt = valueCodec<number>({
  name: 'NonNegativeInt',
  is: isNonNegativeInt,
  parse: (text) => parseTorInteger(text, 0, INT_MAX),
  format: (n) => String(n),
  expected: `a whole number from 0 to ${INT_MAX}`,
});
