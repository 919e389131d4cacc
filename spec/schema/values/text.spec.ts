import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  NonEmptyText,
  quoteCString,
  quoteTorrcValue,
  Text,
  unquoteCString,
} from '../../../lib/schema/values/text.js';

const message = (v: ReturnType<typeof Text.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('quoteTorrcValue', () => {
  const plain = ['/var/lib/tor', 'inner  spaces', 'caf\u00e9', "it's", 'a\u00a0b', '+x', '/x'];
  for (const text of plain) {
    it(`leaves ${JSON.stringify(text)} plain`, () => assert.equal(quoteTorrcValue(text), text));
  }
  const quoted: ReadonlyArray<readonly [string, string]> = [
    ['', '""'],
    [' lead', '" lead"'],
    ['trail\t', '"trail\\t"'],
    ['My relay #1', '"My relay #1"'],
    ['C:\\tor', '"C:\\\\tor"'],
    ['ends with \\', '"ends with \\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['two\nlines', '"two\\nlines"'],
    ['cr\r', '"cr\\r"'],
    ['bell\u0007', '"bell\\x07"'],
    ['del\u007f', '"del\\x7f"'],
    ['\u001b[31m', '"\\x1b[31m"'],
  ];
  for (const [text, written] of quoted) {
    it(`quotes ${JSON.stringify(text)} as ${written}`, () =>
      assert.equal(quoteTorrcValue(text), written));
  }

  it('throws on NUL, which no torrc value can carry', () => {
    assert.throws(() => quoteTorrcValue('a\u0000b'), RangeError);
    assert.throws(() => quoteCString('\u0000'), RangeError);
  });

  it('writes text that reads back unchanged, plain or quoted', () => {
    const text = fc
      .oneof(
        fc.string({ unit: 'binary' }),
        fc.string({
          unit: fc.constantFrom(' ', '\t', '#', '"', '\\', '\n', 'a', 'z', '\u0001', '\u007f'),
        }),
      )
      .filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(text, (s) => {
        const written = quoteTorrcValue(s);
        if (written === s) {
          // A plain value survives Tor's line reading only with none of these.
          assert.doesNotMatch(s, /^$|^[ \t]|[ \t]$|[#\\"\n\r]/);
        } else {
          assert.deepEqual(unquoteCString(written), right({ value: s, rest: '' }));
        }
      }),
    );
  });
});

describe('unquoteCString', () => {
  it("reads Tor's escapes", () => {
    assert.deepEqual(
      unquoteCString('"tab\\there \\"q\\" #x \\x41\\101\\\'\\\\" # after'),
      right({ value: 'tab\there "q" #x AA\'\\', rest: ' # after' }),
    );
    assert.deepEqual(unquoteCString('""'), right({ value: '', rest: '' }));
    assert.deepEqual(unquoteCString('"\\303\\251"'), right({ value: '\u00e9', rest: '' }));
    assert.deepEqual(unquoteCString('"\\7x"'), right({ value: '\u0007x', rest: '' }));
  });

  it("refuses what Tor's unescape_string refuses", () => {
    for (const bad of [
      '"\\q"',
      '"\\x4"',
      '"\\x4g"',
      '"\\400"',
      '"open',
      '"a\nb"',
      '"\\?"',
      '"\\',
    ]) {
      assert.deepEqual(unquoteCString(bad), left('Invalid escape sequence in quoted string'), bad);
    }
    assert.deepEqual(unquoteCString('"\\000"'), left('NUL character in quoted string'));
    assert.deepEqual(unquoteCString('no quote'), left('Quoted string expected'));
  });
});

describe('Text and NonEmptyText', () => {
  it('Text takes any string but one with NUL', () => {
    assert.deepEqual(Text.decode(''), right(''));
    assert.deepEqual(Text.decode(' # x \\ '), right(' # x \\ '));
    assert.equal(
      message(Text.decode('a\u0000')),
      'Value contains a NUL character, which torrc cannot carry',
    );
    assert.equal(message(Text.decode(3)), 'Expected a string, got 3');
    assert.equal(Text.is('a\u0000'), false);
  });

  it('NonEmptyText needs a non-blank character', () => {
    assert.deepEqual(NonEmptyText.decode('/var/lib/tor'), right('/var/lib/tor'));
    assert.equal(message(NonEmptyText.decode('')), 'Value must not be empty');
    assert.equal(message(NonEmptyText.decode(' \t')), 'Value must not be empty');
    assert.equal(NonEmptyText.is(''), false);
    assert.equal(NonEmptyText.is('x'), true);
  });

  it('encode the text itself, which decodes back', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('\u0000') && s.trim() !== ''),
        (s) => {
          assert.deepEqual(Text.decode(Text.encode(s)), right(s));
          assert.deepEqual(NonEmptyText.decode(NonEmptyText.encode(s)), right(s));
        },
      ),
    );
  });
});
