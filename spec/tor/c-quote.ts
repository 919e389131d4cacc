// Test helper: writes a value as a Tor quoted string, the inverse of readQuotedValue.
// Kept independent of lib/ so a round trip through it checks the parser, not itself.

/**
 * `"..."` with C escapes for `\`, `"`, newline, CR, tab and other control characters (`\xHH`,
 * always two digits so a following digit is never absorbed). Throws on NUL: Tor cannot carry it.
 * @example cQuote('a"b') // '"a\\"b"'
 */
export function cQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 0) throw new RangeError('cQuote: NUL cannot be written in a torrc');
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
