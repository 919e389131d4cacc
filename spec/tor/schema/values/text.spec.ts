import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, isRight, left, right } from 'fp-ts/lib/Either.js';
import { readQuotedValue } from '../../../../lib/tor/quoted-value.js';
import { parseHiddenServicePort } from '../../../../lib/tor/schema/values/onion-port.js';
import {
  NonEmptyText,
  quoteCString,
  quoteTorrcValue,
  Text,
  unquoteCString,
} from '../../../../lib/tor/schema/values/text.js';
import { parseTorrc } from '../../../../lib/tor/torrc.js';

const unquoteLeft = (s: string): string => {
  const r = unquoteCString(s);
  return isLeft(r) ? r.left : `unexpectedly read ${JSON.stringify(r.right)}`;
};

// Pieces of a quoted value's inside: literal text, every escape Tor knows (with any byte), and
// the malformed ones, so generated values are read, refused as bad escapes, as NUL and as bytes
// that are not UTF-8.
const byte = fc.integer({ min: 0, max: 255 });
const insidePiece: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('a', ' ', '#', "'", '\u00e9', '\u4e2d', '\ud83e\udd45', '\u0007', '/', ':'),
  fc.constantFrom('\\n', '\\r', '\\t', '\\"', '\\\\', "\\'"),
  byte.map((b) => `\\x${b.toString(16).padStart(2, '0')}`),
  byte.map((b) => `\\X${b.toString(16).toUpperCase().padStart(2, '0')}`),
  byte.map((b) => `\\${b.toString(8)}`),
  fc.constantFrom('\\xc3', '\\xa9', '\\xe4', '\\xb8', '\\xad', '\\xff', '\\0', '\\1'),
  fc.constantFrom('\\q', '\\?', '\\x4', '\\400', '\\'),
);
const inside = fc.array(insidePiece, { maxLength: 8 }).map((p) => p.join(''));

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
    assert.match(unquoteLeft('"\\000"'), /NUL byte/);
    assert.deepEqual(unquoteCString('"\\000"'), readQuotedValue('"\\000"', 0));
    assert.deepEqual(unquoteCString('no quote'), left('Quoted string expected'));
  });
});

describe('one reading of quoted values (unquoteCString and the torrc reader)', () => {
  it('unquoteCString is readQuotedValue, for any inside, raw line breaks included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(insidePiece, fc.constant('\n')), { maxLength: 8 }),
        fc.constantFrom('', ' # after', ' rest', '"'),
        (pieces, after) => {
          const text = `"${pieces.join('')}"${after}`;
          const reader = readQuotedValue(text, 0);
          const schema = unquoteCString(text);
          if (isLeft(reader)) assert.deepEqual(schema, reader);
          else {
            assert.deepEqual(
              schema,
              right({ value: reader.right.value, rest: text.slice(reader.right.end) }),
            );
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads what follows an early closing quote as a comment when it is one, as Tor does', () => {
    // ContactInfo "\\"#"  : the escaped backslash, the closing quote, then a comment.
    assert.deepEqual(
      parseTorrc(`${String.raw`ContactInfo "\\"#"`}\n`),
      right([{ key: 'ContactInfo', value: '\\', op: 'set', file: '<torrc>', line: 1 }]),
    );
  });

  it('a torrc value and a HiddenServicePort unix:"..." path read the same quoted text alike', () => {
    fc.assert(
      fc.property(inside, (body) => {
        const quoted = `"${body}"`;
        const reading = readQuotedValue(quoted, 0);
        const line = parseTorrc(`ContactInfo ${quoted}\n`);
        const port = parseHiddenServicePort(`80 unix:${quoted}`);
        if (isLeft(reading)) {
          // Refused as a quoted string: both say so, in the same words.
          assert.ok(isLeft(line) && isLeft(port), quoted);
          assert.equal(line.left.message, reading.left);
          assert.ok(port.left.endsWith(`: ${reading.left}`), port.left);
        } else if (reading.right.end < quoted.length) {
          const rest = quoted.slice(reading.right.end);
          if (/^[ \t]*#/.test(rest)) {
            // What follows the early quote is a comment, as Tor reads a line: the line keeps the
            // quoted part. (A port's text is not a line; its reading of '#' is not compared.)
            assert.deepEqual(
              line,
              right([
                {
                  key: 'ContactInfo',
                  value: reading.right.value,
                  op: 'set',
                  file: '<torrc>',
                  line: 1,
                },
              ]),
            );
          } else {
            // A quote inside ended the string early: both refuse what follows, each in its words.
            assert.ok(isLeft(line) && isLeft(port), quoted);
          }
        } else {
          const value = reading.right.value;
          assert.deepEqual(
            line,
            right([{ key: 'ContactInfo', value, op: 'set', file: '<torrc>', line: 1 }]),
          );
          assert.deepEqual(
            port,
            value === ''
              ? left('Empty unix socket path in hidden service port configuration')
              : right({ VirtualPort: 80, TargetAddr: `unix:${value}` }),
            quoted,
          );
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses "\\xff" in both places, as the reader always did (Tor would keep the raw byte)', () => {
    const reader = parseTorrc('ContactInfo "\\xff"\n');
    assert.ok(isLeft(reader));
    assert.match(reader.left.message, /do not form valid UTF-8/);
    assert.match(unquoteLeft('"\\xff"'), /do not form valid UTF-8/);
    const port = parseHiddenServicePort('80 unix:"/run/x\\xff.sock"');
    assert.ok(isLeft(port));
    assert.match(port.left, /do not form valid UTF-8/);
    // What decodes as UTF-8 is read the same in both places.
    assert.ok(isRight(parseHiddenServicePort('80 unix:"/run/\\xc3\\xa9.sock"')));
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
