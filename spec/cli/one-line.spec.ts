import assert from 'node:assert/strict';
import { oneLine } from '../../lib/cli/one-line.js';

describe('oneLine', () => {
  it('names the error unless it is a plain Error, and folds its lines', () => {
    assert.equal(
      oneLine(new TypeError('x is not\n   a function\n')),
      'TypeError: x is not a function',
    );
    assert.equal(oneLine(new Error('gone')), 'gone');
    assert.equal(oneLine('a string'), 'a string');
  });

  it('never throws, even for a value whose description throws', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    assert.equal(oneLine(hostile), 'an error that cannot be described');
  });
});
