import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { readQuotedValue } from './quoted-value.js';

/**
 * What a torrc line does to its option: `Key v` sets, `+Key v` appends, `/Key` clears.
 * @example const op: TorrcOp = 'append'; // from a line `+ReachableAddresses accept *:80`
 */
export type TorrcOp = 'set' | 'append' | 'clear';

/**
 * One key/value line of a torrc, read exactly as Tor reads it.
 * @example const e: TorrcEntry = { key: 'socksPORT', value: '9150', op: 'set', file: '/etc/tor/torrc', line: 1 };
 */
export interface TorrcEntry {
  /** As written, `+`/`/` prefix stripped, not canonicalised (`socksPORT`): that is the schema's job. */
  readonly key: string;
  /** After quoting, continuation and comment removal; `''` for an empty value and for `/Key`. */
  readonly value: string;
  readonly op: TorrcOp;
  /** The file the line came from (`'<torrc>'` when parseTorrc got no file option). */
  readonly file: string;
  /** 1-based line where the entry's key is. */
  readonly line: number;
}

/**
 * Why a torrc could not be read. `line` is 1-based where the problem is; 0 means the file as a
 * whole (it cannot be opened, is too big, ...).
 * @example const err: TorrcError = { file: '/etc/tor/torrc', line: 3, message: 'Excess data after quoted string' };
 */
export interface TorrcError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * Options of parseTorrc.
 * @example parseTorrc('Nickname abc\n', { file: '/etc/tor/torrc' });
 */
export interface ParseOptions {
  /** Named in every entry and error. */
  readonly file: string;
}

/**
 * Defaults for ParseOptions.
 * @example parseTorrc('Nickname abc\n', defaultParseOptions);
 */
export const defaultParseOptions: ParseOptions = Object.freeze({ file: '<torrc>' });

/**
 * Why a NUL is refused, wherever it is found (decodeTorrcBytes and parseTorrc say the same).
 * @example parseTorrc('A a\u0000b') // left({ file: '<torrc>', line: 1, message: nulMessage })
 */
export const nulMessage = 'NUL byte: Tor would stop reading the file here; hotrc refuses it';

/**
 * The keyword that splices other files in, matched case-sensitively after the prefix is stripped.
 * @example parseTorrcEntries('+%include /x\n') // right([{ key: includeKeyword, op: 'append', ... }])
 */
export const includeKeyword = '%include';

const TAB = 0x09;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const PLUS = 0x2b;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

// TOR_ISSPACE: the C locale's isspace, ASCII only (space, \t, \n, \v, \f, \r).
function isTorSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= 0x0d);
}

function resolveParseOptions(options: Partial<ParseOptions> | undefined): ParseOptions {
  if (options === undefined) return defaultParseOptions;
  const file = options.file ?? defaultParseOptions.file;
  if (typeof file !== 'string') throw new TypeError('parseTorrc: options.file must be a string');
  return { file };
}

/**
 * Line numbers on demand for increasing positions: one pass over the text in total, however many
 * entries ask.
 */
function lineCounter(text: string): (position: number) => number {
  let line = 1;
  let next = text.indexOf('\n');
  return (position) => {
    while (next !== -1 && next < position) {
      line++;
      next = text.indexOf('\n', next + 1);
    }
    return line;
  };
}

// After a continuation Tor keeps the raw text and then deletes every `#...\n` run and every
// backslash-newline pair from it (confline.c), which is what this does.
function removeContinuations(raw: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === HASH) {
      out += raw.slice(from, i);
      const nl = raw.indexOf('\n', i);
      i = nl === -1 ? raw.length : nl + 1;
      from = i;
    } else if (c === BACKSLASH && raw.charCodeAt(i + 1) === NEWLINE) {
      out += raw.slice(from, i);
      i += 2;
      from = i;
    } else {
      i++;
    }
  }
  return out + raw.slice(from);
}

function skipToNewline(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl;
}

/**
 * Tor's line syntax (`parse_config_line_from_str_verbose` plus the `+`/`/` prefixes), keeping
 * `%include` lines as entries with key `'%include'` for the caller to expand. This is the parser
 * behind parseTorrc and readTorrc; use parseTorrc unless you expand includes yourself.
 *
 * CR bytes are deleted first, as Tor does when it reads a file; a NUL is refused as in
 * decodeTorrcBytes. Linear time, no regular expressions, never throws on any text.
 * @example parseTorrcEntries('%include /etc/tor/torrc.d\n') // right([{ key: '%include', value: '/etc/tor/torrc.d', op: 'set', file: '<torrc>', line: 1 }])
 */
export function parseTorrcEntries(
  text: string,
  options?: Partial<ParseOptions>,
): Either<TorrcError, ReadonlyArray<TorrcEntry>> {
  const { file } = resolveParseOptions(options);
  const s = text.includes('\r') ? text.replaceAll('\r', '') : text;
  const n = s.length;
  const lineAt = lineCounter(s);
  // Text that did not come through decodeTorrcBytes gets the same refusal.
  const nul = s.indexOf('\0');
  if (nul !== -1) return left({ file, line: lineAt(nul), message: nulMessage });
  const entries: TorrcEntry[] = [];
  let i = 0;
  let nextHash = -1;
  for (;;) {
    // Whitespace (newlines included) and whole comment lines before the next key.
    for (;;) {
      while (i < n && isTorSpace(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === HASH) i = skipToNewline(s, i);
      else break;
    }
    if (i >= n) break;

    const keyStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isTorSpace(c) || c === HASH || (c === BACKSLASH && s.charCodeAt(i + 1) === NEWLINE))
        break;
      i++;
    }
    const line = lineAt(keyStart);
    let key = s.slice(keyStart, i);
    while (i < n && (s.charCodeAt(i) === SPACE || s.charCodeAt(i) === TAB)) i++;

    let value: string;
    if (i < n && s.charCodeAt(i) === QUOTE) {
      const quoted = readQuotedValue(s, i);
      if (isLeft(quoted)) return left({ file, line, message: quoted.left });
      value = quoted.right.value;
      i = quoted.right.end;
      while (i < n && (s.charCodeAt(i) === SPACE || s.charCodeAt(i) === TAB)) i++;
      if (i < n && s.charCodeAt(i) !== HASH && s.charCodeAt(i) !== NEWLINE) {
        return left({ file, line, message: 'Excess data after quoted string' });
      }
    } else {
      const valueStart = i;
      let continued = false;
      // Fast path with native searches: only a backslash right before the first newline can
      // start a continuation, and a `#` before that newline ends the value first. `nextHash` only
      // moves forward, so the searches stay linear over the whole text.
      let nl = s.indexOf('\n', i);
      if (nl === -1) nl = n;
      if (nextHash < i) {
        nextHash = s.indexOf('#', i);
        if (nextHash === -1) nextHash = n;
      }
      if (nextHash < nl) i = nextHash;
      else if (nl === n || s.charCodeAt(nl - 1) !== BACKSLASH) i = nl;
      // Tor's loop: a `#` ends the value only until the first backslash-newline; after that it
      // swallows the rest of its line and the newline too, and the value goes on.
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === NEWLINE || (c === HASH && !continued)) break;
        if (c === BACKSLASH && s.charCodeAt(i + 1) === NEWLINE) {
          continued = true;
          i += 2;
        } else if (c === HASH) {
          const lineEnd = s.indexOf('\n', i);
          i = lineEnd === -1 ? n : lineEnd + 1;
        } else {
          i++;
        }
      }
      let end = i;
      if (i < n && s.charCodeAt(i) === NEWLINE) i++;
      while (end > valueStart && isTorSpace(s.charCodeAt(end - 1))) end--;
      const raw = s.slice(valueStart, end);
      value = continued ? removeContinuations(raw) : raw;
    }
    if (i < n && s.charCodeAt(i) === HASH) i = skipToNewline(s, i);

    let op: TorrcOp = 'set';
    const first = key.charCodeAt(0);
    if (first === PLUS) {
      op = 'append';
      key = key.slice(1);
    } else if (first === SLASH) {
      op = 'clear';
      key = key.slice(1);
      value = '';
    }
    entries.push({ key, value, op, file, line });
  }
  return right(entries);
}

/**
 * Parses torrc text exactly as Tor 0.4.9 reads a torrc: comments, key/value split, plain values
 * (`#` starts a comment anywhere), backslash-newline continuation with Tor's odd comment rules,
 * quoted C-string values, `+Key` append and `/Key` clear. Pure, no I/O: a `%include` line is a
 * Left explaining that %include needs readTorrc.
 *
 * Deliberate differences from Tor, all refusals: a quoted escape yielding NUL, quoted escapes that
 * are not UTF-8. An error's line is where the error is; an entry's line is where its key is.
 * @example parseTorrc('socksPORT   9150   # trailing comment\n') // right([{ key: 'socksPORT', value: '9150', op: 'set', file: '<torrc>', line: 1 }])
 */
export function parseTorrc(
  text: string,
  options?: Partial<ParseOptions>,
): Either<TorrcError, ReadonlyArray<TorrcEntry>> {
  const parsed = parseTorrcEntries(text, options);
  if (isLeft(parsed)) return parsed;
  const include = parsed.right.find((e) => e.key === includeKeyword);
  if (include !== undefined) {
    return left({
      file: include.file,
      line: include.line,
      message: `%include ${JSON.stringify(include.value)} needs readTorrc: parseTorrc reads no files`,
    });
  }
  return parsed;
}
