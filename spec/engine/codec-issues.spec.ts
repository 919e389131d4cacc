import assert from 'node:assert/strict';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { type CodecIssue, codecIssues } from '../../lib/engine/codec-issues.js';

const issuesOf = (codec: t.Decoder<unknown, unknown>, value: unknown): CodecIssue[] => {
  const r = codec.decode(value);
  if (!isLeft(r)) assert.fail('decoded');
  return codecIssues(r.left);
};

describe('codecIssues', () => {
  it('gives each error the path of keys and indexes, what stood there and what was wanted', () => {
    const App = t.type({ pool: t.type({ max: t.number }), tags: t.array(t.string) });
    assert.deepEqual(issuesOf(App, { pool: { max: 'ten' }, tags: ['a', 1] }), [
      { path: ['pool', 'max'], value: 'ten', expected: 'a number' },
      { path: ['tags', '1'], value: 1, expected: 'a string' },
    ]);
  });

  it('says a missing key has no value', () => {
    assert.deepEqual(issuesOf(t.type({ a: t.type({ b: t.string }) }), { a: {} }), [
      { path: ['a', 'b'], value: undefined, expected: 'a string' },
    ]);
  });

  it('leaves union and intersection branches out of the path', () => {
    const App = t.intersection([
      t.type({ a: t.number }),
      t.type({ b: t.union([t.string, t.type({ c: t.number })]) }),
    ]);
    assert.deepEqual(issuesOf(App, { a: 'x', b: { c: 'y' } }), [
      { path: ['a'], value: 'x', expected: 'a number' },
      { path: ['b', 'c'], value: 'y', expected: 'a number' },
    ]);
  });

  it('keeps a codec message of its own', () => {
    const Even = new t.Type<number>(
      'Even',
      t.number.is,
      (u, c) => t.failure(u, c, 'must be even'),
      t.identity,
    );
    assert.deepEqual(issuesOf(t.type({ n: Even }), { n: 3 }), [
      { path: ['n'], value: 3, expected: 'Even', message: 'must be even' },
    ]);
  });

  it('prefers the union branch whose discriminant matched, even with more issues', () => {
    const Shape = t.union([
      t.type({ kind: t.literal('circle'), r: t.number }),
      t.type({ kind: t.union([t.literal('square'), t.literal('rect')]), w: t.number, h: t.number }),
    ]);
    assert.deepEqual(issuesOf(Shape, { kind: 'square', w: 'a', h: 'b' }), [
      { path: ['w'], value: 'a', expected: 'a number' },
      { path: ['h'], value: 'b', expected: 'a number' },
    ]);
  });

  it('names every branch when no branch took the value shape', () => {
    assert.deepEqual(issuesOf(t.union([t.number, t.array(t.string)]), true), [
      { path: [], value: true, expected: 'a number or an array of strings' },
    ]);
  });
});
