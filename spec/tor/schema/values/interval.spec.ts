import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, isRight, left, right } from 'fp-ts/lib/Either.js';
import {
  formatGoDuration,
  formatInterval,
  Interval,
  MAX_INTERVAL_MS,
  parseInterval,
} from '../../../../lib/tor/schema/values/interval.js';

const message = (v: ReturnType<typeof Interval.decode>) =>
  isLeft(v) ? v.left.map((e) => e.message).join('; ') : undefined;

describe('parseInterval', () => {
  describe("Tor's syntax (whole seconds)", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ['0', 0],
      ['90', 90],
      ['15 MINUTES', 900],
      ['1.5 hours', 5400],
      ['1 minute', 60],
      ['10minutes', 600],
      ['1 WeEk', 604800],
      ['2 weeks', 1209600],
      ['1 month', 2629728],
      ['0.5 months', 1314864],
      ['+5', 5],
      ['007', 7],
      ['5.', 5],
      ['.5 hours', 1800],
      ['1.5e2', 150],
      ['1.e2', 100],
      ['1.9', 1],
      ['0.7 hours', 2520],
      ['4.35 minutes', 261],
      ['-0', 0],
      ['-0.0', 0],
      [' 5', 5],
      ['5\tseconds', 5],
      ['5  seconds', 5],
      ['1 #comment', 1],
      ['5 #c\nminutes', 300],
      ['2147483647', 2147483647],
      ['35791394 minutes', 2147483640],
      ['2147483647.9', 2147483647],
    ];
    for (const [text, seconds] of cases) {
      it(`reads ${JSON.stringify(text)} as ${seconds} s`, () => {
        assert.deepEqual(parseInterval(text), right(seconds * 1000));
      });
    }

    const refused: ReadonlyArray<readonly [string, string]> = [
      ['10 min', 'Unknown unit in 10 min'],
      ['2 d', 'Unknown unit in 2 d'],
      ['0x10', 'Unknown unit in 0x10'],
      ['1e2', 'Unknown unit in 1e2'],
      ['5 seconds ', 'Unknown unit in 5 seconds '],
      ['10 MIN', 'Unknown unit in 10 MIN'],
      ['-1', 'Overflow while parsing -1'],
      ['-5 minutes', 'Overflow while parsing -5 minutes'],
      ['18446744073709551615', 'Overflow while parsing 18446744073709551615'],
      ['2147483648', 'Provided value 2147483648 is too large'],
      ['35791395 minutes', 'Provided value 35791395 minutes is too large'],
      ['nan', 'Provided value nan is too large'],
      ['-0.5', 'Unable to parse -0.5 as a number'],
      ['inf', 'Unable to parse inf as a number'],
      ['1.5e400', 'Unable to parse 1.5e400 as a number'],
      ['1.0e-310', 'Unable to parse 1.0e-310 as a number'],
      ['99999999999999999999', 'Unable to parse 99999999999999999999 as a number'],
      ['seconds', 'Unable to parse seconds as a number'],
      ['', 'Unable to parse  as a number'],
    ];
    for (const [text, why] of refused) {
      it(`refuses ${JSON.stringify(text)}: ${why}`, () => {
        assert.deepEqual(parseInterval(text), left(why));
      });
    }

    it('reads every Tor unit in any case, with or without a space', () => {
      const units: ReadonlyArray<readonly [string, number]> = [
        ['', 1],
        ['second', 1],
        ['seconds', 1],
        ['minute', 60],
        ['minutes', 60],
        ['hour', 3600],
        ['hours', 3600],
        ['day', 86400],
        ['days', 86400],
        ['week', 604800],
        ['weeks', 604800],
        ['month', 2629728],
        ['months', 2629728],
      ];
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.constantFrom(...units),
          fc.constantFrom('', ' ', '  ', '\t'),
          fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
          (n, [unit, size], gap, upper) => {
            const spelled = [...unit].map((c, i) => (upper[i % 7] ? c.toUpperCase() : c)).join('');
            const text = `${n}${unit === '' ? '' : gap}${spelled}`;
            const expected =
              n * size <= 2147483647
                ? right(n * size * 1000)
                : left(`Provided value ${text} is too large`);
            assert.deepEqual(parseInterval(text), expected);
          },
        ),
      );
    });

    it('reads whole numbers of any length as 64-bit arithmetic does, across the 9-digit fast path', () => {
      const units: ReadonlyArray<readonly [string, bigint]> = [
        ['', 1n],
        [' seconds', 1n],
        [' minutes', 60n],
        [' Hours', 3600n],
        [' weeks', 604800n],
        [' months', 2629728n],
      ];
      fc.assert(
        fc.property(
          fc.stringMatching(/^[0-9]{1,12}$/),
          fc.constantFrom('', '+', ' ', ' +'),
          fc.constantFrom(...units),
          (digits, sign, [unit, size]) => {
            const text = `${sign}${digits}${unit}`;
            const seconds = BigInt(digits) * size;
            const expected =
              seconds <= 2147483647n
                ? right(Number(seconds) * 1000)
                : left(`Provided value ${text} is too large`);
            assert.deepEqual(parseInterval(text), expected);
          },
        ),
      );
    });
  });

  describe("go-tor's syntax (Go durations and days)", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ['60s', 60_000],
      ['10m', 600_000],
      ['2h', 7_200_000],
      ['1m30s', 90_000],
      ['1.5h', 5_400_000],
      ['500ms', 500],
      ['1h2m3.5s', 3_723_500],
      ['+10m', 600_000],
      ['.5h', 1_800_000],
      ['1.h', 3_600_000],
      ['1h1h', 7_200_000],
      ['-0s', 0],
      ['0.1h', 360_000],
      ['1500us', 1],
      ['1500\u00b5s', 1],
      ['1500\u03bcs', 1],
      ['999999ns', 0],
      ['1.0005s', 1000],
      ['1d', 86_400_000],
      ['2d', 172_800_000],
      ['596523h14m7s', MAX_INTERVAL_MS],
    ];
    for (const [text, ms] of cases) {
      it(`reads ${JSON.stringify(text)} as ${ms} ms`, () => {
        assert.deepEqual(parseInterval(text), right(ms));
      });
    }

    const refused: ReadonlyArray<readonly [string, RegExp]> = [
      ['-5m', /^Interval -5m is negative$/],
      ['-1d', /^Interval -1d is negative$/],
      [
        '600000h',
        /^Interval 600000h is too large: the most is 2147483647 seconds \(596523h14m7s\)$/,
      ],
      ['2147483647.5s', /^Interval 2147483647\.5s is too large/],
      ['99999999999999999999h', /^Interval 99999999999999999999h is too large/],
      ['25000d', /^Interval 25000d is too large/],
      ['1h 30m', /^Unknown unit in 1h 30m$/],
      ['1H', /^Unknown unit in 1H$/],
      ['10M', /^Unknown unit in 10M$/],
      ['1hh', /^Unknown unit in 1hh$/],
      ['1.5.5h', /^Unknown unit in 1\.5\.5h$/],
      ['1.5d', /^Unknown unit in 1\.5d$/],
    ];
    for (const [text, why] of refused) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        const result = parseInterval(text);
        assert.ok(isLeft(result));
        assert.match(result.left, why);
      });
    }

    it('adds up h, m, s and ms components exactly', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 500_000 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 999 }),
          (h, m, s, ms) => {
            const total = ((h * 60 + m) * 60 + s) * 1000 + ms;
            assert.deepEqual(parseInterval(`${h}h${m}m${s}s${ms}ms`), right(total));
          },
        ),
      );
    });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.stringMatching(/^[-+0-9.eE hmsdnuµ]{0,30}$/),
        ),
        (text) => {
          const result = parseInterval(text);
          if (isRight(result))
            assert.ok(
              Number.isInteger(result.right) &&
                result.right >= 0 &&
                result.right <= MAX_INTERVAL_MS,
            );
        },
      ),
    );
  });
});

describe('formatInterval', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0 seconds'],
    [1000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, '1 minute'],
    [900_000, '15 minutes'],
    [5_400_000, '90 minutes'],
    [7_200_000, '2 hours'],
    [86_400_000, '1 day'],
    [604_800_000, '1 week'],
    [1_209_600_000, '2 weeks'],
    [1500, '1500ms'],
    [1, '1ms'],
    [MAX_INTERVAL_MS, '2147483647 seconds'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${JSON.stringify(text)}`, () => assert.equal(formatInterval(ms), text));
  }

  it('throws a RangeError for a value that is not an interval', () => {
    for (const bad of [-1, 1.5, Number.NaN, MAX_INTERVAL_MS + 1, Infinity]) {
      assert.throws(() => formatInterval(bad), RangeError);
    }
  });

  it('is read back by parseInterval as the same number of milliseconds', () => {
    const ms = fc.oneof(
      fc.integer({ min: 0, max: MAX_INTERVAL_MS }),
      fc.integer({ min: 0, max: 2147483647 }).map((s) => s * 1000),
      fc
        .constantFrom(60, 3600, 86400, 604800)
        .chain((size) =>
          fc.integer({ min: 0, max: Math.floor(2147483647 / size) }).map((n) => n * size * 1000),
        ),
    );
    fc.assert(fc.property(ms, (n) => assert.deepEqual(parseInterval(formatInterval(n)), right(n))));
  });
});

describe('formatGoDuration', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0s'],
    [1, '1ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1050, '1.05s'],
    [1001, '1.001s'],
    [90_000, '1m30s'],
    [600_000, '10m0s'],
    [900_000, '15m0s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [61_500, '1m1.5s'],
    [MAX_INTERVAL_MS, '596523h14m7s'],
    [-1500, '-1.5s'],
  ];
  for (const [ms, text] of cases) {
    it(`renders ${ms} ms as ${text}`, () => assert.equal(formatGoDuration(ms), text));
  }

  it('throws a TypeError for a fractional or non-finite number', () => {
    for (const bad of [1.5, Number.NaN, Infinity])
      assert.throws(() => formatGoDuration(bad), TypeError);
  });

  it('writes Go duration syntax that parseInterval reads back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INTERVAL_MS }), (ms) => {
        assert.deepEqual(parseInterval(formatGoDuration(ms)), right(ms));
      }),
    );
  });
});

describe('Interval codec', () => {
  it('decodes torrc text and typed milliseconds', () => {
    assert.deepEqual(Interval.decode('1.5 hours'), right(5_400_000));
    assert.deepEqual(Interval.decode('10m'), right(600_000));
    assert.deepEqual(Interval.decode(60_000), right(60_000));
  });

  it('refuses typed values out of range or not whole milliseconds, saying what it expected', () => {
    for (const bad of [-1, 1.5, MAX_INTERVAL_MS + 1, Number.NaN, true, null, {}, [1]]) {
      assert.match(
        message(Interval.decode(bad)) ?? '',
        /^Expected a whole number of milliseconds from 0 to 2147483647000, got /,
      );
    }
  });

  it('passes a parse failure on as the message, without key or location', () => {
    assert.equal(message(Interval.decode('10 min')), 'Unknown unit in 10 min');
  });

  it('encodes as torrc text it decodes back', () => {
    assert.equal(Interval.encode(600_000), '10 minutes');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INTERVAL_MS }), (ms) => {
        assert.equal(Interval.is(ms), true);
        assert.deepEqual(Interval.decode(Interval.encode(ms)), right(ms));
      }),
    );
  });
});
