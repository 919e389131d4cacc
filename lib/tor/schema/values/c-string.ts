// The few C string routines whose exact behaviour shows through in how Tor reads values:
// strcasecmp's ASCII-only case folding, isspace() as strtol/strtod skip it, and Tor's own
// eat_whitespace/find_whitespace, which treat '#' as the start of a comment.

/**
 * Lower-cases A-Z only, as C's strcasecmp compares. Unicode case folding would let look-alikes
 * match (the Kelvin sign lower-cases to "k"), so every case-insensitive keyword match goes
 * through this.
 * @example asciiLower('MiNuTeS'); // 'minutes'
 */
export function asciiLower(s: string): string {
  // Mostly a word with no capital (`minutes`, `1`) or plain ASCII, which toLowerCase lower-cases
  // exactly as strcasecmp does (A-Z only): one native call, no callback per capital.
  if (!upper.test(s)) return s;
  if (!nonAscii.test(s)) return s.toLowerCase();
  return s.replace(uppers, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

const upper = /[A-Z]/;
const uppers = /[A-Z]/g;
const nonAscii = /[^\0-\x7f]/;

// C's isspace() in the C locale.
const leading = /^[ \t\n\v\f\r]+/;

/**
 * Drops leading isspace() characters, as strtol and strtod do before a number.
 * @example skipCSpace(' \t42'); // '42'
 */
export function skipCSpace(s: string): string {
  return s.replace(leading, '');
}

// isspace() as a character code: ' ', '\t', '\n', '\v', '\f', '\r'.
const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Drops isspace() characters at both ends, as Tor's SPLIT_SKIP_SPACE does for list items.
 * @example trimCSpace(' a b \n'); // 'a b'
 */
export function trimCSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isCSpace(s.charCodeAt(start))) start++;
  while (end > start && isCSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/**
 * Tor's eat_whitespace: skips spaces, tabs, CR, LF and '#' comments (to the end of a line).
 * @example eatWhitespace('  # note\nminutes'); // 'minutes'
 */
export function eatWhitespace(s: string): string {
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') while (i < s.length && s[i] !== '\n') i++;
    else break;
  }
  return s.slice(i);
}

/**
 * Tor's find_whitespace: the index of the first space, tab, CR, LF or '#' (or the length).
 * @example findWhitespace('127.0.0.1:80#x'); // 12
 */
export function findWhitespace(s: string): number {
  const i = s.search(/[ \t\r\n#]/);
  return i < 0 ? s.length : i;
}
