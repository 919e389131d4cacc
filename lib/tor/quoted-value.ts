import { type Either, left, right } from 'fp-ts/lib/Either.js';

/**
 * Tor's own message for every malformed quoted value (confline.c), kept word for word.
 * @example readQuotedValue('"\\q"', 0) // left(invalidEscape)
 */
export const invalidEscape = 'Invalid escape sequence in quoted string';

/**
 * A quoted value read from torrc text: its decoded value and where the text after it starts.
 * @example const q: QuotedValue = { value: 'ab', end: 4 }; // from '"ab" # c'
 */
export interface QuotedValue {
  readonly value: string;
  /** Index just past the closing quote. */
  readonly end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const nulEscape =
  'Escape sequence yields a NUL byte: Tor would silently cut the value there; hotrc refuses it';
const notUtf8 =
  'Escape sequences in quoted string do not form valid UTF-8: Tor would keep the raw bytes; hotrc refuses them';

// Literal text inside the quotes, up to the next quote, backslash or newline. Sticky and a single
// character class: native, linear, nothing to backtrack. The parser may still be running in V8's
// interpreter (a rare reload), so character loops in JavaScript are what this avoids.
const literalRun = /[^"\\\n]*/y;
const surrogate = /[\uD800-\uDFFF]/;

/** Index of the first quote, backslash or newline at or after `from`, or `text.length`. */
function literalEnd(text: string, from: number): number {
  literalRun.lastIndex = from;
  literalRun.test(text);
  return literalRun.lastIndex;
}

// Lookup tables rather than branches and calls, cheaper per escape while the parser is still
// interpreted. Indexed by a character code; anything outside them reads as undefined.
// The value of each hex digit, -1 for other ASCII characters.
const hexValue = new Int8Array(128).fill(-1);
for (const [value, digit] of [...'0123456789abcdef'].entries()) {
  hexValue[digit.charCodeAt(0)] = value;
  hexValue[digit.toUpperCase().charCodeAt(0)] = value;
}
// The byte of each single-character escape of Tor's unescape_string, -1 for other ASCII
// characters. `\?` is decoded by its second loop but refused by its first, so Tor rejects it: so
// do we.
const simpleEscape = new Int16Array(128).fill(-1);
for (const [letter, byte] of [
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['"', 0x22],
  ['\\', 0x5c],
  ["'", 0x27],
] as const) {
  simpleEscape[letter.charCodeAt(0)] = byte;
}

/**
 * Reads a C-style quoted value the way Tor's `unescape_string` does, starting at the opening quote
 * `text[start]`: escapes `\n \r \t \\ \" \'`, `\xHH` (exactly two hex digits, `\X` too) and `\ooo`
 * (one to three octal digits, at most 255). Any other escape, a newline or the end of the text
 * before the closing quote is Tor's "Invalid escape sequence in quoted string".
 *
 * Escapes yield bytes, and the value's bytes are decoded as UTF-8, so `"\xc3\xa9"` is `é`.
 * Two deliberate differences from Tor, both refusals: an escape yielding a NUL byte (Tor would
 * silently cut the value there) and escapes whose bytes are not valid UTF-8 (Tor would keep raw
 * bytes no JavaScript string can hold). This is hotrc's one reading of a quoted value: the
 * schema's `unquoteCString` (a HiddenServicePort's `unix:"..."` path) calls it too.
 *
 * Linear in the length of the value; never throws on any input.
 * @example readQuotedValue('"tab\\there" # c', 0) // right({ value: 'tab\there', end: 11 })
 */
export function readQuotedValue(text: string, start: number): Either<string, QuotedValue> {
  if (text.charCodeAt(start) !== QUOTE) {
    throw new RangeError(`readQuotedValue: no opening quote at index ${start}`);
  }
  const first = literalEnd(text, start + 1);
  const c = text.charCodeAt(first);
  // Most quoted values have no escape: one native scan and one slice.
  if (c === QUOTE) return right({ value: text.slice(start + 1, first), end: first + 1 });
  if (c !== BACKSLASH) return left(invalidEscape);
  return readEscaped(text, start + 1, first);
}

// The value from `from` on, with a backslash at `i`. Escaped bytes >= 0x80 are gathered in runs
// and each run is decoded as UTF-8 on its own: what surrounds a run is whole characters (literal
// text, ASCII escapes), so the value is valid UTF-8 exactly when every run is, and decoding run by
// run gives the characters that decoding the value's bytes at once would.
function readEscaped(text: string, from: number, i: number): Either<string, QuotedValue> {
  let value = text.slice(from, i);
  const run: number[] = [];
  let sawHigh = false;
  let valid = true;
  for (;;) {
    // text[i] is a backslash.
    const d = text.charCodeAt(i + 1);
    let byte: number;
    if (d === 0x78 || d === 0x58) {
      const hi = hexValue[text.charCodeAt(i + 2)] ?? -1;
      const lo = hexValue[text.charCodeAt(i + 3)] ?? -1;
      if (hi < 0 || lo < 0) return left(invalidEscape);
      byte = hi * 16 + lo;
      i += 4;
    } else if (d >= 0x30 && d <= 0x37) {
      byte = d - 0x30;
      i += 2;
      for (let k = 0; k < 2; k++, i++) {
        const o = text.charCodeAt(i);
        if (!(o >= 0x30 && o <= 0x37)) break; // NaN past the end too
        byte = byte * 8 + (o - 0x30);
      }
      if (byte > 255) return left(invalidEscape);
    } else {
      byte = simpleEscape[d] ?? -1;
      if (byte < 0) return left(invalidEscape);
      i += 2;
    }
    if (byte === 0) return left(nulEscape);
    let piece = '';
    if (byte >= 0x80) {
      sawHigh = true;
      run.push(byte);
    } else {
      piece = String.fromCharCode(byte);
    }
    let c = text.charCodeAt(i);
    if (c !== BACKSLASH && c !== QUOTE) {
      const end = literalEnd(text, i);
      piece += text.slice(i, end);
      i = end;
      c = text.charCodeAt(i);
    }
    if (piece !== '') {
      if (run.length > 0) {
        const decoded = decodeRun(run);
        run.length = 0;
        if (decoded === undefined) valid = false;
        else value += decoded;
      }
      value += piece;
    }
    if (c === QUOTE) break;
    if (c !== BACKSLASH) return left(invalidEscape); // a newline or the end of the text
  }
  if (run.length > 0) {
    const decoded = decodeRun(run);
    if (decoded === undefined) valid = false;
    else value += decoded;
  }
  if (!valid) return left(notUtf8);
  // With escaped bytes the value is bytes read as UTF-8, where a literal lone surrogate (it has
  // no UTF-8 form) can only be U+FFFD. Without any, the text is kept as it is.
  if (sawHigh && surrogate.test(value)) value = Buffer.from(value, 'utf8').toString('utf8');
  return right({ value, end: i + 1 });
}

/**
 * Decodes `bytes` (all >= 0x80), or undefined when they are not UTF-8. This is the
 * WHATWG UTF-8 decoder with fatal errors, TextDecoder's algorithm, written out: a run is a few
 * bytes, and a TextDecoder call costs more than decoding them while the parser is interpreted.
 */
function decodeRun(bytes: ReadonlyArray<number>): string | undefined {
  let out = '';
  let k = 0;
  while (k < bytes.length) {
    const lead = bytes[k++] ?? 0;
    let codePoint: number;
    let more: number;
    // Bounds of the first continuation byte: they refuse overlong forms, surrogates and code
    // points above U+10FFFF.
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      codePoint = lead & 0x1f;
      more = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
      codePoint = lead & 0x0f;
      more = 2;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
      codePoint = lead & 0x07;
      more = 3;
    } else {
      return undefined;
    }
    for (; more > 0; more--) {
      const next = bytes[k++] ?? 0;
      if (next < lower || next > upper) return undefined;
      lower = 0x80;
      upper = 0xbf;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    out += String.fromCodePoint(codePoint);
  }
  return out;
}
