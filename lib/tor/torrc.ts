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

// Reloads are rare, so the parser mostly runs cold, in V8's interpreter, where each character a
// JavaScript loop looks at costs dearly. So runs of characters are skipped natively: indexOf, and
// sticky regular expressions of one character class, which match in linear time and have nothing
// to backtrack into.
// TOR_ISSPACE is the C locale's isspace, ASCII only (space, \t, \n, \v, \f, \r).
const spaceRun = /[ \t\n\v\f\r]*/y;
// A key runs to whitespace or `#`; a backslash ends it only before a newline.
const keyRun = /[^ \t\n\v\f\r#\\]*/y;
const blankRun = /[ \t]*/y;
// Inside a continued value only a newline, `#` or a backslash changes anything.
const continuedRun = /[^\n#\\]*/y;
// In a continued value's raw text, what removeContinuations deletes starts with `#` or `\`.
const keptRun = /[^#\\]*/y;

// Where the run from `from` ends. `from` is never past the end of the text: a sticky match there
// would fail and reset `lastIndex` to 0.
function runEnd(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
}

function isTorSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= 0x0d);
}

function resolveParseOptions(options: Partial<ParseOptions> | undefined): ParseOptions {
  if (options === undefined) return defaultParseOptions;
  const file = options.file ?? defaultParseOptions.file;
  if (typeof file !== 'string') throw new TypeError('parseTorrc: options.file must be a string');
  return { file };
}

// After a continuation Tor keeps the raw text and then deletes every `#...\n` run and every
// backslash-newline pair from it (confline.c), which is what this does.
function removeContinuations(raw: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  for (;;) {
    i = runEnd(keptRun, raw, i);
    if (i >= raw.length) return out + raw.slice(from);
    if (raw.charCodeAt(i) === HASH) {
      out += raw.slice(from, i);
      const nl = raw.indexOf('\n', i);
      i = nl === -1 ? raw.length : nl + 1;
      from = i;
    } else if (raw.charCodeAt(i + 1) === NEWLINE) {
      out += raw.slice(from, i);
      i += 2;
      from = i;
    } else {
      i++;
    }
  }
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < position; nl = text.indexOf('\n', nl + 1)) {
    line++;
  }
  return line;
}

/**
 * The entries of a torrc, and the first `%include` among them (parseTorrc refuses it; the
 * include reader starts splicing there).
 * @example const r: ReadEntries = { entries: [], include: undefined };
 */
export interface ReadEntries {
  readonly entries: ReadonlyArray<TorrcEntry>;
  readonly include: TorrcEntry | undefined;
}

// The one loop behind parseTorrcEntries and parseTorrc. It notes the first %include as it goes,
// so parseTorrc needs no second pass, and goes on reading: an error further down the text still
// wins over the %include, as it did when parseTorrc looked for the %include afterwards.
function readEntries(text: string, file: string): Either<TorrcError, ReadEntries> {
  const s = text.includes('\r') ? text.replaceAll('\r', '') : text;
  const n = s.length;
  // Text that did not come through decodeTorrcBytes gets the same refusal.
  const nul = s.indexOf('\0');
  if (nul !== -1) return left({ file, line: lineAt(s, nul), message: nulMessage });
  // Line numbers with one indexOf per line in all: `nextNewline` is the first newline not yet
  // counted and `line` the line after the last counted one. Once caught up with a key,
  // `nextNewline` is where the key's line ends, which the value scan reuses.
  let line = 1;
  let nextNewline = s.indexOf('\n');
  const entries: TorrcEntry[] = [];
  let include: TorrcEntry | undefined;
  let i = 0;
  let nextHash = -1;
  for (;;) {
    // Whitespace (newlines included) and comments, whole-line or after a value, up to the next key.
    let c = s.charCodeAt(i);
    if (c <= SPACE && isTorSpace(c)) {
      // Mostly the one newline that ended the previous line: a longer run is left to the native
      // scan.
      c = s.charCodeAt(++i);
      if (c <= SPACE && isTorSpace(c)) {
        i = runEnd(spaceRun, s, i);
        c = s.charCodeAt(i);
      }
    }
    if (c === HASH) {
      const nl = s.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    if (i >= n) break;
    while (nextNewline !== -1 && nextNewline < i) {
      line++;
      nextNewline = s.indexOf('\n', nextNewline + 1);
    }
    // A key and the blanks after it hold no newline: the value scan starts on this line.
    const lineEnd = nextNewline === -1 ? n : nextNewline;

    const keyStart = i;
    const first = c;
    for (;;) {
      i = runEnd(keyRun, s, i);
      c = s.charCodeAt(i);
      if (c !== BACKSLASH || s.charCodeAt(i + 1) === NEWLINE) break;
      i++;
    }
    // A fresh short string per line: comparing it with the last key to reuse that one costs
    // more than the slice (measured), and the decoder compares keys of a run by content anyway.
    let key = s.slice(keyStart, i);
    if (c === SPACE || c === TAB) {
      c = s.charCodeAt(++i);
      // Mostly one blank: a run of them is left to the native scan.
      if (c === SPACE || c === TAB) {
        i = runEnd(blankRun, s, i);
        c = s.charCodeAt(i);
      }
    }

    let value: string;
    if (c === QUOTE) {
      const quoted = readQuotedValue(s, i);
      if (isLeft(quoted)) return left({ file, line, message: quoted.left });
      value = quoted.right.value;
      i = quoted.right.end;
      c = s.charCodeAt(i);
      if (c === SPACE || c === TAB) {
        i = runEnd(blankRun, s, i);
        c = s.charCodeAt(i);
      }
      if (i < n && c !== HASH && c !== NEWLINE) {
        return left({ file, line, message: 'Excess data after quoted string' });
      }
    } else {
      const valueStart = i;
      let continued = false;
      // Only a backslash right before the line's newline can start a continuation, and a `#`
      // before that newline ends the value first. `nextHash` only moves forward, so the searches
      // stay linear over the whole text.
      if (nextHash < i) {
        nextHash = s.indexOf('#', i);
        if (nextHash === -1) nextHash = n;
      }
      let end: number;
      if (nextHash < lineEnd) end = i = nextHash;
      else if (lineEnd === n || s.charCodeAt(lineEnd - 1) !== BACKSLASH) {
        end = lineEnd;
        i = lineEnd < n ? lineEnd + 1 : n;
      } else {
        // Tor's loop: a `#` ends the value only until the first backslash-newline; after that it
        // swallows the rest of its line and the newline too, and the value goes on.
        for (;;) {
          i = runEnd(continuedRun, s, i);
          if (i >= n) break;
          const d = s.charCodeAt(i);
          if (d === NEWLINE || (d === HASH && !continued)) break;
          if (d === BACKSLASH && s.charCodeAt(i + 1) === NEWLINE) {
            continued = true;
            i += 2;
          } else if (d === HASH) {
            const nl = s.indexOf('\n', i);
            i = nl === -1 ? n : nl + 1;
          } else {
            i++;
          }
        }
        end = i;
      }
      while (end > valueStart) {
        const t = s.charCodeAt(end - 1);
        if (t > SPACE || !isTorSpace(t)) break;
        end--;
      }
      const raw = s.slice(valueStart, end);
      value = continued ? removeContinuations(raw) : raw;
    }

    let op: TorrcOp = 'set';
    if (first === PLUS) {
      op = 'append';
      key = key.slice(1);
    } else if (first === SLASH) {
      op = 'clear';
      key = key.slice(1);
      value = '';
    }
    const entry: TorrcEntry = { key, value, op, file, line };
    entries.push(entry);
    if (include === undefined && key === includeKeyword) include = entry;
  }
  return right({ entries, include });
}

/**
 * Tor's line syntax (`parse_config_line_from_str_verbose` plus the `+`/`/` prefixes), keeping
 * `%include` lines as entries with key `'%include'` for the caller to expand. This is the parser
 * behind parseTorrc and readTorrc; use parseTorrc unless you expand includes yourself.
 *
 * CR bytes are deleted first, as Tor does when it reads a file; a NUL is refused as in
 * decodeTorrcBytes. Linear time (native scans and single-class sticky regular expressions, which
 * cannot backtrack), never throws on any text.
 * @example parseTorrcEntries('%include /etc/tor/torrc.d\n') // right([{ key: '%include', value: '/etc/tor/torrc.d', op: 'set', file: '<torrc>', line: 1 }])
 */
export function parseTorrcEntries(
  text: string,
  options?: Partial<ParseOptions>,
): Either<TorrcError, ReadonlyArray<TorrcEntry>> {
  const read = readEntries(text, resolveParseOptions(options).file);
  return isLeft(read) ? read : right(read.right.entries);
}

/**
 * parseTorrcEntries, with the first `%include` entry noted as the one pass went by: a reader
 * that expands includes finds it without a second walk over every entry (a closure call per
 * line, which a first, cold load runs in the interpreter).
 * @example readTorrcEntries('A 1\n%include x\n') // right({ entries: [...], include: { key: '%include', line: 2, ... } })
 */
export function readTorrcEntries(
  text: string,
  options?: Partial<ParseOptions>,
): Either<TorrcError, ReadEntries> {
  return readEntries(text, resolveParseOptions(options).file);
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
  const read = readEntries(text, resolveParseOptions(options).file);
  if (isLeft(read)) return read;
  const { entries, include } = read.right;
  if (include !== undefined) {
    return left({
      file: include.file,
      line: include.line,
      message: `%include ${JSON.stringify(include.value)} needs readTorrc: parseTorrc reads no files`,
    });
  }
  return right(entries);
}
