import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { ChangeHint } from '../core/source.js';
import type { DirectoryWatch, FsPort } from './fs-port.js';
import { judgeEvent, type WatchedDirectory, type WatchPlan } from './watch-plan.js';

/**
 * What fsWatch needs: where the plan comes from, the watch door, and when to plan again.
 * @example const o: FsWatchOptions = { plan: () => planWatch([{ path }], nodeFs), watch: nodeFs.watch!, replan$, scheduler: asyncScheduler };
 */
export interface FsWatchOptions {
  /** The directories to watch now; asked again whenever the way to the files may have moved. Never rejects. */
  readonly plan: () => Promise<WatchPlan>;
  /** Opens a watch on one directory (FsPort.watch). */
  readonly watch: NonNullable<FsPort['watch']>;
  /** The owner's word that the plan may have moved (a load tracked other includes, a look saw another real path). */
  readonly replan$: Observable<void>;
  /** Times the retries of a failed watch. */
  readonly scheduler: SchedulerLike;
  /** The first retry after a watch failed (ms); each next one waits twice as long. Default 100. */
  readonly retryMs?: number;
  /** The longest wait between two retries (ms). Default 10000. */
  readonly maxRetryMs?: number;
}

/** Plans made again at once when a directory vanished between planning and watching it. */
const vanishedReplans = 3;

const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

const describe = (err: unknown): string => {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
};

/**
 * The fs.watch fast path as change hints: a watch on each directory of the plan (never on a
 * file), a `changed` hint for each event on an entry that matters (see judgeEvent; other files
 * in the directory are ignored), `armed` once every directory is watched, `unavailable` once
 * when one cannot be (the inotify limit, EPERM, a watch that errored), after which it retries
 * with a doubling backoff on `scheduler` until it can, and sends `armed` again.
 *
 * The watches follow the plan: an event on a symlink or a missing part, a directory deleted or
 * moved, or a word on `replan$` plans again, closes the watches no longer wanted and opens the
 * new ones (a recreated directory is another inode, so it is watched afresh). Whenever a watch
 * is opened, a `changed` hint follows: what happened while it was not open would be missed.
 * Plans never run two at once; one asked for while another runs runs after it, so the last
 * change is always planned for. No delay is added anywhere: a hint goes out in the event's own
 * callback. Unsubscribing closes every watch and the retry timer.
 * @example fsWatch({ plan, watch: nodeFs.watch!, replan$, scheduler }).subscribe((h) => h.kind === 'changed' && look());
 */
export function fsWatch(options: FsWatchOptions): Observable<ChangeHint> {
  const resolved: Resolved = {
    plan: options.plan,
    watch: options.watch,
    replan$: options.replan$,
    scheduler: options.scheduler,
    firstRetryMs: options.retryMs ?? 100,
    maxRetryMs: options.maxRetryMs ?? 10_000,
  };
  return new Observable<ChangeHint>((subscriber) => {
    const run = new WatchRun(resolved, subscriber);
    return () => run.close();
  });
}

interface Resolved {
  readonly plan: FsWatchOptions['plan'];
  readonly watch: FsWatchOptions['watch'];
  readonly replan$: Observable<void>;
  readonly scheduler: SchedulerLike;
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

// One subscription's watches and state, its methods on the prototype: a thousand watchers each
// keep one object, not a context and a closure per step.
class WatchRun {
  readonly #armed = new Map<string, Armed>();
  #closed = false;
  #state: 'starting' | 'armed' | 'unavailable' = 'starting';
  #retryMs: number;
  #retry: Subscription | undefined;
  #planning = false;
  #again = false;
  #vanished = 0;
  readonly #nudges: Subscription;

  constructor(
    private readonly o: Resolved,
    private readonly subscriber: Subscriber<ChangeHint>,
  ) {
    this.#retryMs = o.firstRetryMs;
    this.#nudges = o.replan$.subscribe(new Nudges(this));
    this.replan();
  }

  close(): void {
    this.#closed = true;
    this.#nudges.unsubscribe();
    this.#retry?.unsubscribe();
    for (const a of this.#armed.values()) a.handle.close();
    this.#armed.clear();
  }

  #hint(h: ChangeHint): void {
    if (!this.#closed) this.subscriber.next(h);
  }

  #fail(path: string, err: unknown): void {
    if (this.#state !== 'unavailable') {
      this.#state = 'unavailable';
      this.#hint({
        kind: 'unavailable',
        reason: `cannot watch ${path}: ${describe(err)}`,
        error: err,
      });
    }
    if (this.#retry === undefined && !this.#closed) {
      this.#retry = this.o.scheduler.schedule(() => {
        this.#retry = undefined;
        this.replan();
      }, this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, this.o.maxRetryMs);
    }
  }

  onEvent(entry: Armed, name: string | null): void {
    // A watch closed or replaced may still deliver what was queued before.
    if (this.#closed || this.#armed.get(entry.dir.path) !== entry) return;
    const verdict = judgeEvent(entry.dir, name);
    if (verdict === 'ignore') return;
    // The look first: it is what the saver waits for; the plan can follow.
    this.#hint({ kind: 'changed' });
    if (verdict === 'replan') this.replan();
  }

  onError(entry: Armed, err: unknown): void {
    if (this.#closed || this.#armed.get(entry.dir.path) !== entry) return;
    entry.handle.close();
    this.#armed.delete(entry.dir.path);
    // It may have died on a change it never reported.
    this.#hint({ kind: 'changed' });
    this.#fail(entry.dir.path, err);
  }

  #arm(wanted: WatchPlan): void {
    const armed = this.#armed;
    const byPath = new Map(wanted.map((d) => [d.path, d]));
    for (const [path, a] of armed) {
      const next = byPath.get(path);
      if (next === undefined || next.id !== a.dir.id) {
        a.handle.close();
        armed.delete(path);
      }
    }
    let opened = false;
    let failed: { path: string; err: unknown } | undefined;
    let gone: { path: string; err: unknown } | undefined;
    for (const dir of wanted) {
      const present = armed.get(dir.path);
      if (present !== undefined) {
        present.dir = dir;
        continue;
      }
      try {
        armed.set(dir.path, new Armed(this, dir, this.o.watch));
        opened = true;
      } catch (err) {
        const code = codeOf(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') gone ??= { path: dir.path, err };
        else failed ??= { path: dir.path, err };
      }
    }
    // A directory deleted since it was planned is no failure: the next plan watches its parent.
    if (gone !== undefined && failed === undefined && this.#vanished < vanishedReplans) {
      this.#vanished++;
      this.#again = true;
      if (opened) this.#hint({ kind: 'changed' });
      return;
    }
    failed ??= gone;
    this.#vanished = 0;
    if (failed !== undefined) this.#fail(failed.path, failed.err);
    else if (this.#state !== 'armed') {
      this.#state = 'armed';
      this.#retryMs = this.o.firstRetryMs;
      this.#hint({ kind: 'armed' });
    }
    if (opened) this.#hint({ kind: 'changed' });
  }

  // One plan at a time; asked for while one runs, one more runs after it (the last word wins).
  replan(): void {
    if (this.#planning) {
      this.#again = true;
      return;
    }
    this.#planning = true;
    void this.#planLoop();
  }

  async #planLoop(): Promise<void> {
    do {
      this.#again = false;
      let wanted: WatchPlan;
      try {
        wanted = await this.o.plan();
      } catch (err) {
        if (this.#closed) break;
        this.#fail('(planning)', err);
        continue;
      }
      if (this.#closed) break;
      this.#arm(wanted);
    } while (this.#again && !this.#closed);
    this.#planning = false;
  }
}

// The owner's words on replan$, each a plan.
class Nudges {
  constructor(private readonly run: WatchRun) {}
  next(): void {
    this.run.replan();
  }
}

// One open watch: the directory as last planned, and its handle.
class Armed {
  readonly handle: DirectoryWatch;
  constructor(
    run: WatchRun,
    public dir: WatchedDirectory,
    watch: Resolved['watch'],
  ) {
    this.handle = watch(
      dir.path,
      (name) => run.onEvent(this, name),
      (err) => run.onError(this, err),
    );
  }
}
