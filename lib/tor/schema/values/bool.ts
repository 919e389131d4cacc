// Booleans: Tor takes exactly 0 and 1; go-tor also takes true/false, yes/no and on/off. go-tor
// turns any other word into false, which would silently disable a feature on a typo, so hotrc
// refuses it instead.
import { left, right } from 'fp-ts/lib/Either.js';
import { asciiLower } from './c-string.js';
import { valueCodec } from './value-codec.js';

// Keyed by the ASCII-lower-cased text; a Map, so a key like "__proto__" is just a miss.
const spellings: ReadonlyMap<string, boolean> = new Map([
  ['0', false],
  ['1', true],
  ['false', false],
  ['true', true],
  ['no', false],
  ['yes', true],
  ['off', false],
  ['on', true],
]);

/**
 * A boolean: Tor's `0`/`1` plus go-tor's true/false, yes/no, on/off (case-insensitive).
 * Encodes as `1`/`0`, which both Tor and go-tor read.
 * @example Bool.decode('Yes'); // right(true)
 * @example Bool.decode('maybe'); // left: Unrecognized value maybe. Allowed values are 0 and 1 ...
 * @example Bool.encode(false); // '0'
 */
export const Bool = valueCodec<boolean>({
  name: 'Bool',
  is: (u): u is boolean => typeof u === 'boolean',
  parse: (text) => {
    const value = spellings.get(asciiLower(text));
    return value === undefined
      ? left(
          `Unrecognized value ${text}. Allowed values are 0 and 1 (also true/false, yes/no, on/off)`,
        )
      : right(value);
  },
  format: (b) => (b ? '1' : '0'),
  expected: 'true or false',
});
