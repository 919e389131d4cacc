// Keyword options from go-tor's schema (Tor has neither). Input is matched case-insensitively
// because go-tor lower-cases LogLevel before checking it; output is always the lower-case word.
import { left, right } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { asciiLower } from './c-string.js';
import { valueCodec } from './value-codec.js';

/**
 * A keyof-like codec (an io-ts KeyofType, so `keys` lists the words) for one of a fixed set of
 * lower-case words, read case-insensitively (ASCII only) and written lower-case. A failure lists
 * the allowed words.
 * @example
 * const Color = lowerCaseEnum('Color', ['red', 'green']);
 * Color.decode('RED'); // right('red')
 * Color.decode('blue'); // left: Unrecognized value blue. Allowed values are red, green
 * Object.keys(Color.keys); // ['red', 'green']
 */
export function lowerCaseEnum<const W extends string>(
  name: string,
  allowed: ReadonlyArray<W>,
): t.KeyofType<Record<W, null>> {
  for (const word of allowed) {
    if (asciiLower(word) !== word) throw new TypeError(`${name}: "${word}" is not lower-case`);
  }
  const members: ReadonlySet<string> = new Set(allowed);
  const is = (u: unknown): u is W => typeof u === 'string' && members.has(u);
  const codec = valueCodec<W>({
    name,
    is,
    parse: (text) => {
      const word = asciiLower(text);
      return is(word)
        ? right(word)
        : left(`Unrecognized value ${text}. Allowed values are ${allowed.join(', ')}`);
    },
    format: (w) => w,
    expected: `one of ${allowed.join(', ')}`,
  });
  const keys = Object.fromEntries(allowed.map((w) => [w, null])) as Record<W, null>;
  return new t.KeyofType(name, is, codec.validate, (w) => w, keys);
}

/**
 * go-tor's log level.
 * @example LogLevel.decode('DEBUG'); // right('debug')
 */
export const LogLevel = lowerCaseEnum('LogLevel', ['debug', 'info', 'warn', 'error']);
/**
 * One of go-tor's log levels.
 * @example const level: LogLevel = 'info';
 */
export type LogLevel = t.TypeOf<typeof LogLevel>;

/**
 * go-tor's circuit isolation level.
 * @example IsolationLevel.decode('Destination'); // right('destination')
 */
export const IsolationLevel = lowerCaseEnum('IsolationLevel', [
  'none',
  'destination',
  'credential',
  'port',
  'session',
]);
/**
 * One of go-tor's isolation levels.
 * @example const isolation: IsolationLevel = 'destination';
 */
export type IsolationLevel = t.TypeOf<typeof IsolationLevel>;
