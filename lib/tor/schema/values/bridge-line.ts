// Bridge lines, following Tor's parse_bridge_line: `[transport] addr[:port] [fingerprint]
// [k=v ...]`, split into words at spaces and tabs (see wordsOf).
//   - A first word that is a C identifier is a pluggable transport name (obfs4, meek_lite).
//   - The address is an IPv4 address or a bracketed IPv6 address; no host names. The port is
//     optional and defaults to 443, as in Tor.
//   - Without a transport, every remaining word is joined into the fingerprint, so Tor's
//     grouped form "4C17 FB53 ..." works; with one, the next word is the fingerprint unless it
//     is a k=v argument, and every other word must be k=v.
//   - A fingerprint is 40 hex digits (no '$'); the k=v arguments, as Tor passes them to the
//     transport (';'-joined, '\' and ';' escaped), fit in 510 bytes.
// Tor also reads an IPv6 address without brackets (and no port); hotrc asks for brackets,
// since "2001:db8::443" reads as an address and a port to a person. A '+' on the port is
// refused too.
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { trimCSpace } from './c-string.js';
import { ipv4At, isIPv6At, portAt } from './ip-address.js';
import { valueCodec } from './value-codec.js';

/**
 * A bridge line taken apart. `address` is an IPv4 address or an IPv6 address (no brackets).
 * @example const p: BridgeLineParts = { transport: 'obfs4', address: '192.0.2.1', port: 443, fingerprint: undefined, args: ['iat-mode=0'] };
 */
export interface BridgeLineParts {
  readonly transport: string | undefined;
  readonly address: string;
  readonly port: number;
  readonly fingerprint: string | undefined;
  readonly args: ReadonlyArray<string>;
}

const MAX_SOCKS_ARGS_BYTES = 510;
const cIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const hexDigits40 = /^[0-9A-Fa-f]{40}$/;
// Tor splits a bridge line as smartlist_split_string does with no separator: a word ends at a
// space or a tab only, and loses C's isspace() at both ends ('\v', '\f', '\r' or '\n' inside
// it stay, so "1.2.3.4:443\fFINGERPRINT" is one word, and no address). A line holding none of
// '\t\n\v\f\r' splits on ' ' alone.
const otherSpace = /[\t\n\v\f\r]/;
const blankRun = /[ \t]+/;

// The words of a line, split natively: this runs once per bridge line not in normal form.
function wordsOf(value: string): string[] {
  const other = otherSpace.test(value);
  const words = other ? value.split(blankRun) : value.split(' ');
  // Dropping the empty words (runs of blanks, as in Tor's grouped fingerprints) in place: no
  // iterator and no second array.
  let kept = 0;
  for (let i = 0; i < words.length; i++) {
    const w = other ? trimCSpace(words[i] as string) : (words[i] as string);
    if (w !== '') words[kept++] = w;
  }
  words.length = kept;
  return words;
}

/** Reads `addr[:port]`; Left is the message. */
function parseAddrPort(word: string): Either<string, { address: string; port: number }> {
  let address: string;
  // Where the port's digits start, or -1 for none (then it is 443, as in Tor).
  let portFrom = -1;
  if (word.charCodeAt(0) === 91 /* [ */) {
    const close = word.indexOf(']');
    if (close < 0 || !isIPv6At(word, 1, close)) {
      return badAddress(word, 'malformed IPv6 address');
    }
    address = word.slice(1, close);
    if (close + 1 < word.length) {
      if (word.charCodeAt(close + 1) !== 58 /* : */) {
        return badAddress(word, `unexpected "${word.slice(close + 1)}"`);
      }
      portFrom = close + 2;
    }
  } else {
    const colon = word.indexOf(':');
    if (colon >= 0 && word.indexOf(':', colon + 1) >= 0) {
      return !isIPv6At(word, 0, word.length)
        ? badAddress(word, 'expected IPv4:port or [IPv6]:port')
        : badAddress(word, 'an IPv6 address goes in brackets, like [2001:db8::1]:443');
    }
    const end = colon < 0 ? word.length : colon;
    if (ipv4At(word, 0, end) < 0) {
      return badAddress(
        word,
        'expected an IPv4 address or a bracketed IPv6 address (no host names)',
      );
    }
    address = colon < 0 ? word : word.slice(0, colon);
    if (colon >= 0) portFrom = colon + 1;
  }
  if (portFrom < 0) return right({ address, port: 443 });
  const port = portAt(word, portFrom, word.length);
  return port < 0
    ? badAddress(word, `Port "${word.slice(portFrom)}" is not a number from 1 to 65535`)
    : right({ address, port });
}

const badAddress = (word: string, why: string): Either<string, never> =>
  left(`Error parsing Bridge address '${word}': ${why}`);

/** Tor's string_is_key_value: an '=' that is not the first character. */
const isKeyValue = (word: string): boolean => word.indexOf('=') > 0;

// The bytes of the arguments in `text` from `from` to its end, one space between each two, as Tor
// hands them to the transport: UTF-8 (a lone surrogate is U+FFFD, three bytes), a backslash
// before each backslash and ';', and a ';' where each space is.
function socksBytes(text: string, from: number): number {
  let bytes = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += c === 92 /* backslash */ || c === 59 /* ; */ ? 2 : 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Takes a bridge line apart, with Tor's messages ("Too few items to Bridge line.", "Key digest
 * for Bridge is wrong length.", ...) plus what was expected.
 * @example parseBridgeLine('obfs4 192.0.2.1:443 ABCDEF0123456789ABCDEF0123456789ABCDEF01 iat-mode=0');
 * // right({ transport: 'obfs4', address: '192.0.2.1', port: 443, fingerprint: 'ABCD...', args: ['iat-mode=0'] })
 */
export function parseBridgeLine(value: string): Either<string, BridgeLineParts> {
  const words = wordsOf(value);
  let next = 0;
  let transport: string | undefined;
  if (words[0] !== undefined && cIdentifier.test(words[0])) transport = words[next++];
  const addrport = words[next++];
  if (addrport === undefined) {
    return left(
      transport === undefined
        ? 'Too few arguments to Bridge line.'
        : 'Too few items to Bridge line.',
    );
  }
  const at = parseAddrPort(addrport);
  if (isLeft(at)) return at;
  let fingerprint: string | undefined;
  let args: string[] = [];
  if (transport === undefined) {
    // Without a transport every other word is the fingerprint, as Tor's grouped form has it.
    if (next < words.length) {
      fingerprint = next + 1 === words.length ? words[next] : words.slice(next).join('');
    }
  } else {
    const first = words[next];
    if (first !== undefined && !isKeyValue(first)) {
      fingerprint = first;
      next++;
    }
    args = words.slice(next);
  }
  if (fingerprint !== undefined) {
    if (fingerprint.length !== 40) {
      return left(
        `Key digest for Bridge is wrong length: a fingerprint is 40 hex digits, got "${fingerprint}"` +
          (transport === undefined ? '' : ' (with a transport, k=v arguments follow it)'),
      );
    }
    if (!hexDigits40.test(fingerprint)) {
      return left(`Unable to decode Bridge key digest "${fingerprint}": expected hex digits`);
    }
  }
  for (const arg of args) {
    if (!isKeyValue(arg)) return left(`'${arg}' is not a k=v item.`);
  }
  // Each UTF-16 unit takes at most 3 bytes escaped, so short arguments need no count.
  let length = args.length;
  for (const arg of args) length += arg.length;
  if (length * 3 > MAX_SOCKS_ARGS_BYTES) {
    const bytes = socksBytes(args.join(' '), 0);
    if (bytes > MAX_SOCKS_ARGS_BYTES) {
      return left(`SOCKS arguments can't be more than ${MAX_SOCKS_ARGS_BYTES} bytes (${bytes}).`);
    }
  }
  return right({ transport, address: at.right.address, port: at.right.port, fingerprint, args });
}

/**
 * Writes bridge line parts in hotrc's normal form: single spaces, `addr:port` always with the
 * port, IPv6 in brackets, the fingerprint in one piece.
 * @example formatBridgeLine({ transport: undefined, address: '2001:db8::1', port: 443, fingerprint: undefined, args: [] });
 * // '[2001:db8::1]:443'
 */
export function formatBridgeLine(parts: BridgeLineParts): string {
  const host = parts.address.includes(':') ? `[${parts.address}]` : parts.address;
  let line = parts.transport === undefined ? '' : `${parts.transport} `;
  line += `${host}:${parts.port}`;
  if (parts.fingerprint !== undefined) line += ` ${parts.fingerprint}`;
  for (const arg of parts.args) line += ` ${arg}`;
  return line;
}

// A bridge line already in normal form, recognised by one regular expression: the common case
// (bridges as bridges.torproject.org hands them out, and every line hotrc writes), checked with
// no words split, no parts built and nothing allocated. Regular expressions run natively even
// in V8's interpreter, where a first (cold) load runs, and a value is a slice of the file's text,
// on which a JavaScript loop over charCodeAt is slow; so the expression says all it can (a
// fingerprint is 40 hex digits, k=v arguments only after a transport), and for a line with an
// IPv4 address and at most 170 characters nothing else runs. Code checks only what the
// expression cannot say: that a bracketed IPv6 address is one (a second expression, tried only
// when the first fails), and the 510-byte limit, which only a longer line can pass (a character
// is at most 3 bytes, escaped or not). Anything else goes to parseBridgeLine.
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const BRACKETED = '\\[[0-9A-Fa-f:.]+\\]';
// 1-65535 without leading zeros, as formatBridgeLine writes it.
const PORT =
  '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})';
const FINGERPRINT = '[0-9A-Fa-f]{40}';
const KEY_VALUE = '[^ \\t\\n\\v\\f\\r=]+=[^ \\t\\n\\v\\f\\r]*';
// `addr:port [fingerprint]`, or `transport addr:port [fingerprint] [k=v ...]`.
const normalLineWith = (address: string): RegExp =>
  new RegExp(
    `^(?:${address}:${PORT}(?: ${FINGERPRINT})?|[A-Za-z_][A-Za-z0-9_]* ${address}:${PORT}(?: ${FINGERPRINT})?(?: ${KEY_VALUE})*)$`,
  );
const normalIPv4Line = normalLineWith(IPV4);
const normalIPv6Line = normalLineWith(BRACKETED);
const SHORT_LINE = MAX_SOCKS_ARGS_BYTES / 3;
// Past this, arguments are not one byte a character: counted one by one. One class (printable
// ASCII but ';' and '\\', which Tor escapes), not an alternation of two: a single class scans
// faster, and a snowflake line's arguments run to some 270 characters.
const notOneByte = /[^ -:<-[\]-~]/g;

// For a line in normal form: whether its k=v arguments fit in Tor's 510 bytes.
function argumentsFit(text: string): boolean {
  if (text.length <= SHORT_LINE) return true;
  // The address is the first word, or the second after a transport (at > 0).
  const c = text.charCodeAt(0);
  const at = (c >= 48 && c <= 57) || c === 91 ? 0 : text.indexOf(' ') + 1;
  const space = text.indexOf(' ', at);
  if (space < 0) return true;
  let end = text.indexOf(' ', space + 1);
  if (end < 0) end = text.length;
  let args = space + 1;
  const eq = text.indexOf('=', args);
  // The word after the address is the fingerprint when it holds no '='.
  if (eq < 0 || eq > end) args = end + 1;
  if (args >= text.length) return true;
  notOneByte.lastIndex = args;
  const bytes = notOneByte.test(text) ? socksBytes(text, args) : text.length - args;
  return bytes <= MAX_SOCKS_ARGS_BYTES;
}

function isNormalLine(text: string): boolean {
  if (normalIPv4Line.test(text)) return argumentsFit(text);
  if (!normalIPv6Line.test(text)) return false;
  const at = text.charCodeAt(0) === 91 ? 0 : text.indexOf(' ') + 1;
  return isIPv6At(text, at + 1, text.indexOf(']', at)) && argumentsFit(text);
}

// A bridge without a transport whose fingerprint is written in Tor's groups ("4C17 FB53 ..."),
// between single or repeated spaces, its address and port already in normal form: normalised
// by deleting the spaces inside the fingerprint, with no words split and no parts built. Any
// other spelling goes to parseBridgeLine.
const groupedFingerprint = new RegExp(
  `^((?:${IPV4}|${BRACKETED}):${PORT}) +([0-9A-Fa-f][0-9A-Fa-f ]*[0-9A-Fa-f])$`,
);

function ungrouped(text: string): string | undefined {
  const m = groupedFingerprint.exec(text);
  if (m === null) return undefined;
  const address = m[1] as string;
  const fingerprint = (m[2] as string).replaceAll(' ', '');
  if (fingerprint.length !== 40) return undefined;
  if (address.charCodeAt(0) === 91 && !isIPv6At(address, 1, address.indexOf(']'))) {
    return undefined;
  }
  return `${address} ${fingerprint}`;
}

function normalise(text: string): Either<string, string> {
  if (isNormalLine(text)) return right(text);
  const grouped = ungrouped(text);
  if (grouped !== undefined) return right(grouped);
  const parts = parseBridgeLine(text);
  return isLeft(parts) ? parts : right(formatBridgeLine(parts.right));
}

/**
 * A bridge line, normalised by formatBridgeLine (so equal bridges compare equal as strings).
 * @example BridgeLine.decode('192.0.2.1   ABCD EF01 2345 6789 ABCD EF01 2345 6789 ABCD EF01');
 * // right('192.0.2.1:443 ABCDEF0123456789ABCDEF0123456789ABCDEF01')
 */
export const BridgeLine = valueCodec<string>({
  name: 'BridgeLine',
  is: (u): u is string => {
    if (typeof u !== 'string') return false;
    if (isNormalLine(u)) return true;
    const parts = parseBridgeLine(u);
    return !isLeft(parts) && formatBridgeLine(parts.right) === u;
  },
  parse: normalise,
  isNormal: isNormalLine,
  format: (line) => line,
  expected: 'a bridge line: [transport] addr:port [fingerprint] [k=v ...]',
});
