// `HiddenServicePort VIRTPORT [TARGET]`, following Tor's hs_parse_port_config:
//   - VIRTPORT is an integer 1-65535 (Tor's integer rules: "+80" and "080" work);
//   - TARGET is a port (meaning 127.0.0.1:PORT), ADDR or ADDR:PORT with an IPv4 address or a
//     bracketed IPv6 address (a missing port means VIRTPORT), or unix:PATH, where PATH may be a
//     C-quoted string (unix:"/run/my service.sock");
//   - a missing TARGET means 127.0.0.1:VIRTPORT.
// The parsed target is kept in one normal form: "ADDR:PORT", "[IPv6]:PORT" or "unix:PATH".
//
// Tor also resolves host names here ("localhost:8080") at the moment it reads the file, reads
// an IPv6 address without brackets, takes leading zeros in IPv4 octets (some resolvers read
// them as octal), accepts an empty unix: path, and a '+' on an address's port. hotrc refuses
// those: each means something that depends on the machine or on how it is read.
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { eatWhitespace, findWhitespace, trimCSpace } from './c-string.js';
import { parseTorInteger } from './integer.js';
import { parseAddressPort, parseIPv4, parseIPv6 } from './ip-address.js';
import { quoteCString, unquoteCString } from './text.js';
import { valueCodec } from './value-codec.js';

/**
 * One parsed HiddenServicePort line.
 * @example const p: HiddenServicePort = { VirtualPort: 80, TargetAddr: '127.0.0.1:8080' };
 */
export interface HiddenServicePort {
  readonly VirtualPort: number;
  readonly TargetAddr: string;
}

const LOCALHOST = '127.0.0.1';
// Tor splits the value in two at its first space (smartlist_split_string on " ", at most two
// parts), each part trimmed of C's isspace(): a tab alone does not end the virtual port, so
// "80<TAB>127.0.0.1:8080" is one part, and refused as a port, as Tor refuses it.
const firstSpace = ' ';

const parsePortNumber = (text: string): Either<string, number> => parseTorInteger(text, 1, 65535);

/** Reads `ADDR` or `ADDR:PORT` (IPv4, or IPv6 in brackets) into "ADDR:PORT" / "[IPv6]:PORT". */
function parseAddressTarget(word: string, defaultPort: number | undefined): Either<string, string> {
  const unparseable = (why: string) =>
    left(`Unparseable address "${word}" in hidden service port configuration: ${why}`);
  let host: string;
  let port: string | undefined;
  if (word.startsWith('[')) {
    const close = word.indexOf(']');
    const inner = close < 0 ? '' : word.slice(1, close);
    const after = close < 0 ? '' : word.slice(close + 1);
    if (close < 0 || isLeft(parseIPv6(inner))) return unparseable('malformed IPv6 address');
    if (after !== '' && !after.startsWith(':')) return unparseable(`unexpected "${after}"`);
    host = `[${inner}]`;
    port = after === '' ? undefined : after.slice(1);
  } else {
    const parts = word.split(':');
    if (parts.length > 2) {
      return unparseable(
        isLeft(parseIPv6(word))
          ? 'expected ADDR:PORT'
          : 'an IPv6 address goes in brackets, like [::1]:8080',
      );
    }
    host = parts[0] as string;
    port = parts[1];
    if (isLeft(parseIPv4(host))) {
      return unparseable('expected an IPv4 address or a bracketed IPv6 address (no host names)');
    }
  }
  if (port === undefined) {
    return defaultPort === undefined
      ? unparseable('a port is needed')
      : right(`${host}:${defaultPort}`);
  }
  const n = parseAddressPort(port);
  return isLeft(n) ? unparseable(n.left) : right(`${host}:${n.right}`);
}

/** Reads one TARGET (the text after VIRTPORT); Left is the message. */
function parseTarget(text: string, virtualPort: number | undefined): Either<string, string> {
  const invalidMapping = left('HiddenServicePort parse error: invalid port mapping');
  if (text.startsWith('unix:"')) {
    const quoted = unquoteCString(text.slice(5));
    if (isLeft(quoted)) {
      return left(
        `Couldn't process address <${text}> from hidden service configuration: ${quoted.left}`,
      );
    }
    if (eatWhitespace(quoted.right.rest) !== '') return invalidMapping;
    if (quoted.right.value === '')
      return left('Empty unix socket path in hidden service port configuration');
    return right(`unix:${quoted.right.value}`);
  }
  const end = findWhitespace(text);
  const word = text.slice(0, end);
  if (eatWhitespace(text.slice(end)) !== '') return invalidMapping;
  if (word.startsWith('unix:')) {
    return word === 'unix:'
      ? left('Empty unix socket path in hidden service port configuration')
      : right(word);
  }
  if (word.includes(':') || word.includes('.')) return parseAddressTarget(word, virtualPort);
  const port = parsePortNumber(word);
  return isLeft(port)
    ? left(`Unparseable or out-of-range port "${word}" in hidden service port configuration.`)
    : right(`${LOCALHOST}:${port.right}`);
}

/**
 * Reads a HiddenServicePort value: `VIRTPORT [TARGET]`.
 * @example parseHiddenServicePort('80'); // right({ VirtualPort: 80, TargetAddr: '127.0.0.1:80' })
 * @example parseHiddenServicePort('80 8080'); // right({ VirtualPort: 80, TargetAddr: '127.0.0.1:8080' })
 * @example parseHiddenServicePort('443 [::1]:8443'); // right({ VirtualPort: 443, TargetAddr: '[::1]:8443' })
 * @example parseHiddenServicePort('80 unix:"/run/a b.sock"'); // right({ ..., TargetAddr: 'unix:/run/a b.sock' })
 */
export function parseHiddenServicePort(value: string): Either<string, HiddenServicePort> {
  const text = trimCSpace(value);
  const space = text.indexOf(firstSpace);
  const first = space < 0 ? text : trimCSpace(text.slice(0, space));
  const target = space < 0 ? '' : trimCSpace(text.slice(space));
  const virtualPort = parsePortNumber(first);
  if (isLeft(virtualPort)) {
    return left(`Missing or invalid port "${first}" in hidden service port configuration`);
  }
  const VirtualPort = virtualPort.right;
  if (target === '') return right({ VirtualPort, TargetAddr: `${LOCALHOST}:${VirtualPort}` });
  const TargetAddr = parseTarget(target, VirtualPort);
  return isLeft(TargetAddr) ? TargetAddr : right({ VirtualPort, TargetAddr: TargetAddr.right });
}

/** A unix path that a plain word cannot carry: Tor ends the word at blanks and '#'. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters need quoting
const needsQuotes = /^"|[ \t\n\v\f\r#\\"\u0001-\u001f\u007f]/;

/**
 * Writes a HiddenServicePort value that parseHiddenServicePort reads back to the same port,
 * quoting a unix path when it has blanks, '#', quotes or control characters.
 * @example formatHiddenServicePort({ VirtualPort: 80, TargetAddr: 'unix:/run/a b.sock' });
 * // '80 unix:"/run/a b.sock"'
 */
export function formatHiddenServicePort(port: HiddenServicePort): string {
  return `${port.VirtualPort} ${formatTarget(port.TargetAddr)}`;
}

/**
 * An onion service's virtual port, 1-65535.
 * @example VirtualPort.decode('443'); // right(443)
 */
export const VirtualPort = valueCodec<number>({
  name: 'VirtualPort',
  is: (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 65535,
  parse: (text) => {
    const n = parsePortNumber(text);
    return isLeft(n)
      ? left(`Missing or invalid port "${text}" in hidden service port configuration`)
      : n;
  },
  format: (n) => String(n),
  expected: 'a port number from 1 to 65535',
});

function parseTargetAddr(text: string): Either<string, string> {
  if (text.includes('\u0000')) return left('A target cannot contain NUL');
  // A typed unix target holds the raw path, blanks and all; `unix:"..."` is the quoted text form.
  if (text.startsWith('unix:') && !text.startsWith('unix:"')) {
    return text === 'unix:'
      ? left('Empty unix socket path in hidden service port configuration')
      : right(text);
  }
  return parseTarget(trimCSpace(text), undefined);
}

/** The TARGET text for a normal-form target, quoting a unix path a plain word cannot carry. */
function formatTarget(target: string): string {
  const path = target.startsWith('unix:') ? target.slice(5) : undefined;
  return path !== undefined && needsQuotes.test(path) ? `unix:${quoteCString(path)}` : target;
}

/**
 * An onion service target in normal form: "ADDR:PORT", "[IPv6]:PORT" or "unix:PATH" with the
 * raw path. Text may also quote the path (`unix:"..."`), and encode does so when a plain word
 * cannot carry it. A bare port is not a TargetAddr: it needs the line's VIRTPORT.
 * @example TargetAddr.decode('127.0.0.1:08080'); // right('127.0.0.1:8080')
 */
export const TargetAddr = valueCodec<string>({
  name: 'TargetAddr',
  is: (u): u is string => {
    if (typeof u !== 'string') return false;
    const n = parseTargetAddr(u);
    return !isLeft(n) && n.right === u;
  },
  parse: (text) => {
    const trimmed = trimCSpace(text);
    return /^\+?\d+$/.test(trimmed)
      ? left(`A target needs an address: use 127.0.0.1:${trimmed}`)
      : parseTargetAddr(text);
  },
  format: formatTarget,
  expected: 'an onion service target: ADDR:PORT, [IPv6]:PORT or unix:PATH',
});
