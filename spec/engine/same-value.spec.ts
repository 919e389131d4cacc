import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { sameValue } from '../../lib/engine/same-value.js';

describe('sameValue', () => {
  it('compares primitives by value: NaN equals NaN, 0 and -0 are one value in a config', () => {
    assert.equal(sameValue(1, 1), true);
    assert.equal(sameValue('a', 'a'), true);
    assert.equal(sameValue(null, null), true);
    assert.equal(sameValue(undefined, undefined), true);
    assert.equal(sameValue(Number.NaN, Number.NaN), true);
    assert.equal(sameValue(0, -0), true);
    assert.equal(sameValue({ x: [-0] }, { x: [0] }), true);
    assert.equal(sameValue(1, '1'), false);
    assert.equal(sameValue(null, undefined), false);
    assert.equal(sameValue(false, 0), false);
  });

  it('compares arrays element by element, in order', () => {
    assert.equal(sameValue([1, [2, 'x']], [1, [2, 'x']]), true);
    assert.equal(sameValue([1, 2], [2, 1]), false);
    assert.equal(sameValue([1], [1, 1]), false);
    assert.equal(sameValue([], []), true);
  });

  it('compares objects key by key, whatever the key order', () => {
    assert.equal(sameValue({ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }), true);
    assert.equal(sameValue({ a: 1 }, { a: 2 }), false);
    assert.equal(sameValue({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(sameValue({ a: 1, b: 2 }, { a: 1 }), false);
  });

  it('tells a key holding undefined from an absent key', () => {
    assert.equal(sameValue({ a: undefined }, {}), false);
    assert.equal(sameValue({ a: undefined }, { b: undefined }), false);
  });

  it('never takes an array for an object with the same keys, nor an object for null', () => {
    assert.equal(sameValue([1], { 0: 1 }), false);
    assert.equal(sameValue({ 0: 1 }, [1]), false);
    assert.equal(sameValue({}, null), false);
    assert.equal(sameValue(null, {}), false);
    assert.equal(sameValue([], ''), false);
  });

  it('holds for any JSON value and its structured clone', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => assert.equal(sameValue(v, structuredClone(v)), true)),
    );
  });

  it('agrees with isDeepStrictEqual on plain JSON data', () => {
    const small = fc.jsonValue({ maxDepth: 2 });
    const values = fc.oneof(
      fc.tuple(small, small),
      // Pairs that differ in one place are where a walk can go wrong.
      small.chain((v) => fc.tuple(fc.constant(v), fc.constant(structuredClone(v)))),
      fc.dictionary(fc.constantFrom('a', 'b', 'c'), small).chain((o) =>
        fc.tuple(
          fc.constant(o),
          fc.dictionary(fc.constantFrom('a', 'b', 'c'), small).map((p) => ({ ...o, ...p })),
        ),
      ),
    );
    fc.assert(fc.property(values, ([a, b]) => assert.equal(sameValue(a, b), plainEqual(a, b))));
  });
});

// Equal as plain data: a prototype (fast-check makes some objects without one) is no part of a
// config, and neither is the sign of a zero (JSON text carries none: -0 reads back as 0).
function plainEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
