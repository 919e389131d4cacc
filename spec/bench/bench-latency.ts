import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { filter, firstValueFrom, type Subscription, timeout } from 'rxjs';
import { loadFromFile, ReloadableConfig } from '../../lib/index.js';
import { type BenchResult, target } from './bench-result.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchLatency runs; the defaults are the brief's. */
export interface LatencyOptions {
  readonly intervalMs: number;
  readonly settleMs: number;
  readonly edits: number;
  /** Edits done first and not counted. */
  readonly warmups: number;
}

const defaults: LatencyOptions = { intervalMs: 20, settleMs: 30, edits: 21, warmups: 2 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Benchmark 5, reload latency of the poll alone (`fsWatch: false`: the safety net where fs.watch
 * is silent, NFS and the like): a watched file (`startWatcher(intervalMs)`, `settleMs`) is saved
 * the way editors and `saveToFile` do (temporary file renamed over it), and the time from the
 * rename to `changes$` emitting is taken, `edits` times, with the pause between edits varied so
 * saves land at every phase of the poll timer. Compared with interval + settle, the theoretical
 * floor of the worst case (a save just after a tick waits a whole interval, then the settle).
 * Target: median at most 1.5x that floor.
 * @example const result = await benchLatency(dir); result.rows[0]?.ratio
 */
export async function benchLatency(
  dir: string,
  options: Partial<LatencyOptions> = {},
): Promise<BenchResult> {
  const o: LatencyOptions = { ...defaults, ...options };
  const path = join(dir, 'torrc');
  const temp = join(dir, '.torrc.tmp');
  await writeFile(path, typicalTorrc(32));
  const rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {
    settleMs: o.settleMs,
    // The poll alone: benchmark 8 times the fs.watch fast path; this is the safety net under it.
    fsWatch: false,
  });
  const latencies: number[] = [];
  const rejections: string[] = [];
  let arrived: ((at: number, poolMax: number) => void) | undefined;
  const subscriptions: Subscription[] = [
    rc.changes$.subscribe((change) =>
      arrived?.(performance.now(), change.newConfig.CircuitPoolMaxSize),
    ),
    rc.rejections$.subscribe((r) => rejections.push(`${r.kind}: ${r.reason}`)),
  ];
  try {
    rc.startWatcher(o.intervalMs);
    // The first look reads the file once; wait for it so it does not overlap the first edit.
    await firstValueFrom(
      rc.status$.pipe(
        filter((s) => s.sha256 !== undefined),
        timeout(5000),
      ),
    );
    for (let i = 0; i < o.warmups + o.edits; i++) {
      const poolMax = 33 + i;
      const applied = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`bench: edit ${i} not applied in 5 s (${rejections.join('; ')})`)),
          5000,
        );
        arrived = (at, seen) => {
          if (seen !== poolMax) return;
          clearTimeout(timer);
          resolve(at);
        };
      });
      await writeFile(temp, typicalTorrc(poolMax));
      await rename(temp, path);
      const savedAt = performance.now();
      const at = await applied;
      if (i >= o.warmups) latencies.push(at - savedAt);
      // Golden-ratio steps spread the next save evenly over the poll period.
      await sleep(((i * 0.618034) % 1) * o.intervalMs);
    }
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    await rc.stop();
  }
  const measured = summarize(latencies, 'ms');
  const floor = o.intervalMs + o.settleMs;
  const reference = summarize([floor], 'ms');
  const ratio = measured.median / floor;
  return {
    id: 'latency',
    title: `5. Reload latency, polling only (interval ${o.intervalMs} ms, settle ${o.settleMs} ms)`,
    rows: [
      {
        name: `save -> changes$ (${latencies.length} edits)`,
        subject: 'rename-save',
        baseline: 'interval + settle',
        measured,
        reference,
        ratio,
      },
    ],
    facts: [
      { label: 'fastest', value: measured.min, unit: 'ms' },
      { label: 'slowest', value: measured.max, unit: 'ms' },
      { label: 'rejections', value: rejections.length, unit: '' },
    ],
    targets: [
      target(
        'reload latency / (interval + settle)',
        ratio,
        '<=',
        1.5,
        'x',
        'detection (<= 1 interval) + settle + one read and apply',
      ),
      target(
        'rejections during clean saves',
        rejections.length,
        '==',
        0,
        '',
        'FIELD-NOTES rows 2, 4',
      ),
    ],
  };
}
