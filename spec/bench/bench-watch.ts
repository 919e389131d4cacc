import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { watch as chokidarWatch } from 'chokidar';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { reloadDefaults } from '../../lib/engine/reload-options.js';
import { sleep } from '../support/waiting.js';
import { type BenchResult, type Fact, type Row, target } from './bench-result.js';
import { importDist } from './build-dist.js';
import { percentile, summarize } from './summarize.js';
import { typicalTorrc } from './typical-torrc.js';

/** How benchWatch runs. */
export interface WatchOptions {
  /** Rename-saves timed per way of watching (after the warm-ups). */
  readonly renames: number;
  /** In-place saves timed per way: hotrc's wait out the quiet period, so fewer. */
  readonly inPlace: number;
  /** Saves done first and not counted. */
  readonly warmups: number;
  /** Bursts of 20 saves 5 ms apart, per mode and way, whose final state must be delivered. */
  readonly bursts: number;
  /** fs.watchFile's polling interval (ms): the same 100 ms as the idle benchmark's. */
  readonly watchFileMs: number;
}

const defaults: WatchOptions = {
  renames: 200,
  inPlace: 25,
  warmups: 5,
  bursts: 10,
  watchFileMs: 100,
};

/** hotrc polls once a minute: only the fast path can explain a save applied within the run. */
const intervalMs = 60_000;

/** chokidar's awaitWriteFinish as tuned for speed (its defaults, 2000/100, wait 2 s a save). */
const awaitWriteFinish = { stabilityThreshold: 50, pollInterval: 10 };

/** The ways of watching compared, the floor first. */
const kinds = ['raw', 'hotrc', 'watchFile', 'chokidar', 'chokidarAwf'] as const;
type Kind = (typeof kinds)[number];

const labels = (o: WatchOptions): Record<Kind, string> => ({
  raw: 'raw fs.watch(dir) + readFile',
  hotrc: 'hotrc changes$',
  watchFile: `fs.watchFile ${o.watchFileMs} ms + readFile`,
  chokidar: 'chokidar + readFile',
  chokidarAwf: `chokidar awaitWriteFinish ${awaitWriteFinish.stabilityThreshold}/${awaitWriteFinish.pollInterval} + readFile`,
});

type Mode = 'rename' | 'in-place';

const texts = new Map<number, string>();
const textOf = (value: number): string => {
  let text = texts.get(value);
  if (text === undefined) {
    text = typicalTorrc(value);
    texts.set(value, text);
  }
  return text;
};

// The value a read delivered, or undefined for anything but a whole content written (a torn or
// empty read): only a byte-for-byte match with what was saved counts.
function savedValue(text: string): number | undefined {
  const m = /^CircuitPoolMaxSize (\d+)$/m.exec(text);
  if (m === null) return undefined;
  const value = Number(m[1]);
  return text === textOf(value) ? value : undefined;
}

/**
 * One way of watching one file, reduced to what an application sees: the content last
 * delivered, and when each delivery happened.
 */
interface Watcher {
  /** The value of the content delivered last (undefined: none yet, or a torn read). */
  last(): number | undefined;
  /** When `value` is next delivered (performance.now()), or undefined after `ms`. */
  until(value: number, ms: number): Promise<number | undefined>;
  /** For the raw watcher: when its first event for the file came since the last `mark()`. */
  mark(): void;
  firstEventAt(): number | undefined;
  close(): Promise<void>;
}

/**
 * The glue a peer needs to deliver content: each event starts a readFile, and a read's result
 * is delivered unless a read started by a later event was delivered already (the kindest glue:
 * a late stale read never wins, so a missed final is the watcher's doing, not the glue's).
 */
function delivery(path: string) {
  let last: number | undefined;
  let started = 0;
  let delivered = 0;
  let eventAt: number | undefined;
  const waiting = new Set<(value: number | undefined, at: number) => void>();
  const deliver = (value: number | undefined) => {
    last = value;
    const at = performance.now();
    for (const w of [...waiting]) w(value, at);
  };
  const onEvent = () => {
    eventAt ??= performance.now();
    const seq = ++started;
    readFile(path, 'latin1').then(
      (text) => {
        if (seq <= delivered) return;
        delivered = seq;
        deliver(savedValue(text));
      },
      () => {},
    );
  };
  const watcher = (close: () => Promise<void>): Watcher => ({
    last: () => last,
    until: (value, ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(w);
          resolve(undefined);
        }, ms);
        const w = (seen: number | undefined, at: number) => {
          if (seen !== value) return;
          clearTimeout(timer);
          waiting.delete(w);
          resolve(at);
        };
        waiting.add(w);
      }),
    mark: () => {
      eventAt = undefined;
    },
    firstEventAt: () => eventAt,
    close,
  });
  return { onEvent, deliver, watcher };
}

/** Starts one way of watching `path` (in its own directory `dir`); resolves once it is ready. */
async function start(kind: Kind, dir: string, path: string, o: WatchOptions): Promise<Watcher> {
  const d = delivery(path);
  switch (kind) {
    case 'raw': {
      const w: FSWatcher = watch(dir, (_event, name) => {
        if (name === 'torrc') d.onEvent();
      });
      return d.watcher(async () => w.close());
    }
    case 'watchFile': {
      const listener = () => d.onEvent();
      watchFile(path, { interval: o.watchFileMs, bigint: true }, listener);
      // fs.watchFile's first stat is the reference the next ones are compared with.
      await sleep(o.watchFileMs * 2);
      return d.watcher(async () => unwatchFile(path, listener));
    }
    case 'chokidar':
    case 'chokidarAwf': {
      const w = chokidarWatch(path, {
        ignoreInitial: true,
        ...(kind === 'chokidarAwf' ? { awaitWriteFinish } : {}),
      });
      w.on('all', (event) => {
        if (event !== 'unlink') d.onEvent();
      });
      await new Promise<void>((resolve) => w.once('ready', () => resolve()));
      return d.watcher(() => w.close());
    }
    case 'hotrc': {
      // From dist/, as users run it (see importDist).
      const { loadFromFile, ReloadableConfig } = await importDist();
      const rc = new ReloadableConfig(await loadFromFile(path), path);
      const s = rc.config$.subscribe((c) => d.deliver(c.CircuitPoolMaxSize));
      rc.startWatcher(intervalMs);
      await firstValueFrom(
        rc.status$.pipe(
          filter((st) => st.sha256 !== undefined && st.fastPath === 'watching'),
          timeout(10_000),
        ),
      );
      return d.watcher(async () => {
        s.unsubscribe();
        await rc.stop();
      });
    }
  }
}

/** Every way of watching, each on a `torrc` of its own in its own directory under `dir`. */
async function startAll(
  dir: string,
  o: WatchOptions,
): Promise<Map<Kind, { path: string; w: Watcher }>> {
  const all = new Map<Kind, { path: string; w: Watcher }>();
  for (const kind of kinds) {
    const d = join(dir, kind);
    await mkdir(d);
    const path = join(d, 'torrc');
    await writeFile(path, textOf(32));
    all.set(kind, { path, w: await start(kind, d, path, o) });
  }
  // Let the first contents age past the racy window and every watcher's initial scan settle.
  await sleep(200);
  return all;
}

async function closeAll(all: Map<Kind, { w: Watcher }>): Promise<void> {
  for (const { w } of all.values()) await w.close();
}

/** How long a save is given to be delivered before it counts as not delivered. */
const deadline = (kind: Kind) => (kind === 'hotrc' ? reloadDefaults.writeQuietMs + 2000 : 2000);

interface Timed {
  readonly delivered: Map<Kind, number[]>;
  readonly notDelivered: Map<Kind, number>;
  /** The raw watcher's first event, no read (the kernel telling us). */
  readonly rawEvent: number[];
  /**
   * For hotrc's file: its ctime (the kernel's stamp of the save's last change) less the moment
   * the save's last call began, and hotrc's commit less that ctime. An in-place save is read
   * once its ctime is the quiet period old, so the first is the writer's own time (its syscalls
   * can stall on a busy disk) and the second is hotrc's: the quiet period plus its overhead.
   * The kernel stamps with its coarse clock (one tick, 4 ms at HZ=250, behind the fine one).
   */
  readonly ctimeAfterCall: number[];
  readonly commitAfterCtime: number[];
}

/** A stat's ctime on performance.now()'s clock (ms). */
async function ctimeAt(path: string): Promise<number> {
  const { ctimeNs } = await stat(path, { bigint: true });
  return Number(ctimeNs / 1000n) / 1000 - performance.timeOrigin;
}

/**
 * `n` saves of one mode per way of watching (after `warmups`), the ways interleaved save by
 * save, so drift on a shared machine weighs on all alike and one watcher's work never overlaps
 * another's timing. Each is timed from just before the save's last call (the rename, or the
 * write of an in-place save) to the watcher delivering exactly the saved content.
 */
async function timeSaves(dir: string, mode: Mode, n: number, o: WatchOptions): Promise<Timed> {
  const all = await startAll(dir, o);
  const delivered = new Map<Kind, number[]>(kinds.map((k) => [k, []]));
  const notDelivered = new Map<Kind, number>(kinds.map((k) => [k, 0]));
  const rawEvent: number[] = [];
  const ctimeAfterCall: number[] = [];
  const commitAfterCtime: number[] = [];
  try {
    for (let i = 0; i < o.warmups + n; i++) {
      // Never 32 (the first content), and never the value just before: each save changes.
      const want = 33 + (i % 60);
      const text = textOf(want);
      for (const kind of kinds) {
        const { path, w } = all.get(kind) as { path: string; w: Watcher };
        if (mode === 'rename') await writeFile(`${path}.tmp`, text);
        const arrived = w.until(want, deadline(kind));
        w.mark();
        const savedAt = performance.now();
        if (mode === 'rename') await rename(`${path}.tmp`, path);
        else await writeFile(path, text);
        const at = await arrived;
        if (i < o.warmups) continue;
        if (at === undefined) notDelivered.set(kind, (notDelivered.get(kind) ?? 0) + 1);
        else delivered.get(kind)?.push(at - savedAt);
        const eventAt = w.firstEventAt();
        if (kind === 'raw' && eventAt !== undefined) rawEvent.push(eventAt - savedAt);
        if (kind === 'hotrc' && at !== undefined) {
          const ctime = await ctimeAt(path);
          ctimeAfterCall.push(ctime - savedAt);
          commitAfterCtime.push(at - ctime);
        }
        // Golden-ratio pauses, so saves do not all land in one phase of a poll timer.
        await sleep(((i * 0.618034) % 1) * 5);
      }
    }
  } finally {
    await closeAll(all);
  }
  return { delivered, notDelivered, rawEvent, ctimeAfterCall, commitAfterCtime };
}

/**
 * Bursts of 20 saves 5 ms apart per way of watching (one way at a time); a burst is missed when,
 * once its watcher has had time to settle, the content it delivered last is not the final one.
 */
async function missedFinals(
  dir: string,
  mode: Mode,
  bursts: number,
  o: WatchOptions,
): Promise<Map<Kind, number>> {
  const all = await startAll(dir, o);
  const missed = new Map<Kind, number>(kinds.map((k) => [k, 0]));
  const save = async (path: string, text: string) => {
    if (mode === 'rename') {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    } else await writeFile(path, text);
  };
  try {
    for (let b = 0; b < bursts; b++) {
      const final = 100 + b;
      for (const kind of kinds) {
        const { path, w } = all.get(kind) as { path: string; w: Watcher };
        for (let i = 0; i < 19; i++) {
          await save(path, textOf(40 + ((b + i) % 50)));
          await sleep(5);
        }
        const arrived = w.until(final, deadline(kind));
        await save(path, textOf(final));
        await arrived;
        // A delivery after the final one (a late stale read) would undo it: give it time.
        await sleep(100);
        if (w.last() !== final) missed.set(kind, (missed.get(kind) ?? 0) + 1);
      }
    }
  } finally {
    await closeAll(all);
  }
  return missed;
}

/**
 * Benchmark 8, save to delivery against the peers: hotrc with its fs.watch fast path (polling
 * once a minute, so only the fast path can explain a commit), a raw `fs.watch` on the directory
 * (the floor), `fs.watchFile`, chokidar 5 at its defaults and with `awaitWriteFinish`, each on a
 * typical torrc of its own in its own temp directory. For a peer, delivered means an event
 * followed by a readFile that returned exactly the saved content; for hotrc, `config$` emitting
 * the saved config (detected, read, decoded, validated, diffed and committed). Rename-saves and
 * in-place saves, p50 and p99, each with its ratio to the floor measured in the same run; then
 * bursts of 20 saves 5 ms apart in both modes, counting final states not delivered.
 * @example const result = await benchWatch(dir, { renames: 50, inPlace: 5 });
 */
export async function benchWatch(
  dir: string,
  options: Partial<WatchOptions> = {},
): Promise<BenchResult> {
  const o: WatchOptions = { ...defaults, ...options };
  const quiet = reloadDefaults.writeQuietMs;
  const label = labels(o);
  const sub = async (name: string) => {
    const d = join(dir, name);
    await mkdir(d);
    return d;
  };
  const timed: Record<Mode, Timed> = {
    rename: await timeSaves(await sub('rename'), 'rename', o.renames, o),
    'in-place': await timeSaves(await sub('in-place'), 'in-place', o.inPlace, o),
  };
  const missed: Record<Mode, Map<Kind, number>> = {
    rename: await missedFinals(await sub('burst-rename'), 'rename', o.bursts, o),
    'in-place': await missedFinals(await sub('burst-in-place'), 'in-place', o.bursts, o),
  };

  const rows: Row[] = [];
  const facts: Fact[] = [];
  const of = (mode: Mode, kind: Kind) => timed[mode].delivered.get(kind) ?? [];
  for (const mode of ['rename', 'in-place'] as const) {
    const floor = of(mode, 'raw');
    const n = mode === 'rename' ? o.renames : o.inPlace;
    for (const kind of kinds.slice(1)) {
      const xs = of(mode, kind);
      if (xs.length === 0) {
        facts.push({ label: `${mode}: ${label[kind]} delivered`, value: 0, unit: `/${n}` });
        continue;
      }
      for (const q of [0.5, 0.99] as const) {
        const measured = summarize([percentile(xs, q)], 'ms');
        const reference = summarize([percentile(floor, q)], 'ms');
        rows.push({
          name: `${mode} save -> delivered, p${q * 100} (${xs.length}/${n})`,
          subject: label[kind],
          baseline: label.raw,
          measured,
          reference,
          ratio: measured.median / reference.median,
        });
      }
    }
    facts.push(
      {
        label: `${mode}: raw fs.watch first event p50`,
        value: percentile(timed[mode].rawEvent, 0.5),
        unit: 'ms',
      },
      {
        label: `${mode}: raw fs.watch first event p99`,
        value: percentile(timed[mode].rawEvent, 0.99),
        unit: 'ms',
      },
    );
    for (const q of [0.5, 0.99] as const) {
      facts.push(
        {
          label: `${mode}: hotrc's file ctime after the save's last call, p${q * 100}`,
          value: percentile(timed[mode].ctimeAfterCall, q),
          unit: 'ms',
        },
        {
          label: `${mode}: hotrc commit after its file's ctime, p${q * 100}`,
          value: percentile(timed[mode].commitAfterCtime, q),
          unit: 'ms',
        },
      );
    }
    for (const kind of kinds) {
      const lost = timed[mode].notDelivered.get(kind) ?? 0;
      if (lost > 0) {
        facts.push({
          label: `${mode}: ${label[kind]} saves not delivered in 2 s`,
          value: lost,
          unit: `/${n}`,
        });
      }
    }
    for (const kind of kinds) {
      facts.push({
        label: `missed finals, ${mode} bursts: ${label[kind]}`,
        value: missed[mode].get(kind) ?? 0,
        unit: `/${o.bursts}`,
      });
    }
  }
  const p = (mode: Mode, q: number) => percentile(of(mode, 'hotrc'), q);
  const hotrcMissed = (missed.rename.get('hotrc') ?? 0) + (missed['in-place'].get('hotrc') ?? 0);
  const hotrcLost =
    (timed.rename.notDelivered.get('hotrc') ?? 0) +
    (timed['in-place'].notDelivered.get('hotrc') ?? 0);
  return {
    id: 'watch',
    title: `8. Save to delivery against the peers (hotrc polls every ${intervalMs / 1000} s, writeQuietMs ${quiet})`,
    rows,
    facts,
    targets: [
      target('rename-save to commit p50', p('rename', 0.5), '<=', 1, 'ms', 'issue 8'),
      target('rename-save to commit p99', p('rename', 0.99), '<=', 5, 'ms', 'issue 8'),
      target(
        'in-place save to commit p99',
        p('in-place', 0.99),
        '<=',
        quiet + 5,
        'ms',
        'issue 8: the quiet period + 5 ms',
      ),
      target(
        'hotrc missed final states in bursts of saves 5 ms apart',
        hotrcMissed,
        '==',
        0,
        '',
        'issue 8, both modes',
      ),
      target('hotrc saves not delivered', hotrcLost, '==', 0, '', 'every clean save is applied'),
    ],
  };
}
