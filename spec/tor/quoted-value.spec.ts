import assert from 'node:assert/strict';
import fc from 'fast-check';
import { invalidEscape, readQuotedValue } from '../../lib/tor/quoted-value.js';

const notUtf8 = /do not form valid UTF-8/;
const hex = (byte: number): string => `\\x${byte.toString(16).padStart(2, '0')}`;
const octal = (byte: number): string => `\\${byte.toString(8)}`;

/** The value, or the refusal message, of a whole quoted string. */
function read(quoted: string): string {
  const r = readQuotedValue(quoted, 0);
  if (r._tag === 'Left') return `error: ${r.left}`;
  assert.equal(r.right.end, quoted.length, 'end is just past the closing quote');
  return r.right.value;
}

// What the value must be, computed independently of the parser: the bytes of the escapes and of
// the literal text (as UTF-8) go through one fatal TextDecoder. Without escaped bytes >= 0x80 the
// text is kept as is.
type Piece = { readonly escaped: number } | { readonly literal: string };
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function expected(pieces: ReadonlyArray<Piece>): string {
  if (!pieces.some((p) => 'escaped' in p && p.escaped >= 0x80)) {
    return pieces
      .map((p) => ('escaped' in p ? String.fromCharCode(p.escaped) : p.literal))
      .join('');
  }
  // Literal pieces side by side are one text (two halves of a surrogate pair make one character).
  const chunks: Uint8Array[] = [];
  let literal = '';
  for (const p of pieces) {
    if ('literal' in p) {
      literal += p.literal;
      continue;
    }
    chunks.push(Buffer.from(literal, 'utf8'), Uint8Array.of(p.escaped));
    literal = '';
  }
  const bytes = Buffer.concat([...chunks, Buffer.from(literal, 'utf8')]);
  try {
    return fatal.decode(bytes);
  } catch {
    return 'error: not UTF-8';
  }
}

describe('readQuotedValue', () => {
  describe('decoding', () => {
    it('reads a value without escapes as the text between the quotes', () => {
      assert.deepEqual(readQuotedValue('K "a b # c" # d', 2), {
        _tag: 'Right',
        right: { value: 'a b # c', end: 11 },
      });
      assert.deepEqual(readQuotedValue('""', 0), { _tag: 'Right', right: { value: '', end: 2 } });
    });

    it('refuses a newline or the end of the text before the closing quote, escapes or not', () => {
      for (const text of ['"ab\ncd"', '"ab', '"', '"a\\tb\n"', '"a\\tb', '"a\\x41']) {
        assert.deepEqual(readQuotedValue(text, 0), { _tag: 'Left', left: invalidEscape }, text);
      }
    });

    it('decodes escaped bytes across literal text and ASCII escapes as one UTF-8 string', () => {
      assert.equal(read('"caf\\xc3\\xa9 \\303\\251t\\xc3\\xa9"'), 'café ét\u00e9');
      assert.equal(read('"\\xf0\\x9f\\xa7\\x85\\n\\xe4\\xb8\\xad"'), '🧅\n中');
      assert.equal(read('"\\xef\\xbb\\xbfx"'), '\ufeffx');
      // A sequence cut by an ASCII escape or by literal text is not UTF-8.
      assert.match(read('"\\xc3\\n\\xa9"'), notUtf8);
      assert.match(read('"\\xc3a\\xa9"'), notUtf8);
      assert.match(read('"\\xe4\\xb8中"'), notUtf8);
    });

    it('refuses what a fatal UTF-8 decoder refuses: overlong, surrogate, above U+10FFFF', () => {
      for (const bytes of [
        [0xc0, 0x80],
        [0xc1, 0xbf],
        [0xe0, 0x80, 0x80],
        [0xed, 0xa0, 0x80],
        [0xf0, 0x80, 0x80, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xf5, 0x80, 0x80, 0x80],
        [0xff],
        [0x80],
        [0xe4, 0xb8],
      ]) {
        assert.match(read(`"${bytes.map(hex).join('')}"`), notUtf8, JSON.stringify(bytes));
      }
      assert.equal(read('"\\xf4\\x8f\\xbf\\xbf"'), '\u{10ffff}');
      assert.equal(read('"\\xee\\x80\\x80"'), '\ue000');
    });

    it('gives an error found later in the value precedence over escapes that are not UTF-8', () => {
      assert.deepEqual(readQuotedValue('"\\xff\\q"', 0), { _tag: 'Left', left: invalidEscape });
      assert.match(read('"\\xff\\0"'), /NUL byte/);
      assert.deepEqual(readQuotedValue('"\\xff', 0), { _tag: 'Left', left: invalidEscape });
    });
  });

  describe('properties', () => {
    const piece: fc.Arbitrary<Piece> = fc.oneof(
      fc.integer({ min: 1, max: 255 }).map((escaped) => ({ escaped })),
      fc.integer({ min: 0x80, max: 0xff }).map((escaped) => ({ escaped })),
      fc.constantFrom(0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xf0, 0x9f, 0x8f, 0xbf).map((escaped) => ({
        escaped,
      })),
      fc
        .string({ unit: 'binary', maxLength: 3 })
        .map((literal) => ({ literal: literal.replace(/["\\\n\0]/g, '') })),
      fc
        .constantFrom('é', '中', '🧅', '\ufeff', '\ud800', '\udc00')
        .map((literal) => ({ literal })),
    );
    // Each escaped byte written as \xHH or \ooo (with a following digit kept out of the escape).
    const written = fc.array(fc.tuple(piece, fc.boolean()), { maxLength: 16 }).map((parts) => ({
      pieces: parts.map(([p]) => p),
      text: `"${parts
        .map(([p, useOctal], k) => {
          if (!('escaped' in p)) return p.literal;
          const next = parts[k + 1]?.[0];
          const digitNext = next !== undefined && 'literal' in next && /^[0-7]/.test(next.literal);
          return useOctal && !digitNext ? octal(p.escaped) : hex(p.escaped);
        })
        .join('')}"`,
    }));

    it('decodes any mix of escaped bytes and literal text as the bytes it stands for', () => {
      fc.assert(
        fc.property(written, ({ pieces, text }) => {
          const want = expected(pieces);
          const got = read(text);
          if (want === 'error: not UTF-8') assert.match(got, notUtf8);
          else assert.equal(got, want);
        }),
        { numRuns: 5000 },
      );
    });

    it('never throws and always ends inside the text or refuses', () => {
      const unit = fc.constantFrom(
        '"',
        '\\',
        'x',
        'X',
        'c',
        '3',
        '7',
        '0',
        '\n',
        'n',
        'é',
        '\ud800',
      );
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 40 }), (tail) => {
          const text = `"${tail}`;
          const r = readQuotedValue(text, 0);
          if (r._tag === 'Right') {
            assert.ok(r.right.end >= 2 && r.right.end <= text.length);
            assert.equal(text.charCodeAt(r.right.end - 1), 0x22);
          }
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('hostile input', () => {
    const MiB = 1024 * 1024;

    it('reads 1 MiB of escapes, of escaped bytes and of literal runs between escapes', () => {
      assert.equal(read(`"${'\\\\'.repeat(MiB / 2)}"`), '\\'.repeat(MiB / 2));
      assert.equal(read(`"${'\\xc3\\xa9'.repeat(MiB / 8)}"`), 'é'.repeat(MiB / 8));
      assert.equal(read(`"${'a\\tb'.repeat(MiB / 4)}"`), 'a\tb'.repeat(MiB / 4));
      assert.equal(read(`"${'\\101\\1'.repeat(MiB / 6)}"`), 'A\x01'.repeat(MiB / 6));
    });

    it('refuses 1 MiB of bytes that are not UTF-8, and 1 MiB of escapes without a closing quote', () => {
      assert.match(read(`"${'\\xc3'.repeat(MiB / 4)}"`), notUtf8);
      assert.deepEqual(readQuotedValue(`"${'\\t'.repeat(MiB / 2)}`, 0), {
        _tag: 'Left',
        left: invalidEscape,
      });
    });
  });
});
