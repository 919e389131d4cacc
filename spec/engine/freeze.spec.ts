import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deepFreeze, isDeepFrozen } from '../../lib/engine/freeze.js';
import { defaultConfig } from '../../lib/tor/schema/tor-config.js';
import { validConfig } from '../support/arbitraries.js';

/** Every object reachable from `value` through own enumerable properties, each once. */
function reachable(value: unknown): object[] {
  const found = new Set<object>();
  const walk = (v: unknown) => {
    if (typeof v !== 'object' || v === null || found.has(v)) return;
    found.add(v);
    for (const child of Object.values(v)) walk(child);
  };
  walk(value);
  return [...found];
}

describe('deepFreeze', () => {
  it('freezes every nested object and array, and returns the same value', () => {
    const value = { a: [1, { b: { c: [] as number[] } }], d: 'text' };
    assert.equal(deepFreeze(value), value);
    for (const o of reachable(value)) assert.ok(Object.isFrozen(o), JSON.stringify(o));
    assert.throws(() => {
      (value.a as unknown[]).push(2);
    }, TypeError);
  });

  it('freezes the children of an object that was already frozen (shallowly)', () => {
    const inner = { n: 1, list: [{ deep: true }] };
    const outer = Object.freeze({ inner });
    deepFreeze(outer);
    assert.ok(Object.isFrozen(inner));
    assert.ok(Object.isFrozen(inner.list));
    assert.ok(Object.isFrozen(inner.list[0]));
  });

  it('freezes below a frozen array too', () => {
    const item = { x: 1 };
    const list = Object.freeze([item]);
    deepFreeze({ list });
    assert.ok(Object.isFrozen(item));
  });

  it('ends on cycles and freezes every object in them', () => {
    const a: Record<string, unknown> = { name: 'a' };
    const b: Record<string, unknown> = { name: 'b', a };
    a.b = b;
    a.self = a;
    const frozenLoop = Object.freeze({ back: a });
    a.loop = frozenLoop;
    deepFreeze(a);
    for (const o of [a, b, frozenLoop]) assert.ok(Object.isFrozen(o));
  });

  it('freezes shared children once each', () => {
    const shared = { s: 1 };
    const value = { one: shared, two: [shared, shared] };
    deepFreeze(value);
    assert.ok(Object.isFrozen(shared));
    assert.ok(Object.isFrozen(value.two));
  });

  it('leaves typed arrays (which cannot be frozen) as they are, freezing what holds them', () => {
    const bytes = Uint8Array.of(1, 2);
    const value = { bytes };
    deepFreeze(value);
    assert.ok(Object.isFrozen(value));
    assert.ok(!Object.isFrozen(bytes));
  });

  it('walks nesting deeper than the call stack allows', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 200_000; i++) {
      const next = {};
      deep.next = next;
      deep = next;
    }
    deepFreeze(root);
    assert.ok(Object.isFrozen(deep));
  });

  it('leaves primitives alone', () => {
    for (const v of [undefined, null, 0, 'a', true, 1n, Symbol('s')])
      assert.equal(deepFreeze(v), v);
  });

  it('freezes every object of any valid config, whatever was frozen before', () => {
    fc.assert(
      fc.property(validConfig, fc.array(fc.nat()), (config, picks) => {
        const copy = structuredClone(config) as unknown;
        // Freeze some objects shallowly first, as a caller or an earlier stage might.
        const objects = reachable(copy);
        for (const p of picks) Object.freeze(objects[p % objects.length]);
        deepFreeze(copy);
        for (const o of reachable(copy)) assert.ok(Object.isFrozen(o));
      }),
    );
  });

  it('freezes the default config all the way down', () => {
    for (const o of reachable(defaultConfig())) assert.ok(Object.isFrozen(o));
  });
});

describe('isDeepFrozen', () => {
  it('is true only when every reachable object is frozen', () => {
    assert.equal(isDeepFrozen(Object.freeze({ a: [1] })), false);
    assert.equal(isDeepFrozen(Object.freeze({ a: Object.freeze([1]) })), true);
    assert.equal(isDeepFrozen({}), false);
    assert.equal(isDeepFrozen(deepFreeze({ a: [{ b: 1 }] })), true);
    for (const v of [undefined, null, 0, 'a']) assert.equal(isDeepFrozen(v), true);
    // A typed array's elements cannot be frozen: never deep-frozen, even under deepFreeze.
    assert.equal(isDeepFrozen(deepFreeze({ bytes: new Uint8Array(2) })), false);
  });

  it('agrees with a walk on any valid config, frozen in part or whole', () => {
    fc.assert(
      fc.property(validConfig, fc.array(fc.nat()), fc.boolean(), (config, picks, whole) => {
        const copy = structuredClone(config) as unknown;
        const objects = reachable(copy);
        for (const p of picks) Object.freeze(objects[p % objects.length]);
        if (whole) deepFreeze(copy);
        assert.equal(
          isDeepFrozen(copy),
          reachable(copy).every((o) => Object.isFrozen(o)),
        );
      }),
    );
  });
});

describe('deepFreeze and isDeepFrozen on a value deepFreeze froze', () => {
  it('do not walk it again: what is under a frozen plain value cannot change', () => {
    let reads = 0;
    const value = {
      get child() {
        reads++;
        return { n: 1 };
      },
      list: [{ m: 2 }],
    };
    deepFreeze(value);
    const afterFirst = reads;
    assert.ok(afterFirst >= 1);
    deepFreeze(value);
    assert.equal(isDeepFrozen(value), true);
    assert.equal(reads, afterFirst);
    // A value that was never handed to deepFreeze is walked.
    const other = Object.freeze({
      get child() {
        reads++;
        return 1;
      },
    });
    assert.equal(isDeepFrozen(other), true);
    assert.equal(reads, afterFirst + 1);
  });
});

describe('what a value deepFreeze froze holds', () => {
  it('is known to be deep-frozen itself: a config laid over it walks none of it again', () => {
    let reads = 0;
    const list = [
      {
        get item() {
          reads++;
          return 1;
        },
      },
    ];
    deepFreeze({ list });
    const afterFirst = reads;
    assert.equal(afterFirst, 1);
    assert.equal(isDeepFrozen(list), true);
    deepFreeze({ list, more: [1] });
    assert.equal(reads, afterFirst);
    // A child it holds through an array is not remembered on its own: it is walked.
    assert.equal(isDeepFrozen(list[0]), true);
    assert.equal(reads, afterFirst + 1);
  });
});
