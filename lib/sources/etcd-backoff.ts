// How long to wait before the next attempt to reach etcd, and how to spread periodic work over
// a fleet: pure functions of a random number, so specs can pin them down.

/**
 * The bounds of a reconnection backoff (ms).
 * @example const b: BackoffBounds = { minMs: 100, maxMs: 5000 };
 */
export interface BackoffBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The next delay of a decorrelated-jitter backoff: uniform between `minMs` and three times the
 * previous delay, capped at `maxMs`. Hosts that lost etcd together come back spread out rather
 * than in one wave; the first delay (`previous` undefined) is `minMs` to `3 × minMs`.
 * @example nextBackoff(undefined, { minMs: 100, maxMs: 5000 }, Math.random) // 100..300
 */
export function nextBackoff(
  previous: number | undefined,
  bounds: BackoffBounds,
  random: () => number,
): number {
  const from = bounds.minMs;
  const to = Math.max(from, 3 * (previous ?? bounds.minMs));
  return Math.min(bounds.maxMs, from + random() * (to - from));
}

/**
 * A period spread ±20% at random, so that a fleet started together does not resync together.
 * @example jittered(10_000, Math.random) // 8000..12000
 */
export function jittered(periodMs: number, random: () => number): number {
  return periodMs * (0.8 + 0.4 * random());
}
