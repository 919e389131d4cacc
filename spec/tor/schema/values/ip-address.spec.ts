import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import {
  isV4Mapped,
  parseAddressPort,
  parseIPv4,
  parseIPv6,
} from '../../../../lib/tor/schema/values/ip-address.js';
import { ipv4Text, ipv6Text, portText } from './near-misses.js';
import { oracleAddressPort, oracleIPv4, oracleIPv6 } from './regex-oracle.js';

describe('parseIPv4', () => {
  it('reads dotted quads', () => {
    assert.deepEqual(parseIPv4('10.0.0.1'), right(167772161));
    assert.deepEqual(parseIPv4('0.0.0.0'), right(0));
    assert.deepEqual(parseIPv4('255.255.255.255'), right(4294967295));
  });

  it('refuses leading zeros, short forms and out-of-range octets', () => {
    for (const bad of [
      '010.0.0.1',
      '1.2.3.04',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1.2.3.4 ',
      '',
      '+1.2.3.4',
      '1..2.3',
    ]) {
      assert.ok(isLeft(parseIPv4(bad)), bad);
    }
  });
});

describe('parseIPv6', () => {
  const cases: ReadonlyArray<readonly [string, number[]]> = [
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['::1:2:3:4:5:6:7', [0, 1, 2, 3, 4, 5, 6, 7]],
    ['ABCD::ef01', [0xabcd, 0, 0, 0, 0, 0, 0, 0xef01]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]],
    ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]],
  ];
  for (const [text, groups] of cases) {
    it(`reads ${text}`, () => assert.deepEqual(parseIPv6(text), right(groups)));
  }

  it('refuses malformed addresses', () => {
    for (const bad of [
      '1:2:3:4:5:6:7::8',
      '1::2::3',
      '12345::1',
      ':::',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7',
      '1.2.3.4::',
      '::1.2.3',
      ':1::2',
      '1::2:',
      '[::1]',
      '::ffff:01.2.3.4',
      '',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
      '0x1::2',
    ]) {
      assert.ok(isLeft(parseIPv6(bad)), bad);
    }
  });

  it('reads the full and the compressed spelling of any address alike', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.nat(7),
        fc.nat(8),
        (groups, at, len) => {
          const hex = groups.map((g) => g.toString(16));
          assert.deepEqual(parseIPv6(hex.join(':')), right(groups));
          const run = Math.min(len, 8 - at);
          if (run >= 1 && groups.slice(at, at + run).every((g) => g === 0)) {
            const text = `${hex.slice(0, at).join(':')}::${hex.slice(at + run).join(':')}`;
            assert.deepEqual(parseIPv6(text), right(groups), text);
          }
        },
      ),
    );
  });
});

describe('isV4Mapped', () => {
  it('is true for ::ffff:a.b.c.d only', () => {
    assert.equal(isV4Mapped([0, 0, 0, 0, 0, 0xffff, 1, 2]), true);
    assert.equal(isV4Mapped([0, 0, 0, 0, 0, 0, 1, 2]), false);
    assert.equal(isV4Mapped([1, 0, 0, 0, 0, 0xffff, 1, 2]), false);
  });
});

describe('parseAddressPort', () => {
  it('takes digits for 1-65535 only', () => {
    assert.deepEqual(parseAddressPort('443'), right(443));
    assert.deepEqual(parseAddressPort('0443'), right(443));
    for (const bad of ['0', '65536', '+80', '-1', '', '80a', ' 80'])
      assert.ok(isLeft(parseAddressPort(bad)), bad);
  });
});

describe('the address scanners against the regex oracle', () => {
  const runs = { numRuns: 3000 };
  it('parseIPv4 agrees on every generated text', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4Text, fc.string()), (s) =>
        assert.deepEqual(parseIPv4(s), oracleIPv4(s), s),
      ),
      runs,
    );
  });

  it('parseIPv6 agrees on every generated text', () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Text, fc.string()), (s) =>
        assert.deepEqual(parseIPv6(s), oracleIPv6(s), s),
      ),
      runs,
    );
  });

  it('parseAddressPort agrees on every generated text', () => {
    fc.assert(
      fc.property(fc.oneof(portText, fc.string()), (s) =>
        assert.deepEqual(parseAddressPort(s), oracleAddressPort(s), s),
      ),
      runs,
    );
  });
});
