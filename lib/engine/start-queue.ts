import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * A place in a StartQueue: `done()` frees it (or withdraws it while it still waits). Idempotent.
 * @example const ticket = queue.enter(() => begin()); // later: ticket.done();
 */
export interface StartTicket {
  done(): void;
}

/**
 * Lets at most `slots` starts run at once; the others wait their turn, in order. A start runs
 * at once while a slot is free (so a lone instance starts as soon as it is asked to), and frees
 * its slot with `done()`, or by itself `capMs` after it began (on `scheduler`, so virtual time
 * covers it), so a start that hangs (a stat on a dead NFS mount) holds no one else back for
 * longer than that.
 *
 * Why: a thousand watchers started in one loop would otherwise all make their first look and
 * load at once; every one of them holds its stats, bytes and decode across several awaits, so
 * they all survive the young generation together and are promoted, garbage that an idle process
 * never collects (tens of MiB of RSS at N = 1000). Taken a few at a time, that garbage dies young.
 * @example const queue = new StartQueue(8, 250, asyncScheduler); const t = queue.enter(() => rc.begin()); rc.onFirstOutcome(() => t.done());
 */
export class StartQueue {
  readonly #slots: number;
  readonly #capMs: number;
  readonly #scheduler: SchedulerLike;
  #running = 0;
  readonly #waiting = new Set<() => void>();

  constructor(slots: number, capMs: number, scheduler: SchedulerLike) {
    if (!Number.isInteger(slots) || slots < 1) {
      throw new TypeError(`StartQueue needs at least one slot, got ${slots}`);
    }
    if (!Number.isFinite(capMs) || capMs <= 0) {
      throw new TypeError(`StartQueue needs a cap in ms > 0, got ${capMs}`);
    }
    this.#slots = slots;
    this.#capMs = capMs;
    this.#scheduler = scheduler;
  }

  /** How many starts hold a slot now. */
  get running(): number {
    return this.#running;
  }

  /** How many starts wait for a slot. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Runs `start` once a slot is free: at once if one is. */
  enter(start: () => void): StartTicket {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let cap: Subscription | undefined;
    const run = (): void => {
      this.#waiting.delete(run);
      state = 'running';
      this.#running++;
      cap = this.#scheduler.schedule(done, this.#capMs);
      start();
    };
    const done = (): void => {
      if (state === 'waiting') this.#waiting.delete(run);
      if (state === 'running') {
        cap?.unsubscribe();
        this.#running--;
        this.#next();
      }
      state = 'done';
    };
    if (this.#running < this.#slots) run();
    else this.#waiting.add(run);
    return { done };
  }

  #next(): void {
    while (this.#running < this.#slots) {
      const first = this.#waiting.values().next();
      if (first.done === true) return;
      first.value();
    }
  }
}
