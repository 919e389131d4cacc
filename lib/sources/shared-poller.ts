import { type StatSyncOptions, type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { timerDelay } from '../core/timer-delay.js';
import { onLocalDiskNow } from './local-fs.js';
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
      const delay = timerDelay(periodMs);
      created.action = scheduler.schedule(function (this: SchedulerAction<undefined>) {
        // Re-scheduled first, with the same delay, so RxJS keeps one interval timer.
        this.schedule(undefined, delay);
        for (const tick of created.subscribers) tick();
      }, delay);
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

/**
 * Where a path is stat'ed: `placing` while its file system is asked about, `loop` on the event
 * loop, `worker` by the worker, `own` by an async stat of its own (after a stat of it hung).
 */
type Lane = 'placing' | 'loop' | 'worker' | 'own';

interface Watched {
  readonly id: number;
  readonly path: string;
  /** Copied on change (a watched path almost always has one; a Set would cost some 150 bytes). */
  listeners: ReadonlyArray<() => void>;
  lane: Lane;
  // The last stat on the event loop (lane 'loop'): the worker's five numbers and errno code.
  code: string | null;
  mtime: number;
  ctime: number;
  size: number;
  ino: number;
  /** Kept across an error: a path back on another device is placed again. */
  dev: number;
  /** While its file system is asked about: the deadline of the question (see #place). */
  placement: Subscription | undefined;
}

/**
 * How long the stat of one path may run before that path counts as hung (ms, at least): it
 * leaves the worker for its own async stat, and a fresh worker takes the others, so one dead
 * mount never holds up the rest.
 * @example new StatPoller(100, asyncScheduler, () => {}, { hungStatMs: 500 }) // gives up on a stat sooner
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

/**
 * How many paths one StatPoller may watch and still stat those on local disks on the event loop
 * (see StatPoller): a plain stat of such a path takes a few µs, so a tick of all of them holds
 * the loop for a fraction of a millisecond, and a process watching a few files starts no thread
 * for them. Past it, every path goes to the worker.
 * @example new StatPoller(100, asyncScheduler, () => {}, { loopStatLimit: 0 }) // every path to the worker
 */
export const loopStatLimit = 64;

/** How a StatPoller runs; the defaults are statChanges'. */
export interface StatPollerOptions {
  /** See hungStatMs. */
  readonly hungStatMs: number;
  /** The worker's source (statWorkerSource); a test may run code before it. */
  readonly workerSource: string;
  /** See loopStatLimit; 0 sends every path to the worker. */
  readonly loopStatLimit: number;
  /**
   * Whether a path may be stat'ed on the event loop: its file system is a local disk
   * (onLocalDiskNow, asked when the path is added and whenever its device changes). Never
   * rejects.
   */
  readonly isLocal: (path: string) => Promise<boolean>;
}

const pollerDefaults: StatPollerOptions = {
  hungStatMs,
  workerSource: statWorkerSource,
  loopStatLimit,
  isLocal: onLocalDiskNow,
};

interface SlowPath {
  busy: boolean;
  key: string;
  readonly standIn: boolean;
}

/**
 * A worker that lived this many `hungStatMs` was healthy: its death is replaced at once, as a
 * first one is. Workers that die sooner, one after another (a source that throws, a thread the
 * system will not start), are retried after `hungStatMs`, then twice as long each time, up to
 * `maxWorkerRetryHungMs` of them, their paths stat'ed asynchronously meanwhile.
 */
const healthyWorkerHungMs = 10;
const maxWorkerRetryHungMs = 30;

/**
 * How many of a StatPoller's paths each way of stat'ing holds (see StatPoller).
 * @example poller.lanes() // { placing: 0, loop: 1, worker: 0, own: 0 }
 */
export interface StatLanes {
  readonly placing: number;
  readonly loop: number;
  readonly worker: number;
  readonly own: number;
}

const plainStat: StatSyncOptions & { bigint?: false; throwIfNoEntry: false } = {
  throwIfNoEntry: false,
};

/**
 * The stats of one period's paths; see statChanges. While it watches no more than
 * `loopStatLimit` paths, those on local disks are stat'ed synchronously on the event loop at
 * each tick (a local stat cannot hang on a dead server, and a thread costs some 10 MiB of
 * memory), so watching a few files starts no thread. A path whose device changes (a symlink now
 * pointing elsewhere, a file system mounted over its directory) has its file system asked about
 * again before its next stat.
 *
 * Every other path (on NFS, SMB, FUSE or unknown; every path, once there are more than the
 * limit) is stat'ed by one worker thread on its own timer: the main thread is woken only by a move and by its watchdog, which
 * reads the worker's progress (statProgress) every `hungStatMs / 2` and moves a path whose stat
 * hangs to an async stat of its own at every tick, and the other paths to a fresh worker. A
 * worker that dies is replaced at once; workers dying in a row (or a thread that will not start)
 * leave their paths on async stats of their own until a worker is tried again (see #died).
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
  #worker: Worker | undefined;
  #state = new Int32Array(new SharedArrayBuffer(4 * statProgress.length));
  #seen: StatSighting | undefined;
  #watchdog: Subscription | undefined;
  #slowTicks: Subscription | undefined;
  /**
   * Paths stat'ed asynchronously, one stat each at a time: taken out of the worker because a
   * stat of them hung (for good), or standing in while no worker can run (`standIn`: back to
   * the worker at `#retry`).
   */
  readonly #slow = new Map<string, SlowPath>();
  /** Workers that died in a row, none living `healthyWorkerHungMs` hungStatMs (see #died). */
  #deaths = 0;
  /** When the current worker was started (scheduler time). */
  #workerBorn = 0;
  /** The next try at a worker, while the paths of a dead one stand in (see #died). */
  #retry: Subscription | undefined;
  /** The paths of lane 'loop', stat'ed at each of `#loopTicks`. */
  readonly #loop: Watched[] = [];
  /** Paths being placed that may go on the loop: they count toward its limit meanwhile. */
  #placing = 0;
  /** Set once more paths than loopStatLimit were watched; see #fillUp. */
  #loopFull = false;
  /** How many paths are in lane 'worker'. */
  #inWorker = 0;
  #loopTicks: Subscription | undefined;

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
    if (!Number.isInteger(o.loopStatLimit) || o.loopStatLimit < 0) {
      throw new TypeError(
        `StatPoller: loopStatLimit must be a whole number >= 0, got ${o.loopStatLimit}`,
      );
    }
    this.#periodMs = periodMs;
    this.#scheduler = scheduler;
    this.#onEmpty = onEmpty;
    this.#options = o;
  }

  /** Watches `path` (its first stat is reported at once); returns the function that stops. */
  add(path: string, listener: () => void): () => void {
    let w = this.#byPath.get(path);
    if (w === undefined) {
      w = {
        id: this.#nextId++,
        path,
        listeners: [],
        lane: 'placing',
        code: null,
        mtime: 0,
        ctime: 0,
        size: 0,
        ino: 0,
        dev: -1,
        placement: undefined,
      };
      this.#byPath.set(path, w);
      this.#byId.set(w.id, w);
      this.#place(w);
    }
    const watched = w;
    // As a Set would: a listener added twice is told once, and taken off by either stop.
    if (!watched.listeners.includes(listener))
      watched.listeners = watched.listeners.concat(listener);
    let stopped = false;
    return () => {
      // Safe to call twice: the second call must not stop a later watcher of the same path.
      if (stopped) return;
      stopped = true;
      watched.listeners = watched.listeners.filter((l) => l !== listener);
      if (watched.listeners.length > 0) return;
      this.#byPath.delete(path);
      this.#byId.delete(watched.id);
      this.#leave(watched);
      if (this.#byPath.size === 0) this.#close();
    };
  }

  /** How many stat worker threads run now: 0 or 1. */
  get threads(): number {
    return this.#worker === undefined ? 0 : 1;
  }

  /** How many paths each way of stat'ing holds now. */
  lanes(): StatLanes {
    return {
      placing: this.#placing,
      loop: this.#loop.length,
      worker: this.#inWorker,
      own: this.#slow.size,
    };
  }

  // Onto the loop if it has room and the path is on a local disk, else to the worker. While its
  // file system is asked about the path is not stat'ed: its first stat, once placed, is
  // reported, so a change meanwhile is not lost.
  #place(w: Watched): void {
    w.lane = 'placing';
    if (!this.#loopFull && this.#loop.length + this.#placing >= this.#options.loopStatLimit) {
      this.#fillUp();
    }
    if (this.#loopFull) {
      this.#toWorker([w]);
      return;
    }
    this.#placing++;
    const place = (local: boolean) => {
      if (w.placement === undefined) return;
      w.placement.unsubscribe();
      w.placement = undefined;
      this.#placing--;
      // Stopped meanwhile (perhaps watched again, as another Watched).
      if (this.#byId.get(w.id) !== w) return;
      if (local && !this.#loopFull) {
        w.lane = 'loop';
        this.#loop.push(w);
        this.#loopStat(w);
        this.#changed(w);
        this.#loopTicks ??= sharedTicks(this.#periodMs, this.#scheduler).subscribe(() =>
          this.#loopTick(),
        );
      } else this.#toWorker([w]);
    };
    // The question is a statfs: on a dead NFS server it hangs, and the path must not wait
    // unwatched for it. After hungStatMs the worker, which copes with a stat that hangs, takes it;
    // an answer that fails is "not local" too.
    w.placement = this.#scheduler.schedule(() => place(false), this.#options.hungStatMs);
    this.#options.isLocal(w.path).then(place, () => place(false));
  }

  // More paths than the loop may hold: from now on (until every path has stopped) the worker
  // stats them all, those on the loop until now too. Each lane alone is cheap, both at once are
  // not: 100 files at 100 ms cost 0.73 % of a core all in the worker, 1.0 % all on the loop,
  // and 2.1 % split 64 and 36, measured with spec/bench/idle-child.mjs.
  #fillUp(): void {
    this.#loopFull = true;
    this.#loopTicks?.unsubscribe();
    this.#loopTicks = undefined;
    const moving = this.#loop.splice(0);
    if (moving.length > 0) this.#toWorker(moving);
  }

  // Each is stat'ed by the worker at once and reported once, so a change during the move is seen.
  // While no worker can run, they stand in on async stats of their own instead.
  #toWorker(ws: ReadonlyArray<Watched>): void {
    const worker = this.#retry === undefined ? this.#ensureWorker() : undefined;
    if (worker === undefined) {
      this.#standIn(ws);
      return;
    }
    for (const w of ws) w.lane = 'worker';
    this.#inWorker += ws.length;
    worker.postMessage({ add: ws.map((w) => [w.id, w.path]) });
    // Also what keeps the process alive while the worker has paths: it is unref'd.
    this.#watchdog ??= sharedTicks(
      Math.max(1, this.#options.hungStatMs / 2),
      this.#scheduler,
    ).subscribe(() => this.#check());
  }

  // Out of its lane, for good (stopped) or to be placed again.
  #leave(w: Watched): void {
    if (w.lane === 'placing' && w.placement !== undefined) {
      w.placement.unsubscribe();
      w.placement = undefined;
      this.#placing--;
    } else if (w.lane === 'loop') {
      const i = this.#loop.indexOf(w);
      if (i !== -1) this.#loop.splice(i, 1);
      if (this.#loop.length === 0) {
        this.#loopTicks?.unsubscribe();
        this.#loopTicks = undefined;
      }
    } else if (w.lane === 'worker') {
      this.#inWorker--;
      // A worker left with no path is ended (10 MiB and a thread): the next one starts afresh.
      if (this.#inWorker === 0) this.#endWorker();
      else this.#worker?.postMessage({ remove: [w.id] });
    } else if (w.lane === 'own' && this.#slow.delete(w.path)) this.#slowTicksFollow();
  }

  #loopTick(): void {
    // From the end: a stat that finds its path on another device takes it out of #loop, which
    // moves no path not yet stat'ed (placing it again cannot fill the loop: the loop and the
    // paths being placed never hold more than loopStatLimit together, and it just left).
    // Listeners are told after every stat, since one may stop a watcher (and so splice #loop).
    // Nothing is allocated while nothing moved.
    let moved: Watched[] | undefined;
    for (let i = this.#loop.length - 1; i >= 0; i--) {
      const w = this.#loop[i] as Watched;
      if (!this.#loopStat(w)) continue;
      if (moved === undefined) moved = [w];
      else moved.push(w);
    }
    if (moved === undefined) return;
    for (const w of moved) if (this.#byId.get(w.id) === w) this.#changed(w);
  }

  // The worker's look (see statWorkerSource) on the event loop: true when the stat moved. A
  // path found on another device leaves the loop to be placed again before its next stat.
  #loopStat(w: Watched): boolean {
    let s: Stats | undefined;
    let code = '';
    try {
      s = statSync(w.path, plainStat);
      if (s === undefined) code = 'ENOENT';
    } catch (err) {
      code = String((err as { code?: unknown } | null)?.code ?? 'error');
    }
    let moved = code !== w.code;
    w.code = code;
    if (s === undefined) return moved;
    if (
      s.mtimeMs !== w.mtime ||
      s.ctimeMs !== w.ctime ||
      s.size !== w.size ||
      s.ino !== w.ino ||
      s.dev !== w.dev
    ) {
      moved = true;
      const elsewhere = w.dev !== -1 && s.dev !== w.dev;
      w.mtime = s.mtimeMs;
      w.ctime = s.ctimeMs;
      w.size = s.size;
      w.ino = s.ino;
      w.dev = s.dev;
      if (elsewhere) {
        this.#leave(w);
        this.#place(w);
      }
    }
    return moved;
  }

  // The worker, started if need be; undefined when the system will not start one (no thread
  // to be had: ERR_WORKER_INIT_FAILED), which counts as a death.
  #ensureWorker(): Worker | undefined {
    if (this.#worker !== undefined) return this.#worker;
    const state = new Int32Array(new SharedArrayBuffer(4 * statProgress.length));
    state[statProgress.on] = -1;
    let worker: Worker;
    try {
      worker = new Worker(this.#options.workerSource, {
        eval: true,
        workerData: { state: state.buffer, periodMs: this.#periodMs },
        env: SHARE_ENV,
      });
    } catch {
      this.#deaths++;
      this.#retryLater();
      return undefined;
    }
    this.#state = state;
    this.#seen = undefined;
    this.#workerBorn = this.#scheduler.now();
    worker.unref();
    worker.on('message', (ids: number[]) => {
      if (worker !== this.#worker) return;
      for (const id of ids) this.#changed(this.#byId.get(id));
    });
    // Dead by a throw (its source, out of memory, a thread that failed to start) or by an exit
    // nobody asked for: a worker this poller ends is no longer `#worker` when it exits.
    const died = () => {
      if (worker === this.#worker) this.#died();
    };
    worker.on('error', died);
    worker.on('exit', died);
    this.#worker = worker;
    return worker;
  }

  // The worker died (or could not start). A first death, or one after a healthy life, is
  // replaced at once, and each of its paths is reported once by the new one. Deaths in a row
  // mean no worker can run here now: its paths stand in on async stats of their own (each
  // reported once, so a change meanwhile is not lost), and a worker is tried again later.
  #died(): void {
    const old = this.#worker;
    this.#worker = undefined;
    if (old !== undefined) void old.terminate().catch(() => {});
    this.#watchdog?.unsubscribe();
    this.#watchdog = undefined;
    const orphans = [...this.#byPath.values()].filter((w) => w.lane === 'worker');
    this.#inWorker = 0;
    this.#deaths++;
    if (this.#deaths > 1) this.#retryLater();
    if (orphans.length > 0) this.#toWorker(orphans);
  }

  #retryLater(): void {
    if (this.#retry !== undefined) return;
    const hung = this.#options.hungStatMs;
    const ms = Math.min(hung * 2 ** Math.max(0, this.#deaths - 2), hung * maxWorkerRetryHungMs);
    this.#retry = this.#scheduler.schedule(() => {
      this.#retry = undefined;
      const back: Watched[] = [];
      for (const [path, slow] of this.#slow) {
        const w = this.#byPath.get(path);
        if (!slow.standIn || w === undefined) continue;
        this.#slow.delete(path);
        back.push(w);
      }
      this.#slowTicksFollow();
      if (back.length > 0) this.#toWorker(back);
    }, ms);
  }

  #standIn(ws: ReadonlyArray<Watched>): void {
    for (const w of ws) {
      w.lane = 'own';
      this.#slow.set(w.path, { busy: false, key: '', standIn: true });
    }
    this.#slowTicksFollow();
  }

  #changed(w: Watched | undefined): void {
    if (w === undefined) return;
    for (const listener of w.listeners) listener();
  }

  #check(): void {
    if (this.#worker === undefined) return;
    const now = this.#scheduler.now();
    if (now - this.#workerBorn >= this.#options.hungStatMs * healthyWorkerHungMs) this.#deaths = 0;
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

  // The worker is stuck on `hung`: it is left to finish in the background, `hung` is stat'ed
  // asynchronously from now on, and a new worker takes every other path.
  #replaceWorker(hung: Watched | undefined): void {
    const old = this.#worker;
    this.#worker = undefined;
    if (old !== undefined) void old.terminate().catch(() => {});
    this.#watchdog?.unsubscribe();
    this.#watchdog = undefined;
    if (hung !== undefined) {
      hung.lane = 'own';
      this.#slow.set(hung.path, { busy: false, key: '', standIn: false });
      this.#slowTicksFollow();
    }
    const rest = [...this.#byPath.values()].filter((w) => w.lane === 'worker');
    this.#inWorker = 0;
    if (rest.length > 0) this.#toWorker(rest);
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

  #endWorker(): void {
    this.#watchdog?.unsubscribe();
    this.#watchdog = undefined;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) void worker.terminate().catch(() => {});
  }

  #close(): void {
    this.#endWorker();
    this.#retry?.unsubscribe();
    this.#retry = undefined;
    this.#deaths = 0;
    this.#inWorker = 0;
    this.#loopTicks?.unsubscribe();
    this.#loopTicks = undefined;
    this.#loop.length = 0;
    this.#loopFull = false;
    this.#slow.clear();
    this.#slowTicksFollow();
    this.#onEmpty();
  }
}

const statGroups = new WeakMap<SchedulerLike, Map<number, StatPoller>>();

/**
 * Calls `onMove` (on the event loop) when the stat of `path` (following symlinks: dev, ino,
 * size, mtime and ctime, or the errno) moved since the tick before, and once after it is added,
 * so a change between the caller's last look and the first stat here is never lost. Every path
 * of one period on one scheduler is stat'ed by one StatPoller, once per tick however many
 * callers watch it, allocating nothing for a path that did not move: up to `loopStatLimit` paths
 * on local disks on the event loop, the others by a worker thread on its own timer, whose idle
 * tick wakes nothing else. A stat that hangs longer than `hungStatMs` blocks neither the event
 * loop nor the other paths. Returns the function that stops.
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
