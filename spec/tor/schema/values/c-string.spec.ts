import assert from 'node:assert/strict';
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
