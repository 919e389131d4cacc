import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Either, isLeft, isRight } from 'fp-ts/lib/Either.js';
import { readQuotedValue } from '../../lib/tor/quoted-value.js';
import {
  parseTorrc,
  parseTorrcEntries,
  readTorrcEntries,
  type TorrcEntry,
  type TorrcError,
} from '../../lib/tor/torrc.js';
import { cQuote } from './c-quote.js';

function entries(text: string): ReadonlyArray<TorrcEntry> {
  const r = parseTorrc(text);
  if (isLeft(r)) assert.fail(`expected entries, got ${JSON.stringify(r.left)}`);
  return r.right;
}

/** [key, value] pairs, the shape most rules are about. */
function pairs(text: string): Array<[string, string]> {
  return entries(text).map((e) => [e.key, e.value]);
}

function error(text: string): TorrcError {
  const r = parseTorrc(text);
  if (isRight(r)) assert.fail(`expected an error, got ${JSON.stringify(r.right)}`);
  return r.left;
}

const onlyValue = (text: string): string => {
  const all = entries(text);
  assert.equal(all.length, 1, `one entry expected from ${JSON.stringify(text)}`);
  return (all[0] as TorrcEntry).value;
};

describe('parseTorrc', () => {
  describe("TORRC.md's numbered cases (syntax layer)", () => {
    it('1: key as written, value without the trailing comment', () => {
      assert.deepEqual(entries('socksPORT   9150   # trailing comment\n'), [
        { key: 'socksPORT', value: '9150', op: 'set', file: '<torrc>', line: 1 },
      ]);
    });

    it('2: interval words reach the schema untouched', () => {
      assert.deepEqual(
        pairs(
          'MaxCircuitDirtiness 15 MINUTES\nNewCircuitPeriod 1.5 hours\nCircuitBuildTimeout 1 minute\n',
        ),
        [
          ['MaxCircuitDirtiness', '15 MINUTES'],
          ['NewCircuitPeriod', '1.5 hours'],
          ['CircuitBuildTimeout', '1 minute'],
        ],
      );
    });

    it('3 and 4: values Tor rejects are still read (rejecting them is the schema’s job)', () => {
      assert.deepEqual(pairs('MaxCircuitDirtiness 10 min\nUseEntryGuards true\n'), [
        ['MaxCircuitDirtiness', '10 min'],
        ['UseEntryGuards', 'true'],
      ]);
    });

    it('5: continuation with comment lines in the middle (spacing as real Tor prints it)', () => {
      const text =
        'ContactInfo This entry      \\\n# has comments\n and some       \\\n are # generally\n silly\n';
      assert.equal(onlyValue(text), 'This entry       and some        are  silly');
    });

    it('6: quoted value with escapes and a trailing comment', () => {
      assert.equal(
        onlyValue('ContactInfo "tab\\there \\"q\\" #x \\x41\\101"   # comment\n'),
        'tab\there "q" #x AA',
      );
    });

    it('7: data after a closing quote is an error', () => {
      assert.deepEqual(error('ContactInfo "abc" def\n'), {
        file: '<torrc>',
        line: 1,
        message: 'Excess data after quoted string',
      });
    });

    it('8: repeated keys are all returned in order (last-wins is the schema’s job)', () => {
      assert.deepEqual(
        entries('NumEntryGuards 2\nnumentryguards 3\n').map((e) => [e.key, e.value, e.line]),
        [
          ['NumEntryGuards', '2', 1],
          ['numentryguards', '3', 2],
        ],
      );
    });
  });

  describe('lines', () => {
    it('deletes CR bytes anywhere, so CRLF files read like LF files', () => {
      assert.deepEqual(pairs('ContactInfo a b\r\nNickname abc\r\n'), [
        ['ContactInfo', 'a b'],
        ['Nickname', 'abc'],
      ]);
      assert.equal(onlyValue('ContactInfo a\rb\n'), 'ab');
      // A lone CR is not a line break: the next "line" joins this one, as in Tor.
      assert.deepEqual(pairs('ContactInfo x\rNickname abc\n'), [['ContactInfo', 'xNickname abc']]);
    });

    it('skips leading whitespace (\\t \\v \\f too) and blank lines', () => {
      assert.deepEqual(
        entries('\n\n   \t\f\vContactInfo x\n').map((e) => [e.key, e.value, e.line]),
        [['ContactInfo', 'x', 3]],
      );
    });

    it('skips comment lines, indented or not', () => {
      assert.deepEqual(pairs('# a comment\n   # indented\nNickname abc\n#last'), [
        ['Nickname', 'abc'],
      ]);
    });

    it('reads text without a final newline, and empty text', () => {
      assert.deepEqual(pairs('Nickname abc'), [['Nickname', 'abc']]);
      assert.deepEqual(pairs(''), []);
      assert.deepEqual(pairs('\n \n# only comments'), []);
    });
  });

  describe('keys', () => {
    it('runs to whitespace: `SocksPort=9050` is one key with an empty value', () => {
      assert.deepEqual(pairs('SocksPort=9050\n'), [['SocksPort=9050', '']]);
    });

    it('stops at `#`: `Key#x` is Key with an empty value', () => {
      assert.deepEqual(pairs('ContactInfo#x\nNickname abc\n'), [
        ['ContactInfo', ''],
        ['Nickname', 'abc'],
      ]);
    });

    it('stops at backslash-newline, and the value continues on the next line', () => {
      assert.deepEqual(pairs('ContactInfo\\\nvalue\n'), [['ContactInfo', 'value']]);
    });

    it("can be empty: a line starting with backslash-newline (Tor: Unknown option '')", () => {
      assert.deepEqual(pairs('\\\nContactInfo x\n'), [['', 'ContactInfo x']]);
    });

    it('keeps a backslash that is not before a newline', () => {
      assert.deepEqual(pairs('Con\\tact x\n'), [['Con\\tact', 'x']]);
    });

    it('is returned as written, never canonicalised; __proto__ is just a key', () => {
      assert.deepEqual(pairs('socksPORT 1\n__proto__ x\nconstructor y\n'), [
        ['socksPORT', '1'],
        ['__proto__', 'x'],
        ['constructor', 'y'],
      ]);
      assert.equal(({} as Record<string, unknown>).x, undefined);
    });
  });

  describe('between key and value', () => {
    it('skips only spaces and tabs: a \\v after the key starts the value', () => {
      assert.equal(onlyValue('ContactInfo\vx\n'), '\vx');
      assert.equal(onlyValue('ContactInfo \t \vx\n'), '\vx');
    });

    it('gives an empty value for a bare key', () => {
      assert.deepEqual(entries('ContactInfo\n'), [
        { key: 'ContactInfo', value: '', op: 'set', file: '<torrc>', line: 1 },
      ]);
      assert.deepEqual(pairs('ContactInfo   \t  \n'), [['ContactInfo', '']]);
    });
  });

  describe('plain values', () => {
    it('`#` anywhere starts a comment, no space needed', () => {
      assert.equal(onlyValue('ContactInfo foo#bar\n'), 'foo');
      assert.equal(onlyValue('ContactInfo foo # bar\n'), 'foo');
    });

    it('trims trailing whitespace (\\v and \\f included), keeps inner whitespace', () => {
      assert.equal(onlyValue('ContactInfo  a  \t b \t \v\f\n'), 'a  \t b');
    });

    it('keeps a backslash literally unless it is right before the newline', () => {
      assert.equal(onlyValue('ContactInfo a\\b\\ c\\n\n'), 'a\\b\\ c\\n');
      // Two backslashes: the second one still continues the line.
      assert.equal(onlyValue('ContactInfo x \\\\\nNickname abc\n'), 'x \\Nickname abc');
    });
  });

  describe('continuation', () => {
    it('removes backslash-newline and keeps the leading whitespace of continued lines', () => {
      assert.equal(onlyValue('ContactInfo a \\\n  b\\\nc\n'), 'a   bc');
    });

    it('drops a comment line in the middle and goes on without a backslash', () => {
      assert.equal(onlyValue('ContactInfo a \\\n# c\n b\n'), 'a  b');
    });

    it('lets a `#` in a continued line swallow the rest of the line AND the next line break', () => {
      assert.deepEqual(pairs('ContactInfo a \\\n b   # c\nNickname xyz\n'), [
        ['ContactInfo', 'a  b   Nickname xyz'],
      ]);
    });

    it('keeps trailing whitespace before a final comment (trimming happens before removal)', () => {
      assert.equal(onlyValue('ContactInfo a \\\n b   # c'), 'a  b   ');
      assert.equal(onlyValue('ContactInfo a \\\n# c\n'), 'a ');
    });

    it('is ended by a blank line, leaving the trimmed backslash in the value', () => {
      assert.deepEqual(pairs('ContactInfo a \\\n\nNickname x\n'), [
        ['ContactInfo', 'a \\'],
        ['Nickname', 'x'],
      ]);
      assert.deepEqual(
        entries('ContactInfo a \\\n   \t\nNickname x\n').map((e) => [e.key, e.value, e.line]),
        [
          ['ContactInfo', 'a \\', 1],
          ['Nickname', 'x', 3],
        ],
      );
    });

    it('does not start after a `#`: a comment before the first backslash-newline ends the line', () => {
      assert.deepEqual(pairs('ContactInfo a # x \\\nNickname abc\n'), [
        ['ContactInfo', 'a'],
        ['Nickname', 'abc'],
      ]);
    });

    it('keeps a lone backslash at the end of the text, with or without a final newline', () => {
      assert.equal(onlyValue('ContactInfo a \\'), 'a \\');
      assert.equal(onlyValue('ContactInfo a \\\n'), 'a \\');
      assert.deepEqual(pairs('\\'), [['\\', '']]);
    });

    it('gives the next entry the line its key is on', () => {
      assert.deepEqual(
        entries('A 1 \\\n 2 \\\n 3\nB x\n\n# c\nC \\\n# d\n y\nD z\n').map((e) => [e.key, e.line]),
        [
          ['A', 1],
          ['B', 4],
          ['C', 7],
          ['D', 10],
        ],
      );
    });
  });

  describe('quoted values', () => {
    it('decodes every C escape Tor accepts', () => {
      assert.equal(onlyValue('ContactInfo "\\n\\r\\t\\\\\\"\\\'"\n'), '\n\r\t\\"\'');
      assert.equal(onlyValue('ContactInfo "\\x41\\X4a\\x4A"\n'), 'AJJ');
      assert.equal(onlyValue('ContactInfo "\\1011\\60\\7x"\n'), 'A10\x07x');
      assert.equal(onlyValue('ContactInfo "\\303\\251"\n'), 'é');
    });

    it('is empty for ""', () => {
      assert.deepEqual(entries('ContactInfo ""\n'), [
        { key: 'ContactInfo', value: '', op: 'set', file: '<torrc>', line: 1 },
      ]);
    });

    it('decodes escaped bytes as UTF-8', () => {
      assert.equal(onlyValue('ContactInfo "\\xc3\\xa9 caf\\303\\251 é"\n'), 'é café é');
    });

    it('keeps `#` and spaces inside the quotes', () => {
      assert.equal(onlyValue('ContactInfo "  a # b  "\n'), '  a # b  ');
    });

    it('allows spaces, tabs and a comment after the closing quote', () => {
      assert.deepEqual(pairs('ContactInfo "a" \t # c\nNickname abc\n'), [
        ['ContactInfo', 'a'],
        ['Nickname', 'abc'],
      ]);
      assert.equal(onlyValue('ContactInfo "abc"#x\n'), 'abc');
      assert.equal(onlyValue('ContactInfo "abc"'), 'abc');
    });

    for (const [title, text] of [
      ['\\? (decoded by Tor’s second loop but refused by its first)', 'ContactInfo "\\?"\n'],
      ['an unknown escape', 'ContactInfo "\\q"\n'],
      ['\\x with one hex digit', 'ContactInfo "\\x4"\n'],
      ['\\x with no hex digit', 'ContactInfo "\\xg0"\n'],
      ['an octal escape above 255', 'ContactInfo "\\400"\n'],
      ['a missing closing quote', 'ContactInfo "abc\n'],
      ['a missing closing quote at the end of the text', 'ContactInfo "abc'],
      ['a backslash at the end of the text', 'ContactInfo "abc\\'],
      ['a newline inside the quotes', 'ContactInfo "a\nb"\n'],
      ['backslash-newline inside the quotes (no continuation)', 'ContactInfo "a\\\nb"\n'],
    ] as const) {
      it(`refuses ${title} with Tor's message`, () => {
        assert.deepEqual(error(text), {
          file: '<torrc>',
          line: 1,
          message: 'Invalid escape sequence in quoted string',
        });
      });
    }

    it('refuses data after the closing quote, a backslash included (no continuation)', () => {
      assert.equal(error('ContactInfo "a"b\n').message, 'Excess data after quoted string');
      assert.equal(error('ContactInfo "a"\\\nb\n').message, 'Excess data after quoted string');
      assert.equal(error('ContactInfo "a" "b"\n').message, 'Excess data after quoted string');
    });

    it('refuses an escape yielding NUL (Tor would cut the value there): a deliberate difference', () => {
      for (const text of [
        'ContactInfo "\\0"\n',
        'ContactInfo "a\\x00b"\n',
        'ContactInfo "\\000"\n',
      ]) {
        assert.match(error(text).message, /NUL byte.*hotrc refuses it/);
      }
    });

    it('refuses escaped bytes that are not UTF-8 (Tor would keep raw bytes): a deliberate difference', () => {
      assert.match(error('ContactInfo "\\xff"\n').message, /not form valid UTF-8/);
      assert.match(error('ContactInfo "\\xc3"\n').message, /not form valid UTF-8/);
      assert.match(error('ContactInfo "\\xc3é"\n').message, /not form valid UTF-8/);
    });

    it('reports an error on the line where it is', () => {
      assert.deepEqual(error('Nickname abc\n\n# c\nContactInfo "\\q"\n'), {
        file: '<torrc>',
        line: 4,
        message: 'Invalid escape sequence in quoted string',
      });
    });
  });

  describe('prefixes', () => {
    it('+Key appends, /Key clears with an empty value whatever follows it', () => {
      assert.deepEqual(
        entries('+ReachableAddresses accept *:80\n/ReachableAddresses reject *:*\n').map((e) => [
          e.op,
          e.key,
          e.value,
        ]),
        [
          ['append', 'ReachableAddresses', 'accept *:80'],
          ['clear', 'ReachableAddresses', ''],
        ],
      );
    });

    it('strips one prefix character only', () => {
      assert.deepEqual(
        entries('++Key v\n+/Key w\n').map((e) => [e.op, e.key]),
        [
          ['append', '+Key'],
          ['append', '/Key'],
        ],
      );
    });

    it('parses the value of /Key anyway (Tor does): a bad quote there is still an error', () => {
      assert.equal(
        error('/ContactInfo "\\q"\n').message,
        'Invalid escape sequence in quoted string',
      );
    });

    it('gives an empty key for a lone prefix', () => {
      assert.deepEqual(
        entries('+ x\n/\n').map((e) => [e.op, e.key, e.value]),
        [
          ['append', '', 'x'],
          ['clear', '', ''],
        ],
      );
    });
  });

  describe('%include', () => {
    it('is a Left explaining that %include needs readTorrc, on its line', () => {
      const err = error('Nickname abc\n%include /etc/tor/torrc.d\n');
      assert.equal(err.line, 2);
      assert.match(err.message, /%include "\/etc\/tor\/torrc\.d" needs readTorrc/);
    });

    it('is recognised after a + prefix, and only in lower case', () => {
      assert.equal(error('+%include /x\n').line, 1);
      assert.deepEqual(pairs('%Include /x\n%INCLUDE /y\n'), [
        ['%Include', '/x'],
        ['%INCLUDE', '/y'],
      ]);
    });

    it('is kept as an entry by parseTorrcEntries, quoted path decoded', () => {
      const r = parseTorrcEntries('%include "/etc/tor/a b.conf"\n', { file: '/etc/tor/torrc' });
      assert.deepEqual(r, {
        _tag: 'Right',
        right: [
          {
            key: '%include',
            value: '/etc/tor/a b.conf',
            op: 'set',
            file: '/etc/tor/torrc',
            line: 1,
          },
        ],
      });
    });
  });

  describe('files and hostile input', () => {
    it('names the file given in options in entries and errors', () => {
      const r = parseTorrc('Nickname abc\n', { file: '/etc/tor/torrc' });
      assert.equal(isRight(r) && r.right[0]?.file, '/etc/tor/torrc');
      const e = parseTorrc('ContactInfo "', { file: '/etc/tor/torrc' });
      assert.equal(isLeft(e) && e.left.file, '/etc/tor/torrc');
    });

    it('refuses a NUL character with its line, like decodeTorrcBytes', () => {
      assert.deepEqual(error('Nickname abc\nContactInfo a\u0000b\n'), {
        file: '<torrc>',
        line: 2,
        message: 'NUL byte: Tor would stop reading the file here; hotrc refuses it',
      });
    });

    it('reads a 10 MB line', () => {
      const big = 'x'.repeat(10_000_000);
      assert.equal(onlyValue(`ContactInfo ${big}\n`).length, 10_000_000);
      assert.equal(onlyValue(`ContactInfo "${big}"\n`).length, 10_000_000);
      assert.equal(onlyValue(`ContactInfo a\\\n${big}#${big}\n`).length, 10_000_001);
    });

    it('refuses a 10 MB unterminated quote and a 10 MB key-only line without hanging', () => {
      assert.equal(
        error(`ContactInfo "${'y'.repeat(10_000_000)}`).message,
        'Invalid escape sequence in quoted string',
      );
      assert.deepEqual(
        pairs('k'.repeat(10_000_000)).map(([k, v]) => [k.length, v]),
        [[10_000_000, '']],
      );
    });

    // The scans below run natively a character class at a time; these inputs make every run one
    // character long, or one run the whole text, so a scan that is not linear would not finish.
    const MiB = 1024 * 1024;

    it('reads 1 MiB of backslashes as a key, a value or a continued value', () => {
      assert.deepEqual(
        pairs('\\'.repeat(MiB)).map(([k, v]) => [k.length, v]),
        [[MiB, '']],
      );
      assert.equal(onlyValue(`K ${'\\'.repeat(MiB)}`).length, MiB);
      // The last backslash before the newline continues the value onto the next line.
      assert.deepEqual(
        pairs(`K ${'\\'.repeat(MiB)}\nNickname x\n`).map(([k, v]) => [k, v.length]),
        [['K', MiB - 1 + 'Nickname x'.length]],
      );
      assert.equal(onlyValue(`K a\\\n${'\\'.repeat(MiB)}\n`), `a${'\\'.repeat(MiB)}`);
      assert.equal(onlyValue(`K ${'\\\n'.repeat(MiB)}x\n`), 'x');
      assert.deepEqual(
        pairs(`${'a\\b'.repeat(MiB / 4)} v\n`).map(([k, v]) => [k.length, v]),
        [[(3 * MiB) / 4, 'v']],
      );
    });

    it('reads 1 MiB of quotes and of escaped quotes', () => {
      assert.equal(error(`K ${'"'.repeat(MiB)}\n`).message, 'Excess data after quoted string');
      assert.equal(onlyValue(`K "${'\\"'.repeat(MiB / 2)}"\n`), '"'.repeat(MiB / 2));
      const lines = entries('"\n'.repeat(MiB / 2));
      assert.equal(lines.length, MiB / 2);
      assert.deepEqual(lines[MiB / 2 - 1], {
        key: '"',
        value: '',
        op: 'set',
        file: '<torrc>',
        line: MiB / 2,
      });
    });

    it('reads 10 MB of whitespace, comments and blanks around a value', () => {
      assert.deepEqual(pairs('\n'.repeat(10_000_000)), []);
      assert.deepEqual(pairs(' \t\v\f\n'.repeat(2_000_000)), []);
      assert.deepEqual(pairs('#'.repeat(10_000_000)), []);
      assert.deepEqual(pairs('#\n'.repeat(MiB)), []);
      assert.equal(onlyValue(`K${' '.repeat(10_000_000)}v\n`), 'v');
      assert.equal(onlyValue(`K v${' \t'.repeat(MiB)}\n`), 'v');
      assert.equal(
        error(`K "a"${'\t'.repeat(10_000_000)}x`).message,
        'Excess data after quoted string',
      );
      assert.equal(onlyValue(`K a \\\n${'#\n'.repeat(MiB)}b\n`), 'a b');
    });

    it('reads 1 MiB of `Key#` and of `+` as single keys', () => {
      assert.deepEqual(pairs('K#'.repeat(MiB)), [['K', '']]);
      assert.deepEqual(
        entries('+'.repeat(MiB)).map((e) => [e.op, e.key.length]),
        [['append', MiB - 1]],
      );
    });

    it('reads 200 000 lines with the right line numbers', () => {
      const text = Array.from({ length: 200_000 }, (_, i) => `K${i} ${i}`).join('\n');
      const all = entries(text);
      assert.equal(all.length, 200_000);
      assert.deepEqual(all[199_999], {
        key: 'K199999',
        value: '199999',
        op: 'set',
        file: '<torrc>',
        line: 200_000,
      });
    });

    it('throws a TypeError for a non-string file option (a programmer error)', () => {
      assert.throws(() => parseTorrc('', { file: 3 as unknown as string }), TypeError);
    });
  });
});

describe('parseTorrc properties', () => {
  const torrcish = fc.string({
    unit: fc.constantFrom(
      ...['#', '\\', '"', '\n', '\r', ' ', '\t', '+', '/', '%', 'a', 'K', 'x', '0', '7', 'é', '\v'],
    ),
    maxLength: 80,
  });
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), torrcish);

  function checkShape(text: string, r: Either<TorrcError, ReadonlyArray<TorrcEntry>>): void {
    const lines = text.split('\n').length;
    if (isLeft(r)) {
      assert.equal(typeof r.left.message, 'string');
      assert.ok(r.left.message.length > 0);
      assert.ok(r.left.line >= 1 && r.left.line <= lines, `error line ${r.left.line} of ${lines}`);
      return;
    }
    let previous = 0;
    for (const e of r.right) {
      assert.ok(e.line >= previous && e.line <= lines, `entry line ${e.line} of ${lines}`);
      previous = e.line;
      assert.doesNotMatch(e.key, /[ \t\n\v\f\r#]/);
      assert.doesNotMatch(e.value, /[\r\0]/);
      if (e.op === 'clear') assert.equal(e.value, '');
    }
  }

  it('never throws; errors and entries are well formed; lines only go forward', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        checkShape(text, parseTorrc(text));
        checkShape(text, parseTorrcEntries(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('readTorrcEntries reads the entries parseTorrcEntries does, noting the first %include among them', () => {
    const withIncludes = fc.oneof(
      anyText,
      fc
        .array(fc.oneof(torrcish, fc.constantFrom('%include a\n', '+%include b\n', '%INCLUDE c\n')))
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(withIncludes, (text) => {
        const read = readTorrcEntries(text, { file: 'torrc' });
        const parsed = parseTorrcEntries(text, { file: 'torrc' });
        if (isLeft(parsed)) return assert.deepEqual(read, parsed);
        assert.ok(isRight(read));
        assert.deepEqual(read.right.entries, parsed.right);
        const first = parsed.right.find((e) => e.key === '%include');
        assert.equal(
          read.right.include,
          first === undefined ? undefined : read.right.entries[parsed.right.indexOf(first)],
        );
      }),
      { numRuns: 3000 },
    );
    const r = readTorrcEntries('A 1\n%include x\n+%include y\n');
    assert.ok(isRight(r));
    assert.deepEqual(r.right.include, {
      key: '%include',
      value: 'x',
      op: 'set',
      file: '<torrc>',
      line: 2,
    });
  });

  it('never pollutes Object.prototype, whatever the keys', () => {
    const key = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 5 }))), (lines) => {
        const text = lines.map(([k, v]) => `${k} ${v.replace(/[\r\n\\#"\0]/g, '')}`).join('\n');
        checkShape(text, parseTorrc(text));
        assert.equal(Object.getPrototypeOf({}), Object.prototype);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(typeof Object.prototype.toString, 'function');
      }),
    );
  });

  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/);
  const value = fc.string({ unit: 'binary', maxLength: 60 }).filter((v) => !v.includes('\0'));

  it('round-trips any value written as Key "escaped value"', () => {
    fc.assert(
      fc.property(key, value, fc.constantFrom('', ' ', '\t', '   # note'), (k, v, tail) => {
        const r = parseTorrc(`${k} ${cQuote(v)}${tail}\n`);
        assert.deepEqual(r, {
          _tag: 'Right',
          right: [{ key: k, value: v, op: 'set', file: '<torrc>', line: 1 }],
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips many lines, each on its own line number', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 20 }), (lines) => {
        const text = lines.map(([k, v]) => `${k} ${cQuote(v)}`).join('\n');
        assert.deepEqual(
          entries(text).map((e) => [e.key, e.value, e.line]),
          lines.map(([k, v], i) => [k, v, i + 1]),
        );
      }),
    );
  });

  it('reads a plain value that needs no quoting as itself', () => {
    const plain = fc
      .string({
        unit: fc.constantFrom('a', 'b', ' ', '\t', '.', '/', '*', ':', '"', "'", 'é'),
        maxLength: 40,
      })
      .map((v) => v.trim())
      .filter((v) => !v.startsWith('"'));
    fc.assert(
      fc.property(key, plain, (k, v) => {
        assert.equal(onlyValue(`${k} ${v}\n`), v);
      }),
    );
  });
});

describe('readQuotedValue', () => {
  it('returns the index just past the closing quote', () => {
    assert.deepEqual(readQuotedValue('x "ab" y', 2), {
      _tag: 'Right',
      right: { value: 'ab', end: 6 },
    });
  });

  it('throws a RangeError when called without a quote at start (a programmer error)', () => {
    assert.throws(() => readQuotedValue('abc', 0), RangeError);
  });
});
