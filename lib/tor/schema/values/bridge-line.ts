// Bridge lines, following Tor's parse_bridge_line: `[transport] addr[:port] [fingerprint]
// [k=v ...]`, split on whitespace.
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
import { parseAddressPort, parseIPv4, parseIPv6 } from './ip-address.js';
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

const cIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SOCKS_ARGS_BYTES = 510;
const utf8 = new TextEncoder();

/** Reads `addr[:port]`; Left is the message. */
function parseAddrPort(word: string): Either<string, { address: string; port: number }> {
  const bad = (why: string) => left(`Error parsing Bridge address '${word}': ${why}`);
  let address: string;
  let port: string | undefined;
  if (word.startsWith('[')) {
    const close = word.indexOf(']');
    address = close < 0 ? '' : word.slice(1, close);
    const after = close < 0 ? '' : word.slice(close + 1);
    if (close < 0 || isLeft(parseIPv6(address))) return bad('malformed IPv6 address');
    if (after !== '' && !after.startsWith(':')) return bad(`unexpected "${after}"`);
    port = after === '' ? undefined : after.slice(1);
  } else {
    const parts = word.split(':');
    if (parts.length > 2) {
      return isLeft(parseIPv6(word))
        ? bad('expected IPv4:port or [IPv6]:port')
        : bad('an IPv6 address goes in brackets, like [2001:db8::1]:443');
    }
    address = parts[0] as string;
    port = parts[1];
    if (isLeft(parseIPv4(address))) {
      return bad('expected an IPv4 address or a bracketed IPv6 address (no host names)');
    }
  }
  if (port === undefined) return right({ address, port: 443 });
  const n = parseAddressPort(port);
  return isLeft(n) ? bad(n.left) : right({ address, port: n.right });
}

/** Tor's string_is_key_value: an '=' that is not the first character. */
const isKeyValue = (word: string): boolean => word.indexOf('=') > 0;

/**
 * Takes a bridge line apart, with Tor's messages ("Too few items to Bridge line.", "Key digest
 * for Bridge is wrong length.", ...) plus what was expected.
 * @example parseBridgeLine('obfs4 192.0.2.1:443 ABCDEF0123456789ABCDEF0123456789ABCDEF01 iat-mode=0');
 * // right({ transport: 'obfs4', address: '192.0.2.1', port: 443, fingerprint: 'ABCD...', args: ['iat-mode=0'] })
 */
export function parseBridgeLine(value: string): Either<string, BridgeLineParts> {
  const words = value.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');
  let transport: string | undefined;
  if (words[0] !== undefined && cIdentifier.test(words[0])) transport = words.shift();
  const addrport = words.shift();
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
    if (words.length > 0) fingerprint = words.join('');
  } else {
    const next = words.shift();
    if (next !== undefined && !isKeyValue(next)) fingerprint = next;
    else if (next !== undefined) args.push(next);
    args = [...args, ...words];
  }
  if (fingerprint !== undefined) {
    if (fingerprint.length !== 40) {
      return left(
        `Key digest for Bridge is wrong length: a fingerprint is 40 hex digits, got "${fingerprint}"` +
          (transport === undefined ? '' : ' (with a transport, k=v arguments follow it)'),
      );
    }
    if (!/^[0-9A-Fa-f]{40}$/.test(fingerprint)) {
      return left(`Unable to decode Bridge key digest "${fingerprint}": expected hex digits`);
    }
  }
  for (const arg of args) {
    if (!isKeyValue(arg)) return left(`'${arg}' is not a k=v item.`);
  }
  // Tor escapes '\' and ';' and joins with ';' before checking the SOCKS auth size.
  const socksBytes = args.reduce(
    (n, arg, i) => n + utf8.encode(arg.replace(/[\\;]/g, '\\$&')).length + (i > 0 ? 1 : 0),
    0,
  );
  if (socksBytes > MAX_SOCKS_ARGS_BYTES) {
    return left(
      `SOCKS arguments can't be more than ${MAX_SOCKS_ARGS_BYTES} bytes (${socksBytes}).`,
    );
  }
  return right({ transport, ...at.right, fingerprint, args });
}

/**
 * Writes bridge line parts in hotrc's normal form: single spaces, `addr:port` always with the
 * port, IPv6 in brackets, the fingerprint in one piece.
 * @example formatBridgeLine({ transport: undefined, address: '2001:db8::1', port: 443, fingerprint: undefined, args: [] });
 * // '[2001:db8::1]:443'
 */
export function formatBridgeLine(parts: BridgeLineParts): string {
  const host = parts.address.includes(':') ? `[${parts.address}]` : parts.address;
  return [parts.transport, `${host}:${parts.port}`, parts.fingerprint, ...parts.args]
    .filter((w) => w !== undefined)
    .join(' ');
}

function normalise(text: string): Either<string, string> {
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
    const n = normalise(u);
    return !isLeft(n) && n.right === u;
  },
  parse: normalise,
  format: (line) => line,
  expected: 'a bridge line: [transport] addr:port [fingerprint] [k=v ...]',
});
