import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  BridgeLine,
  type BridgeLineParts,
  formatBridgeLine,
  parseBridgeLine,
} from '../../../../lib/tor/schema/values/bridge-line.js';
import { isIPv6At } from '../../../../lib/tor/schema/values/ip-address.js';
import { bridgeLineText, ipv6Text, normalBridgeLineText } from './near-misses.js';
import {
  oracleBridgeLine,
  oracleFormatBridgeLine,
  oracleIPv6,
  oracleIsBridgeLine,
} from './regex-oracle.js';

const FP = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
const SPACED = 'ABCD EF01 2345 6789 ABCD EF01 2345 6789 ABCD EF01';
const message = (v: ReturnType<typeof BridgeLine.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

const parts = (
  p: Partial<BridgeLineParts> & Pick<BridgeLineParts, 'address' | 'port'>,
): BridgeLineParts => ({
  transport: undefined,
  fingerprint: undefined,
  args: [],
  ...p,
});

describe('parseBridgeLine', () => {
  it('takes a plain bridge, with the port defaulting to 443 as in Tor', () => {
    assert.deepEqual(
      parseBridgeLine('192.0.2.1:9001'),
      right(parts({ address: '192.0.2.1', port: 9001 })),
    );
    assert.deepEqual(
      parseBridgeLine('192.0.2.1'),
      right(parts({ address: '192.0.2.1', port: 443 })),
    );
    assert.deepEqual(
      parseBridgeLine('[2001:db8::1]'),
      right(parts({ address: '2001:db8::1', port: 443 })),
    );
    assert.deepEqual(
      parseBridgeLine('[2001:db8::1]:0443'),
      right(parts({ address: '2001:db8::1', port: 443 })),
    );
  });

  it('joins a fingerprint written in groups, as Tor does without a transport', () => {
    assert.deepEqual(
      parseBridgeLine(`192.0.2.1:443 ${SPACED}`),
      right(parts({ address: '192.0.2.1', port: 443, fingerprint: FP })),
    );
  });

  it('takes a transport, an optional fingerprint and k=v arguments', () => {
    assert.deepEqual(
      parseBridgeLine(`obfs4 192.0.2.1:443 ${FP} cert=a+b/c= iat-mode=0`),
      right(
        parts({
          transport: 'obfs4',
          address: '192.0.2.1',
          port: 443,
          fingerprint: FP,
          args: ['cert=a+b/c=', 'iat-mode=0'],
        }),
      ),
    );
    assert.deepEqual(
      parseBridgeLine('snowflake 192.0.2.3:80 url=https://x/ k='),
      right(
        parts({
          transport: 'snowflake',
          address: '192.0.2.3',
          port: 80,
          args: ['url=https://x/', 'k='],
        }),
      ),
    );
  });

  it("splits words at spaces and tabs only, as Tor's smartlist_split_string, trimming the rest of isspace()", () => {
    assert.deepEqual(
      parseBridgeLine(`\f obfs4\t192.0.2.1:443 \v${FP} k=v\fx\r`),
      right(
        parts({
          transport: 'obfs4',
          address: '192.0.2.1',
          port: 443,
          fingerprint: FP,
          args: ['k=v\fx'],
        }),
      ),
    );
  });

  const refused: ReadonlyArray<readonly [string, string]> = [
    ['', 'Too few arguments to Bridge line.'],
    [
      `192.0.2.1:443\f${FP}`,
      `Error parsing Bridge address '192.0.2.1:443\f${FP}': Port "443\f${FP}" is not a number from 1 to 65535`,
    ],
    ['obfs4', 'Too few items to Bridge line.'],
    [
      'bridge.example.com:443',
      "Error parsing Bridge address 'bridge.example.com:443': expected an IPv4 address or a bracketed IPv6 address (no host names)",
    ],
    [
      '01.2.3.4:443',
      "Error parsing Bridge address '01.2.3.4:443': expected an IPv4 address or a bracketed IPv6 address (no host names)",
    ],
    [
      '2001:db8::1',
      "Error parsing Bridge address '2001:db8::1': an IPv6 address goes in brackets, like [2001:db8::1]:443",
    ],
    [
      '1.2.3.4:443:5',
      "Error parsing Bridge address '1.2.3.4:443:5': expected IPv4:port or [IPv6]:port",
    ],
    ['[::1', "Error parsing Bridge address '[::1': malformed IPv6 address"],
    ['[::1]x', 'Error parsing Bridge address \'[::1]x\': unexpected "x"'],
    [
      '1.2.3.4:0',
      'Error parsing Bridge address \'1.2.3.4:0\': Port "0" is not a number from 1 to 65535',
    ],
    [
      '1.2.3.4:+443',
      'Error parsing Bridge address \'1.2.3.4:+443\': Port "+443" is not a number from 1 to 65535',
    ],
    [
      '1.2.3.4:',
      'Error parsing Bridge address \'1.2.3.4:\': Port "" is not a number from 1 to 65535',
    ],
    [
      `1.2.3.4 $${FP}`,
      `Key digest for Bridge is wrong length: a fingerprint is 40 hex digits, got "$${FP}"`,
    ],
    [
      '1.2.3.4 cert=abc',
      'Key digest for Bridge is wrong length: a fingerprint is 40 hex digits, got "cert=abc"',
    ],
    [
      `obfs4 1.2.3.4 ${SPACED}`,
      'Key digest for Bridge is wrong length: a fingerprint is 40 hex digits, got "ABCD" (with a transport, k=v arguments follow it)',
    ],
    [
      `1.2.3.4 ZZ${FP.slice(2)}`,
      `Unable to decode Bridge key digest "ZZ${FP.slice(2)}": expected hex digits`,
    ],
    [`obfs4 1.2.3.4 ${FP} notkv`, "'notkv' is not a k=v item."],
    [`obfs4 1.2.3.4 ${FP} =x`, "'=x' is not a k=v item."],
    [
      'obfs-4 1.2.3.4',
      "Error parsing Bridge address 'obfs-4': expected an IPv4 address or a bracketed IPv6 address (no host names)",
    ],
  ];
  for (const [line, why] of refused) {
    it(`refuses ${JSON.stringify(line)}`, () => assert.deepEqual(parseBridgeLine(line), left(why)));
  }

  it("keeps Tor's 510-byte limit on the transport arguments, counting its escapes", () => {
    assert.ok(isLeft(parseBridgeLine(`webtunnel 1.2.3.4 url=${'a'.repeat(507)}`)));
    assert.ok(!isLeft(parseBridgeLine(`webtunnel 1.2.3.4 url=${'a'.repeat(506)}`)));
    // "k=" and 498 chars, the ';' between arguments, then "x=a;b;c" with both ';' escaped: 510
    assert.ok(!isLeft(parseBridgeLine(`t 1.2.3.4 k=${'a'.repeat(498)} x=a;b;c`)));
    assert.deepEqual(
      parseBridgeLine(`t 1.2.3.4 k=${'a'.repeat(498)} x=a;b;cd`),
      left("SOCKS arguments can't be more than 510 bytes (511)."),
    );
  });
});

describe('BridgeLine', () => {
  it('normalises whitespace, the port and a grouped fingerprint', () => {
    assert.deepEqual(BridgeLine.decode(`192.0.2.1   ${SPACED}`), right(`192.0.2.1:443 ${FP}`));
    assert.deepEqual(
      BridgeLine.decode(`  obfs4\t[2001:db8::1]:0443  ${FP}  iat-mode=0 `),
      right(`obfs4 [2001:db8::1]:443 ${FP} iat-mode=0`),
    );
    assert.equal(BridgeLine.is(`192.0.2.1:443 ${FP}`), true);
    assert.equal(BridgeLine.is(`192.0.2.1 ${FP}`), false);
    assert.equal(message(BridgeLine.decode('obfs4')), 'Too few items to Bridge line.');
  });

  const hex40 = fc.stringMatching(/^[0-9A-Fa-f]{40}$/);
  const octet = fc.integer({ min: 0, max: 255 });
  const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
  const generated = fc
    .oneof(
      fc.record({
        transport: fc.constant(undefined),
        address: fc.oneof(
          fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
          fc.array(group, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
        ),
        port: fc.integer({ min: 1, max: 65535 }),
        fingerprint: fc.option(hex40, { nil: undefined }),
        args: fc.constant([] as string[]),
      }),
      fc.record({
        transport: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/),
        address: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
        port: fc.integer({ min: 1, max: 65535 }),
        fingerprint: fc.option(hex40, { nil: undefined }),
        args: fc.array(fc.stringMatching(/^[a-z-]{1,8}=[!-~]{0,30}$/), { maxLength: 4 }),
      }),
    )
    .map((p): BridgeLineParts => ({ ...p }));

  it('round-trips generated bridges through formatBridgeLine and the codec', () => {
    fc.assert(
      fc.property(generated, (p) => {
        const line = formatBridgeLine(p);
        assert.deepEqual(parseBridgeLine(line), right(p));
        assert.equal(BridgeLine.is(line), true);
        assert.deepEqual(BridgeLine.decode(BridgeLine.encode(line)), right(line));
        assert.deepEqual(BridgeLine.decode(line.replaceAll(' ', ' \t ')), right(line));
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void BridgeLine.decode(s)));
  });
});

describe('the bridge line scanner against the regex oracle', () => {
  const texts = fc.oneof(
    { weight: 5, arbitrary: bridgeLineText },
    { weight: 4, arbitrary: normalBridgeLineText },
    { weight: 1, arbitrary: fc.string() },
  );

  it('takes every generated line apart as the oracle does, message for message', () => {
    fc.assert(
      fc.property(texts, (s) => assert.deepEqual(parseBridgeLine(s), oracleBridgeLine(s), s)),
      { numRuns: 5000 },
    );
  });

  it("agrees at Tor's 510-byte limit, byte for byte, for lines in normal form and not", () => {
    for (const fp of ['', ` ${FP}`])
      for (const tail of ['', ';', 'é', '\\', '\ud83d\ude00'])
        for (let n = 480; n <= 512; n++) {
          for (const line of [
            `obfs4 192.0.2.1:443${fp} url=${'a'.repeat(n - tail.length)}${tail}`,
            `obfs4 192.0.2.1:443${fp} k=v url=${'a'.repeat(n - 4 - tail.length)}${tail}`,
            `obfs4  192.0.2.1:443${fp} url=${'a'.repeat(n - tail.length)}${tail}`,
          ]) {
            assert.deepEqual(parseBridgeLine(line), oracleBridgeLine(line), line);
            assert.equal(BridgeLine.is(line), oracleIsBridgeLine(line), line);
            const oracle = oracleBridgeLine(line);
            if (isLeft(oracle)) assert.ok(isLeft(BridgeLine.decode(line)), line);
            else
              assert.deepEqual(
                BridgeLine.decode(line),
                right(oracleFormatBridgeLine(oracle.right)),
              );
          }
        }
  });

  it('normalises, and accepts as normal, exactly what the oracle does', () => {
    fc.assert(
      fc.property(texts, (s) => {
        const oracle = oracleBridgeLine(s);
        const decoded = BridgeLine.decode(s);
        assert.equal(isLeft(decoded), isLeft(oracle), s);
        if (!isLeft(oracle) && !isLeft(decoded)) {
          assert.equal(decoded.right, oracleFormatBridgeLine(oracle.right));
          assert.equal(formatBridgeLine(oracle.right), oracleFormatBridgeLine(oracle.right));
          assert.equal(BridgeLine.is(decoded.right), true);
        }
        assert.equal(BridgeLine.is(s), oracleIsBridgeLine(s), s);
      }),
      { numRuns: 5000 },
    );
  });

  it('normalises a fingerprint written in groups of any size, between runs of spaces, as the oracle does', () => {
    const grouped = fc
      .tuple(
        fc.constantFrom(
          '192.0.2.1',
          '10.0.0.254',
          '[2001:db8::1]',
          '[::ffff:1.2.3.4]',
          '[1::2::3]',
        ),
        fc.constantFrom('443', '9001', '0443', '65535', '65536', ''),
        fc.stringMatching(/^[0-9A-Fa-f]{38,42}$/),
        fc.array(fc.integer({ min: 1, max: 41 }), { maxLength: 12 }),
        fc.constantFrom(' ', '  ', '   '),
      )
      .map(([address, port, fp, cuts, gap]) => {
        let groups = fp;
        for (const cut of [...new Set(cuts)].sort((a, b) => b - a)) {
          if (cut < groups.length) groups = `${groups.slice(0, cut)}${gap}${groups.slice(cut)}`;
        }
        return `${address}${port === '' ? '' : `:${port}`}${gap}${groups}`;
      });
    fc.assert(
      fc.property(grouped, (s) => {
        const oracle = oracleBridgeLine(s);
        const decoded = BridgeLine.decode(s);
        if (isLeft(oracle)) assert.ok(isLeft(decoded), s);
        else assert.deepEqual(decoded, right(oracleFormatBridgeLine(oracle.right)), s);
      }),
      { numRuns: 3000 },
    );
  });

  it('calls a line normal (kept as written, unparsed) only when the oracle reads it as itself', () => {
    fc.assert(
      fc.property(texts, (s) => {
        const oracle = oracleBridgeLine(s);
        const itself = !isLeft(oracle) && oracleFormatBridgeLine(oracle.right) === s;
        if (BridgeLine.isNormal(s)) assert.ok(itself, s);
        // The fast check may send a normal line to the parser, but not the common ones: any
        // up to 170 characters, IPv4 or bracketed IPv6, with no '\n', '\v', '\f' or '\r' inside
        // a word (which Tor keeps there, and the expression leaves to the parser).
        if (itself && s.length <= 170 && !/[\n\v\f\r]/.test(s))
          assert.ok(BridgeLine.isNormal(s), s);
      }),
      { numRuns: 5000 },
    );
  });

  it('calls a bracketed address normal exactly when it is an IPv6 address (isIPv6At and the oracle)', () => {
    const address = fc.oneof(
      ipv6Text,
      fc.constantFrom(
        '::',
        '::1',
        '1::',
        ':::',
        '1:2:3:4:5:6:7::',
        '::2:3:4:5:6:7:8',
        '1:2:3:4:5:6:7:8:9',
      ),
      fc.constantFrom(
        '::ffff:1.2.3.4',
        '1:2:3:4:5:6:1.2.3.4',
        '1:2:3:4:5:6:7:1.2.3.4',
        '::01.2.3.4',
      ),
    );
    fc.assert(
      fc.property(address, fc.boolean(), (a, transport) => {
        const line = `${transport ? 'webtunnel ' : ''}[${a}]:443`;
        const valid = isIPv6At(a, 0, a.length);
        assert.equal(valid, !isLeft(oracleIPv6(a)), a);
        assert.equal(BridgeLine.isNormal(line), valid, line);
      }),
      { numRuns: 5000 },
    );
  });
});
