import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFromFile, nodeFs, ReloadableConfig } from '../../lib/index.js';
import { sleep } from '../support/waiting.js';
import { type BenchResult, target } from './bench-result.js';
import { countingFs } from './counting-fs.js';
import { summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchPoll runs; the defaults are the brief's (200 files, 50 ms, 3 s measured per side). */
export interface PollOptions {
  readonly files: number;
  readonly intervalMs: number;
  /** Measured windows per side, alternating baseline and hotrc. */
  readonly rounds: number;
  readonly windowMs: number;
  /** Time given to timers to start ticking before a window opens. */
  readonly leadInMs: number;
  /** hotrc's default racy window: files younger than this are read once more when it ends. */
  readonly racyWindowMs: number;
}

const defaults: PollOptions = {
  files: 200,
  intervalMs: 50,
  rounds: 6,
  windowMs: 500,
  leadInMs: 150,
  racyWindowMs: 2000,
};

interface PollWindow {
  /** CPU time (user + system, every thread: libuv's pool does the stats) per file per interval, µs. */
  readonly cpuPerTickUs: number;
  /** Ticks (per file) counted in the window. */
  readonly ticks: number;
}

// CPU spent by the whole process over windowMs of whatever is running now, charged per file per
// interval of the window (both sides alike, whatever ticks they managed), and the ticks counted.
async function measureWindow(
  windowMs: number,
  files: number,
  intervalMs: number,
  ticks: () => number,
): Promise<PollWindow> {
  const ticks0 = ticks();
  const cpu0 = process.cpuUsage();
  await sleep(windowMs);
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuPerTickUs: (cpu.user + cpu.system) / ((files * windowMs) / intervalMs),
    ticks: ticks() - ticks0,
  };
}

/**
 * The baseline poller, the fastest plain way to do the same work: one timer, and each tick a
 * `statSync(f, { bigint: true })` of every file (hotrc's fingerprint is a bigint stat). A tick
 * counts once per file, so ticks compare with hotrc's looks.
 */
function baselinePoller(paths: ReadonlyArray<string>, intervalMs: number) {
  let ticks = 0;
  let timer: NodeJS.Timeout | undefined;
  let sink = 0n;
  const tick = () => {
    for (const path of paths) {
      try {
        sink ^= statSync(path, { bigint: true }).mtimeNs;
      } catch {
        sink ^= 1n;
      }
    }
    ticks += paths.length;
  };
  return {
    ticks: () => ticks,
    sink: () => sink,
    start() {
      tick();
      timer = setInterval(tick, intervalMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * Benchmark 3, poll cost (FIELD-NOTES row 17: "one stat per file per tick, no read unless the
 * fingerprint moved"): `files` ReloadableConfigs on as many unchanged real files, each
 * `startWatcher(intervalMs)`, against one timer doing a bigint `statSync` of every file per tick
 * (the fastest plain way; in-process, so bench 4's fresh processes are the idle figure). Windows of
 * each side alternate, so drift on a shared machine weighs on both. Reads are counted through
 * the `fs` option. Targets, from row 17: no read of an unchanged file after the first load, one
 * fs call per look, and CPU per tick per file at most 3x the statSync loop (the stat itself,
 * plus at most twice its cost for the timers and the pipeline around it).
 * @example const result = await benchPoll(dir); result.facts
 */
export async function benchPoll(
  dir: string,
  options: Partial<PollOptions> = {},
): Promise<BenchResult> {
  const o: PollOptions = { ...defaults, ...options };
  const paths = Array.from({ length: o.files }, (_, i) =>
    join(dir, `torrc-${String(i).padStart(3, '0')}`),
  );
  const text = typicalTorrc();
  await Promise.all(paths.map((p) => writeFile(p, text)));
  const written = Date.now();
  const initial = await loadFromFile(paths[0] as string);
  const counting = countingFs(nodeFs);
  const configs = paths.map(
    (p) =>
      new ReloadableConfig(initial, p, undefined, {
        fs: counting.fs,
        racyWindowMs: o.racyWindowMs,
      }),
  );
  // What users run: nodeFs, so the shared poller's stat path. (With any other FsPort, as the
  // counting one, every tick is a whole look: right for counting fs calls, not for CPU.)
  const real = paths.map(
    (p) => new ReloadableConfig(initial, p, undefined, { racyWindowMs: o.racyWindowMs }),
  );
  const pathSet = new Set(paths);
  // A look stats the config path exactly once; readStable's stats only happen on a read.
  const looks = () => {
    let n = 0;
    for (const [path, count] of counting.counts.statsOf) if (pathSet.has(path)) n += count;
    return n;
  };
  const baseline = baselinePoller(paths, o.intervalMs);
  const window = (ticks: () => number) => measureWindow(o.windowMs, o.files, o.intervalMs, ticks);
  const uncounted = () => 0;
  const hotrcWindows: PollWindow[] = [];
  const baselineWindows: PollWindow[] = [];
  const countedWindows: PollWindow[] = [];
  let warmupReads = 0;
  let steadyReads = 0;
  let fsCalls = 0;
  let steadyLooks = 0;
  try {
    // Warm-up: first look at every file (a read each, since the files are new), then the
    // racy-window re-read of row 5, which is by design. Wait both out before counting.
    for (const rc of [...configs, ...real]) rc.startWatcher(o.intervalMs);
    await sleep(Math.max(0, written + o.racyWindowMs + 300 - Date.now()));
    // Then until reads stop (at most 5 s more: a poller that never stops reading is a finding,
    // which the steady-state count below reports, not a reason to hang).
    for (let last = -1, waits = 0; counting.counts.readFile !== last && waits < 25; waits++) {
      last = counting.counts.readFile;
      await sleep(200);
    }
    for (const rc of [...configs, ...real]) rc.stopWatcher();
    warmupReads = counting.counts.readFile;
    await sleep(o.intervalMs * 2);
    counting.reset();

    for (let round = 0; round < o.rounds; round++) {
      baseline.start();
      await sleep(o.leadInMs);
      baselineWindows.push(await window(baseline.ticks));
      baseline.stop();
      await sleep(o.intervalMs);

      for (const rc of real) rc.startWatcher(o.intervalMs);
      await sleep(o.leadInMs);
      hotrcWindows.push(await window(uncounted));
      for (const rc of real) rc.stopWatcher();
      await sleep(o.intervalMs);

      for (const rc of configs) rc.startWatcher(o.intervalMs);
      await sleep(o.leadInMs);
      const before = counting.counts.stat + counting.counts.realpath + counting.counts.lstat;
      const w = await window(looks);
      countedWindows.push(w);
      fsCalls += counting.counts.stat + counting.counts.realpath + counting.counts.lstat - before;
      steadyLooks += w.ticks;
      for (const rc of configs) rc.stopWatcher();
      await sleep(o.intervalMs);
    }
    steadyReads = counting.counts.readFile;
  } finally {
    baseline.stop();
    await Promise.all([...configs, ...real].map((rc) => rc.stop()));
  }
  const measured = summarize(
    hotrcWindows.map((w) => w.cpuPerTickUs),
    'µs',
  );
  const reference = summarize(
    baselineWindows.map((w) => w.cpuPerTickUs),
    'µs',
  );
  const ratio = measured.median / reference.median;
  const fsCallsPerLook = fsCalls / Math.max(1, steadyLooks);
  const ticksPerFile = (ws: PollWindow[]) =>
    ws.reduce((s, w) => s + w.ticks, 0) / ws.length / o.files;
  return {
    id: 'poll',
    title: `3. Poll cost: ${o.files} unchanged files, ${o.intervalMs} ms interval`,
    rows: [
      {
        name: 'CPU per file per interval',
        subject: `${o.files} x startWatcher`,
        baseline: 'statSync loop, one timer',
        measured,
        reference,
        ratio,
      },
    ],
    facts: [
      { label: 'window', value: o.windowMs, unit: 'ms' },
      {
        label: 'hotrc looks per file per window (counting FsPort)',
        value: ticksPerFile(countedWindows),
        unit: '',
      },
      {
        label: 'baseline ticks per file per window',
        value: ticksPerFile(baselineWindows),
        unit: '',
      },
      {
        label: 'fs calls per look (stat+realpath+lstat)',
        value: fsCallsPerLook,
        unit: '',
      },
      { label: 'reads during warm-up (first load + racy re-read)', value: warmupReads, unit: '' },
    ],
    targets: [
      target(
        'reads of unchanged files after first load',
        steadyReads,
        '==',
        0,
        '',
        'FIELD-NOTES row 17: no read unless the fingerprint moved',
      ),
      target(
        'fs calls per look',
        fsCallsPerLook,
        '<=',
        1,
        '',
        'FIELD-NOTES row 17: one stat per file per tick',
      ),
      target(
        'poll CPU / statSync loop on one timer',
        ratio,
        '<=',
        3,
        'x',
        'one stat per tick, plus at most twice its cost for timers and pipeline',
      ),
    ],
  };
}
