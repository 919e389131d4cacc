import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { decodeTorrcBytes } from '../../lib/tor/torrc-bytes.js';

const FILE = '/etc/tor/torrc';
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

describe('decodeTorrcBytes', () => {
  it('decodes ASCII and multi-byte UTF-8 text as is', () => {
    const text = 'Nickname abc\nContactInfo café 中文 🧅\n';
    assert.deepEqual(decodeTorrcBytes(Buffer.from(text, 'utf8'), FILE), {
      _tag: 'Right',
      right: text,
    });
  });

  it('decodes empty input to empty text', () => {
    assert.deepEqual(decodeTorrcBytes(new Uint8Array(0), FILE), { _tag: 'Right', right: '' });
  });

  it('leaves CR bytes for parseTorrc to delete', () => {
    assert.deepEqual(decodeTorrcBytes(bytes('A b\r\n'), FILE), { _tag: 'Right', right: 'A b\r\n' });
  });

  it('refuses a NUL byte with its line, saying Tor would stop reading there', () => {
    assert.deepEqual(decodeTorrcBytes(bytes('Nickname abc\n\nContactInfo a', [0], 'b\n'), FILE), {
      _tag: 'Left',
      left: {
        file: FILE,
        line: 3,
        message: 'NUL byte: Tor would stop reading the file here; hotrc refuses it',
      },
    });
    const first = decodeTorrcBytes(Uint8Array.of(0), FILE);
    assert.equal(isLeft(first) && first.left.line, 1);
  });

  it('refuses a UTF-8 BOM at the start, saying Tor would read it as part of the first key', () => {
    const r = decodeTorrcBytes(bytes([0xef, 0xbb, 0xbf], 'ContactInfo x\n'), FILE);
    assert.ok(isLeft(r));
    assert.equal(r.left.line, 1);
    assert.equal(r.left.file, FILE);
    assert.match(r.left.message, /byte order mark.*part of the first key/);
  });

  it('accepts U+FEFF after the start (it is only a BOM at the start)', () => {
    assert.deepEqual(decodeTorrcBytes(bytes('ContactInfo a\uFEFFb\n'), FILE), {
      _tag: 'Right',
      right: 'ContactInfo a\uFEFFb\n',
    });
  });

  for (const [title, bad] of [
    ['a lone continuation byte', [0x80]],
    ['an invalid lead byte', [0xff]],
    ['0xF5 (beyond U+10FFFF)', [0xf5, 0x80, 0x80, 0x80]],
    ['an overlong two-byte form', [0xc0, 0x80]],
    ['an overlong three-byte form', [0xe0, 0x80, 0x80]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence before a newline', [0xe2, 0x82, 0x0a]],
  ] as const) {
    it(`refuses invalid UTF-8 (${title}) with its line`, () => {
      const r = decodeTorrcBytes(
        bytes('Nickname abc\n# ok é\nContactInfo ', [...bad], 'x\n'),
        FILE,
      );
      assert.ok(isLeft(r), 'expected a Left');
      assert.equal(r.left.file, FILE);
      assert.equal(r.left.line, 3);
      assert.match(
        r.left.message,
        /^invalid UTF-8 \(byte 0x[0-9a-f]{2}\): Tor would read the raw bytes/,
      );
    });
  }

  it('refuses a sequence cut off at the end of the file, on the last line', () => {
    const r = decodeTorrcBytes(bytes('A b\nC ', [0xf0, 0x9f, 0xa7]), FILE);
    assert.ok(isLeft(r));
    assert.equal(r.left.line, 2);
  });

  it('names the byte at fault', () => {
    const r = decodeTorrcBytes(bytes('# \n', [0xc3, 0x28]), FILE);
    assert.ok(isLeft(r));
    assert.match(r.left.message, /byte 0xc3/);
    assert.equal(r.left.line, 2);
  });

  it('decodes every string without NUL or a leading BOM back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (text) => {
        fc.pre(!text.includes('\0') && !text.startsWith('\uFEFF'));
        assert.deepEqual(decodeTorrcBytes(Buffer.from(text, 'utf8'), FILE), {
          _tag: 'Right',
          right: text,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes, and agrees with a fatal TextDecoder on what is valid', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const r = decodeTorrcBytes(raw, FILE);
        let valid = true;
        try {
          decoder.decode(raw);
        } catch {
          valid = false;
        }
        const clean =
          valid && !raw.includes(0) && !(raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf);
        assert.equal(isRight(r), clean);
        if (isLeft(r)) {
          const lines = raw.filter((b) => b === 0x0a).length + 1;
          assert.ok(r.left.line >= 1 && r.left.line <= lines);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('reads pure ASCII and any UTF-8 text to the same string a UTF-8 decoder gives', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' })),
        (text) => {
          const clean = text.replaceAll('\0', '').replace(/^\ufeff/, '');
          const r = decodeTorrcBytes(Buffer.from(clean, 'utf8'), FILE);
          assert.deepEqual(r, {
            _tag: 'Right',
            right: Buffer.from(clean, 'utf8').toString('utf8'),
          });
        },
      ),
    );
  });

  it('finds a NUL anywhere in a large ASCII file, at its line', () => {
    const text = `${'Nickname abc\n'.repeat(100_000)}ContactInfo a`;
    const r = decodeTorrcBytes(bytes(text, [0], 'b\n'), FILE);
    assert.ok(isLeft(r));
    assert.equal(r.left.line, 100_001);
  });
});
