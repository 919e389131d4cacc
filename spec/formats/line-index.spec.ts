import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lineIndex } from '../../lib/formats/line-index.js';

describe('lineIndex', () => {
  it('maps offsets to 1-based lines and columns, breaking at LF, CRLF and a lone CR', () => {
    const at = lineIndex('ab\ncd\r\nef\rgh');
    assert.deepEqual(at(0), { line: 1, column: 1 });
    assert.deepEqual(at(2), { line: 1, column: 3 });
    assert.deepEqual(at(3), { line: 2, column: 1 });
    assert.deepEqual(at(7), { line: 3, column: 1 });
    assert.deepEqual(at(10), { line: 4, column: 1 });
    assert.deepEqual(at(11), { line: 4, column: 2 });
  });

  it('counts columns in UTF-16 code units, a tab as one', () => {
    const at = lineIndex('\t🧅é: x');
    assert.deepEqual(at(5), { line: 1, column: 6 });
  });

  it('clamps offsets outside the text', () => {
    const at = lineIndex('a\nb');
    assert.deepEqual(at(-5), { line: 1, column: 1 });
    assert.deepEqual(at(99), { line: 2, column: 2 });
    assert.deepEqual(lineIndex('')(0), { line: 1, column: 1 });
  });

  it('agrees with counting breaks before the offset (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' '), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.nat(70), (s, n) => {
        const offset = Math.min(n, s.length);
        const before = s.slice(0, offset);
        const breaks = before.match(/\r\n|\r|\n/g) ?? [];
        // A CR at the end of `before` followed by LF is one break that ends after the LF.
        const splitCrlf = before.endsWith('\r') && s[offset] === '\n' ? 1 : 0;
        const line = breaks.length + 1 - splitCrlf;
        assert.equal(lineIndex(s)(offset).line, line);
      }),
    );
  });
});
