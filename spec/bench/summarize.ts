/**
 * A set of samples reduced to what the report prints: the median (the headline: robust to the
 * odd GC pause or noisy neighbour), the quartiles for the spread, and the extremes.
 * @example const s: Summary = summarize([3, 1, 2], 'ms'); // s.median === 2
 */
export interface Summary {
  readonly unit: string;
  readonly n: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  /** Interquartile range over the median: 0.05 means the middle half of the samples lie within 5%. */
  readonly spread: number;
}

// Linear interpolation between closest ranks, as numpy's default percentile does.
function quantile(sorted: ReadonlyArray<number>, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (at - lo);
}

/**
 * The `q` quantile of `samples` (0.99 for p99), by linear interpolation between closest ranks,
 * as the quartiles of summarize. NaN for no samples.
 * @example percentile([1, 2, 3, 4], 0.5) // 2.5
 */
export function percentile(samples: ReadonlyArray<number>, q: number): number {
  return quantile(
    [...samples].sort((a, b) => a - b),
    q,
  );
}

/**
 * Median, quartiles, extremes and relative spread of `samples`. Throws on an empty sample set:
 * a benchmark that measured nothing is a bug in the benchmark.
 * @example summarize([10, 12, 11, 30], 'ms').median // 11.5
 */
export function summarize(samples: ReadonlyArray<number>, unit: string): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return {
    unit,
    n: sorted.length,
    median,
    q1,
    q3,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    spread: median === 0 ? 0 : (q3 - q1) / median,
  };
}
