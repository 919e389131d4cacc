// Free text values and the torrc quoting that carries any of them. A plain torrc value loses
// leading and trailing blanks, stops at '#', treats a final backslash as a continuation, starts
// a quoted value with '"', and cannot hold a line break; Tor's quoted values (C escapes) carry
// all of those. The one character no torrc value can carry is NUL (Tor reads C strings).
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { readQuotedValue } from '../../quoted-value.js';
import { valueCodec } from './value-codec.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what needs quoting
const needsQuotes = /^$|^[ \t]|[ \t]$|[#\\"\u0000-\u001f\u007f]/;
const escapes: ReadonlyMap<string, string> = new Map([
  ['\\', '\\\\'],
  ['"', '\\"'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what gets escaped
const escaped = /[\\"\u0001-\u001f\u007f]/g;

function noNul(s: string): Either<string, string> {
  return s.includes('\u0000')
    ? left('Value contains a NUL character, which torrc cannot carry')
    : right(s);
}

/**
 * Always quotes: `"` + the text with C escapes + `"`, as Tor's quoted values read it.
 * Throws a RangeError on NUL, which no torrc value can carry (a programmer error: the Text
 * codecs refuse it first).
 * @example quoteCString('a "b"\n'); // '"a \\"b\\"\\n"'
 */
export function quoteCString(s: string): string {
  if (s.includes('\u0000')) throw new RangeError('A torrc value cannot contain NUL');
  return `"${s.replace(escaped, (c) => escapes.get(c) ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

/**
 * Torrc text for a value: the value itself when a plain torrc value carries it unchanged,
 * else quoteCString(value) (empty, leading/trailing blank, `#`, `\`, `"`, control characters).
 * @example quoteTorrcValue('/var/lib/tor'); // '/var/lib/tor'
 * @example quoteTorrcValue('My relay #1'); // '"My relay #1"'
 */
export function quoteTorrcValue(s: string): string {
  return needsQuotes.test(s) ? quoteCString(s) : s;
}

/**
 * Reads a C-quoted string at the start of `s` and returns the text and what follows the closing
 * quote. It is the torrc reader's own reading (`readQuotedValue`), so a quoted value means the
 * same wherever it appears (a whole torrc value, or `unix:"..."` inside a HiddenServicePort):
 * Tor's unescape_string escapes (`\n \r \t \" \\ \'`, `\xHH`, `\ooo` up to 255; no raw line
 * break), escaped bytes decoded as UTF-8, and two refusals where Tor would go on: an escape
 * yielding NUL (Tor cuts the value there) and escaped bytes that are not UTF-8 (Tor keeps raw
 * bytes, e.g. a socket path with byte 0xff, which as text would become U+FFFD: another path).
 * @example unquoteCString('"a b\\x41" rest'); // right({ value: 'a bA', rest: ' rest' })
 */
export function unquoteCString(s: string): Either<string, { value: string; rest: string }> {
  if (!s.startsWith('"')) return left('Quoted string expected');
  const quoted = readQuotedValue(s, 0);
  return isLeft(quoted)
    ? quoted
    : right({ value: quoted.right.value, rest: s.slice(quoted.right.end) });
}

/**
 * Any text a torrc value can carry (anything but NUL). Encodes as plain text; a torrc writer
 * quotes it with quoteTorrcValue where needed.
 * @example Text.decode('hello # not a comment here'); // right(same)
 */
export const Text = valueCodec<string>({
  name: 'Text',
  is: (u): u is string => typeof u === 'string' && !u.includes('\u0000'),
  parse: noNul,
  format: (s) => s,
  expected: 'a string',
});

const blank = /^[ \t\n\v\f\r]*$/;

/**
 * Text with at least one non-blank character, for paths such as DataDirectory.
 * @example NonEmptyText.decode('/var/lib/tor'); // right('/var/lib/tor')
 * @example NonEmptyText.decode(''); // left('Value must not be empty')
 */
export const NonEmptyText = valueCodec<string>({
  name: 'NonEmptyText',
  is: (u): u is string => typeof u === 'string' && !u.includes('\u0000') && !blank.test(u),
  parse: (s) => (blank.test(s) ? left('Value must not be empty') : noNul(s)),
  format: (s) => s,
  expected: 'a non-empty string',
});
