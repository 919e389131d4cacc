// Router sets (ExcludeNodes, ExcludeExitNodes), following Tor's routerset_parse: the value is
// split on commas, items are trimmed and empty ones dropped, and every item must be
//   - an identity: optional '$', 40 hex digits, optionally '~name' or '=name';
//   - a nickname: 1-19 ASCII letters and digits;
//   - a country code in braces: {us}, {??} (also Tor's pseudo-codes such as {a1});
//   - an address pattern, as in an exit policy: ADDR[/MASK][:PORTS] where ADDR is an IPv4
//     address, a bracketed IPv6 address, '*', '*4' or '*6'; MASK is bits or (IPv4) a dotted
//     prefix mask; PORTS is '*', a port or a range LOW-HIGH.
// One bad item fails the whole value, as in Tor ("Discarding entire list").
//
// Tor also takes some spellings that hotrc refuses, because each reads as something other than
// what a person meant: an empty mask or a mask of "/-0" ("1.2.3.4/" is /0, which matches
// every IPv4 relay), junk after a bracket ("[::1]x"), an IPv4 mask on IPv6, an IPv4 address in
// brackets, a trailing ':' with no port, text after a country code ("{us}x"), leading zeros in
// an embedded IPv4 address, a '+' on a port, and whole policy lines ("accept 1.2.3.4", which
// never excludes anything).
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { trimCSpace } from './c-string.js';
import { ipv4At, ipv6At, isV4Mapped, parseIPv6, portAt } from './ip-address.js';
import { valueCodec } from './value-codec.js';

// The three kinds of names Tor reads, in one expression (one native match per entry, where three
// were one each): an identity ('$'?, 40 hex digits, then ~name or =name), a nickname (1-19
// letters and digits), a country code in braces.
const namedEntry =
  /^(?:\$?[0-9A-Fa-f]{40}(?:[~=][A-Za-z0-9]{1,19})?|[A-Za-z0-9]{1,19}|\{(?:[A-Za-z0-9]{2}|\?\?)\})$/;
const policyWord = /^(?:accept|reject)6?(?:[ \t]|$)/i;

const reasons = {
  identity: 'an identity is $ and 40 hex digits, optionally followed by ~nickname or =nickname',
  nickname: 'a nickname is 1 to 19 ASCII letters and digits',
  country: 'a country code is two letters in braces, like {us}, or {??}',
  policy: 'a router set takes address patterns, not accept/reject policy lines',
} as const;

/** Checks an address pattern; Left is the reason it is malformed. */
function checkAddressPattern(entry: string): Either<string, void> {
  // Tor's tor_addr_parse_mask_ports refuses anything longer outright.
  if (entry.length > 80) return left('an address pattern has at most 80 characters');
  let rest = entry;
  let maxBits: number;
  let wildcard = false;
  let v4mapped = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return left('no closing ] after the IPv6 address');
    const inner = rest.slice(1, close);
    // The scanners themselves, not parseIPv4/parseIPv6: their Left messages are built for
    // nothing here, on every [IPv6] entry.
    if (ipv4At(inner, 0, inner.length) >= 0) return left('an IPv4 address takes no brackets');
    const v6 = ipv6At(inner, 0, inner.length);
    if (v6 === undefined) return left(`malformed IPv6 address ${inner}`);
    v4mapped = isV4Mapped(v6);
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
    if (ipv4At(address, 0, address.length) < 0) {
      return /:.*:/.test(entry) && !isLeft(parseIPv6(entry.replace(/\/.*$/, '')))
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
      // Tor maps a v4-mapped address's mask onto 96-128 bits and refuses the middle.
      if (v4mapped && bits > 32 && bits < 96) {
        return left(`a mask on a v4-mapped IPv6 address has at most 32 or at least 96 bits`);
      }
    } else {
      const dotted = maxBits === 32 ? ipv4At(mask, 0, mask.length) : -1;
      if (dotted < 0) return left(`malformed mask /${mask}`);
      // A prefix mask is ones then zeros: its complement plus one is a power of two.
      const inverted = 0xffffffff - dotted;
      if ((inverted & (inverted + 1)) !== 0) return left(`mask ${mask} is not a prefix mask`);
    }
  }
  if (rest.startsWith(':')) {
    const ports = rest.slice(1);
    if (ports === '*') return right(undefined);
    // LOW-HIGH when there is exactly one '-', else one port.
    const dash = ports.indexOf('-');
    const range = dash >= 0 && ports.indexOf('-', dash + 1) < 0;
    const low = portAt(ports, 0, range ? dash : ports.length);
    const high = range ? portAt(ports, dash + 1, ports.length) : low;
    if (low < 0 || high < 0)
      return left(`ports are *, a port or a range of ports 1-65535, not ${ports}`);
    if (low > high) return left(`port range ${ports} is reversed`);
    return right(undefined);
  }
  return rest === '' ? right(undefined) : left(`unexpected "${rest}" after the address`);
}

// The commonest address patterns, in one expression: an IPv4 address, optionally a mask of 0-32
// bits, optionally one port (no leading zeros) or '*'. Each is one checkAddressPattern accepts;
// anything else (IPv6, dotted masks, port ranges, wildcards) is left to it.
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const PORT =
  '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})';
const plainIPv4Pattern = new RegExp(
  `^${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]?[0-9]))?(?::(?:\\*|${PORT}))?$`,
);

/** Why `entry` is not a router set entry, or undefined when it is one. */
function entryProblem(entry: string): string | undefined {
  if (namedEntry.test(entry) || plainIPv4Pattern.test(entry)) return undefined;
  // An address pattern that checks out needs none of the tests below, which only choose the
  // message for one that does not (each of them refuses every valid pattern).
  const c0 = entry.charCodeAt(0);
  const addressLike = (c0 >= 48 && c0 <= 57) || c0 === 91 /* [ */ || c0 === 42; /* * */
  if (addressLike && !isLeft(checkAddressPattern(entry))) return undefined;
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

// Tor's "Entry 'X' is malformed", with the reason.
const malformed = (entry: string, problem: string): string =>
  `Entry '${entry}' is malformed: ${problem}`;

/**
 * Checks one router set entry (already trimmed); Left is Tor's "Entry 'X' is malformed" with
 * the reason.
 * @example parseRouterSetEntry('{us}'); // right('{us}')
 * @example parseRouterSetEntry('1.2.3.4/33'); // left("Entry '1.2.3.4/33' is malformed: ...")
 */
export function parseRouterSetEntry(entry: string): Either<string, string> {
  const problem = entryProblem(entry);
  return problem === undefined ? right(entry) : left(malformed(entry, problem));
}

/**
 * Reads an ExcludeNodes-style value into its entries: split on commas, trimmed, empty items
 * dropped; one malformed entry fails the whole value, naming it.
 * @example parseRouterSet(' {us} , $ABCDEF0123456789ABCDEF0123456789ABCDEF01,,badexit');
 * // right(['{us}', '$ABCDEF0123456789ABCDEF0123456789ABCDEF01', 'badexit'])
 */
export function parseRouterSet(value: string): Either<string, string[]> {
  // One loop, not split().map().filter() and a check per item: no intermediate arrays, and no
  // Either per entry (only a malformed one builds its message).
  const entries: string[] = [];
  for (const item of value.split(',')) {
    const entry = trimCSpace(item);
    if (entry === '') continue;
    const problem = entryProblem(entry);
    if (problem !== undefined) return left(malformed(entry, problem));
    entries.push(entry);
  }
  return right(entries);
}

/**
 * One router set entry, kept as written (trimmed). Decodes torrc text or a JSON string.
 * @example RouterSetEntry.decode(' badexit '); // right('badexit')
 */
export const RouterSetEntry = valueCodec<string>({
  name: 'RouterSetEntry',
  is: (u): u is string =>
    typeof u === 'string' && u === trimCSpace(u) && entryProblem(u) === undefined && u !== '',
  parse: (text) => {
    const entry = trimCSpace(text);
    return entry === '' ? left('Empty router set entry') : parseRouterSetEntry(entry);
  },
  format: (entry) => entry,
  expected: 'a router set entry ($fingerprint, nickname, {cc} or address pattern)',
});
