import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import { decodeUtf8Text } from '../../lib/formats/utf8-text.js';

const FILE = 'app.yaml';
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

describe('decodeUtf8Text', () => {
  it('decodes UTF-8, multi-byte characters included', () => {
    assert.deepEqual(decodeUtf8Text(bytes('a: café 🧅\n'), FILE), {
      _tag: 'Right',
      right: 'a: café 🧅\n',
    });
    assert.deepEqual(decodeUtf8Text(new Uint8Array(0), FILE), { _tag: 'Right', right: '' });
  });

  it('drops a UTF-8 byte order mark at the start only', () => {
    assert.deepEqual(decodeUtf8Text(bytes([0xef, 0xbb, 0xbf], 'a'), FILE), {
      _tag: 'Right',
      right: 'a',
    });
    assert.deepEqual(decodeUtf8Text(bytes('a\ufeff'), FILE), { _tag: 'Right', right: 'a\ufeff' });
  });

  it('refuses UTF-16 and UTF-32 by their byte order marks', () => {
    for (const bom of [
      [0xff, 0xfe],
      [0xfe, 0xff],
      [0x00, 0x00, 0xfe, 0xff],
    ]) {
      const r = decodeUtf8Text(bytes(bom, 'a'), FILE);
      assert.ok(isLeft(r));
      assert.deepEqual(r.left, [
        {
          severity: 'error',
          message:
            'the file is UTF-16 or UTF-32 (it starts with a byte order mark): save it as UTF-8',
          file: FILE,
          line: 1,
          column: 1,
        },
      ]);
    }
  });

  it('refuses invalid UTF-8 at the line and column where the bad sequence starts', () => {
    const cases: Array<[Uint8Array, number, number, string]> = [
      [bytes('ab\ncd', [0xff]), 2, 3, 'ff'],
      [bytes('a\n\n€ x', [0xe2, 0x82], 'y'), 3, 4, 'e2'],
      [bytes('é', [0x80]), 1, 2, '80'],
      [bytes('x', [0xc0, 0xaf]), 1, 2, 'c0'],
      [bytes('x', [0xed, 0xa0, 0x80]), 1, 2, 'ed'],
      [bytes('ok', [0xf0, 0x9f]), 1, 3, 'f0'],
      [bytes([0xef, 0xbb, 0xbf], 'a', [0xfe]), 1, 2, 'fe'],
    ];
    for (const [input, line, column, byte] of cases) {
      const r = decodeUtf8Text(input, FILE);
      assert.ok(isLeft(r), `${byte}`);
      assert.deepEqual(r.left, [
        {
          severity: 'error',
          message: `invalid UTF-8 (byte 0x${byte}): the file must be saved as UTF-8`,
          file: FILE,
          line,
          column,
        },
      ]);
    }
  });

  it('accepts exactly what a fatal TextDecoder accepts (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (input) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(input);
        } catch {
          valid = false;
        }
        assert.equal(!isLeft(decodeUtf8Text(input, FILE)), valid);
      }),
    );
  });
});
