import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isPlainObject, overlay } from '../../lib/engine/overlay.js';

describe('overlay', () => {
  it('merges objects key by key, recursively, base keys first, then new ones', () => {
    const base = { a: 1, pool: { min: 1, max: 5 }, z: true };
    const merged = overlay(base, { pool: { max: 9 }, extra: 'x' });
    assert.deepEqual(merged, { a: 1, pool: { min: 1, max: 9 }, z: true, extra: 'x' });
    assert.deepEqual(Object.keys(merged as object), ['a', 'pool', 'z', 'extra']);
  });

  it('replaces arrays, scalars and nulls whole, and keeps the base where top is undefined', () => {
    assert.deepEqual(overlay({ tags: ['a', 'b'] }, { tags: ['c'] }), { tags: ['c'] });
    assert.deepEqual(overlay({ pool: { max: 5 } }, { pool: null }), { pool: null });
    assert.deepEqual(overlay({ pool: { max: 5 } }, { pool: 3 }), { pool: 3 });
    assert.deepEqual(overlay({ n: 1 }, { n: { deep: 1 } }), { n: { deep: 1 } });
    assert.deepEqual(overlay({ a: 1 }, undefined), { a: 1 });
    assert.equal(overlay(1, 2), 2);
    const when = new Date(0);
    assert.equal((overlay({ when: { x: 1 } }, { when }) as { when: Date }).when, when);
  });

  it('shares no object or array with the base, and changes neither input', () => {
    const base = { pool: { min: 1 }, tags: ['a'], deep: { list: [{ x: 1 }] } };
    const top = { other: 1 };
    const snapshot = JSON.stringify([base, top]);
    const merged = overlay(base, top) as typeof base;
    assert.notEqual(merged.pool, base.pool);
    assert.notEqual(merged.tags, base.tags);
    assert.notEqual(merged.deep.list[0], base.deep.list[0]);
    assert.equal(JSON.stringify([base, top]), snapshot);
    Object.freeze(merged.pool);
    assert.ok(!Object.isFrozen(base.pool));
  });

  it('makes own properties of hostile keys and never touches a prototype', () => {
    const top = JSON.parse(
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}',
    );
    const merged = overlay({ constructor: { prototype: {} } }, top) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.ok(Object.hasOwn(merged, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  });

  it('reads an empty top as the base, and any top over an empty base as the top (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.deepStrictEqual(overlay(v, undefined), v);
        assert.deepStrictEqual(overlay({}, v), v);
      }),
    );
  });

  it('tells plain objects from arrays, nulls and class instances', () => {
    assert.ok(isPlainObject({}));
    assert.ok(isPlainObject(Object.create(null)));
    for (const v of [[], null, new Date(), new Map(), 'x', 1]) assert.ok(!isPlainObject(v));
  });
});
