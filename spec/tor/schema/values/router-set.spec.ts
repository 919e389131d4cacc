import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  parseRouterSet,
  parseRouterSetEntry,
  RouterSetEntry,
} from '../../../../lib/tor/schema/values/router-set.js';
import { routerSetEntryText, routerSetText } from './near-misses.js';
import { oracleIsRouterSetEntry, oracleRouterSet, oracleRouterSetEntry } from './regex-oracle.js';

const FP = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
const message = (v: ReturnType<typeof RouterSetEntry.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('parseRouterSet', () => {
  it('splits on commas, trims and drops empty items', () => {
    assert.deepEqual(
      parseRouterSet(` {us} , $${FP},,badexit ,\t1.2.3.0/24:80-90, [::1]/64 ,`),
      right(['{us}', `$${FP}`, 'badexit', '1.2.3.0/24:80-90', '[::1]/64']),
    );
    assert.deepEqual(parseRouterSet(''), right([]));
    assert.deepEqual(parseRouterSet(' , ,'), right([]));
  });

  const accepted = [
    `$${FP}`,
    FP,
    `$${FP.toLowerCase()}`,
    `$${FP}~nick`,
    `$${FP}=nick`,
    `${FP}~a`,
    'nick',
    'Nick123',
    'a',
    'abcdefghijklmnopqrs',
    'ABCDEF',
    '{us}',
    '{US}',
    '{??}',
    '{a1}',
    '1.2.3.4',
    '1.2.3.0/24',
    '1.2.3.4/0',
    '1.2.3.4/08',
    '1.2.3.0/255.255.255.0',
    '1.2.3.4/0.0.0.0',
    '*',
    '*4',
    '*6',
    '*:*',
    '*:80',
    '*4:80-90',
    '1.2.3.4:80',
    '1.2.3.4:1-65535',
    '1.2.3.4:*',
    '1.2.3.4/24:80',
    '[::1]',
    '[::1]/64',
    '[::1]/0128',
    '[::]/0',
    '[::1]:80',
    '[::1]/64:80',
    '[ABCD::1]',
    '[::ffff:1.2.3.4]/24',
    '[::ffff:1.2.3.4]/100',
    '[1:2:3:4:5:6:1.2.3.4]',
    // v4-mapped in hex groups: its mask rules hang on the address, not on how it is written.
    '[::ffff:102:304]/24',
    '[::FFFF:102:304]/100',
    '[0:0:0:0:0:ffff:102:304]/32:80',
    '[1:2:3:4:5:6:7:8]/128:65535',
    '[1:2:3:4:5:6:7::]:1-2',
    '[2001:db8::1]/40:443-443',
    '1.2.3.0/255.255.255.128:1-1024',
    `1.2.3.4/${'0'.repeat(70)}24`,
  ];
  for (const entry of accepted) {
    it(`accepts ${JSON.stringify(entry)}`, () =>
      assert.deepEqual(parseRouterSet(entry), right([entry])));
  }

  const refused: ReadonlyArray<readonly [string, string]> = [
    [
      `$${FP}~`,
      'an identity is $ and 40 hex digits, optionally followed by ~nickname or =nickname',
    ],
    [
      `$${FP}0`,
      'an identity is $ and 40 hex digits, optionally followed by ~nickname or =nickname',
    ],
    ['$', 'an identity is $ and 40 hex digits, optionally followed by ~nickname or =nickname'],
    ['abcdefghijklmnopqrst', 'a nickname is 1 to 19 ASCII letters and digits'],
    ['ni-ck', 'a nickname is 1 to 19 ASCII letters and digits'],
    ['\u00f1ick', 'a nickname is 1 to 19 ASCII letters and digits'],
    ['{usa}', 'a country code is two letters in braces, like {us}, or {??}'],
    ['{us}x', 'a country code is two letters in braces, like {us}, or {??}'],
    ['accept 1.2.3.4', 'a router set takes address patterns, not accept/reject policy lines'],
    ['reject private:*', 'a router set takes address patterns, not accept/reject policy lines'],
    ['1.2.3.4/33', 'a mask has 0 to 32 bits here, not 33'],
    ['[::1]/129', 'a mask has 0 to 128 bits here, not 129'],
    [
      '[::ffff:1.2.3.4]/40',
      'a mask on a v4-mapped IPv6 address has at most 32 or at least 96 bits',
    ],
    [
      '[::ffff:102:304]/40',
      'a mask on a v4-mapped IPv6 address has at most 32 or at least 96 bits',
    ],
    [
      '[0:0:0:0:0:FFFF:0:0]/95:80',
      'a mask on a v4-mapped IPv6 address has at most 32 or at least 96 bits',
    ],
    ['[1:2:3:4:5:6:7:8:9]', 'malformed IPv6 address 1:2:3:4:5:6:7:8:9'],
    ['[1:2:3:4::5:6:7:8]', 'malformed IPv6 address 1:2:3:4::5:6:7:8'],
    ['[::1]:2-1', 'port range 2-1 is reversed'],
    ['*4:2-1', 'port range 2-1 is reversed'],
    ['1.2.3.0/255.255.0.0:20-10', 'port range 20-10 is reversed'],
    ['1.2.3.0/255.0.255.0', 'mask 255.0.255.0 is not a prefix mask'],
    ['1.2.3.4/', 'an empty mask (Tor reads "/" as /0, which matches every address)'],
    ['1.2.3.4/-0', 'malformed mask /-0'],
    ['[::1]/255.255.255.0', 'malformed mask /255.255.255.0'],
    ['*/8', 'a wildcard takes no mask'],
    ['1.2.3.4:90-80', 'port range 90-80 is reversed'],
    ['1.2.3.4:0', 'ports are *, a port or a range of ports 1-65535, not 0'],
    ['1.2.3.4:', 'ports are *, a port or a range of ports 1-65535, not '],
    ['1.2.3.4:+80', 'ports are *, a port or a range of ports 1-65535, not +80'],
    ['1.2.3.4:80:90', 'ports are *, a port or a range of ports 1-65535, not 80:90'],
    ['[::1]x', 'unexpected "x" after the address'],
    ['[::1', 'no closing ] after the IPv6 address'],
    ['[1.2.3.4]', 'an IPv4 address takes no brackets'],
    ['[::ffff:01.2.3.4]', 'malformed IPv6 address ::ffff:01.2.3.4'],
    ['2001:db8::1', 'an IPv6 address goes in brackets, like [2001:db8::1]'],
    ['::1', 'an IPv6 address goes in brackets, like [2001:db8::1]'],
    ['01.2.3.4', 'malformed IP address 01.2.3.4'],
    ['1.2.3', 'malformed IP address 1.2.3'],
    ['foo.bar', 'malformed IP address foo.bar'],
    [`1.2.3.4/${'0'.repeat(71)}24`, 'an address pattern has at most 80 characters'],
  ];
  for (const [entry, why] of refused) {
    it(`refuses ${JSON.stringify(entry)}: ${why}`, () => {
      assert.deepEqual(parseRouterSet(entry), left(`Entry '${entry}' is malformed: ${why}`));
    });
  }

  it('fails the whole value on one bad entry, naming it', () => {
    assert.deepEqual(
      parseRouterSet('good,ni-ck,{us}'),
      left("Entry 'ni-ck' is malformed: a nickname is 1 to 19 ASCII letters and digits"),
    );
  });
});

const nick = fc.stringMatching(/^[A-Za-z0-9]{1,19}$/);
const octet = fc.integer({ min: 0, max: 255 });
const entry = fc.oneof(
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^[0-9A-Fa-f]{40}$/),
      fc.option(fc.tuple(fc.constantFrom('~', '='), nick)),
    )
    .map(
      ([dollar, hex, name]) => `${dollar ? '$' : ''}${hex}${name === null ? '' : name.join('')}`,
    ),
  nick,
  fc.stringMatching(/^\{[A-Za-z]{2}\}$/),
  fc
    .tuple(
      fc.tuple(octet, octet, octet, octet),
      fc.option(fc.integer({ min: 0, max: 32 })),
      fc.option(fc.integer({ min: 1, max: 65535 })),
    )
    .map(
      ([o, bits, port]) =>
        `${o.join('.')}${bits === null ? '' : `/${bits}`}${port === null ? '' : `:${port}`}`,
    ),
);

describe('RouterSetEntry', () => {
  it('decodes one entry, trimmed, and refuses an empty one or a list', () => {
    assert.deepEqual(RouterSetEntry.decode(' badexit '), right('badexit'));
    assert.equal(message(RouterSetEntry.decode(' ')), 'Empty router set entry');
    assert.equal(
      message(RouterSetEntry.decode('a,b')),
      "Entry 'a,b' is malformed: one entry cannot hold a comma",
    );
    assert.equal(RouterSetEntry.is(' badexit'), false);
    assert.equal(RouterSetEntry.is('badexit'), true);
  });

  it('round-trips generated entries, alone and as a comma list with blanks', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(',', ', ', ' ,\t'),
        (entries, sep) => {
          for (const e of entries) {
            assert.equal(RouterSetEntry.is(e), true, e);
            assert.deepEqual(RouterSetEntry.decode(RouterSetEntry.encode(e)), right(e));
            assert.deepEqual(parseRouterSetEntry(e), right(e));
          }
          assert.deepEqual(parseRouterSet(entries.join(sep)), right(entries));
        },
      ),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[[\]0-9a-f:./*$~={}?,-]{0,40}$/)),
        (s) => void parseRouterSet(s),
      ),
    );
  });
});

describe('the router set scanner against the regex oracle', () => {
  it('reads every generated entry as the oracle does, message for message', () => {
    fc.assert(
      fc.property(fc.oneof(routerSetEntryText, fc.string()), (e) => {
        assert.deepEqual(parseRouterSetEntry(e), oracleRouterSetEntry(e), e);
        assert.equal(RouterSetEntry.is(e), oracleIsRouterSetEntry(e), e);
        assert.equal(RouterSetEntry.is(` ${e}`), oracleIsRouterSetEntry(` ${e}`), e);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads every generated list as the oracle does', () => {
    fc.assert(
      fc.property(fc.oneof(routerSetText, fc.string()), (s) =>
        assert.deepEqual(parseRouterSet(s), oracleRouterSet(s), s),
      ),
      { numRuns: 3000 },
    );
  });
});
