import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadFromFile, ReloadableConfig } from '../../lib/index.js';
import { type BenchResult, target } from './bench-result.js';
import { settledHeap } from './force-gc.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchMemory runs; the defaults are the brief's. */
export interface MemoryOptions {
  /** Cycles before the first heap reading (the baseline). */
  readonly early: number;
  /** Cycles in all before the second reading. */
  readonly total: number;
}

const defaults: MemoryOptions = { early: 200, total: 2000 };

const MiB = 1024 * 1024;

/**
 * Benchmark 5, memory per reload: `total` change/apply cycles on one ReloadableConfig, each a
 * write of the file (its content alternating between two configs that differ in a reloadable
 * field) and a manual `reload()` that must resolve `applied`, with a callback registered and
 * `changes$` subscribed, as an application would. The heap (after forced GCs) after `early`
 * cycles is the baseline; after `total` it must be at most 1.10x that. Heap snapshots taken at
 * 200 and 2000 cycles show the growth there is is V8's compiled code and its metadata, not
 * retained objects: the 10% leaves room for it while a leak of ~300 B per reload fails.
 * settleMs and writeQuietMs are 0 so the run stays short (each reload reads right after the
 * in-place write).
 * @example const result = await benchMemory(dir); result.rows[0]?.ratio
 */
export async function benchMemory(
  dir: string,
  options: Partial<MemoryOptions> = {},
): Promise<BenchResult> {
  const o: MemoryOptions = { ...defaults, ...options };
  const path = join(dir, 'torrc');
  const contents = [typicalTorrc(40), typicalTorrc(48)] as const;
  await writeFile(path, contents[0]);
  const rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {
    settleMs: 0,
    writeQuietMs: 0,
  });
  let callbacks = 0;
  let changes = 0;
  let notApplied = 0;
  rc.onReload(() => {
    callbacks++;
  });
  const subscription = rc.changes$.subscribe(() => {
    changes++;
  });
  let early = Number.NaN;
  let late = Number.NaN;
  const started = performance.now();
  try {
    for (let cycle = 1; cycle <= o.total; cycle++) {
      await writeFile(path, contents[cycle % 2] as string);
      const result = await rc.reload();
      if (result.status !== 'applied') notApplied++;
      if (cycle === o.early) early = await settledHeap();
    }
    late = await settledHeap();
  } finally {
    subscription.unsubscribe();
    await rc.stop();
  }
  const elapsed = performance.now() - started;
  const ratio = late / early;
  return {
    id: 'memory',
    title: `5. Memory over ${o.total} reloads`,
    rows: [
      {
        name: 'heapUsed after GC',
        subject: `after ${o.total} cycles`,
        baseline: `after ${o.early} cycles`,
        measured: summarize([late / MiB], 'MiB'),
        reference: summarize([early / MiB], 'MiB'),
        ratio,
      },
    ],
    facts: [
      { label: 'growth per cycle', value: (late - early) / (o.total - o.early), unit: 'B' },
      { label: 'time per cycle (write + reload)', value: elapsed / o.total, unit: 'ms' },
      { label: 'changes$ events', value: changes, unit: '' },
      { label: 'callback calls', value: callbacks, unit: '' },
    ],
    targets: [
      target(
        `heapUsed after ${o.total} / after ${o.early} cycles`,
        ratio,
        '<=',
        1.1,
        'x',
        'no growth per reload (FIELD-NOTES row 16), room left for JIT code',
      ),
      target('cycles not applied', notApplied, '==', 0, '', 'every write alternates the config'),
    ],
  };
}
