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
const NEWLINE = 0x0a;

// Fatal: bytes that Tor would keep raw but that are not text are refused, never replaced.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

// The single-character escapes of Tor's unescape_string. `\?` is decoded by its second loop but
// refused by its first, so Tor rejects it: so do we.
const simpleEscapes: ReadonlyMap<number, string> = new Map([
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x27, "'"],
]);

/**
 * Reads a C-style quoted value the way Tor's `unescape_string` does, starting at the opening quote
 * `text[start]`: escapes `\n \r \t \\ \" \'`, `\xHH` (exactly two hex digits, `\X` too) and `\ooo`
 * (one to three octal digits, at most 255). Any other escape, a newline or the end of the text
 * before the closing quote is Tor's "Invalid escape sequence in quoted string".
 *
 * Escapes yield bytes, and the value's bytes are decoded as UTF-8, so `"\xc3\xa9"` is `é`.
 * Two deliberate differences from Tor, both refusals: an escape yielding a NUL byte (Tor would
 * silently cut the value there) and escapes whose bytes are not valid UTF-8 (Tor would keep raw
 * bytes no JavaScript string can hold).
 *
 * Linear in the length of the value; never throws on any input.
 * @example readQuotedValue('"tab\\there" # c', 0) // right({ value: 'tab\there', end: 11 })
 */
export function readQuotedValue(text: string, start: number): Either<string, QuotedValue> {
  if (text.charCodeAt(start) !== QUOTE) {
    throw new RangeError(`readQuotedValue: no opening quote at index ${start}`);
  }
  // Literal runs are kept as slices; only bytes >= 0x80 from escapes force a byte-level decode,
  // because they may combine with each other into one UTF-8 character.
  const parts: Array<string | number> = [];
  let highBytes = false;
  let run = start + 1;
  let i = run;
  for (;;) {
    if (i >= text.length) return left(invalidEscape);
    const c = text.charCodeAt(i);
    if (c === QUOTE) break;
    if (c === NEWLINE) return left(invalidEscape);
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    if (i > run) parts.push(text.slice(run, i));
    const d = text.charCodeAt(i + 1);
    let byte: number;
    if (d === 0x78 || d === 0x58) {
      const hi = hexDigit(text.charCodeAt(i + 2));
      const lo = hexDigit(text.charCodeAt(i + 3));
      if (hi < 0 || lo < 0) return left(invalidEscape);
      byte = hi * 16 + lo;
      i += 4;
    } else if (isOctal(d)) {
      byte = d - 0x30;
      i += 2;
      for (let k = 0; k < 2 && isOctal(text.charCodeAt(i)); k++, i++) {
        byte = byte * 8 + (text.charCodeAt(i) - 0x30);
      }
      if (byte > 255) return left(invalidEscape);
    } else {
      const simple = simpleEscapes.get(d);
      if (simple === undefined) return left(invalidEscape);
      parts.push(simple);
      i += 2;
      run = i;
      continue;
    }
    if (byte === 0) {
      return left(
        'Escape sequence yields a NUL byte: Tor would silently cut the value there; hotrc refuses it',
      );
    }
    if (byte >= 0x80) {
      highBytes = true;
      parts.push(byte);
    } else {
      parts.push(String.fromCharCode(byte));
    }
    run = i;
  }
  if (i > run) parts.push(text.slice(run, i));
  const end = i + 1;
  if (!highBytes) return right({ value: parts.join(''), end });
  return decodeBytes(parts, end);
}

function decodeBytes(
  parts: ReadonlyArray<string | number>,
  end: number,
): Either<string, QuotedValue> {
  const chunks = parts.map((p) =>
    typeof p === 'number' ? Uint8Array.of(p) : Buffer.from(p, 'utf8'),
  );
  try {
    return right({ value: utf8.decode(Buffer.concat(chunks)), end });
  } catch {
    return left(
      'Escape sequences in quoted string do not form valid UTF-8: Tor would keep the raw bytes; hotrc refuses them',
    );
  }
}
