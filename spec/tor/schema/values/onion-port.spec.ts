import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, left, right } from 'fp-ts/lib/Either.js';
import {
  formatHiddenServicePort,
  type HiddenServicePort,
  parseHiddenServicePort,
  TargetAddr,
  VirtualPort,
} from '../../../../lib/tor/schema/values/onion-port.js';

const message = (v: ReturnType<typeof TargetAddr.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;
const port = (VirtualPort: number, TargetAddr: string): HiddenServicePort => ({
  VirtualPort,
  TargetAddr,
});

describe('parseHiddenServicePort', () => {
  const cases: ReadonlyArray<readonly [string, HiddenServicePort]> = [
    ['80', port(80, '127.0.0.1:80')],
    ['80 8080', port(80, '127.0.0.1:8080')],
    ['80 +8080', port(80, '127.0.0.1:8080')],
    ['+80 127.0.0.1:8080', port(80, '127.0.0.1:8080')],
    ['080 127.0.0.1', port(80, '127.0.0.1:80')],
    ['443 [::1]:8443', port(443, '[::1]:8443')],
    ['443 [::1]', port(443, '[::1]:443')],
    ['80 0.0.0.0:08080', port(80, '0.0.0.0:8080')],
    ['80 unix:/run/hs.sock', port(80, 'unix:/run/hs.sock')],
    ['80 unix:"/run/a b.sock"', port(80, 'unix:/run/a b.sock')],
    ['80 unix:"/run/\\x41\\"q\\"#.sock"', port(80, 'unix:/run/A"q"#.sock')],
    ['  80 \t 8080  ', port(80, '127.0.0.1:8080')],
    // Tor splits at the first space, and trims each part of isspace() ('\t' alone splits nothing).
    ['80\t 127.0.0.1:8080', port(80, '127.0.0.1:8080')],
    ['\v80 \f8080\r', port(80, '127.0.0.1:8080')],
    ['80 8080 # comment', port(80, '127.0.0.1:8080')],
    ['80 127.0.0.1:8080#comment', port(80, '127.0.0.1:8080')],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () =>
      assert.deepEqual(parseHiddenServicePort(text), right(expected)));
  }

  const refused: ReadonlyArray<readonly [string, string]> = [
    ['0', 'Missing or invalid port "0" in hidden service port configuration'],
    ['65536', 'Missing or invalid port "65536" in hidden service port configuration'],
    ['', 'Missing or invalid port "" in hidden service port configuration'],
    ['80abc', 'Missing or invalid port "80abc" in hidden service port configuration'],
    ['80 0', 'Unparseable or out-of-range port "0" in hidden service port configuration.'],
    [
      '80 8080abc',
      'Unparseable or out-of-range port "8080abc" in hidden service port configuration.',
    ],
    [
      '80 localhost',
      'Unparseable or out-of-range port "localhost" in hidden service port configuration.',
    ],
    ['80 127.0.0.1:8080 extra', 'HiddenServicePort parse error: invalid port mapping'],
    ['80 unix:"/a" extra', 'HiddenServicePort parse error: invalid port mapping'],
    [
      '80 localhost:8080',
      'Unparseable address "localhost:8080" in hidden service port configuration: expected an IPv4 address or a bracketed IPv6 address (no host names)',
    ],
    [
      '80 01.2.3.4:8080',
      'Unparseable address "01.2.3.4:8080" in hidden service port configuration: expected an IPv4 address or a bracketed IPv6 address (no host names)',
    ],
    [
      '80 ::1',
      'Unparseable address "::1" in hidden service port configuration: an IPv6 address goes in brackets, like [::1]:8080',
    ],
    [
      '80 127.0.0.1:0',
      'Unparseable address "127.0.0.1:0" in hidden service port configuration: Port "0" is not a number from 1 to 65535',
    ],
    [
      '80 [::1]:+8080',
      'Unparseable address "[::1]:+8080" in hidden service port configuration: Port "+8080" is not a number from 1 to 65535',
    ],
    ['80 unix:', 'Empty unix socket path in hidden service port configuration'],
    ['80 unix:""', 'Empty unix socket path in hidden service port configuration'],
    [
      '80 unix:"/a',
      'Couldn\'t process address <unix:"/a> from hidden service configuration: Invalid escape sequence in quoted string',
    ],
    [
      '80 unix:"/a\\000"',
      'Couldn\'t process address <unix:"/a\\000"> from hidden service configuration: Escape sequence yields a NUL byte: Tor would silently cut the value there; hotrc refuses it',
    ],
    [
      '80\t127.0.0.1:8080',
      'Missing or invalid port "80\t127.0.0.1:8080" in hidden service port configuration',
    ],
    [
      '80 unix:"/a\\xff"',
      'Couldn\'t process address <unix:"/a\\xff"> from hidden service configuration: Escape sequences in quoted string do not form valid UTF-8: Tor would keep the raw bytes; hotrc refuses them',
    ],
  ];
  for (const [text, why] of refused) {
    it(`refuses ${JSON.stringify(text)}`, () =>
      assert.deepEqual(parseHiddenServicePort(text), left(why)));
  }
});

const octet = fc.integer({ min: 0, max: 255 });
const p16 = fc.integer({ min: 1, max: 65535 });
const target = fc.oneof(
  fc.tuple(octet, octet, octet, octet, p16).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}:${p}`),
  fc
    .tuple(
      fc.array(
        fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16)),
        { minLength: 8, maxLength: 8 },
      ),
      p16,
    )
    .map(([g, p]) => `[${g.join(':')}]:${p}`),
  fc
    .string({ minLength: 1 })
    .filter((s) => !s.includes('\u0000'))
    .map((path) => `unix:${path}`),
);

describe('formatHiddenServicePort', () => {
  it('quotes a unix path only when a plain word cannot carry it', () => {
    assert.equal(formatHiddenServicePort(port(80, 'unix:/run/hs.sock')), '80 unix:/run/hs.sock');
    assert.equal(
      formatHiddenServicePort(port(80, 'unix:/run/a b.sock')),
      '80 unix:"/run/a b.sock"',
    );
    assert.equal(formatHiddenServicePort(port(80, 'unix:/run/#1')), '80 unix:"/run/#1"');
    assert.equal(formatHiddenServicePort(port(80, 'unix:"x')), '80 unix:"\\"x"');
    assert.equal(formatHiddenServicePort(port(443, '[::1]:8443')), '443 [::1]:8443');
  });

  it('writes what parseHiddenServicePort reads back to the same port', () => {
    fc.assert(
      fc.property(p16, target, (v, t) => {
        const p = port(v, t);
        assert.deepEqual(parseHiddenServicePort(formatHiddenServicePort(p)), right(p));
      }),
    );
  });

  it('never throws in parseHiddenServicePort on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseHiddenServicePort(s)));
  });
});

describe('VirtualPort and TargetAddr', () => {
  it('VirtualPort takes 1-65535', () => {
    assert.deepEqual(VirtualPort.decode('+443'), right(443));
    assert.deepEqual(VirtualPort.decode(80), right(80));
    assert.ok(isLeft(VirtualPort.decode('0')));
    assert.ok(isLeft(VirtualPort.decode(0)));
    assert.ok(isLeft(VirtualPort.decode(65536)));
    fc.assert(
      fc.property(p16, (n) =>
        assert.deepEqual(VirtualPort.decode(VirtualPort.encode(n)), right(n)),
      ),
    );
  });

  it('TargetAddr takes the normal forms, reads unix:"..." and a padded port, and needs an address', () => {
    assert.deepEqual(TargetAddr.decode('127.0.0.1:08080'), right('127.0.0.1:8080'));
    assert.deepEqual(TargetAddr.decode('unix:/run/a b.sock'), right('unix:/run/a b.sock'));
    assert.deepEqual(TargetAddr.decode('unix: '), right('unix: '));
    assert.deepEqual(TargetAddr.decode('unix:"/run/a b.sock"'), right('unix:/run/a b.sock'));
    assert.equal(
      message(TargetAddr.decode('8080')),
      'A target needs an address: use 127.0.0.1:8080',
    );
    assert.match(message(TargetAddr.decode('127.0.0.1')) ?? '', /a port is needed/);
    assert.match(message(TargetAddr.decode('unix:')) ?? '', /Empty unix socket path/);
    assert.equal(message(TargetAddr.decode('unix:/a\u0000')), 'A target cannot contain NUL');
    assert.equal(TargetAddr.is('127.0.0.1:08080'), false);
    assert.equal(TargetAddr.is('127.0.0.1:8080'), true);
  });

  it('TargetAddr encodes a unix path a plain word cannot carry in quotes', () => {
    assert.equal(TargetAddr.encode('unix:/run/a b.sock'), 'unix:"/run/a b.sock"');
    assert.equal(TargetAddr.encode('unix:"x'), 'unix:"\\"x"');
    assert.equal(TargetAddr.encode('[::1]:80'), '[::1]:80');
  });

  it('TargetAddr round-trips generated targets; typed ones are taken as they are', () => {
    fc.assert(
      fc.property(target, (t) => {
        assert.deepEqual(TargetAddr.decode(TargetAddr.encode(t)), right(t));
        // Only a path starting with a quote must be given quoted, since unix:" starts the text form.
        assert.equal(TargetAddr.is(t), !t.startsWith('unix:"'), t);
      }),
    );
  });
});
