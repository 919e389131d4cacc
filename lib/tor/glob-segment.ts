/**
 * One `/`-free component of a glob pattern, compiled once and matched against directory entries
 * as glibc's glob(3) does for Tor (fnmatch with FNM_PERIOD, backslash escapes on).
 * @example compileGlobSegment('*.conf').match('a.conf') // true
 */
export interface GlobSegment {
  /** False when the segment names one entry literally (after unescaping). */
  readonly magic: boolean;
  /** The unescaped text; only meaningful when `magic` is false. */
  readonly literal: string;
  /** Whether a directory entry name matches. A leading `.` must be matched by a literal `.`. */
  match(name: string): boolean;
}

type Token =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | {
      readonly kind: 'set';
      readonly negate: boolean;
      readonly ranges: ReadonlyArray<readonly [number, number]>;
      readonly classes: ReadonlyArray<(cp: number) => boolean>;
    };

const BACKSLASH = 0x5c;
const DOT = 0x2e;

const inRange = (cp: number, lo: number, hi: number): boolean => cp >= lo && cp <= hi;
const isUpper = (cp: number): boolean => inRange(cp, 0x41, 0x5a);
const isLower = (cp: number): boolean => inRange(cp, 0x61, 0x7a);
const isDigit = (cp: number): boolean => inRange(cp, 0x30, 0x39);
const isAlpha = (cp: number): boolean => isUpper(cp) || isLower(cp);
const isGraph = (cp: number): boolean => inRange(cp, 0x21, 0x7e);

// POSIX classes in the C locale: Tor never calls setlocale, so glob matches ASCII classes only.
const charClasses: ReadonlyMap<string, (cp: number) => boolean> = new Map([
  ['alpha', isAlpha],
  ['digit', isDigit],
  ['alnum', (cp: number) => isAlpha(cp) || isDigit(cp)],
  ['upper', isUpper],
  ['lower', isLower],
  ['space', (cp: number) => cp === 0x20 || inRange(cp, 0x09, 0x0d)],
  ['blank', (cp: number) => cp === 0x20 || cp === 0x09],
  ['xdigit', (cp: number) => isDigit(cp) || inRange(cp, 0x41, 0x46) || inRange(cp, 0x61, 0x66)],
  ['punct', (cp: number) => isGraph(cp) && !isAlpha(cp) && !isDigit(cp)],
  ['cntrl', (cp: number) => cp < 0x20 || cp === 0x7f],
  ['graph', isGraph],
  ['print', (cp: number) => inRange(cp, 0x20, 0x7e)],
]);
const matchNothing = (): boolean => false;
const maxClassName = 16;

// Not String.fromCodePoint(...cps): spreading a huge array overflows the call stack.
function fromCodePoints(cps: ReadonlyArray<number>): string {
  return cps.map((cp) => String.fromCodePoint(cp)).join('');
}

/** Parses `[...]` starting at `cps[start] === '['`; undefined when unterminated (then `[` is literal). */
function parseSet(
  cps: ReadonlyArray<number>,
  start: number,
): { token: Token; next: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (cps[i] === 0x21 || cps[i] === 0x5e) {
    negate = true;
    i++;
  }
  const ranges: Array<readonly [number, number]> = [];
  const classes: Array<(cp: number) => boolean> = [];
  let first = true;
  for (;;) {
    let cp = cps[i];
    if (cp === undefined) return undefined;
    if (cp === 0x5d && !first)
      return { token: { kind: 'set', negate, ranges, classes }, next: i + 1 };
    first = false;
    if (cp === 0x5b && cps[i + 1] === 0x3a) {
      // [:name:]
      // Class names are short; a bounded look-ahead keeps `[[:[[:...` from going quadratic.
      let j = i + 2;
      const limit = Math.min(cps.length, j + maxClassName);
      while (j < limit && !(cps[j] === 0x3a && cps[j + 1] === 0x5d)) j++;
      if (j < limit) {
        const name = fromCodePoints(cps.slice(i + 2, j));
        classes.push(charClasses.get(name) ?? matchNothing);
        i = j + 2;
        continue;
      }
    }
    if (cp === BACKSLASH) {
      i++;
      cp = cps[i];
      if (cp === undefined) return undefined;
    }
    i++;
    let hi = cp;
    if (cps[i] === 0x2d && cps[i + 1] !== undefined && cps[i + 1] !== 0x5d) {
      i++;
      let end = cps[i] as number;
      if (end === BACKSLASH && cps[i + 1] !== undefined) {
        i++;
        end = cps[i] as number;
      }
      i++;
      hi = end;
    }
    ranges.push([cp, hi]);
  }
}

function tokenize(segment: string): Token[] {
  const cps = Array.from(segment, (ch) => ch.codePointAt(0) as number);
  const tokens: Token[] = [];
  let i = 0;
  while (i < cps.length) {
    const cp = cps[i] as number;
    if (cp === 0x2a) {
      // Consecutive stars are one star: keeps matching linear in practice.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (cp === 0x3f) {
      tokens.push({ kind: 'any' });
      i++;
    } else if (cp === 0x5b) {
      const set = parseSet(cps, i);
      if (set === undefined) {
        tokens.push({ kind: 'char', cp });
        i++;
      } else {
        tokens.push(set.token);
        i = set.next;
      }
    } else if (cp === BACKSLASH && i + 1 < cps.length) {
      tokens.push({ kind: 'char', cp: cps[i + 1] as number });
      i += 2;
    } else {
      tokens.push({ kind: 'char', cp });
      i++;
    }
  }
  return tokens;
}

function matchesOne(token: Token, cp: number): boolean {
  switch (token.kind) {
    case 'char':
      return token.cp === cp;
    case 'any':
      return true;
    case 'star':
      return false;
    case 'set': {
      const hit =
        token.ranges.some(([lo, hi]) => cp >= lo && cp <= hi) || token.classes.some((f) => f(cp));
      return hit !== token.negate;
    }
  }
}

// Wildcard matching with one remembered star: no regular expression, no exponential
// backtracking; at worst name length x pattern length steps, both bounded by NAME_MAX.
function matchTokens(tokens: ReadonlyArray<Token>, name: ReadonlyArray<number>): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < name.length) {
    const token = tokens[p];
    if (token?.kind === 'star') {
      starP = p++;
      starT = t;
    } else if (token !== undefined && matchesOne(token, name[t] as number)) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}

/**
 * Compiles one path component of a glob: `*`, `?`, `[set]` (`!`/`^` negation, ranges, POSIX
 * classes, `]` first is literal, unterminated `[` is literal) and backslash escapes, as glibc's
 * glob(3) without GLOB_PERIOD: `*`, `?` and sets never match a leading `.`.
 * @example compileGlobSegment('[!a]*.conf').match('Z.conf') // true
 */
export function compileGlobSegment(segment: string): GlobSegment {
  const tokens = tokenize(segment);
  const magic = tokens.some((t) => t.kind !== 'char');
  const literal = magic
    ? segment
    : fromCodePoints(tokens.map((t) => (t.kind === 'char' ? t.cp : 0)));
  const startsWithDot = tokens[0]?.kind === 'char' && tokens[0].cp === DOT;
  return {
    magic,
    literal,
    match(name: string): boolean {
      if (name.charCodeAt(0) === DOT && !startsWithDot) return false;
      return matchTokens(
        tokens,
        Array.from(name, (ch) => ch.codePointAt(0) as number),
      );
    },
  };
}

/**
 * Tor's `has_glob`: whether an %include path is expanded as a glob at all. Only an unescaped `*`
 * or `?` counts, so `[ab].conf` alone is a literal file name, as in Tor.
 * @example hasTorGlob('/etc/tor/torrc.d/*.conf') // true
 */
export function hasTorGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if ((c === 0x2a || c === 0x3f) && (i === 0 || pattern.charCodeAt(i - 1) !== BACKSLASH)) {
      return true;
    }
  }
  return false;
}
