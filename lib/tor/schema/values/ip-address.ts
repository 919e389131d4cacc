// IP address literals as hotrc accepts them inside router sets, bridge lines and onion service
// targets. This is the strict common core of Tor's parsers: Tor also takes a few spellings that
// read as something else to a person (leading zeros, which some resolvers take as octal; an
// IPv6 address without brackets next to a port), and hotrc refuses those.
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Reads a dotted-quad IPv4 address (four decimal octets 0-255, no leading zeros) as a 32-bit
 * unsigned number.
 * @example parseIPv4('10.0.0.1'); // right(167772161)
 * @example parseIPv4('010.0.0.1'); // left('Malformed IPv4 address 010.0.0.1')
 */
export function parseIPv4(s: string): Either<string, number> {
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

/** The 16-bit groups of `part` (between or around a "::"), or undefined if one is malformed. */
function groups(part: string, ipv4Tail: boolean): number[] | undefined {
  if (part === '') return [];
  const fields = part.split(':');
  const out: number[] = [];
  for (const [i, field] of fields.entries()) {
    if (ipv4Tail && i === fields.length - 1 && field.includes('.')) {
      const v4 = parseIPv4(field);
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

/**
 * Reads an IPv6 address without brackets or zone (`2001:db8::1`, `::ffff:1.2.3.4`) into its
 * eight 16-bit groups.
 * @example parseIPv6('::1'); // right([0, 0, 0, 0, 0, 0, 0, 1])
 * @example parseIPv6('1::2::3'); // left('Malformed IPv6 address 1::2::3')
 */
export function parseIPv6(s: string): Either<string, ReadonlyArray<number>> {
  const fail = left(`Malformed IPv6 address ${s}`);
  const halves = s.split('::');
  if (halves.length > 2) return fail;
  if (halves.length === 1) {
    const all = groups(s, true);
    return all?.length === 8 ? right(all) : fail;
  }
  const head = groups(halves[0] as string, false);
  const tail = groups(halves[1] as string, true);
  // "::" stands for at least one group of zeros.
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return fail;
  return right([...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]);
}

/**
 * True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which Tor masks as IPv4.
 * @example isV4Mapped([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]); // true
 */
export function isV4Mapped(groups: ReadonlyArray<number>): boolean {
  return groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
}

/**
 * Reads the port after an address (`addr:PORT`): decimal digits only, 1-65535.
 * @example parseAddressPort('0443'); // right(443)
 * @example parseAddressPort('+80'); // left(...)
 */
export function parseAddressPort(s: string): Either<string, number> {
  const value = /^\d+$/.test(s) ? Number(s) : Number.NaN;
  return value >= 1 && value <= 65535
    ? right(value)
    : left(`Port "${s}" is not a number from 1 to 65535`);
}
