// hotrc's reader against the real tor binary: the same files must be accepted or refused by both,
// and read to the same values. Tor's answer comes from `--verify-config` and `--dump-config short`
// (spec/support/tor.ts); hotrc's from readTorrc plus a tiny set/append/clear fold below.
// Carriers are Tor options that need no other setup: ContactInfo and Nickname (single values),
// SocksPort and ReachableAddresses (line lists: every line adds, `/Key` clears).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { type Either, isLeft, isRight } from 'fp-ts/lib/Either.js';
import { readTorrc, type TorrcDocument } from '../../lib/tor/include.js';
import { readQuotedValue } from '../../lib/tor/quoted-value.js';
import type { TorrcEntry, TorrcError } from '../../lib/tor/torrc.js';
import { type TorVerdict, torBinary, torVerify } from '../support/tor.js';

const carriers: ReadonlySet<string> = new Set([
  'contactinfo',
  'nickname',
  'socksport',
  'reachableaddresses',
]);
const lists: ReadonlySet<string> = new Set(['socksport', 'reachableaddresses']);

type Values = ReadonlyArray<readonly [string, ReadonlyArray<string>]>;

/** Tor's rules for the carriers: single values last-wins, lists accumulate, `/Key` clears, empty is unset. */
function foldEntries(entries: ReadonlyArray<TorrcEntry>): Values {
  const values = new Map<string, string[]>();
  for (const e of entries) {
    const key = e.key.toLowerCase();
    if (e.op === 'clear') values.set(key, []);
    else if (!lists.has(key)) values.set(key, e.value === '' ? [] : [e.value]);
    else if (e.value !== '') values.set(key, [...(values.get(key) ?? []), e.value]);
  }
  return [...values].filter(([, v]) => v.length > 0).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** `--dump-config short` prints values that need it as C strings: unquote them. */
function foldDump(dump: TorVerdict['dump']): Values {
  const values = new Map<string, string[]>();
  for (const [k, raw] of dump) {
    let value = raw;
    if (raw.startsWith('"')) {
      const q = readQuotedValue(raw, 0);
      if (isLeft(q)) assert.fail(`cannot unquote Tor's dump value ${raw}: ${q.left}`);
      value = q.right.value;
    }
    const key = k.toLowerCase();
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return [...values].sort(([a], [b]) => (a < b ? -1 : 1));
}

interface Outcome {
  readonly dir: string;
  readonly tor: TorVerdict;
  readonly ours: Either<TorrcError, TorrcDocument>;
}

type Files = Readonly<Record<string, string | Uint8Array>>;

/** `@D@` in file contents is the temp directory, so %include paths can be absolute. */
async function runBoth(files: Files): Promise<Outcome> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-conf-')));
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = join(dir, name);
      await mkdir(name.endsWith('/') ? path : dirname(path), { recursive: true });
      if (!name.endsWith('/')) {
        await writeFile(
          path,
          typeof content === 'string' ? content.replaceAll('@D@', dir) : content,
        );
      }
    }
    const main = join(dir, 'torrc');
    const [tor, ours] = await Promise.all([torVerify(main), readTorrc(main)]);
    return { dir, tor, ours };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function describeOutcome({ tor, ours }: Outcome): string {
  return `tor: ${tor.valid ? 'valid' : 'invalid'} ${JSON.stringify(tor.messages)} ${JSON.stringify(tor.dump)}\nhotrc: ${JSON.stringify(isLeft(ours) ? ours.left : ours.right.entries)}`;
}

/** Both accept and read the same carrier values, or both refuse (with Tor's message, when given). */
function assertSame(outcome: Outcome, torMessage?: string): void {
  const { tor, ours } = outcome;
  assert.equal(isRight(ours), tor.valid, describeOutcome(outcome));
  if (isRight(ours)) {
    for (const e of ours.right.entries) {
      assert.ok(carriers.has(e.key.toLowerCase()), `unexpected key ${e.key}`);
    }
    assert.deepEqual(foldEntries(ours.right.entries), foldDump(tor.dump), describeOutcome(outcome));
  } else if (torMessage !== undefined) {
    assert.ok(
      tor.messages.some((m) => m.includes(torMessage)),
      `Tor should say ${torMessage}\n${describeOutcome(outcome)}`,
    );
  }
}

/** Tor refuses an unknown option; hotrc reads the key as written and leaves refusing to the schema. */
function assertUnknownKey(outcome: Outcome, key: string): void {
  const { tor, ours } = outcome;
  assert.equal(tor.valid, false, describeOutcome(outcome));
  assert.ok(
    tor.messages.some((m) => m.includes(`Unknown option '${key}'`)),
    describeOutcome(outcome),
  );
  assert.ok(isRight(ours), describeOutcome(outcome));
  assert.ok(
    ours.right.entries.some((e) => e.key === key),
    describeOutcome(outcome),
  );
}

function hotrcError(outcome: Outcome): TorrcError {
  if (isRight(outcome.ours)) assert.fail(`hotrc should refuse\n${describeOutcome(outcome)}`);
  return outcome.ours.left;
}

const parseError = 'Error while parsing configuration: ';

interface Case {
  readonly title: string;
  readonly files: Files;
  /** Tor's message when both must refuse. */
  readonly torMessage?: string;
  /** Instead of "same": a key Tor refuses as unknown that hotrc must read as written. */
  readonly unknownKey?: string;
}

const t = (text: string): Files => ({ torrc: text });

const cases: ReadonlyArray<Case> = [
  // Lines
  { title: 'CRLF line ends', files: t('ContactInfo a b\r\nNickname abc\r\n') },
  { title: 'a CR inside a value is deleted', files: t('ContactInfo a\rb\n') },
  { title: 'a lone CR joins two lines', files: t('ContactInfo x\rNickname abc\n') },
  { title: 'leading whitespace, \\f and \\v included', files: t('   \t\f\vContactInfo x\n') },
  { title: 'comment lines, indented or not', files: t('# c\n   # c2\nNickname abc\n# last') },
  { title: 'no final newline', files: t('Nickname abc') },
  { title: 'empty file', files: t('') },
  // Keys
  { title: 'key case is ignored; last value wins', files: t('contactinfo x\nCONTACTINFO y\n') },
  {
    title: 'TORRC case 1: socksPORT with a trailing comment',
    files: t('socksPORT   9150   # trailing comment\n'),
  },
  {
    title: '`Key=value` is one unknown key',
    files: t('SocksPort=9050\n'),
    unknownKey: 'SocksPort=9050',
  },
  { title: '`Key#x` is Key with an empty value', files: t('ContactInfo#x\nNickname abc\n') },
  { title: 'a key ended by backslash-newline', files: t('ContactInfo\\\nvalue\n') },
  {
    title: 'an empty key from a leading backslash-newline',
    files: t('\\\nContactInfo x\n'),
    unknownKey: '',
  },
  { title: 'an empty key from a lone +', files: t('+ x\n'), unknownKey: '' },
  // Between key and value
  { title: 'only spaces and tabs before the value: \\v starts it', files: t('ContactInfo\vx\n') },
  { title: 'a bare key is an empty value', files: t('Nickname abc\nNickname\n') },
  // Plain values
  { title: '`#` anywhere starts a comment', files: t('ContactInfo foo#bar\n') },
  { title: 'trailing whitespace trimmed, inner kept', files: t('ContactInfo  a  \t b \t \v\f\n') },
  {
    title: 'backslashes are literal except before the newline',
    files: t('ContactInfo a\\b\\ c\\n\n'),
  },
  { title: 'a tab inside a value', files: t('ContactInfo a\tb\n') },
  { title: 'UTF-8 text', files: t('ContactInfo café 中文 🧅\n') },
  // Continuation
  { title: 'continuation keeps leading whitespace', files: t('ContactInfo a \\\n  b\\\nc\n') },
  {
    title: 'TORRC case 5: comment lines inside a continuation',
    files: t(
      'ContactInfo This entry      \\\n# has comments\n and some       \\\n are # generally\n silly\n',
    ),
  },
  {
    title: 'a comment line drops out, no backslash needed',
    files: t('ContactInfo a \\\n# c\n b\n'),
  },
  {
    title: 'a mid-line `#` swallows the line break',
    files: t('ContactInfo a \\\n b   # c\nContactInfo xyz\n'),
  },
  { title: 'a final comment keeps the spaces before it', files: t('ContactInfo a \\\n b   # c') },
  { title: 'a comment line at the end', files: t('ContactInfo a \\\n# c\n') },
  {
    title: 'a blank line ends it, keeping the backslash',
    files: t('ContactInfo a \\\n\nNickname x\n'),
  },
  { title: 'a whitespace-only line ends it', files: t('ContactInfo a \\\n  \t\nNickname x\n') },
  {
    title: '`#` before the first backslash-newline',
    files: t('ContactInfo a # x \\\nNickname abc\n'),
  },
  { title: 'a backslash at the end of the file', files: t('ContactInfo a \\') },
  { title: 'backslash-newline at the end of the file', files: t('ContactInfo a \\\n') },
  {
    title: 'two backslashes before the newline still continue',
    files: t('ContactInfo x \\\\\nNickname abc\n'),
  },
  // Quoted values
  {
    title: 'TORRC case 6: escapes and a comment',
    files: t('ContactInfo "tab\\there \\"q\\" #x \\x41\\101"   # comment\n'),
  },
  { title: 'every simple escape', files: t('ContactInfo "\\n\\r\\t\\\\\\"\\\'"\n') },
  {
    title: '\\x and \\X, octal of 1-3 digits',
    files: t('ContactInfo "\\x41\\X4a\\1011\\60\\7x"\n'),
  },
  { title: 'escaped UTF-8 bytes', files: t('ContactInfo "\\xc3\\xa9 caf\\303\\251"\n') },
  { title: '`#` and spaces inside quotes', files: t('ContactInfo "  a # b  "\n') },
  {
    title: 'a comment right after the closing quote',
    files: t('ContactInfo "abc"#x\nNickname "abc" \t # c\n'),
  },
  { title: '"" is the empty value', files: t('Nickname abc\nNickname ""\n') },
  { title: 'quotes work for other option types', files: t('SocksPort "9150"\nNickname "abc"\n') },
  { title: 'a value starting with an escaped quote', files: t('ContactInfo "\\"abc"\n') },
  {
    title: '\\? is refused',
    files: t('ContactInfo "\\?"\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: 'an unknown escape is refused',
    files: t('ContactInfo "\\q"\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: '\\x with one hex digit is refused',
    files: t('ContactInfo "\\x4"\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: 'an octal escape above 255 is refused',
    files: t('ContactInfo "\\400"\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: 'a missing closing quote is refused',
    files: t('ContactInfo "abc\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: 'a newline inside quotes is refused, even after a backslash',
    files: t('ContactInfo "a\\\nb"\n'),
    torMessage: `${parseError}Invalid escape sequence in quoted string`,
  },
  {
    title: 'TORRC case 7: data after the closing quote is refused',
    files: t('ContactInfo "abc" def\n'),
    torMessage: `${parseError}Excess data after quoted string`,
  },
  {
    title: 'quoted values cannot be continued',
    files: t('ContactInfo "a"\\\nb\n'),
    torMessage: `${parseError}Excess data after quoted string`,
  },
  // Prefixes and repeats
  {
    title: 'list lines accumulate, +Key appends',
    files: t(
      'ReachableAddresses accept *:80\n+ReachableAddresses accept *:443\nReachableAddresses reject *:*\n',
    ),
  },
  {
    title: '/Key clears a list, whatever follows it',
    files: t(
      'ReachableAddresses accept *:80\n/ReachableAddresses reject *:*\nReachableAddresses accept *:443\n',
    ),
  },
  { title: '/Key clears a single value', files: t('ContactInfo x\n/ContactInfo y\n') },
  { title: '+Key on a single value replaces it', files: t('ContactInfo x\n+ContactInfo y\n') },
  {
    title: 'an empty list line is skipped',
    files: t('ReachableAddresses\n+ReachableAddresses\nContactInfo x\n'),
  },
  { title: 'a list option given twice', files: t('SocksPort 9150\nSocksPort 9151\n') },
  {
    title: 'TORRC case 8 (with a string carrier): last wins',
    files: t('Nickname abc\nnickname def\n'),
  },
  { title: '%Include is just an unknown key', files: t('%Include /x\n'), unknownKey: '%Include' },
  // %include (absolute paths)
  {
    title: '%include a file, spliced in place',
    files: {
      torrc: 'ContactInfo a\n%include @D@/b.conf\nNickname main\n',
      'b.conf': 'ContactInfo b\nNickname inc\nSocksPort 9150\n',
    },
  },
  {
    title: '%include a directory: byte order, dot-files, subdirectories, empty files skipped',
    files: {
      torrc: '%include @D@/d\n',
      'd/Z.conf': 'ReachableAddresses accept *:1\n',
      'd/a.conf': 'ReachableAddresses accept *:2\n',
      'd/b.txt': 'ReachableAddresses accept *:3\n',
      'd/.hidden.conf': 'ReachableAddresses accept *:4\n',
      'd/sub/s.conf': 'ReachableAddresses accept *:5\n',
      'd/empty.conf': '',
    },
  },
  {
    title: '%include a directory with a trailing slash',
    files: { torrc: '%include @D@/d/\n', 'd/a.conf': 'Nickname aaa\n' },
  },
  {
    title: '%include a glob: sorted, no dot-files',
    files: {
      torrc: '%include @D@/d/*.conf\n',
      'd/b.conf': 'ReachableAddresses accept *:1\n',
      'd/Z.conf': 'ReachableAddresses accept *:2\n',
      'd/.h.conf': 'ReachableAddresses accept *:3\n',
      'd/a.txt': 'ReachableAddresses accept *:4\n',
    },
  },
  {
    title: '%include a glob matching a directory lists it',
    files: {
      torrc: '%include @D@/d/*\n',
      'd/a.conf': 'ReachableAddresses accept *:1\n',
      'd/sub/s.conf': 'ReachableAddresses accept *:2\n',
    },
  },
  {
    title: '%include a glob ending in a slash keeps directories',
    files: {
      torrc: '%include @D@/d/*/\n',
      'd/a.conf': 'ReachableAddresses accept *:1\n',
      'd/sub/s.conf': 'ReachableAddresses accept *:2\n',
    },
  },
  {
    title: '%include a glob with sets, negation and a middle component',
    files: {
      torrc: '%include @D@/d/*/x.conf\n%include @D@/d/t[a-z]o/[!x]*\n',
      'd/one/x.conf': 'ReachableAddresses accept *:1\n',
      'd/two/x.conf': 'ReachableAddresses accept *:2\n',
      'd/two/y.conf': 'ReachableAddresses accept *:3\n',
    },
  },
  {
    title: '%include a glob matching nothing',
    files: { torrc: '%include @D@/d/*.conf\nNickname abc\n', 'd/': '' },
  },
  {
    title: '%include a glob under a missing directory',
    files: t('%include @D@/nowhere/*.conf\nNickname abc\n'),
  },
  {
    title: '%include [ab].conf alone is a literal name',
    files: {
      torrc: '%include @D@/d/[ab].conf\n',
      'd/[ab].conf': 'Nickname literal\n',
      'd/a.conf': 'Nickname a\n',
    },
  },
  {
    title: '%include an escaped star is a literal name (and Tor does not unescape it)',
    files: { torrc: '%include @D@/d/\\*.conf\n', 'd/*.conf': 'Nickname star\n' },
    torMessage: 'Error reading included configuration file or directory',
  },
  {
    title: '%include a quoted path with a space',
    files: { torrc: '%include "@D@/with space.conf"\n', 'with space.conf': 'Nickname spaced\n' },
  },
  {
    title: '+%include is still %include',
    files: { torrc: '+%include @D@/a.conf\n', 'a.conf': 'Nickname abc\n' },
  },
  {
    title: '/%include includes the empty path and fails',
    files: { torrc: '/%include @D@/a.conf\n', 'a.conf': 'Nickname abc\n' },
    torMessage: 'Error reading included configuration file or directory: "".',
  },
  {
    title: '%include without a path fails',
    files: t('%include\n'),
    torMessage: 'Error reading included configuration file or directory: "".',
  },
  {
    title: '%include a missing file fails',
    files: t('%include @D@/missing.conf\n'),
    torMessage: 'Error reading included configuration file or directory',
  },
  {
    title: '%include of a file with a syntax error fails',
    files: { torrc: '%include @D@/a.conf\n', 'a.conf': 'ContactInfo "abc" def\n' },
    torMessage: `${parseError}Excess data after quoted string`,
  },
  {
    title: '%include the same file twice (no loop)',
    files: {
      torrc: '%include @D@/a.conf\n%include @D@/c.conf\n',
      'a.conf': '%include @D@/c.conf\n',
      'c.conf': 'ReachableAddresses accept *:1\n',
    },
  },
];

function chainFiles(levels: number, last: string): Files {
  const files: Record<string, string> = {};
  for (let i = 0; i < levels; i++) files[i === 0 ? 'torrc' : `f${i}`] = `%include @D@/f${i + 1}\n`;
  files[`f${levels}`] = last;
  return files;
}

describe('torrc conformance with real Tor', () => {
  before(function () {
    if (!torBinary) {
      console.log('  tor not installed: skipping');
      this.skip();
    }
  });

  for (const c of cases) {
    it(c.unknownKey === undefined ? c.title : `${c.title} (Tor: Unknown option)`, async () => {
      const outcome = await runBoth(c.files);
      if (c.unknownKey !== undefined) assertUnknownKey(outcome, c.unknownKey);
      else assertSame(outcome, c.torMessage);
      if (c.torMessage !== undefined)
        assert.equal(outcome.tor.valid, false, 'the case expects a refusal');
    });
  }

  it("Debian's stock /etc/tor/torrc (spec/fixtures/conformance/debian-torrc)", async () => {
    const text = await readFile(new URL('../fixtures/conformance/debian-torrc', import.meta.url));
    const outcome = await runBoth({ torrc: text });
    assertSame(outcome);
    assert.ok(isRight(outcome.ours) && outcome.ours.right.entries.length === 0);
  });

  it('30 nested %includes are read, 31 are refused with Tor’s wording', async () => {
    assertSame(await runBoth(chainFiles(30, 'Nickname deep\n')));
    const refused = await runBoth(chainFiles(31, 'Nickname deep\n'));
    assertSame(refused, `${parseError}more than 31 nested %includes.`);
    assert.match(hotrcError(refused).message, /^more than 31 nested %includes/);
  });

  it('an empty file at level 32 is never read, so it is no error', async () => {
    assertSame(await runBoth(chainFiles(31, '')));
  });

  describe('deliberate differences (hotrc refuses or reads differently, on purpose)', () => {
    it('differs: a NUL byte (Tor stops reading there; hotrc refuses the file)', async () => {
      const outcome = await runBoth(t('ContactInfo a\u0000b\nNickname abc\n'));
      assert.equal(outcome.tor.valid, true);
      assert.deepEqual(foldDump(outcome.tor.dump), [['contactinfo', ['a']]]);
      assert.deepEqual(hotrcError(outcome), {
        file: join(outcome.dir, 'torrc'),
        line: 1,
        message: 'NUL byte: Tor would stop reading the file here; hotrc refuses it',
      });
    });

    it('differs: a quoted escape yielding NUL (Tor cuts the value; hotrc refuses it)', async () => {
      const outcome = await runBoth(t('ContactInfo "a\\x00b"\n'));
      assert.deepEqual(foldDump(outcome.tor.dump), [['contactinfo', ['a']]]);
      assert.match(hotrcError(outcome).message, /NUL byte.*hotrc refuses it/);
    });

    it('differs: invalid UTF-8, even in a comment (Tor reads raw bytes; hotrc refuses them)', async () => {
      const outcome = await runBoth({ torrc: Buffer.from('Nickname abc\n# caf\xe9\n', 'latin1') });
      assert.equal(outcome.tor.valid, true);
      const e = hotrcError(outcome);
      assert.equal(e.line, 2);
      assert.match(e.message, /invalid UTF-8/);
    });

    it('differs: quoted escapes that are not UTF-8 (Tor refuses for ContactInfo only; hotrc always)', async () => {
      const outcome = await runBoth(t('ContactInfo "\\xff"\n'));
      assert.equal(outcome.tor.valid, false);
      assert.ok(outcome.tor.messages.some((m) => m.includes('must be UTF-8')));
      assert.match(hotrcError(outcome).message, /not form valid UTF-8/);
    });

    it('differs: a UTF-8 BOM (Tor reads it into the first key; hotrc refuses it)', async () => {
      const outcome = await runBoth({ torrc: Buffer.from('\uFEFFContactInfo x\n', 'utf8') });
      assert.equal(outcome.tor.valid, false);
      assert.ok(outcome.tor.messages.some((m) => m.includes("Unknown option '\uFEFFContactInfo'")));
      assert.match(hotrcError(outcome).message, /byte order mark/);
    });

    it('differs: a relative %include (Tor: the working directory; hotrc: the including file’s directory)', async () => {
      assert.equal(existsSync(join(process.cwd(), 'rel.conf')), false);
      const outcome = await runBoth({ torrc: '%include rel.conf\n', 'rel.conf': 'Nickname rel\n' });
      assert.equal(outcome.tor.valid, false);
      assert.ok(outcome.tor.messages.some((m) => m.includes('"rel.conf"')));
      assert.ok(isRight(outcome.ours));
      assert.deepEqual(foldEntries(outcome.ours.right.entries), [['nickname', ['rel']]]);
    });

    it('differs: an %include loop (Tor fails at its depth limit; hotrc names the loop)', async () => {
      const outcome = await runBoth({
        torrc: '%include @D@/b.conf\n',
        'b.conf': '%include @D@/torrc\n',
      });
      assert.equal(outcome.tor.valid, false);
      assert.ok(outcome.tor.messages.some((m) => m.includes('more than 31 nested %includes')));
      const main = join(outcome.dir, 'torrc');
      const b = join(outcome.dir, 'b.conf');
      assert.equal(hotrcError(outcome).message, `%include loop: ${main} -> ${b} -> ${main}`);
    });
  });

  describe('generated files', () => {
    // Logical lines of ContactInfo with torrc-ish fragments: continuations, comments, quotes,
    // escapes. Every physical line starts with ContactInfo (as a key, or as value text when the
    // line above continues), so no other key can appear and Tor's verdict is about syntax only.
    const fragment = fc.string({
      unit: fc.constantFrom(
        'a',
        'b',
        ' ',
        '\t',
        '#',
        '\\',
        '"',
        "'",
        'x',
        'n',
        '4',
        '1',
        '\r',
        'é',
        '\v',
      ),
      maxLength: 12,
    });
    const key = fc.constantFrom(
      'ContactInfo',
      'contactinfo',
      '+ContactInfo',
      '/ContactInfo',
      '  ContactInfo',
    );
    const join = fc.constantFrom(
      '\\\nContactInfo ',
      '\\\n  ContactInfo\t',
      '\\\n# c\nContactInfo ',
      '\\\n\nContactInfo ',
      '\nContactInfo ',
    );
    const logicalLine = fc
      .tuple(
        key,
        fc.constantFrom(' ', '\t', '  ', '\\\nContactInfo'),
        fc.array(fc.tuple(fragment, join), { minLength: 1, maxLength: 3 }),
        fragment,
      )
      .map(([k, sep, parts, last]) => `${k}${sep}${parts.map(([f, j]) => f + j).join('')}${last}`);
    const file = fc
      .tuple(
        fc.array(logicalLine, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('\n', '\n\n', '\n# c\n'),
      )
      .map(([lines, sep]) => `${lines.join(sep)}${sep}`);

    it('agree with Tor on 120 generated files (fixed seed)', async () => {
      const samples = fc.sample(file, { seed: 20250101, numRuns: 120 });
      let accepted = 0;
      for (const text of samples) {
        const outcome = await runBoth(t(text));
        assertSame(outcome);
        if (outcome.tor.valid) accepted++;
      }
      // Both kinds must be exercised for the comparison to mean something.
      assert.ok(
        accepted > 20 && accepted < samples.length,
        `accepted ${accepted} of ${samples.length}`,
      );
    });
  });
});
