import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  INT_MAX,
  NonNegativeInt,
  parseTorInteger,
} from '../../../../lib/tor/schema/values/integer.js';

const message = (v: ReturnType<typeof NonNegativeInt.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('parseTorInteger', () => {
  it("reads base-10 integers with Tor's strtol rules", () => {
    assert.deepEqual(parseTorInteger('+3', 0, 10), right(3));
    assert.deepEqual(parseTorInteger('007', 0, 10), right(7));
    assert.deepEqual(parseTorInteger(' \t5', 0, 10), right(5));
    assert.deepEqual(parseTorInteger('-0', 0, 10), right(0));
    assert.ok(Object.is((parseTorInteger('-0', 0, 10) as { right: number }).right, 0), 'not -0');
    assert.deepEqual(parseTorInteger('-3', -5, 5), right(-3));
  });

  it("refuses what Tor refuses, in Tor's words", () => {
    for (const text of [
      '-1',
      '0x1f',
      '1e3',
      '12abc',
      '5 ',
      '3.0',
      '+',
      '++3',
      '+-3',
      '',
      '\u0663',
    ]) {
      assert.deepEqual(
        parseTorInteger(text, 0, 100),
        left(
          `Integer ${text} is malformed or out of bounds. Allowed values are between 0 and 100.`,
        ),
      );
    }
    assert.ok(isLeft(parseTorInteger('101', 0, 100)));
    assert.ok(isLeft(parseTorInteger('99999999999999999999', 0, INT_MAX)));
  });
});

describe('NonNegativeInt', () => {
  it('decodes text and typed numbers from 0 to INT_MAX', () => {
    assert.deepEqual(NonNegativeInt.decode('0'), right(0));
    assert.deepEqual(NonNegativeInt.decode('2147483647'), right(INT_MAX));
    assert.deepEqual(NonNegativeInt.decode(42), right(42));
  });

  it("refuses -1 and 2147483648 with Tor's message", () => {
    assert.equal(
      message(NonNegativeInt.decode('-1')),
      'Integer -1 is malformed or out of bounds. Allowed values are between 0 and 2147483647.',
    );
    assert.match(
      message(NonNegativeInt.decode('2147483648')) ?? '',
      /^Integer 2147483648 is malformed/,
    );
  });

  it('refuses typed values that are not whole numbers in range', () => {
    for (const bad of [-1, 1.5, INT_MAX + 1, Number.NaN, Infinity, true, null]) {
      assert.match(
        message(NonNegativeInt.decode(bad)) ?? '',
        /^Expected a whole number from 0 to 2147483647, got/,
      );
    }
  });

  it('encodes as digits that decode back, and reads +N and 00N alike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: INT_MAX }), fc.nat(3), (n, zeros) => {
        assert.equal(NonNegativeInt.encode(n), String(n));
        assert.deepEqual(NonNegativeInt.decode(NonNegativeInt.encode(n)), right(n));
        assert.deepEqual(NonNegativeInt.decode(`+${'0'.repeat(zeros)}${n}`), right(n));
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void NonNegativeInt.decode(s)));
  });
});
