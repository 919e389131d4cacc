import assert from 'node:assert/strict';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import { TextCodec, valueCodec } from '../../../../lib/tor/schema/values/value-codec.js';

const Even = valueCodec<number>({
  name: 'Even',
  is: (u): u is number => typeof u === 'number' && Number.isInteger(u) && u % 2 === 0,
  parse: (s) =>
    /^\d+$/.test(s) && Number(s) % 2 === 0 ? right(Number(s)) : left(`${s} is not even`),
  format: String,
  expected: 'an even number',
});

const message = (v: ReturnType<typeof Even.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('valueCodec', () => {
  it('parses strings as torrc text and checks typed values with is', () => {
    assert.deepEqual(Even.decode('4'), right(4));
    assert.deepEqual(Even.decode(6), right(6));
    assert.equal(Even.name, 'Even');
    assert.equal(Even.encode(8), '8');
  });

  it("reports the parser's message for text, unchanged", () => {
    assert.equal(message(Even.decode('3')), '3 is not even');
  });

  it('names a mismatched typed value without dumping it', () => {
    assert.equal(message(Even.decode(3)), 'Expected an even number, got 3');
    assert.equal(message(Even.decode(null)), 'Expected an even number, got null');
    assert.equal(message(Even.decode([2])), 'Expected an even number, got an array');
    assert.equal(
      message(Even.decode({ secret: 'x' })),
      'Expected an even number, got a value of type object',
    );
    assert.equal(
      message(Even.decode(undefined)),
      'Expected an even number, got a value of type undefined',
    );
  });

  it('is a TextCodec handing out its parser: decode of text without io-ts, the same answer', () => {
    assert.ok(Even instanceof TextCodec);
    assert.deepEqual(Even.parse('4'), right(4));
    assert.deepEqual(Even.parse('3'), left('3 is not even'));
    assert.equal(message(Even.decode('3')), '3 is not even');
  });

  it('says no text is normal unless the spec says how to tell', () => {
    assert.equal(Even.isNormal('4'), false);
    const Word = valueCodec<string>({
      name: 'Word',
      is: (u): u is string => typeof u === 'string' && /^[a-z]+$/.test(u),
      parse: (s) => (/^[a-z]+$/.test(s) ? right(s) : left(`${s} is not a word`)),
      isNormal: (s) => /^[a-z]+$/.test(s),
      format: (s) => s,
      expected: 'a word',
    });
    assert.equal(Word.isNormal('abc'), true);
    assert.equal(Word.isNormal('a b'), false);
  });
});
