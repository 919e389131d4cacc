import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

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

// Runs in the worker (CommonJS, eval'd). Synchronous stats there are the cheapest there are, and
// a stat that hangs (a dead NFS server) blocks the worker, never the event loop. Before each stat
// the entry's id goes to `state[1]`, and each finished tick to `state[0]`, so the main thread can
// tell which path hangs without a message. Only paths whose stat moved are posted back.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const state = new Int32Array(workerData);
const entries = new Map();
const look = (e) => {
  let s;
  let code = '';
  try {
    s = statSync(e.path, { bigint: true, throwIfNoEntry: false });
    if (s === undefined) code = 'ENOENT';
  } catch (err) {
    code = String((err && err.code) || 'error');
  }
  let moved = e.fresh || code !== e.code;
  if (s !== undefined) {
    moved = moved || s.mtimeNs !== e.mtimeNs || s.ctimeNs !== e.ctimeNs || s.size !== e.size ||
      s.ino !== e.ino || s.dev !== e.dev;
    e.mtimeNs = s.mtimeNs; e.ctimeNs = s.ctimeNs; e.size = s.size; e.ino = s.ino; e.dev = s.dev;
  }
  e.code = code;
  e.fresh = false;
  return moved;
};
parentPort.on('message', (m) => {
  if (m.add !== undefined) for (const [id, path] of m.add)
    entries.set(id, { path, fresh: true, code: '', mtimeNs: 0n, ctimeNs: 0n, size: 0n, ino: 0n, dev: 0n });
  if (m.remove !== undefined) for (const id of m.remove) entries.delete(id);
  if (m.tick !== undefined) {
    let moved;
    for (const [id, e] of entries) {
      Atomics.store(state, 1, id);
      if (look(e)) (moved ??= []).push(id);
    }
    Atomics.store(state, 1, -1);
    Atomics.store(state, 0, m.tick);
    if (moved !== undefined) parentPort.postMessage(moved);
  }
});
`;

interface Watched {
  readonly id: number;
  readonly path: string;
  readonly listeners: Set<() => void>;
}

/**
 * How long a tick the stat worker has not finished may run before the path it is on counts as
 * hung (ms, at least): that path leaves the worker for its own async stat, and a fresh worker
 * takes the others, so one dead mount never holds up the rest.
 */
export const hungStatMs = 2000;

/** The stats of one period's paths, made in one worker thread; see `statChanges`. */
class StatGroup {
  readonly #byPath = new Map<string, Watched>();
  readonly #byId = new Map<number, Watched>();
  readonly #periodMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #onEmpty: () => void;
  #nextId = 0;
  #worker: Worker | undefined;
  #state = new Int32Array(new SharedArrayBuffer(8));
  #posted = 0;
  #postedAt = 0;
  #ticks: Subscription | undefined;
  /** Paths taken out of the worker because a stat of them hung: one async stat each at a time. */
  readonly #slow = new Map<string, { busy: boolean; key: string }>();

  constructor(periodMs: number, scheduler: SchedulerLike, onEmpty: () => void) {
    this.#periodMs = periodMs;
    this.#scheduler = scheduler;
    this.#onEmpty = onEmpty;
  }

  add(path: string, listener: () => void): () => void {
    let w = this.#byPath.get(path);
    if (w === undefined) {
      w = { id: this.#nextId++, path, listeners: new Set() };
      this.#byPath.set(path, w);
      this.#byId.set(w.id, w);
      this.#ensureWorker().postMessage({ add: [[w.id, path]] });
    }
    const watched = w;
    watched.listeners.add(listener);
    if (this.#ticks === undefined) {
      // Subscribed after the add, so its at-once tick finds the path there.
      this.#ticks = sharedTicks(this.#periodMs, this.#scheduler).subscribe(() => this.#tick());
    }
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size > 0) return;
      this.#byPath.delete(path);
      this.#byId.delete(watched.id);
      this.#slow.delete(path);
      this.#worker?.postMessage({ remove: [watched.id] });
      if (this.#byPath.size === 0) this.#close();
    };
  }

  #ensureWorker(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const buffer = new SharedArrayBuffer(8);
    this.#state = new Int32Array(buffer);
    this.#posted = 0;
    const worker = new Worker(workerSource, { eval: true, workerData: buffer });
    // Never what keeps the process alive: the shared tick does that while anyone polls.
    worker.unref();
    worker.on('message', (ids: number[]) => {
      if (worker !== this.#worker) return;
      for (const id of ids) this.#changed(this.#byId.get(id));
    });
    worker.on('error', () => {
      // A worker that died is replaced at the next tick; each path is then reported once.
      if (worker === this.#worker) this.#replaceWorker(undefined);
    });
    this.#worker = worker;
    return worker;
  }

  #changed(w: Watched | undefined): void {
    if (w === undefined) return;
    for (const listener of w.listeners) listener();
  }

  #tick(): void {
    const worker = this.#worker;
    if (worker !== undefined) {
      const now = this.#scheduler.now();
      if (Atomics.load(this.#state, 0) === this.#posted) {
        this.#posted++;
        this.#postedAt = now;
        worker.postMessage({ tick: this.#posted });
      } else if (now - this.#postedAt >= Math.max(hungStatMs, 2 * this.#periodMs)) {
        const on = Atomics.load(this.#state, 1);
        this.#replaceWorker(this.#byId.get(on));
      }
    }
    for (const [path, slow] of this.#slow) this.#slowStat(path, slow);
  }

  // The worker is stuck on `hung` (or died): it is left to finish in the background, `hung` is
  // stat'ed asynchronously from now on, and a new worker takes every other path.
  #replaceWorker(hung: Watched | undefined): void {
    const old = this.#worker;
    this.#worker = undefined;
    if (old !== undefined) void old.terminate().catch(() => {});
    if (hung !== undefined) this.#slow.set(hung.path, { busy: false, key: '' });
    const rest = [...this.#byPath.values()].filter((w) => !this.#slow.has(w.path));
    if (rest.length > 0) this.#ensureWorker().postMessage({ add: rest.map((w) => [w.id, w.path]) });
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
    this.#ticks?.unsubscribe();
    this.#ticks = undefined;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) void worker.terminate().catch(() => {});
    this.#onEmpty();
  }
}

const statGroups = new WeakMap<SchedulerLike, Map<number, StatGroup>>();

/**
 * Calls `onMove` (on the event loop) when the stat of `path` (following symlinks: dev, ino,
 * size, mtime and ctime in ns, or the errno) moved since the tick before, and once after it is
 * added, so a change between the caller's last look and the first stat here is never lost.
 * Every path of one period on one scheduler is stat'ed by one worker thread, once per tick
 * however many callers watch it, and an idle tick costs the main thread one message: nothing is
 * allocated for a path that did not move. A stat that hangs longer than `hungStatMs` blocks
 * neither the event loop nor the other paths (see StatGroup). Returns the function that stops.
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
    const created: StatGroup = new StatGroup(periodMs, scheduler, () => {
      if (all.get(periodMs) === created) all.delete(periodMs);
    });
    group = created;
    all.set(periodMs, group);
  }
  return group.add(path, onMove);
}
