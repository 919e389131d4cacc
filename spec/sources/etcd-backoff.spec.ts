// The reconnection backoff and the resync jitter: pure functions of a random number, pinned
// down at their edges and checked as properties over every random number and bound.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jittered, nextBackoff } from '../../lib/sources/etcd-backoff.js';

// A random number as Math.random gives them: 0 <= r < 1.
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const bounds = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 100_000 }))
  .map(([minMs, extra]) => ({ minMs, maxMs: minMs + extra }));

describe('etcd backoff and jitter', () => {
  it('backs off between minMs and three times the last delay, capped at maxMs', () => {
    const b = { minMs: 100, maxMs: 1000 };
    assert.equal(
      nextBackoff(undefined, b, () => 0),
      100,
    );
    assert.equal(
      nextBackoff(undefined, b, () => 0.5),
      200,
    );
    assert.equal(
      nextBackoff(200, b, () => 0.5),
      350,
    );
    assert.equal(
      nextBackoff(900, b, () => 0.9),
      1000,
    );
    assert.equal(
      jittered(1000, () => 0),
      800,
    );
    assert.equal(
      jittered(1000, () => 0.5),
      1000,
    );
  });

  it('every delay lies in [minMs, min(maxMs, 3 × previous)], whatever the random number', () => {
    fc.assert(
      fc.property(
        bounds,
        fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
        unit,
        (b, previous, r) => {
          const d = nextBackoff(previous, b, () => r);
          const top = Math.min(b.maxMs, Math.max(b.minMs, 3 * (previous ?? b.minMs)));
          return d >= b.minMs && d <= top;
        },
      ),
    );
  });

  it('a delay below minMs (or 0) given as previous still waits at least minMs', () => {
    const b = { minMs: 100, maxMs: 5000 };
    for (const previous of [0, 1, 20, 33]) {
      for (const r of [0, 0.5, 0.999])
        assert.equal(
          nextBackoff(previous, b, () => r),
          100,
        );
    }
  });

  it('grows to maxMs and stays there when every random number is the largest', () => {
    const b = { minMs: 100, maxMs: 5000 };
    const delays: number[] = [];
    let d: number | undefined;
    for (let i = 0; i < 8; i++) {
      d = nextBackoff(d, b, () => 0.999999);
      delays.push(Math.round(d));
    }
    assert.deepEqual(delays, [300, 900, 2700, 5000, 5000, 5000, 5000, 5000]);
  });

  it('minMs equal to maxMs is a fixed delay', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), unit, (ms, r) => {
        return nextBackoff(undefined, { minMs: ms, maxMs: ms }, () => r) === ms;
      }),
    );
  });

  it('jittered stays within ±20% of the period and is monotonic in the random number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), unit, unit, (p, r, s) => {
        const a = jittered(p, () => r);
        const b = jittered(p, () => s);
        return a >= 0.8 * p && a <= 1.2 * p && (r <= s ? a <= b : a >= b);
      }),
    );
  });
});
