import assert from 'node:assert/strict';
import { refusedKey } from '../../lib/formats/refused-key.js';

describe('refusedKey', () => {
  it('refuses the three keys through which naive merging reaches Object.prototype', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      assert.match(
        refusedKey(key) ?? '',
        new RegExp(
          `^the key "${key}" is refused: through it, code that merges objects could change every object's prototype$`,
        ),
      );
    }
  });

  it('lets every other key through, other Object.prototype names and look-alikes included', () => {
    for (const key of ['port', 'toString', 'hasOwnProperty', '__proto', 'Constructor', '']) {
      assert.equal(refusedKey(key), undefined);
    }
  });
});
