import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { reloadDefaults } from '../../lib/engine/reload-options.js';
import {
  type ConfigChange,
  loadFromFile,
  ReloadableConfig,
  type ReloadOptions,
  type TorConfig,
} from '../../lib/index.js';
import { sleep } from '../support/waiting.js';
import { type BenchResult, type Fact, type Row, target } from './bench-result.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchQuiet runs. */
export interface QuietOptions {
  /** The `writeQuietMs` values tried against the torn writers. */
  readonly quiets: ReadonlyArray<number>;
  /** The pauses (ms) of the torn writers between their two chunks. */
  readonly pauses: ReadonlyArray<number>;
  /** Torn writers per (quiet, pause, cut) cell. */
  readonly trials: number;
  /** Saves timed per kind of save for the latency rows. */
  readonly saves: number;
  /** The poll interval (ms) of every watcher: short, as fs.watch will make detection. */
  readonly intervalMs: number;
}

const defaults: QuietOptions = {
  quiets: [100, 250, 500, 1000, 2000],
  pauses: [50, 100, 200, 500],
  trials: 3,
  saves: 15,
  intervalMs: 10,
};

type Cut = 'line' | 'mid';

/** Where the first chunk of a torn write ends: a line boundary, or inside a line. */
function splitAt(text: string, cut: Cut): number {
  const line = text.indexOf('CircuitPoolMaxSize');
  return cut === 'line' ? line : line + 'CircuitPoolMa'.length;
}

async function watcher(
  path: string,
  options: Partial<ReloadOptions<TorConfig>>,
  intervalMs: number,
): Promise<{ rc: ReloadableConfig; changes: ConfigChange[] }> {
  const rc = new ReloadableConfig(await loadFromFile(path), path, undefined, options);
  const changes: ConfigChange[] = [];
  rc.changes$.subscribe((c) => changes.push(c));
  rc.startWatcher(intervalMs);
  // The first look reads the file; wait for it so it cannot overlap the write.
  await firstValueFrom(
    rc.status$.pipe(
      filter((s) => s.sha256 !== undefined),
      timeout(10_000),
    ),
  );
  return { rc, changes };
}

/**
 * One in-place writer (truncate, first chunk, pause, the rest, close) under a watcher. Torn when
 * any committed config is not the finished file's: a half file applied, then the whole.
 */
async function tornTrial(
  dir: string,
  options: Partial<ReloadOptions<TorConfig>>,
  pauseMs: number,
  cut: Cut,
  intervalMs: number,
): Promise<{ torn: boolean; lost: boolean }> {
  const path = join(dir, 'torrc');
  await writeFile(path, typicalTorrc(32));
  const { rc, changes } = await watcher(path, options, intervalMs);
  try {
    const next = typicalTorrc(77);
    const at = splitAt(next, cut);
    const handle = await open(path, 'w');
    await handle.write(next.slice(0, at));
    await sleep(pauseMs);
    await handle.write(next.slice(at));
    await handle.close();
    const done = await firstValueFrom(
      rc.config$.pipe(
        filter((c) => c.CircuitPoolMaxSize === 77),
        timeout({ first: 10_000, with: () => Promise.resolve(undefined) }),
      ),
    );
    return {
      torn: changes.some((c) => c.newConfig.CircuitPoolMaxSize !== 77),
      lost: done === undefined,
    };
  } finally {
    await rc.stop();
  }
}

/** Save-to-commit times of `saves` saves of one kind, spread over the poll period. */
async function latencies(
  dir: string,
  options: Partial<ReloadOptions<TorConfig>>,
  saves: number,
  intervalMs: number,
  save: (path: string, text: string) => Promise<void>,
): Promise<number[]> {
  const path = join(dir, 'torrc');
  await writeFile(path, typicalTorrc(32));
  const { rc } = await watcher(path, options, intervalMs);
  const times: number[] = [];
  try {
    for (let i = 0; i < saves; i++) {
      const poolMax = 40 + i;
      const applied = firstValueFrom(
        rc.changes$.pipe(
          filter((c) => c.newConfig.CircuitPoolMaxSize === poolMax),
          timeout(10_000),
        ),
      ).then(() => performance.now());
      const savedAt = performance.now();
      await save(path, typicalTorrc(poolMax));
      times.push((await applied) - savedAt);
      // Golden-ratio steps spread the next save over the poll period.
      await sleep(((i * 0.618034) % 1) * intervalMs + 5);
    }
  } finally {
    await rc.stop();
  }
  return times;
}

const inPlace = (path: string, text: string) => writeFile(path, text);
const renameSave = async (path: string, text: string) => {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
};

/**
 * Benchmark 7, the write-quiet trade-off, on real files. Torn writers: for each `writeQuietMs`
 * and each pause, `trials` in-place writers write a typical torrc in two chunks (cut at a line
 * boundary, or inside a line) with the pause between them, under a watcher polling every
 * `intervalMs`; a trial is torn when a half file was committed. Then the save-to-commit latency
 * of an in-place save and of a rename-save at the defaults: the price of the quiet period, paid
 * by in-place saves only.
 * @example const result = await benchQuiet(dir, { quiets: [500], pauses: [200] });
 */
export async function benchQuiet(
  dir: string,
  options: Partial<QuietOptions> = {},
): Promise<BenchResult> {
  const o: QuietOptions = { ...defaults, ...options };
  const quietDefault = reloadDefaults.writeQuietMs;
  const facts: Fact[] = [];
  let tornAtDefault = 0;
  let lost = 0;
  let n = 0;
  for (const quiet of o.quiets) {
    const cells = o.pauses.flatMap((pause) =>
      (['line', 'mid'] as const).flatMap((cut) =>
        Array.from({ length: o.trials }, () => ({ pause, cut })),
      ),
    );
    // Trials run side by side (each its own file and watcher): torn-ness does not depend on load.
    const outcomes = await Promise.all(
      cells.map(async ({ pause, cut }) => {
        const trialDir = join(dir, `t${n++}`);
        await mkdir(trialDir);
        const r = await tornTrial(trialDir, { writeQuietMs: quiet }, pause, cut, o.intervalMs);
        return { pause, cut, ...r };
      }),
    );
    for (const pause of o.pauses) {
      for (const cut of ['line', 'mid'] as const) {
        const mine = outcomes.filter((x) => x.pause === pause && x.cut === cut);
        const torn = mine.filter((x) => x.torn).length;
        lost += mine.filter((x) => x.lost).length;
        if (quiet === quietDefault && pause < quiet) tornAtDefault += torn;
        facts.push({
          label: `torn at quiet ${quiet}, pause ${pause}, cut at ${cut}`,
          value: torn,
          unit: `/${mine.length}`,
        });
      }
    }
  }
  // Latency at the defaults, as a user gets it.
  const latencyOptions: Partial<ReloadOptions<TorConfig>> = {};
  const placeDir = join(dir, 'in-place');
  const renameDir = join(dir, 'rename');
  await mkdir(placeDir);
  await mkdir(renameDir);
  const place = summarize(
    await latencies(placeDir, latencyOptions, o.saves, o.intervalMs, inPlace),
    'ms',
  );
  const renamed = summarize(
    await latencies(renameDir, latencyOptions, o.saves, o.intervalMs, renameSave),
    'ms',
  );
  const floor = summarize([o.intervalMs], 'ms');
  const rows: Row[] = [
    {
      name: `in-place save -> changes$ (${place.n})`,
      subject: 'writeFile',
      baseline: 'writeQuietMs',
      measured: place,
      reference: summarize([quietDefault], 'ms'),
      ratio: place.median / quietDefault,
    },
    {
      name: `rename-save -> changes$ (${renamed.n})`,
      subject: 'write + rename',
      baseline: 'poll interval',
      measured: renamed,
      reference: floor,
      ratio: renamed.median / o.intervalMs,
    },
  ];
  facts.push(
    { label: 'in-place slowest', value: place.max, unit: 'ms' },
    { label: 'rename-save slowest', value: renamed.max, unit: 'ms' },
  );
  return {
    id: 'quiet',
    title: `7. Half-written files (poll ${o.intervalMs} ms)`,
    rows,
    facts,
    targets: [
      target(
        `torn writers pausing less than the default writeQuietMs (${quietDefault} ms)`,
        tornAtDefault,
        '==',
        0,
        '',
        'issue 6: a 200 ms pause at a line boundary is kept out',
      ),
      target('finished files never applied', lost, '==', 0, '', 'FIELD-NOTES row 4'),
      target(
        'rename-save median',
        renamed.median,
        '<=',
        o.intervalMs + 5,
        'ms',
        'issue 6: a new inode waits for no quiet period (detection + read only)',
      ),
      target(
        'in-place save slowest',
        place.max,
        '<=',
        quietDefault + o.intervalMs + 5,
        'ms',
        'the quiet period runs from the write (ctime), not from when a poll saw it',
      ),
    ],
  };
}
