// Time intervals, in milliseconds. Two syntaxes are read:
//
// 1. Tor's (config_parse_units + units_parse_int in Tor 0.4.9), reproduced step by step because
//    its corners are observable: the number is read with strtoull, and with strtod when that
//    fails or stops at a '.', so "1.5 hours", ".5 hours", "1.5e2" and "-0" work while "1e2" and
//    "0x10" end up as unknown units; a '-' makes strtoull wrap, hence "Overflow while parsing -1";
//    the unit is matched case-insensitively after Tor's eat_whitespace, which also skips a
//    '#' comment. Tor values are whole seconds (a fraction is truncated).
// 2. go-tor's: Go's time.ParseDuration grammar ("1m30s", "1.5h", "500ms"), mirrored including
//    its float step for fractions so results match go-tor to the nanosecond before hotrc
//    truncates to milliseconds, plus go-tor's whole days ("2d").
//
// Tor's syntax is tried first. The two share no unit spelling, so no text means different
// things in the two; Tor's message is reported unless the text is a well-formed Go duration
// that is negative or too large.
import { type Either, isRight, left, right } from 'fp-ts/lib/Either.js';
import { formatGoDuration } from '../../../engine/go-duration.js';
import { asciiLower, eatWhitespace, skipCSpace } from './c-string.js';
import { INT_MAX } from './integer.js';
import { valueCodec } from './value-codec.js';

// Go-style durations are how every change log line shows an interval.
export { formatGoDuration };

/**
 * The largest interval in milliseconds: Tor stores intervals as a C int of seconds.
 * @example formatGoDuration(MAX_INTERVAL_MS); // '596523h14m7s'
 */
export const MAX_INTERVAL_MS = INT_MAX * 1000;

// Tor's time_units table (src/lib/confmgt/unitparse.c).
const torUnits: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['second', 1],
  ['seconds', 1],
  ['minute', 60],
  ['minutes', 60],
  ['hour', 3600],
  ['hours', 3600],
  ['day', 86400],
  ['days', 86400],
  ['week', 604800],
  ['weeks', 604800],
  ['month', 2629728],
  ['months', 2629728],
]);

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MAX = (1n << 63n) - 1n;
// strtod's accepted prefixes once strtoull has failed or stopped at '.': decimal with optional
// exponent, inf/infinity, nan/nan(chars). Hex floats cannot get here: they start with a digit,
// so strtoull has read the "0" and stopped at the 'x'.
const strtodPrefix =
  /^[+-]?(?:(\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i;
const strtoullPrefix = /^([+-]?)(\d+)/;
const DBL_MIN = 2.2250738585072014e-308;
const DOT = 0x2e;

/** C strtod on a matched prefix, with glibc's ERANGE cases folded into `undefined`. */
function strtod(prefix: string, mantissa: string | undefined): number | undefined {
  const unsigned = prefix.replace(/^[+-]/, '');
  const negative = prefix.startsWith('-');
  const lower = asciiLower(unsigned);
  if (lower.startsWith('nan')) return Number.NaN;
  if (lower.startsWith('inf')) return negative ? -Infinity : Infinity;
  const value = Number(prefix);
  // Overflow to infinity, or underflow to zero or a subnormal from non-zero digits, is ERANGE.
  if (!Number.isFinite(value)) return undefined;
  const tiny = Math.abs(value) < DBL_MIN;
  if (tiny && /[1-9]/.test(mantissa ?? '')) return undefined;
  return value;
}

/** Tor's interval reader, in whole seconds. */
function parseTorSeconds(text: string): Either<string, number> {
  const body = skipCSpace(text);
  let integer: bigint | undefined;
  let rest = body;
  const u = strtoullPrefix.exec(body);
  const whole = u === null ? '' : (u[2] as string);
  if (u !== null && u[1] !== '-' && whole.length <= 9 && body.charCodeAt(u[0].length) !== DOT) {
    // The common case (`60 seconds`): under 10^9 seconds times at most a month's 2629728 is
    // below 2^53, so plain numbers give what the 64-bit arithmetic below gives.
    const multiplier = torUnits.get(asciiLower(eatWhitespace(body.slice(u[0].length))));
    if (multiplier === undefined) return left(`Unknown unit in ${text}`);
    const seconds = Number(whole) * multiplier;
    if (seconds > INT_MAX) return left(`Provided value ${text} is too large`);
    return right(seconds + 0);
  }
  if (u !== null) {
    // More than 20 significant digits is above UINT64_MAX; checking first keeps BigInt small.
    const significant = (u[2] as string).replace(/^0+(?=.)/, '');
    const digits = significant.length > 20 ? UINT64_MAX + 1n : BigInt(significant);
    // strtoull sets ERANGE above UINT64_MAX; a '-' negates modulo 2^64.
    if (digits <= UINT64_MAX) {
      integer = u[1] === '-' ? (UINT64_MAX + 1n - digits) % (UINT64_MAX + 1n) : digits;
      rest = body.slice(u[0].length);
    }
  }
  let real: number | undefined;
  if (integer === undefined || rest.startsWith('.')) {
    integer = undefined;
    const f = strtodPrefix.exec(body);
    const value = f === null ? undefined : strtod(f[0], f[1]);
    // tor_parse_double(val, 0, UINT64_MAX): NaN passes both bounds, as in C.
    if (f === null || value === undefined || value < 0 || value > 2 ** 64) {
      return left(`Unable to parse ${text} as a number`);
    }
    real = value;
    rest = body.slice(f[0].length);
  }
  const multiplier = torUnits.get(asciiLower(eatWhitespace(rest)));
  if (multiplier === undefined) return left(`Unknown unit in ${text}`);
  let seconds: bigint | number;
  if (real !== undefined) {
    const product = real * multiplier;
    if (product >= 2 ** 63) return left(`Overflow while parsing ${text}`);
    // (uint64_t)NaN is out of int range on the platforms Tor runs on: "too large".
    seconds = Number.isNaN(product) ? Infinity : Math.trunc(product);
  } else {
    seconds = (integer as bigint) * BigInt(multiplier);
    if (seconds > INT64_MAX) return left(`Overflow while parsing ${text}`);
  }
  if (seconds > INT_MAX) return left(`Provided value ${text} is too large`);
  return right(Number(seconds) + 0);
}

const NS_PER_MS = 1_000_000n;
const LIMIT = 1n << 63n;
const goUnits: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', NS_PER_MS],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

type GoReading = { readonly ns: bigint } | 'syntax' | 'overflow';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Go's time.ParseDuration (Go 1.22), returning signed nanoseconds. */
function parseGoNanoseconds(text: string): GoReading {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return { ns: 0n };
  if (s === '') return 'syntax';
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return 'syntax';
    let i = 0;
    let whole = 0n;
    for (; isDigit(s[i]); i++) {
      if (whole > LIMIT / 10n) return 'overflow';
      whole = whole * 10n + BigInt(s[i] as string);
      if (whole > LIMIT) return 'overflow';
    }
    const before = i > 0;
    s = s.slice(i);
    let fraction = 0n;
    let scale = 1;
    let after = false;
    if (s.startsWith('.')) {
      s = s.slice(1);
      let j = 0;
      let overflowed = false;
      for (; isDigit(s[j]); j++) {
        // Go keeps the digits that fit and skips the rest without failing.
        if (overflowed) continue;
        const next = fraction * 10n + BigInt(s[j] as string);
        if (fraction > (LIMIT - 1n) / 10n || next > LIMIT) {
          overflowed = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      after = j > 0;
      s = s.slice(j);
    }
    if (!before && !after) return 'syntax';
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    const unit = k === 0 ? undefined : goUnits.get(s.slice(0, k));
    if (unit === undefined) return 'syntax';
    s = s.slice(k);
    if (whole > LIMIT / unit) return 'overflow';
    whole *= unit;
    if (fraction > 0n) {
      // Go: v += uint64(float64(f) * (float64(unit) / scale)); the same IEEE steps here.
      whole += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (whole > LIMIT) return 'overflow';
    }
    total += whole;
    if (total > LIMIT) return 'overflow';
  }
  if (negative) return { ns: -total };
  return total > LIMIT - 1n ? 'overflow' : { ns: total };
}

const goTorDays = /^([+-]?)(\d+)d$/;
// Go's grammar with its known units; the parser below only runs on text that matches, so a
// plain number too big for Go still gets Tor's message.
const goShape = /^[+-]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;
const tooLarge = (text: string) =>
  left(
    `Interval ${text} is too large: the most is ${INT_MAX} seconds (${formatGoDuration(MAX_INTERVAL_MS)})`,
  );

/** go-tor's spellings; undefined when the text is not one, so Tor's message stands. */
function parseGoTorInterval(text: string): Either<string, number> | undefined {
  let ns: bigint;
  const days = goTorDays.exec(text);
  if (days !== null) {
    const count = (days[2] as string).replace(/^0+(?=.)/, '');
    if (count.length > 12) return tooLarge(text);
    const magnitude = BigInt(count) * 86_400_000_000_000n;
    ns = days[1] === '-' ? -magnitude : magnitude;
  } else {
    if (!goShape.test(text)) return undefined;
    const reading = parseGoNanoseconds(text);
    if (reading === 'syntax') return undefined;
    if (reading === 'overflow') return tooLarge(text);
    ns = reading.ns;
  }
  if (ns < 0n) return left(`Interval ${text} is negative`);
  const ms = ns / NS_PER_MS; // BigInt division truncates: sub-millisecond parts round down
  return ms > BigInt(MAX_INTERVAL_MS) ? tooLarge(text) : right(Number(ms));
}

/**
 * Reads an interval in Tor's syntax ("15 minutes", "1.5 hours", "90") or go-tor's ("10m",
 * "1m30s", "500ms", "2d") and returns milliseconds. Tor's spellings give whole seconds; Go
 * durations keep milliseconds, rounding anything finer down.
 * @example parseInterval('15 MINUTES'); // right(900000)
 * @example parseInterval('1m30s'); // right(90000)
 * @example parseInterval('10 min'); // left('Unknown unit in 10 min')
 */
export function parseInterval(text: string): Either<string, number> {
  const tor = parseTorSeconds(text);
  if (isRight(tor)) return right(tor.right * 1000);
  return parseGoTorInterval(text) ?? tor;
}

function isInterval(u: unknown): u is number {
  return typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= MAX_INTERVAL_MS;
}

const words: ReadonlyArray<readonly [number, string]> = [
  [604800, 'week'],
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/**
 * Torrc text for an interval: Tor's words in the largest exact unit for whole seconds (which Tor
 * itself reads), a Go millisecond duration otherwise (which only hotrc and go-tor read).
 * Throws a RangeError for a value that is not an Interval (a programmer error).
 * @example formatInterval(900000); // '15 minutes'
 * @example formatInterval(1500); // '1500ms'
 */
export function formatInterval(ms: number): string {
  if (!isInterval(ms)) {
    throw new RangeError(`Not an interval in milliseconds (0..${MAX_INTERVAL_MS}): ${ms}`);
  }
  if (ms % 1000 !== 0) return `${ms}ms`;
  const seconds = ms / 1000;
  for (const [size, word] of words) {
    if (seconds % size === 0 && (seconds !== 0 || size === 1)) {
      const n = seconds / size;
      return `${n} ${word}${n === 1 ? '' : 's'}`;
    }
  }
  /* c8 ignore next */
  throw new Error('unreachable: every whole number of seconds has a unit');
}

/**
 * An interval in milliseconds (0..2147483647000, whole ms). Decodes torrc text with
 * parseInterval or a typed number of ms; encodes with formatInterval.
 * @example Interval.decode('1.5 hours'); // right(5400000)
 * @example Interval.decode(60000); // right(60000)
 * @example Interval.encode(600000); // '10 minutes'
 */
export const Interval = valueCodec<number>({
  name: 'Interval',
  is: isInterval,
  parse: parseInterval,
  format: formatInterval,
  expected: `a whole number of milliseconds from 0 to ${MAX_INTERVAL_MS}`,
});
