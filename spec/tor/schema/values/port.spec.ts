import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, right } from 'fp-ts/lib/Either.js';
import { Port } from '../../../../lib/tor/schema/values/port.js';

const message = (v: ReturnType<typeof Port.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('Port', () => {
  const cases: ReadonlyArray<readonly [string, number | 'auto']> = [
    ['0', 0],
    ['1', 1],
    ['9050', 9050],
    ['65535', 65535],
    ['+80', 80],
    ['080', 80],
    ['-0', 0],
    ['00', 0],
    ['auto', 'auto'],
    ['AUTO', 'auto'],
    ['Auto', 'auto'],
    [' 80', 80],
    ['80 ', 80],
    ['\t80\r\n', 80],
    // strtol skips isspace before the number
    ['\f80', 80],
  ];
  for (const [text, value] of cases) {
    it(`reads ${JSON.stringify(text)} as ${value}`, () =>
      assert.deepEqual(Port.decode(text), right(value)));
  }

  it("refuses Tor's address and flag forms, saying hotrc takes only a port and why", () => {
    for (const text of ['127.0.0.1:9050', 'localhost:9050', '[::1]:9050', 'unix:/run/tor/socks']) {
      assert.equal(
        message(Port.decode(text)),
        `${text} is an address; hotrc takes only a port number 1-65535, 0 to disable it, or auto here, because its schema (go-tor's) keeps the port alone`,
      );
    }
    assert.match(
      message(Port.decode('9050 IsolateDestAddr')) ?? '',
      /^9050 IsolateDestAddr has flags after the port; hotrc takes only a port number .* IsolationLevel/,
    );
  });

  it('refuses numbers out of range and words that are not numbers', () => {
    assert.equal(
      message(Port.decode('65536')),
      'Port 65536 is out of range: use a port number 1-65535, 0 to disable it, or auto',
    );
    assert.match(message(Port.decode('-1')) ?? '', /^Port -1 is out of range/);
    assert.match(message(Port.decode('0x50')) ?? '', /^Port 0x50 is not a number/);
    assert.match(message(Port.decode('1e3')) ?? '', /^Port 1e3 is not a number/);
    assert.match(message(Port.decode('')) ?? '', /^Empty port/);
  });

  it("splits words as Tor does, at spaces, tabs and line breaks but not at '\\v' or '\\f'", () => {
    // "\f 9050" is a first word "\f", then 9050: a flag to hotrc, no address to Tor.
    assert.match(message(Port.decode('\f 9050')) ?? '', /^\\f 9050 has flags after the port/);
    assert.match(message(Port.decode('90\r50')) ?? '', /^90 50 has flags after the port/);
    // Junk after the number, for strtol.
    assert.match(message(Port.decode('9050\f')) ?? '', /^Port 9050\\f is not a number/);
    assert.match(message(Port.decode('\vauto')) ?? '', /^Port \\vauto is not a number/);
  });

  it('takes typed ports and auto, and refuses other typed values', () => {
    assert.deepEqual(Port.decode(9050), right(9050));
    assert.deepEqual(Port.decode('auto'), right('auto'));
    for (const bad of [-1, 65536, 1.5, true, null]) {
      assert.match(
        message(Port.decode(bad)) ?? '',
        /^Expected a port number 1-65535, 0 to disable it, or auto, got/,
      );
    }
  });

  it('encodes ports so they decode back', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constant('auto' as const)),
        (p) => {
          assert.deepEqual(Port.decode(Port.encode(p)), right(p));
        },
      ),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => void Port.decode(s)));
  });
});
