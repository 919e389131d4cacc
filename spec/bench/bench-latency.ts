import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { filter, firstValueFrom, type Subscription, timeout } from 'rxjs';
import { loadFromFile, ReloadableConfig, reloadDefaults } from '../../lib/index.js';
import { sleep } from '../support/waiting.js';
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

/**
 * Benchmark 5, reload latency of the poll alone (`fsWatch: false`: the safety net where fs.watch
 * is silent, NFS and the like): a watched file (`startWatcher(intervalMs)`, `settleMs`) is saved
 * the way editors and `saveToFile` do (temporary file renamed over it), and the time from the
 * rename to `changes$` emitting is taken, `edits` times, with the pause between edits varied so
 * saves land at every phase of the poll timer. Compared with the floor of the rule: without the
 * fast path's events a rename whose write fell in the same tick of the file clock (most of them)
 * cannot be told from a write in place, so it is read once its ctime is `writeQuietMs` old (a
 * timer on that deadline, not the next poll); one with evidence it arrived whole (ctime after
 * mtime) waits for no more than a poll interval and the settle. The floor is the larger of the
 * two. Target: median at most 1.1x that floor.
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
  const floor = Math.max(o.intervalMs + o.settleMs, reloadDefaults.writeQuietMs);
  const reference = summarize([floor], 'ms');
  const ratio = measured.median / floor;
  return {
    id: 'latency',
    title: `5. Reload latency, polling only (interval ${o.intervalMs} ms, settle ${o.settleMs} ms)`,
    rows: [
      {
        name: `save -> changes$ (${latencies.length} edits)`,
        subject: 'rename-save',
        baseline: 'max(interval + settle, writeQuietMs)',
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
        'reload latency / max(interval + settle, writeQuietMs)',
        ratio,
        '<=',
        1.1,
        'x',
        'without the fast path a rename-save in one clock tick waits the quiet period, from its ctime',
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
