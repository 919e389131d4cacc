import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { onLocalDisk } from './local-fs.js';
import { statProgress, statWorkerSource } from './stat-worker-source.js';

interface TickGroup {
  readonly subscribers: Set<() => void>;
  action: Subscription | undefined;
}

// One group per scheduler and period: every poller of that period in the process shares one
// scheduled action. Keyed by scheduler, so a TestScheduler drives its own groups in virtual time.
const tickGroups = new WeakMap<SchedulerLike, Map<number, TickGroup>>();

/**
 * Ticks shared by everyone polling at `periodMs` on `scheduler`: one at once for the new
 * subscriber (its first look), then one every `periodMs` from one scheduled action for all of
 * them, so a thousand watchers cost one timer. The action is released with its last subscriber.
 * @example sharedTicks(30_000, asyncScheduler).subscribe(() => look())
 */
export function sharedTicks(periodMs: number, scheduler: SchedulerLike): Observable<void> {
  return new Observable<void>((subscriber) => {
    let groups = tickGroups.get(scheduler);
    if (groups === undefined) {
      groups = new Map();
      tickGroups.set(scheduler, groups);
    }
    let group = groups.get(periodMs);
    if (group === undefined) {
      const created: TickGroup = { subscribers: new Set(), action: undefined };
      created.action = scheduler.schedule(function (this: SchedulerAction<undefined>) {
        // Re-scheduled first, with the same delay, so RxJS keeps one interval timer.
        this.schedule(undefined, periodMs);
        for (const tick of created.subscribers) tick();
      }, periodMs);
      group = created;
      groups.set(periodMs, group);
    }
    const tick = () => subscriber.next();
    const joined = group;
    joined.subscribers.add(tick);
    subscriber.next();
    return () => {
      joined.subscribers.delete(tick);
      if (joined.subscribers.size > 0) return;
      joined.action?.unsubscribe();
      if (groups.get(periodMs) === joined) groups.delete(periodMs);
    };
  });
}

/** Where a watched path is stat'ed. */
type Side =
  /** Its file system is being asked about (onLocalDisk); not stat'ed yet. */
  | 'asking'
  /** On a local disk: a synchronous stat on the event loop, at the period's shared tick. */
  | 'main'
  /** Anywhere else, or not known in time: the worker thread. */
  | 'worker'
  /** Its stat hung in the worker: one async stat of its own at a time. */
  | 'slow';

interface Watched {
  readonly id: number;
  readonly path: string;
  readonly listeners: Set<() => void>;
  side: Side;
  /** Its row in the main thread's table while `side` is 'main'. */
  row: number;
  /** When the question about its file system was asked (scheduler time). */
  askedAt: number;
  /** Bumped by each question, so an answer to one asked before is dropped. */
  asks: number;
}

/**
 * How long the stat of one path may run before that path counts as hung (ms, at least): it
 * leaves the worker for its own async stat, and a fresh worker takes the others, so one dead
 * mount never holds up the rest. Also how long a path waits for the answer to whether it is on
 * a local disk before the worker takes it.
 */
export const hungStatMs = 2000;

/** What the watchdog saw of the worker's progress (statProgress) at one check. */
export interface StatSighting {
  readonly progress: number;
  /** The id of the path whose stat ran, -1 between stats. */
  readonly on: number;
  /** When it first saw this progress and this path (scheduler time, ms). */
  readonly since: number;
}

/**
 * The watchdog's verdict on the stat worker at `now`, from what it read (`progress`, `on`) and
 * what it saw at its check before (`seen`): `sighting` to keep for the next check, and `hung`,
 * the id of a path whose one stat has run for at least `limitMs`. A worker that moved on (another
 * batch finished, or another path's stat began) is not hung, however slow its ticks are.
 * @example watchdog({ progress: 4, on: 7, since: 0 }, 4, 7, 2500, 2000).hung // 7
 */
export function watchdog(
  seen: StatSighting | undefined,
  progress: number,
  on: number,
  now: number,
  limitMs: number,
): { readonly sighting: StatSighting; readonly hung: number | undefined } {
  if (seen === undefined || seen.progress !== progress || seen.on !== on || on === -1) {
    return { sighting: { progress, on, since: now }, hung: undefined };
  }
  return { sighting: seen, hung: now - seen.since >= limitMs ? on : undefined };
}

/** How a StatPoller runs; the defaults are statChanges'. */
export interface StatPollerOptions {
  /** See hungStatMs. */
  readonly hungStatMs: number;
  /** The worker's source (statWorkerSource); a test may run code before it. */
  readonly workerSource: string;
  /**
   * Whether a synchronous stat of `path` can never hang (onLocalDisk): such paths are stat'ed on
   * the event loop. A rejection counts as false; a test may answer false to put every path on
   * the worker.
   */
  readonly isLocal: (path: string) => Promise<boolean>;
}

const pollerDefaults: StatPollerOptions = {
  hungStatMs,
  workerSource: statWorkerSource,
  isLocal: onLocalDisk,
};

// The main thread's table, as the worker's: mtimeMs, ctimeMs, size, ino, dev per row.
const FIELDS = 5;
const DEV = 4;
const statOptions = { throwIfNoEntry: false } as const;

/**
 * The stats of one period's paths, one stat per path per tick. A path on a local disk (asked
 * once, with `isLocal`) is stat'ed synchronously on the event loop at the period's shared tick
 * (sharedTicks, so a TestScheduler drives it), compared into one Float64Array: microseconds, and
 * nothing allocated for a path that did not move but the Stats object itself. Any other path,
 * and one whose answer takes longer than `hungStatMs`, goes to one worker thread with a timer of
 * its own, started with the first such path and ended with the last; the main thread is woken
 * by a move and by a watchdog, which reads the worker's progress (statProgress) every
 * `hungStatMs / 2` and moves a path whose stat hangs to an async stat of its own at every tick,
 * and the worker's other paths to a fresh worker.
 * @example const stop = new StatPoller(100, asyncScheduler, () => {}).add('/etc/tor/torrc', look);
 */
export class StatPoller {
  readonly #byPath = new Map<string, Watched>();
  readonly #byId = new Map<number, Watched>();
  readonly #periodMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #onEmpty: () => void;
  readonly #options: StatPollerOptions;
  #nextId = 0;
  /** The main thread's paths, by row; a removed row takes the last one. */
  readonly #rows: Watched[] = [];
  #last = new Float64Array(FIELDS * 16);
  /** The errno of each row's last stat, '' when it succeeded, undefined before the first. */
  readonly #codes: Array<string | undefined> = [];
  #mainTicks: Subscription | undefined;
  /** How many paths the worker has (side 'worker'). */
  #onWorker = 0;
  #asking = 0;
  #worker: Worker | undefined;
  #state = new Int32Array(new SharedArrayBuffer(4 * statProgress.length));
  #seen: StatSighting | undefined;
  #watchdog: Subscription | undefined;
  #slowTicks: Subscription | undefined;
  /** Paths taken out of the worker because a stat of them hung: one async stat each at a time. */
  readonly #slow = new Map<string, { busy: boolean; key: string }>();

  constructor(
    periodMs: number,
    scheduler: SchedulerLike,
    onEmpty: () => void,
    options: Partial<StatPollerOptions> = {},
  ) {
    const o: StatPollerOptions = { ...pollerDefaults, ...options };
    for (const [name, ms] of [
      ['periodMs', periodMs],
      ['hungStatMs', o.hungStatMs],
    ] as const) {
      if (!Number.isFinite(ms) || ms <= 0) {
        throw new TypeError(`StatPoller: ${name} must be a finite number of ms > 0, got ${ms}`);
      }
    }
    this.#periodMs = periodMs;
    this.#scheduler = scheduler;
    this.#onEmpty = onEmpty;
    this.#options = o;
  }

  /**
   * Watches `path`; returns the function that stops. Its first stat is reported as soon as it is
   * made (once its file system is known, or `hungStatMs` later on the worker), so a change
   * between the caller's last look and that stat is never lost.
   */
  add(path: string, listener: () => void): () => void {
    let w = this.#byPath.get(path);
    if (w === undefined) {
      w = {
        id: this.#nextId++,
        path,
        listeners: new Set(),
        side: 'asking',
        row: -1,
        askedAt: 0,
        asks: 0,
      };
      this.#byPath.set(path, w);
      this.#byId.set(w.id, w);
      this.#ask(w);
    }
    const watched = w;
    watched.listeners.add(listener);
    let stopped = false;
    return () => {
      // Safe to call twice: the second call must not stop a later watcher of the same path.
      if (stopped) return;
      stopped = true;
      watched.listeners.delete(listener);
      if (watched.listeners.size > 0) return;
      this.#byPath.delete(path);
      this.#byId.delete(watched.id);
      this.#leave(watched);
      if (this.#byPath.size === 0) this.#close();
    };
  }

  // Asks whether `w` is on a local disk; the answer moves it to the main thread or the worker.
  // Until then it is stat'ed where it was ('asking': nowhere; the watchdog sends it to the
  // worker after hungStatMs).
  #ask(w: Watched): void {
    const asks = ++w.asks;
    if (w.side === 'asking') {
      w.askedAt = this.#scheduler.now();
      this.#asking++;
      this.#watchdogFollow();
    }
    // An answer that fails counts as "not local": the worker is always safe.
    void this.#options
      .isLocal(w.path)
      .catch(() => false)
      .then((local) => {
        if (w.asks !== asks || this.#byId.get(w.id) !== w) return;
        if (local && w.side !== 'main' && w.side !== 'slow') this.#moveTo(w, 'main');
        else if (!local && w.side === 'asking') this.#moveTo(w, 'worker');
      });
  }

  // Takes `w` from its side to `to`, where its first stat is made and then reported: whatever
  // changed before that stat, the look it wakes sees.
  #moveTo(w: Watched, to: 'main' | 'worker'): void {
    this.#leave(w);
    w.side = to;
    if (to === 'main') {
      this.#joinMain(w);
      this.#changed(w);
    } else {
      this.#onWorker++;
      // The worker stats it at once and reports it.
      this.#ensureWorker().postMessage({ add: [[w.id, w.path]] });
    }
  }

  // Takes `w` out of wherever it is stat'ed now.
  #leave(w: Watched): void {
    const side = w.side;
    w.side = 'asking';
    if (side === 'asking') {
      this.#asking--;
      this.#watchdogFollow();
    } else if (side === 'main') this.#leaveMain(w);
    else if (side === 'worker') {
      this.#onWorker--;
      if (this.#onWorker === 0) this.#endWorker();
      else this.#worker?.postMessage({ remove: [w.id] });
    } else if (this.#slow.delete(w.path)) this.#slowTicksFollow();
  }

  #joinMain(w: Watched): void {
    const row = this.#rows.length;
    w.row = row;
    this.#rows.push(w);
    this.#codes.push(undefined);
    if (FIELDS * this.#rows.length > this.#last.length) {
      const grown = new Float64Array(2 * this.#last.length);
      grown.set(this.#last);
      this.#last = grown;
    }
    this.#statRow(row);
    // Its shared tick at once is skipped: the row was just stat'ed.
    let first = true;
    this.#mainTicks ??= sharedTicks(this.#periodMs, this.#scheduler).subscribe(() => {
      if (first) first = false;
      else this.#tickMain();
    });
  }

  #leaveMain(w: Watched): void {
    const row = w.row;
    w.row = -1;
    const end = this.#rows.length - 1;
    const last = this.#rows[end] as Watched;
    if (row !== end) {
      this.#rows[row] = last;
      last.row = row;
      this.#codes[row] = this.#codes[end];
      this.#last.copyWithin(row * FIELDS, end * FIELDS, end * FIELDS + FIELDS);
    }
    this.#rows.pop();
    this.#codes.pop();
    if (this.#rows.length === 0) {
      this.#mainTicks?.unsubscribe();
      this.#mainTicks = undefined;
    }
  }

  // Stats row `row` (plain stats: a wake-up filter, see statWorkerSource). 0 when it did not
  // move, 1 when it moved, 2 when it moved to another file system (st_dev), which may not be
  // local: a symlink retargeted, a mount over its directory.
  #statRow(row: number): 0 | 1 | 2 {
    const path = (this.#rows[row] as Watched).path;
    let s: Stats | undefined;
    let code = '';
    try {
      s = statSync(path, statOptions);
      if (s === undefined) code = 'ENOENT';
    } catch (err) {
      code = String((err as { code?: unknown }).code ?? 'error');
    }
    const before = this.#codes[row];
    this.#codes[row] = code;
    let moved: 0 | 1 | 2 = code === before ? 0 : 1;
    if (s !== undefined) {
      const t = this.#last;
      const j = row * FIELDS;
      const { mtimeMs, ctimeMs, size, ino, dev } = s;
      if (
        mtimeMs !== t[j] ||
        ctimeMs !== t[j + 1] ||
        size !== t[j + 2] ||
        ino !== t[j + 3] ||
        dev !== t[j + DEV]
      ) {
        if (before !== undefined && dev !== t[j + DEV]) moved = 2;
        else moved = 1;
        t[j] = mtimeMs;
        t[j + 1] = ctimeMs;
        t[j + 2] = size;
        t[j + 3] = ino;
        t[j + DEV] = dev;
      }
    }
    return before === undefined ? 0 : moved;
  }

  #tickMain(): void {
    // Listeners run after the loop: one may add or stop paths, which moves rows.
    let moved: Watched[] | undefined;
    let elsewhere: Watched[] | undefined;
    const rows = this.#rows;
    for (let row = 0; row < rows.length; row++) {
      const m = this.#statRow(row);
      if (m === 0) continue;
      const w = rows[row] as Watched;
      if (moved === undefined) moved = [w];
      else moved.push(w);
      if (m === 2) elsewhere = elsewhere === undefined ? [w] : [...elsewhere, w];
    }
    if (elsewhere !== undefined) {
      // Out of the event loop until its new file system is known to be local too.
      for (const w of elsewhere) if (w.side === 'main') this.#moveTo(w, 'worker');
      for (const w of elsewhere) if (w.side === 'worker') this.#ask(w);
    }
    if (moved !== undefined) for (const w of moved) this.#changed(w);
  }

  #ensureWorker(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const state = new Int32Array(new SharedArrayBuffer(4 * statProgress.length));
    state[statProgress.on] = -1;
    this.#state = state;
    this.#seen = undefined;
    const worker = new Worker(this.#options.workerSource, {
      eval: true,
      workerData: { state: state.buffer, periodMs: this.#periodMs },
      env: SHARE_ENV,
    });
    // The watchdog's timer, not the worker, keeps the process alive while the worker polls.
    worker.unref();
    worker.on('message', (ids: number[]) => {
      if (worker !== this.#worker) return;
      for (const id of ids) {
        const w = this.#byId.get(id);
        if (w === undefined) continue;
        this.#changed(w);
        // It moved: perhaps it is on a local disk now (a file created, a mount gone). Asked at
        // most once per onLocalDisk's memory (5 s), and only of a path that moves.
        if (w.side === 'worker') this.#ask(w);
      }
    });
    worker.on('error', () => {
      // A worker that died is replaced at once; each of its paths is then reported once.
      if (worker === this.#worker) this.#replaceWorker(undefined);
    });
    this.#worker = worker;
    this.#watchdogFollow();
    return worker;
  }

  #endWorker(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) void worker.terminate().catch(() => {});
    this.#watchdogFollow();
  }

  #changed(w: Watched | undefined): void {
    if (w === undefined) return;
    for (const listener of w.listeners) listener();
  }

  // The watchdog's ticks, held while there is a worker to watch or a question unanswered.
  #watchdogFollow(): void {
    if (this.#worker === undefined && this.#asking === 0) {
      this.#watchdog?.unsubscribe();
      this.#watchdog = undefined;
      return;
    }
    this.#watchdog ??= sharedTicks(
      Math.max(1, this.#options.hungStatMs / 2),
      this.#scheduler,
    ).subscribe(() => this.#check());
  }

  #check(): void {
    const now = this.#scheduler.now();
    if (this.#asking > 0) {
      // A question that takes this long (statfs on a dead mount) is answered by the worker.
      const late = [...this.#byId.values()].filter(
        (w) => w.side === 'asking' && now - w.askedAt >= this.#options.hungStatMs,
      );
      for (const w of late) this.#moveTo(w, 'worker');
    }
    if (this.#worker === undefined) return;
    const verdict = watchdog(
      this.#seen,
      Atomics.load(this.#state, statProgress.progress),
      Atomics.load(this.#state, statProgress.on),
      now,
      // One stat, not one tick, is timed: however long the period or the list, a stat that
      // runs this long is not a slow disk.
      this.#options.hungStatMs,
    );
    this.#seen = verdict.sighting;
    if (verdict.hung !== undefined) this.#replaceWorker(this.#byId.get(verdict.hung));
  }

  // The worker is stuck on `hung` (or died): it is left to finish in the background, `hung` is
  // stat'ed asynchronously from now on, and a new worker takes every other path it had.
  #replaceWorker(hung: Watched | undefined): void {
    const old = this.#worker;
    this.#worker = undefined;
    if (old !== undefined) void old.terminate().catch(() => {});
    if (hung !== undefined && hung.side === 'worker') {
      hung.side = 'slow';
      this.#onWorker--;
      this.#slow.set(hung.path, { busy: false, key: '' });
      this.#slowTicksFollow();
    }
    const rest = [...this.#byPath.values()].filter((w) => w.side === 'worker');
    if (rest.length > 0) this.#ensureWorker().postMessage({ add: rest.map((w) => [w.id, w.path]) });
    else this.#watchdogFollow();
  }
  // The period's ticks, held only while some path is stat'ed on the event loop.
  #slowTicksFollow(): void {
    if (this.#slow.size === 0) {
      this.#slowTicks?.unsubscribe();
      this.#slowTicks = undefined;
      return;
    }
    this.#slowTicks ??= sharedTicks(this.#periodMs, this.#scheduler).subscribe(() => {
      for (const [path, slow] of this.#slow) this.#slowStat(path, slow);
    });
  }

  #slowStat(path: string, slow: { busy: boolean; key: string }): void {
    if (slow.busy) return;
    slow.busy = true;
    stat(path, { bigint: true })
      .then(
        (s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
        (err: unknown) => `!${(err as { code?: string }).code ?? 'error'}`,
      )
      .then((key) => {
        slow.busy = false;
        if (this.#slow.get(path) !== slow) return;
        const moved = key !== slow.key;
        slow.key = key;
        if (moved) this.#changed(this.#byPath.get(path));
      });
  }

  #close(): void {
    this.#mainTicks?.unsubscribe();
    this.#mainTicks = undefined;
    this.#slow.clear();
    this.#slowTicksFollow();
    this.#asking = 0;
    this.#onWorker = 0;
    this.#endWorker();
    this.#onEmpty();
  }
}

const statGroups = new WeakMap<SchedulerLike, Map<number, StatPoller>>();

/**
 * Calls `onMove` (on the event loop) when the stat of `path` (following symlinks: dev, ino,
 * size, mtime and ctime, or the errno) moved since the tick before, and once after it is added,
 * so a change between the caller's last look and the first stat here is never lost. Every path
 * of one period on one scheduler is stat'ed once per tick however many callers watch it, by one
 * StatPoller: on the event loop at the period's one shared tick when it is on a local disk
 * (onLocalDisk), by one worker thread on its own timer otherwise. Nothing is allocated for a path
 * that did not move but the Stats object itself, and a stat that can hang (a network or FUSE
 * mount) never runs on the event loop: one that hangs longer than `hungStatMs` holds up neither
 * the event loop nor the other paths. Returns the function that stops.
 * @example const stop = statChanges('/etc/tor/torrc', 100, asyncScheduler, () => look());
 */
export function statChanges(
  path: string,
  periodMs: number,
  scheduler: SchedulerLike,
  onMove: () => void,
): () => void {
  let groups = statGroups.get(scheduler);
  if (groups === undefined) {
    groups = new Map();
    statGroups.set(scheduler, groups);
  }
  const all = groups;
  let group = all.get(periodMs);
  if (group === undefined) {
    const created: StatPoller = new StatPoller(periodMs, scheduler, () => {
      if (all.get(periodMs) === created) all.delete(periodMs);
    });
    group = created;
    all.set(periodMs, group);
  }
  return group.add(path, onMove);
}
