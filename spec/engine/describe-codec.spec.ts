import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { describeCodec, joinOr } from '../../lib/engine/describe-codec.js';

describe('describeCodec', () => {
  it('says what each io-ts codec accepts, in words', () => {
    const Port = t.brand(
      t.number,
      (n): n is t.Branded<number, { readonly Port: unique symbol }> => n > 0,
      'Port',
    );
    const isEven = (n: number) => n % 2 === 0;
    interface Tree {
      readonly kids: ReadonlyArray<Tree>;
    }
    const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ kids: t.readonlyArray(Tree) }));
    const cases: Array<[t.Decoder<unknown, unknown>, string]> = [
      [t.number, 'a number'],
      [t.string, 'a string'],
      [t.boolean, 'true or false'],
      [t.null, 'null'],
      [t.unknown, 'anything'],
      [t.literal('debug'), '"debug"'],
      [t.literal(3), '3'],
      [t.keyof({ fast: null, safe: null }), '"fast" or "safe"'],
      [t.array(t.string), 'an array of strings'],
      [t.readonlyArray(t.Int), 'an array of integers'],
      [t.array(t.union([t.string, t.number])), 'an array'],
      [t.tuple([t.string, t.number]), 'an array of 2 items'],
      [t.type({ a: t.number }), 'an object'],
      [t.partial({ a: t.number }), 'an object'],
      [t.strict({ a: t.number }), 'an object'],
      [t.record(t.string, t.number), 'an object'],
      [t.intersection([t.type({ a: t.number }), t.partial({ b: t.string })]), 'an object'],
      [t.union([t.number, t.null]), 'a number or null'],
      [t.union([t.literal('a'), t.literal('b'), t.literal('c')]), '"a", "b" or "c"'],
      [t.Int, 'an integer'],
      [Port, 'Port (a number)'],
      [t.refinement(t.number, isEven), 'a number that passes isEven'],
      [t.readonly(t.type({ a: t.number })), 'an object'],
      [Tree, 'an object'],
      [new t.Type<string>('Duration', t.string.is, t.string.validate, t.identity), 'Duration'],
    ];
    for (const [codec, words] of cases) assert.equal(describeCodec(codec), words, codec.name);
  });
});

describe('joinOr', () => {
  it('joins words with commas and a last "or", each once', () => {
    assert.equal(joinOr([]), '');
    assert.equal(joinOr(['a']), 'a');
    assert.equal(joinOr(['a', 'b']), 'a or b');
    assert.equal(joinOr(['a', 'b', 'a', 'c']), 'a, b or c');
  });
});
