// The one shape every value codec shares: torrc text is parsed, an already-typed value (from a
// JSON config or a default) is only checked. Keeping it in one place means no codec can forget
// one of the two paths or word the type mismatch differently.
import { type Either, isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/**
 * What `valueCodec` needs to know about one kind of value.
 * @example const spec: ValueCodecSpec<string> = { name: 'Word', is: (u): u is string => typeof u === 'string', parse: E.right, format: (s) => s, expected: 'a word' };
 */
export interface ValueCodecSpec<A> {
  /** The codec's name, as io-ts reports it. */
  readonly name: string;
  /** True for a value that is already of the right type and in range. */
  readonly is: (u: unknown) => u is A;
  /** Reads torrc text; Left carries the message without key, file or line. */
  readonly parse: (text: string) => Either<string, A>;
  /** Torrc text that `parse` reads back to the same value. */
  readonly format: (a: A) => string;
  /** The message for a typed value that `is` refuses, e.g. "a port number 0-65535 or auto". */
  readonly expected: string;
  /**
   * True only for text that `parse` reads as itself (valid and already in normal form), with no
   * Either built; false sends the text to `parse`. For a value that comes by the thousand (Bridge
   * lines), so a reader can keep the text as it is with one check and no allocation.
   */
  readonly isNormal?: (text: string) => boolean;
}

/**
 * The codec `valueCodec` builds: an io-ts codec that also hands out its torrc text parser, so a
 * reader of many lines (thousands of `Bridge` lines) can parse each one without building an
 * io-ts context and error list per line. `parse(text)` is `decode(text)` with the message as
 * the Left.
 * @example Bool.parse('yes'); // right(true), as Bool.decode('yes') but without io-ts's context
 */
export class TextCodec<A> extends t.Type<A, string, unknown> {
  /** Reads torrc text; Left carries the message without key, file or line. */
  readonly parse: (text: string) => Either<string, A>;
  /** True only for text that `parse` reads as itself; never true when it does not. */
  readonly isNormal: (text: string) => boolean;

  constructor(spec: ValueCodecSpec<A>) {
    super(
      spec.name,
      spec.is,
      (u, c) => {
        if (typeof u === 'string') {
          const parsed = spec.parse(u);
          return isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, parsed.left);
        }
        return spec.is(u)
          ? t.success(u)
          : t.failure(u, c, `Expected ${spec.expected}, got ${describe(u)}`);
      },
      spec.format,
    );
    this.parse = spec.parse;
    this.isNormal = spec.isNormal ?? never;
  }
}

/**
 * Builds an io-ts codec that decodes torrc text (a string) by parsing it and accepts an
 * already-typed value when `is` holds.
 * @example
 * const Even = valueCodec({
 *   name: 'Even',
 *   is: (u): u is number => typeof u === 'number' && u % 2 === 0,
 *   parse: (s) => (Number(s) % 2 === 0 ? E.right(Number(s)) : E.left(`${s} is odd`)),
 *   format: String,
 *   expected: 'an even number',
 * });
 * Even.decode('4'); // right(4)
 */
export function valueCodec<A>(spec: ValueCodecSpec<A>): TextCodec<A> {
  return new TextCodec(spec);
}

const never = (): boolean => false;

/** Names a value for a type-mismatch message without dumping objects whole. */
function describe(u: unknown): string {
  if (u === null) return 'null';
  if (Array.isArray(u)) return 'an array';
  if (typeof u === 'number' || typeof u === 'boolean') return String(u);
  return `a value of type ${typeof u}`;
}
