import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatGoDuration } from '../../lib/engine/go-duration.js';

// The largest torrc interval (INT_MAX seconds), as the Tor profile's change logs may show it.
const MAX_INTERVAL_MS = 2_147_483_647_000;

// Go's time.ParseDuration, for the units formatGoDuration writes (h, m, s with a fraction, ms).
function parseGoDuration(text: string): number {
  const m = /^(-)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)(?:\.(\d+))?s|(\d+)ms)?$/.exec(text);
  assert.ok(m !== null && text !== '' && text !== '-', `not a Go duration: ${text}`);
  const [, sign, h, min, s, fraction, ms] = m;
  const total =
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(s ?? 0) * 1000 +
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3) || 0) +
    Number(ms ?? 0);
  return sign === '-' ? -total : total;
}

describe('formatGoDuration', () => {
  // The same cases as spec/tor/schema/values/interval.spec.ts, which checks the Tor re-export.
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0s'],
    [1, '1ms'],
    [500, '500ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1050, '1.05s'],
    [1001, '1.001s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [600_000, '10m0s'],
    [900_000, '15m0s'],
    [3_600_000, '1h0m0s'],
    [3_601_000, '1h0m1s'],
    [5_400_000, '1h30m0s'],
    [61_500, '1m1.5s'],
    [86_400_000, '24h0m0s'],
    [MAX_INTERVAL_MS, '596523h14m7s'],
    [-1500, '-1.5s'],
    [-500, '-500ms'],
    [-5_400_000, '-1h30m0s'],
  ];
  for (const [ms, text] of cases) {
    it(`renders ${ms} ms as ${text}`, () => assert.equal(formatGoDuration(ms), text));
  }

  it('throws a TypeError for a fractional, non-finite or unsafe number', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 2 ** 53]) {
      assert.throws(() => formatGoDuration(bad), TypeError, String(bad));
    }
  });

  it('writes a duration that reads back as the same number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_INTERVAL_MS, max: MAX_INTERVAL_MS }), (ms) => {
        assert.equal(parseGoDuration(formatGoDuration(ms)), ms);
      }),
    );
  });

  it('never writes a trailing zero in a fraction, nor a unit bigger than hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_INTERVAL_MS }), (ms) => {
        const text = formatGoDuration(ms);
        assert.doesNotMatch(text, /\.\d*0s$/);
        assert.doesNotMatch(text, /[dwy]/);
      }),
    );
  });
});
