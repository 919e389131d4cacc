import { performance } from 'node:perf_hooks';
import { type Summary, summarize } from './summarize.js';

/** Runs an operation `count` times in a row; may be async (each run then awaited in turn). */
export type Batch = (count: number) => void | Promise<void>;

/** How compareBatches samples. */
export interface CompareOptions {
  /** A batch is grown until it takes at least this long, so timer resolution does not matter. */
  readonly minBatchMs: number;
  /** Batches of each side run and thrown away first (JIT warm-up, caches, lazy init). */
  readonly warmups: number;
  /** Measured batches of each side. */
  readonly repeats: number;
  /** The unit per-operation times are reported in. */
  readonly unit: 'ms' | 'µs';
}

const defaults: CompareOptions = { minBatchMs: 20, warmups: 3, repeats: 11, unit: 'ms' };

/**
 * A subject and its baseline, timed the same way in the same process: per-operation medians and
 * their ratio (subject / baseline), the number the report leads with.
 * @example const c: Comparison = await compareBatches(parse, split); c.ratio
 */
export interface Comparison {
  readonly subject: Summary;
  readonly baseline: Summary;
  readonly ratio: number;
  /** Operations per measured batch, subject then baseline. */
  readonly batchSizes: readonly [number, number];
}

async function timeBatch(batch: Batch, count: number): Promise<number> {
  const start = performance.now();
  await batch(count);
  return performance.now() - start;
}

// Doubles the batch until one takes minBatchMs; the calibration runs double as warm-up.
async function calibrate(batch: Batch, minBatchMs: number): Promise<number> {
  let count = 1;
  for (;;) {
    const ms = await timeBatch(batch, count);
    if (ms >= minBatchMs || count >= 1 << 24) return count;
    count = ms <= 0 ? count * 8 : Math.max(count * 2, Math.ceil((count * minBatchMs) / ms));
  }
}

/**
 * Times `subject` against `baseline`: calibrates a batch size for each, warms both up, then runs
 * `repeats` rounds, each timing one batch of each side in ABBA order (so a slow drift on a shared
 * machine weighs on both alike). Times are per operation, in `unit`.
 * @example await compareBatches((k) => { for (let i = 0; i < k; i++) parse(text); }, (k) => { for (let i = 0; i < k; i++) text.split('\n'); })
 */
export async function compareBatches(
  subject: Batch,
  baseline: Batch,
  options: Partial<CompareOptions> = {},
): Promise<Comparison> {
  const o: CompareOptions = { ...defaults, ...options };
  const scale = o.unit === 'µs' ? 1000 : 1;
  const subjectCount = await calibrate(subject, o.minBatchMs);
  const baselineCount = await calibrate(baseline, o.minBatchMs);
  for (let i = 0; i < o.warmups; i++) {
    await timeBatch(subject, subjectCount);
    await timeBatch(baseline, baselineCount);
  }
  const subjectSamples: number[] = [];
  const baselineSamples: number[] = [];
  const runSubject = async () =>
    subjectSamples.push(((await timeBatch(subject, subjectCount)) / subjectCount) * scale);
  const runBaseline = async () =>
    baselineSamples.push(((await timeBatch(baseline, baselineCount)) / baselineCount) * scale);
  for (let i = 0; i < o.repeats; i++) {
    if (i % 2 === 0) {
      await runSubject();
      await runBaseline();
    } else {
      await runBaseline();
      await runSubject();
    }
  }
  const s = summarize(subjectSamples, o.unit);
  const b = summarize(baselineSamples, o.unit);
  return {
    subject: s,
    baseline: b,
    ratio: s.median / b.median,
    batchSizes: [subjectCount, baselineCount],
  };
}
