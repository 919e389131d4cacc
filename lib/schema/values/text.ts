// Free text values and the torrc quoting that carries any of them. A plain torrc value loses
// leading and trailing blanks, stops at '#', treats a final backslash as a continuation, starts
// a quoted value with '"', and cannot hold a line break; Tor's quoted values (C escapes) carry
// all of those. The one character no torrc value can carry is NUL (Tor reads C strings).
import { type Either, left, right } from 'fp-ts/lib/Either.js';
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

const simple: ReadonlyMap<string, number> = new Map([
  ['n', 10],
  ['r', 13],
  ['t', 9],
  ['"', 34],
  ['\\', 92],
  ["'", 39],
]);
const utf8 = new TextEncoder();
const isOctal = (code: number) => code >= 48 && code <= 55;

/**
 * Reads a C-quoted string at the start of `s` the way Tor's unescape_string does (escapes
 * `\n \r \t \" \\ \'`, `\xHH`, `\ooo` up to 255; no raw line break) and returns the text and
 * what follows the closing quote. Escaped bytes are decoded as UTF-8. A NUL is refused.
 * @example unquoteCString('"a b\\x41" rest'); // right({ value: 'a bA', rest: ' rest' })
 */
export function unquoteCString(s: string): Either<string, { value: string; rest: string }> {
  if (!s.startsWith('"')) return left('Quoted string expected');
  const invalid = left('Invalid escape sequence in quoted string');
  const parts: Uint8Array[] = [];
  const stop = /["\\\n]/g;
  let i = 1;
  for (;;) {
    stop.lastIndex = i;
    const m = stop.exec(s);
    if (m === null) return invalid;
    // Plain runs are copied whole; only escapes are read byte by byte.
    if (m.index > i) parts.push(utf8.encode(s.slice(i, m.index)));
    i = m.index;
    if (m[0] === '\n') return invalid;
    if (m[0] === '"') break;
    const e = s[i + 1];
    if (e === 'x' || e === 'X') {
      const hex = s.slice(i + 2, i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return invalid;
      parts.push(Uint8Array.of(Number.parseInt(hex, 16)));
      i += 4;
    } else if (isOctal(s.charCodeAt(i + 1))) {
      let j = i + 1;
      let n = 0;
      while (j < i + 4 && isOctal(s.charCodeAt(j))) n = n * 8 + s.charCodeAt(j++) - 48;
      if (n > 255) return invalid;
      parts.push(Uint8Array.of(n));
      i = j;
    } else if (e !== undefined && simple.has(e)) {
      parts.push(Uint8Array.of(simple.get(e) as number));
      i += 2;
    } else {
      return invalid;
    }
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  if (bytes.includes(0)) return left('NUL character in quoted string');
  return right({ value: new TextDecoder().decode(bytes), rest: s.slice(i + 1) });
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
