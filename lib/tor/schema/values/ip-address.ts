// IP address literals as hotrc accepts them inside router sets, bridge lines and onion service
// targets. This is the strict common core of Tor's parsers: Tor also takes a few spellings that
// read as something else to a person (leading zeros, which some resolvers take as octal; an
// IPv6 address without brackets next to a port), and hotrc refuses those.
//
// The readers scan character codes over a range of the string, without slicing, splitting or
// regular expressions: a big torrc holds thousands of addresses (every bridge line, many router
// set entries), and these run once per address on every reload.
import { type Either, left, right } from 'fp-ts/lib/Either.js';

const DOT = 46;
const COLON = 58;
const ZERO = 48;
const NINE = 57;

/**
 * The dotted quad in `s` from `start` to `end` as a 32-bit unsigned number, or -1 when it is
 * not four decimal octets 0-255 of one to three digits without leading zeros.
 * @example ipv4At('x10.0.0.1', 1, 9); // 167772161
 */
export function ipv4At(s: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      // A fourth digit, or a digit after a leading '0'.
      if (digits === 3 || (digits === 1 && octet === 0)) return -1;
      octet = octet * 10 + (c - ZERO);
      digits++;
    } else if (c === DOT) {
      if (digits === 0 || dots === 3 || octet > 255) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return -1;
  return value * 256 + octet;
}

/**
 * Reads a dotted-quad IPv4 address (four decimal octets 0-255, no leading zeros) as a 32-bit
 * unsigned number.
 * @example parseIPv4('10.0.0.1'); // right(167772161)
 * @example parseIPv4('010.0.0.1'); // left('Malformed IPv4 address 010.0.0.1')
 */
export function parseIPv4(s: string): Either<string, number> {
  const value = ipv4At(s, 0, s.length);
  return value < 0 ? left(`Malformed IPv4 address ${s}`) : right(value);
}

// A hex digit's value, or -1.
function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * Counts the 16-bit groups of `s` from `start` to `end` (one side of a "::", or a whole
 * address), appending them to `out` when given; -1 if one is malformed. Groups are 1-4 hex
 * digits between colons; with `ipv4Tail`, a last group holding a '.' is a dotted quad, which
 * stands for two groups.
 */
function groupsAt(
  s: string,
  start: number,
  end: number,
  ipv4Tail: boolean,
  out: number[] | undefined,
): number {
  if (start === end) return 0;
  let count = 0;
  let from = start;
  let group = 0;
  let dotted = false;
  let notHex = false;
  for (let i = start; i <= end; i++) {
    const c = i === end ? COLON : s.charCodeAt(i);
    if (c === COLON) {
      if (ipv4Tail && i === end && dotted) {
        const v4 = ipv4At(s, from, end);
        if (v4 < 0) return -1;
        out?.push(Math.floor(v4 / 65536), v4 % 65536);
        count += 2;
      } else {
        const length = i - from;
        if (length < 1 || length > 4 || dotted || notHex) return -1;
        out?.push(group);
        count++;
      }
      from = i + 1;
      group = 0;
      dotted = false;
      notHex = false;
    } else if (c === DOT) {
      dotted = true;
    } else {
      const h = hexValue(c);
      if (h < 0) notHex = true;
      else group = group * 16 + h;
    }
  }
  return count;
}

// Where the "::" of the IPv6 address in `s` from `start` to `end` is, or -1.
function gapAt(s: string, start: number, end: number): number {
  const gap = s.indexOf('::', start);
  return gap < 0 || gap + 2 > end ? -1 : gap;
}

/**
 * Whether `s` from `start` to `end` is an IPv6 address (no brackets, no zone), as ipv6At reads
 * it, without building its groups.
 * @example isIPv6At('[::1]:443', 1, 4); // true
 */
export function isIPv6At(s: string, start: number, end: number): boolean {
  const gap = gapAt(s, start, end);
  if (gap < 0) return groupsAt(s, start, end, true, undefined) === 8;
  // Any second "::" (or the stray ':' of ":::") leaves an empty group in the tail, refused there.
  const head = groupsAt(s, start, gap, false, undefined);
  const tail = groupsAt(s, gap + 2, end, true, undefined);
  // "::" stands for at least one group of zeros.
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

/**
 * The eight 16-bit groups of the IPv6 address in `s` from `start` to `end` (no brackets, no
 * zone), or undefined when it is malformed.
 * @example ipv6At('[::1]', 1, 4); // [0, 0, 0, 0, 0, 0, 0, 1]
 */
export function ipv6At(s: string, start: number, end: number): number[] | undefined {
  // The same tests as isIPv6At, on the groups as they are collected: one scan of each side, not
  // one to check and another to collect (on a first, cold load each scan is interpreted).
  const gap = gapAt(s, start, end);
  const groups: number[] = [];
  if (gap < 0) return groupsAt(s, start, end, true, groups) === 8 ? groups : undefined;
  const tail: number[] = [];
  const head = groupsAt(s, start, gap, false, groups);
  const after = groupsAt(s, gap + 2, end, true, tail);
  if (head < 0 || after < 0 || head + after > 7) return undefined;
  for (let i = groups.length + tail.length; i < 8; i++) groups.push(0);
  for (const g of tail) groups.push(g);
  return groups;
}

/**
 * Reads an IPv6 address without brackets or zone (`2001:db8::1`, `::ffff:1.2.3.4`) into its
 * eight 16-bit groups.
 * @example parseIPv6('::1'); // right([0, 0, 0, 0, 0, 0, 0, 1])
 * @example parseIPv6('1::2::3'); // left('Malformed IPv6 address 1::2::3')
 */
export function parseIPv6(s: string): Either<string, ReadonlyArray<number>> {
  const groups = ipv6At(s, 0, s.length);
  return groups === undefined ? left(`Malformed IPv6 address ${s}`) : right(groups);
}

/**
 * True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which Tor masks as IPv4.
 * @example isV4Mapped([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]); // true
 */
export function isV4Mapped(groups: ReadonlyArray<number>): boolean {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return false;
  return groups[5] === 0xffff;
}

/**
 * The port in `s` from `start` to `end` (decimal digits only, leading zeros allowed, 1-65535),
 * or -1.
 * @example portAt('1.2.3.4:0443', 8, 12); // 443
 */
export function portAt(s: string, start: number, end: number): number {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value >= 1 && value <= 65535 ? value : -1;
}

/**
 * Reads the port after an address (`addr:PORT`): decimal digits only, 1-65535.
 * @example parseAddressPort('0443'); // right(443)
 * @example parseAddressPort('+80'); // left(...)
 */
export function parseAddressPort(s: string): Either<string, number> {
  const value = portAt(s, 0, s.length);
  return value < 0 ? left(`Port "${s}" is not a number from 1 to 65535`) : right(value);
}
