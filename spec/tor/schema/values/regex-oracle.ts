// The readers of IP addresses, bridge lines and router sets as they were written first, with
// regular expressions, `split` and `TextEncoder`: short and close to Tor's own wording, and
// slow. The value codecs now use hand-written scanners; these are the oracle the scanners must
// agree with, on every input, in the differential tests of each value's spec. Nothing in lib/
// uses them.
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';

const trimCSpace = (s: string): string =>
  s.replace(/^[ \t\n\v\f\r]+/, '').replace(/[ \t\n\v\f\r]+$/, '');

// --- ip-address.ts -----------------------------------------------------------------------------

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The regex reading of a dotted quad. */
export function oracleIPv4(s: string): Either<string, number> {
  const m = dottedQuad.exec(s);
  if (m === null) return left(`Malformed IPv4 address ${s}`);
  let value = 0;
  for (const octet of m.slice(1) as string[]) {
    if ((octet.length > 1 && octet.startsWith('0')) || Number(octet) > 255) {
      return left(`Malformed IPv4 address ${s}`);
    }
    value = value * 256 + Number(octet);
  }
  return right(value);
}

const hexGroup = /^[0-9A-Fa-f]{1,4}$/;

function groups(part: string, ipv4Tail: boolean): number[] | undefined {
  if (part === '') return [];
  const fields = part.split(':');
  const out: number[] = [];
  for (const [i, field] of fields.entries()) {
    if (ipv4Tail && i === fields.length - 1 && field.includes('.')) {
      const v4 = oracleIPv4(field);
      if (isLeft(v4)) return undefined;
      out.push(Math.floor(v4.right / 65536), v4.right % 65536);
    } else if (hexGroup.test(field)) {
      out.push(Number.parseInt(field, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** The split reading of an IPv6 address. */
export function oracleIPv6(s: string): Either<string, ReadonlyArray<number>> {
  const fail = left(`Malformed IPv6 address ${s}`);
  const halves = s.split('::');
  if (halves.length > 2) return fail;
  if (halves.length === 1) {
    const all = groups(s, true);
    return all?.length === 8 ? right(all) : fail;
  }
  const head = groups(halves[0] as string, false);
  const tail = groups(halves[1] as string, true);
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return fail;
  return right([...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]);
}

/** The regex reading of a port after an address. */
export function oracleAddressPort(s: string): Either<string, number> {
  const value = /^\d+$/.test(s) ? Number(s) : Number.NaN;
  return value >= 1 && value <= 65535
    ? right(value)
    : left(`Port "${s}" is not a number from 1 to 65535`);
}

const isV4Mapped = (g: ReadonlyArray<number>): boolean =>
  g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;

// --- bridge-line.ts ----------------------------------------------------------------------------

/** Bridge line parts, as parseBridgeLine gives them. */
export interface OracleBridgeParts {
  readonly transport: string | undefined;
  readonly address: string;
  readonly port: number;
  readonly fingerprint: string | undefined;
  readonly args: ReadonlyArray<string>;
}

const cIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const utf8 = new TextEncoder();

function parseAddrPort(word: string): Either<string, { address: string; port: number }> {
  const bad = (why: string) => left(`Error parsing Bridge address '${word}': ${why}`);
  let address: string;
  let port: string | undefined;
  if (word.startsWith('[')) {
    const close = word.indexOf(']');
    address = close < 0 ? '' : word.slice(1, close);
    const after = close < 0 ? '' : word.slice(close + 1);
    if (close < 0 || isLeft(oracleIPv6(address))) return bad('malformed IPv6 address');
    if (after !== '' && !after.startsWith(':')) return bad(`unexpected "${after}"`);
    port = after === '' ? undefined : after.slice(1);
  } else {
    const parts = word.split(':');
    if (parts.length > 2) {
      return isLeft(oracleIPv6(word))
        ? bad('expected IPv4:port or [IPv6]:port')
        : bad('an IPv6 address goes in brackets, like [2001:db8::1]:443');
    }
    address = parts[0] as string;
    port = parts[1];
    if (isLeft(oracleIPv4(address))) {
      return bad('expected an IPv4 address or a bracketed IPv6 address (no host names)');
    }
  }
  if (port === undefined) return right({ address, port: 443 });
  const n = oracleAddressPort(port);
  return isLeft(n) ? bad(n.left) : right({ address, port: n.right });
}

const isKeyValue = (word: string): boolean => word.indexOf('=') > 0;

/** The split-and-regex reading of a bridge line. */
export function oracleBridgeLine(value: string): Either<string, OracleBridgeParts> {
  // Tor's smartlist_split_string: words end at ' ' or '\t', and are trimmed of isspace().
  const words = value
    .split(/[ \t]+/)
    .map(trimCSpace)
    .filter((w) => w !== '');
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
  const socksBytes = args.reduce(
    (n, arg, i) => n + utf8.encode(arg.replace(/[\\;]/g, '\\$&')).length + (i > 0 ? 1 : 0),
    0,
  );
  if (socksBytes > 510) {
    return left(`SOCKS arguments can't be more than 510 bytes (${socksBytes}).`);
  }
  return right({ transport, ...at.right, fingerprint, args });
}

/** The filter-and-join normal form of a bridge line. */
export function oracleFormatBridgeLine(parts: OracleBridgeParts): string {
  const host = parts.address.includes(':') ? `[${parts.address}]` : parts.address;
  return [parts.transport, `${host}:${parts.port}`, parts.fingerprint, ...parts.args]
    .filter((w) => w !== undefined)
    .join(' ');
}

/** The BridgeLine codec's `is`, as it was: a string that normalises to itself. */
export function oracleIsBridgeLine(u: unknown): boolean {
  if (typeof u !== 'string') return false;
  const parts = oracleBridgeLine(u);
  return !isLeft(parts) && oracleFormatBridgeLine(parts.right) === u;
}

// --- router-set.ts -----------------------------------------------------------------------------

const identity = /^\$?[0-9A-Fa-f]{40}(?:[~=][A-Za-z0-9]{1,19})?$/;
const nickname = /^[A-Za-z0-9]{1,19}$/;
const country = /^\{(?:[A-Za-z0-9]{2}|\?\?)\}$/;
const policyWord = /^(?:accept|reject)6?(?:[ \t]|$)/i;

const reasons = {
  identity: 'an identity is $ and 40 hex digits, optionally followed by ~nickname or =nickname',
  nickname: 'a nickname is 1 to 19 ASCII letters and digits',
  country: 'a country code is two letters in braces, like {us}, or {??}',
  policy: 'a router set takes address patterns, not accept/reject policy lines',
} as const;

function checkAddressPattern(entry: string): Either<string, void> {
  if (entry.length > 80) return left('an address pattern has at most 80 characters');
  let rest = entry;
  let maxBits: number;
  let wildcard = false;
  let v4mapped = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return left('no closing ] after the IPv6 address');
    const inner = rest.slice(1, close);
    if (!isLeft(oracleIPv4(inner))) return left('an IPv4 address takes no brackets');
    const v6 = oracleIPv6(inner);
    if (isLeft(v6)) return left(`malformed IPv6 address ${inner}`);
    v4mapped = isV4Mapped(v6.right);
    maxBits = 128;
    rest = rest.slice(close + 1);
  } else if (rest.startsWith('*')) {
    const star = rest.startsWith('*4') || rest.startsWith('*6') ? rest.slice(0, 2) : '*';
    wildcard = true;
    maxBits = 0;
    rest = rest.slice(star.length);
  } else {
    const end = rest.search(/[/:]/);
    const address = end < 0 ? rest : rest.slice(0, end);
    if (isLeft(oracleIPv4(address))) {
      return /:.*:/.test(entry) && !isLeft(oracleIPv6(entry.replace(/\/.*$/, '')))
        ? left('an IPv6 address goes in brackets, like [2001:db8::1]')
        : left(`malformed IP address ${address}`);
    }
    maxBits = 32;
    rest = end < 0 ? '' : rest.slice(end);
  }
  if (rest.startsWith('/')) {
    if (wildcard) return left('a wildcard takes no mask');
    const end = rest.indexOf(':');
    const mask = end < 0 ? rest.slice(1) : rest.slice(1, end);
    rest = end < 0 ? '' : rest.slice(end);
    if (mask === '')
      return left('an empty mask (Tor reads "/" as /0, which matches every address)');
    if (/^\d+$/.test(mask)) {
      const bits = Number(mask);
      if (bits > maxBits) return left(`a mask has 0 to ${maxBits} bits here, not ${mask}`);
      if (v4mapped && bits > 32 && bits < 96) {
        return left(`a mask on a v4-mapped IPv6 address has at most 32 or at least 96 bits`);
      }
    } else {
      const dotted = maxBits === 32 ? oracleIPv4(mask) : left('no dotted masks on IPv6');
      if (isLeft(dotted)) return left(`malformed mask /${mask}`);
      const inverted = 0xffffffff - dotted.right;
      if ((inverted & (inverted + 1)) !== 0) return left(`mask ${mask} is not a prefix mask`);
    }
  }
  if (rest.startsWith(':')) {
    const ports = rest.slice(1);
    if (ports === '*') return right(undefined);
    const range = /^([^-]*)-([^-]*)$/.exec(ports);
    const low = oracleAddressPort(range === null ? ports : (range[1] as string));
    const high = range === null ? low : oracleAddressPort(range[2] as string);
    if (isLeft(low) || isLeft(high))
      return left(`ports are *, a port or a range of ports 1-65535, not ${ports}`);
    if (low.right > high.right) return left(`port range ${ports} is reversed`);
    return right(undefined);
  }
  return rest === '' ? right(undefined) : left(`unexpected "${rest}" after the address`);
}

function entryProblem(entry: string): string | undefined {
  if (identity.test(entry) || nickname.test(entry) || country.test(entry)) return undefined;
  if (entry.includes(',')) return 'one entry cannot hold a comma';
  if (entry.startsWith('$') || /^[0-9A-Fa-f]{40}/.test(entry)) return reasons.identity;
  if (entry.startsWith('{')) return reasons.country;
  if (policyWord.test(entry)) return reasons.policy;
  if (/[.:*[\]/]/.test(entry)) {
    const checked = checkAddressPattern(entry);
    return isLeft(checked) ? checked.left : undefined;
  }
  return reasons.nickname;
}

/** The regex reading of one router set entry. */
export function oracleRouterSetEntry(entry: string): Either<string, string> {
  const problem = entryProblem(entry);
  return problem === undefined ? right(entry) : left(`Entry '${entry}' is malformed: ${problem}`);
}

/** The split-map-filter reading of a router set. */
export function oracleRouterSet(value: string): Either<string, string[]> {
  const entries = value
    .split(',')
    .map(trimCSpace)
    .filter((item) => item !== '');
  for (const entry of entries) {
    const checked = oracleRouterSetEntry(entry);
    if (isLeft(checked)) return checked;
  }
  return right(entries);
}

/** The RouterSetEntry codec's `is`, as it was. */
export function oracleIsRouterSetEntry(u: unknown): boolean {
  return typeof u === 'string' && u === trimCSpace(u) && entryProblem(u) === undefined && u !== '';
}
