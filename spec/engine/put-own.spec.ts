import assert from 'node:assert/strict';
import { putOwn } from '../../lib/engine/put-own.js';

describe('putOwn', () => {
  it('sets an own enumerable property even for __proto__, leaving the prototype alone', () => {
    const o: Record<string, unknown> = {};
    putOwn(o, '__proto__', { polluted: true });
    putOwn(o, 'a', 1);
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ['__proto__', 'a']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    o.a = 2;
    assert.equal(o.a, 2, 'writable');
  });
});
