import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  asciiLower,
  eatWhitespace,
  findWhitespace,
  skipCSpace,
  trimCSpace,
} from '../../../../lib/tor/schema/values/c-string.js';

describe('c-string helpers', () => {
  it('asciiLower folds A-Z only, like strcasecmp', () => {
    assert.equal(asciiLower('MiNuTeS'), 'minutes');
    assert.equal(asciiLower('\u212A\u0130\u00C9'), '\u212A\u0130\u00C9');
    assert.equal(asciiLower('Ab\u212AC'), 'ab\u212Ac');
  });

  it('asciiLower changes A-Z and nothing else, in any text', () => {
    const byCharacter = (s: string) =>
      s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('A', 'z', 'Q', '\u212A', '\u0130', 'ẞ', '\ud800', '1') }),
    );
    fc.assert(fc.property(text, (s) => assert.equal(asciiLower(s), byCharacter(s))));
  });

  it("skipCSpace and trimCSpace drop C's isspace characters", () => {
    assert.equal(skipCSpace(' \t\n\v\f\r42 '), '42 ');
    assert.equal(trimCSpace(' \v a b \f\n'), 'a b');
    assert.equal(trimCSpace('\u00a0x\u00a0'), '\u00a0x\u00a0');
  });

  it("eatWhitespace skips blanks and '#' comments up to the end of a line, like Tor's", () => {
    assert.equal(eatWhitespace('  # note\nminutes'), 'minutes');
    assert.equal(eatWhitespace('\r\n\tx # y'), 'x # y');
    assert.equal(eatWhitespace('# all comment'), '');
    assert.equal(eatWhitespace('\vx'), '\vx');
  });

  it("findWhitespace stops at blanks and '#', like Tor's", () => {
    assert.equal(findWhitespace('127.0.0.1:80#x'), 12);
    assert.equal(findWhitespace('a\tb'), 1);
    assert.equal(findWhitespace('abc'), 3);
  });
});
