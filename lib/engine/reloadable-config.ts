import * as E from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import {
  BehaviorSubject,
  EMPTY,
  map,
  type Observable,
  retry,
  type SchedulerLike,
  Subject,
  type Subscription,
  timer,
} from 'rxjs';
import { fineWaitFor } from '../core/fine-wait.js';
import { checkConfigPath } from '../sources/file-policy.js';
import { fileSource } from '../sources/file-source.js';
import { intervalTrigger, signalTrigger } from '../sources/triggers.js';
import { type ApplyContext, applySerially } from './apply-serially.js';
import { distinctSnapshots } from './distinct-snapshots.js';
import { formatGoDuration } from './go-duration.js';
import { guardSource, internalRejection } from './guard.js';
import { loadForSource } from './load-for-source.js';
import { loadLatest } from './load-latest.js';
import { logMessages } from './log.js';
import { lookLanes } from './look-lanes.js';
import { OutcomeLog } from './outcome-log.js';
import type { Profile } from './profile.js';
import {
  checkedConfig,
  type ReloadOptions,
  type ReloadOptionsInput,
  resolveReloadOptions as resolveOptions,
} from './reload-options.js';
import { RequestLedger } from './request-ledger.js';
import { type SafeLog, safeLog } from './safe-log.js';
import { StartQueue, type StartTicket } from './start-queue.js';
import { StopSwitch } from './stop-switch.js';
import type { ReloadCallback } from './transaction.js';
import type {
  ChangeHint,
  ConfigChange,
  FieldChange,
  Observation,
  Outcome,
  Rejection,
  ReloadResult,
  SourceHealth,
  TriggerKind,
} from './types.js';

export type { ReloadOptions, ReloadOptionsInput } from './reload-options.js';

/**
 * Where the fast path stands (see the `fsWatch` option):
 * - `watching`: the source's change hints are armed (fs.watch on every directory that matters)
 * - `starting`: the watcher was started and the hints are being armed
 * - `polling-only`: the hints failed (the inotify limit, EPERM, a watch that errored); polling
 *   finds changes meanwhile, and they are re-armed as soon as they can be
 * - `off`: the watcher is stopped, `fsWatch` is false, or the source gives no hints
 * @example if (rc.status().fastPath === 'polling-only') alert(rc.status().fastPathReason);
 */
export type FastPathState = 'watching' | 'starting' | 'polling-only' | 'off';

/**
 * Where a ReloadableConfig stands, for health checks and dashboards.
 * @example rc.status().lastError?.reason
 */
export interface ReloadStatus {
  readonly path: string;
  /** 0 for the config given to the constructor, +1 per committed change. */
  readonly generation: number;
  readonly watching: boolean;
  /** scheduler.now() of the last attempt that ended applied or unchanged. */
  readonly lastSuccessAt: number | undefined;
  /** The last rejection, cleared by the next success. */
  readonly lastError: Rejection | undefined;
  /** sha256 of the content last read successfully. */
  readonly sha256: string | undefined;
  /**
   * The source's version of that content: the file's fingerprint, or the etcd key's
   * `mod_revision`. Undefined until a reload read one.
   */
  readonly version: string | undefined;
  /**
   * For a source that can be unreachable (etcd): whether it can be reached now, and since when.
   * While it cannot, the last good config stays live: it is stale since `source.since`.
   * Undefined for a file.
   */
  readonly source: SourceHealth | undefined;
  /**
   * The restart-only fields where the file (as last loaded) and the running config differ: what
   * a restart would change. Empty when they agree. Updated by every attempt that loads a valid
   * file, and emitted on `status$` like every other change of status.
   */
  readonly pendingRestart: ReadonlyArray<FieldChange>;
  /** Whether saves are seen as they land (`watching`) or at the next poll; see FastPathState. */
  readonly fastPath: FastPathState;
  /** Why the fast path is not `watching` (e.g. `cannot watch /etc/tor: ENOSPC: ...`), else undefined. */
  readonly fastPathReason: string | undefined;
}

/**
 * What `reload()` rejects with: the rejection, typed.
 * @example try { await rc.reload(); } catch (e) { if (e instanceof ReloadError) e.rejection.kind }
 */
export class ReloadError extends Error {
  override readonly name = 'ReloadError';
  constructor(readonly rejection: Rejection) {
    super(`${rejection.kind}: ${rejection.reason}`);
  }
}

/**
 * The manual reload subject: `next()` forces a reload. It cannot be errored or completed from
 * outside (those calls do nothing), so no caller can end manual reloads for everyone; `stop()`
 * completes it. The engine is told of each `next()` first (`asked`), then any subscriber.
 */
class ReloadSubject extends Subject<void> {
  #open = true;
  constructor(private readonly asked: () => void) {
    super();
  }
  override error(): void {}
  override complete(): void {}
  override next(): void {
    if (!this.#open) return;
    this.asked();
    super.next();
  }
  /** Ends the subject for good. */
  close(): void {
    this.#open = false;
    super.complete();
  }
}

/**
 * How long the pipeline waits before it is built again after an error reached its error channel
 * (ms). Every stage is guarded, so this is a last line of defence against a bug in hotrc, not a
 * path any plug-in can reach; the pause keeps a bug that fails at once from spinning.
 */
const restartDelayMs = 1000;

const notWatching = 'the watcher is stopped';

/**
 * Watchers on one clock begin a few at a time (see StartQueue): each holds its place until its
 * first outcome, or a quarter of a second at most, so one alone starts at once and a thousand
 * started in a loop do not all make their first look and load together. One queue per
 * scheduler: watchers in virtual time (each test its own TestScheduler) never wait on others.
 */
const startQueues = new WeakMap<SchedulerLike, StartQueue>();
const startSlots = 8;
const startCapMs = 250;

function startQueueFor(scheduler: SchedulerLike): StartQueue {
  let queue = startQueues.get(scheduler);
  if (queue === undefined) {
    queue = new StartQueue(startSlots, startCapMs, scheduler);
    startQueues.set(scheduler, queue);
  }
  return queue;
}

// A file's path is checked and made absolute; any other source's name is shown as it is.
function sourcePath(path: string, ownSource: boolean): string {
  if (ownSource) {
    if (typeof path !== 'string' || path === '') {
      throw new TypeError('a reloadable config needs a name for its source (a non-empty string)');
    }
    return path;
  }
  const checked = checkConfigPath(path);
  if (E.isLeft(checked)) throw new TypeError(checked.left.message);
  return checked.right;
}

/**
 * A config that reloads itself: the design document's `ReloadableConfig`, as an RxJS pipeline,
 * for any config a profile describes (the package's `ReloadableConfig` is this class with hotrc's
 * Tor profile as the default). It knows nothing of Tor: the profile says how bytes become a config
 * and what reloads live; the source says where bytes come from.
 *
 * Triggers (interval, `reload$`, `reload()`, optionally SIGHUP) -> one stat per look ->
 * `distinctSnapshots` -> `loadLatest` (settle, safe read, parse, decode, validate; newest wins) ->
 * `applySerially` (restart split, veto transaction, commit; newest waiting candidate wins) ->
 * `config$`, `changes$`, `rejections$`, `status$`. No failure ends the pipeline: the source is
 * guarded (`guardSource`), a throw while applying or logging is a rejection of kind `internal`,
 * and should an error still reach the error channel, the pipeline is rebuilt; the last good
 * config stays live, every `reload()` settles and `stop()` resolves.
 * @example
 * const rc = new Reloadable(await loadConfig(path, appProfile), path, logger, { profile: appProfile });
 * rc.onReload((old, next) => pool.resize(next.pool.min, next.pool.max));
 * rc.startWatcher(30_000);
 * // ... later
 * await rc.stop();
 */
export class Reloadable<C> {
  /** The current config, then every committed one. Read-only: nothing can be pushed into it. */
  readonly config$: Observable<C>;
  /** Every committed change: old and new config, the fields applied, the fields kept back. */
  readonly changes$: Observable<ConfigChange<C>>;
  /** Every reload attempt that did not happen, typed: invalid, vetoed, io, security, internal. */
  readonly rejections$: Observable<Rejection>;
  /** The current status, then every change of it. */
  readonly status$: Observable<ReloadStatus>;
  /** The manual reload subject: `rc.reload$.next()` forces a reload (without a promise). */
  readonly reload$: Subject<void>;
  /** The source's name: the path given. */
  readonly path: string;

  readonly #log: SafeLog;
  readonly #options: ReloadOptions<C>;
  readonly #config: BehaviorSubject<C>;
  readonly #changes = new Subject<ConfigChange<C>>();
  readonly #rejections = new Subject<Rejection>();
  readonly #status: BehaviorSubject<ReloadStatus>;
  readonly #reload = new ReloadSubject(() => this.#askManual());
  /** Queues a manual look (see lookLanes). */
  #ask: (trigger: TriggerKind) => void = () => {};
  readonly #interval = new BehaviorSubject<number | undefined>(undefined);
  /** Thrown by stop(): ends the pipeline, and a rebuilt one at once. */
  readonly #stop = new StopSwitch();
  /**
   * Aborted by stop(): cuts a running callback short and drops a waiting candidate. Made only
   * when an apply has callbacks to tell, or once stopped (see #stopSignal): an AbortSignal costs
   * some 750 bytes, which a thousand watchers without callbacks need not keep.
   */
  #stopController: AbortController | undefined;
  /** stop() was called. */
  #stopped = false;
  /** A candidate's callbacks were handed out and its outcome is not reported yet. */
  #applying = false;
  readonly #callbacks: ReloadCallback<C>[] = [];
  readonly #subscription: Subscription;
  readonly #health: Subscription | undefined;
  readonly #done: Promise<void>;
  readonly #requests = new RequestLedger<ReloadResult, ReloadError>();
  readonly #lines: OutcomeLog;
  /** Errors a logger threw while an outcome was reported, turned into one rejection after. */
  #logErrors: unknown[] | undefined;
  #abort: { signal: AbortSignal; listener: () => void } | undefined;
  #stopping: Promise<void> | undefined;
  /** The interval asked for; the watcher runs at it once its turn in the start queue comes. */
  #wanted: number | undefined;
  /** The watcher's place in the start queue, held from startWatcher until its first outcome. */
  #start: StartTicket | undefined;
  /** Why there is no fast path whatever happens (`fsWatch: false`, no hints), else undefined. */
  #fastPathOff: string | undefined;

  /**
   * What applySerially reads and writes: this engine's state, through its private fields. One
   * class for every engine, so a thousand watchers share its methods (an object literal would
   * give each its own five closures).
   */
  static readonly #ApplyContext = class<C> implements ApplyContext<C> {
    constructor(private readonly engine: Reloadable<C>) {}
    get profile(): Profile<C> {
      return this.engine.#options.profile;
    }
    get restartRequired(): 'keep' | 'reject' {
      return this.engine.#options.restartRequired;
    }
    get timeoutMs(): number {
      return this.engine.#options.callbackTimeoutMs;
    }
    get scheduler(): SchedulerLike {
      return this.engine.#options.scheduler;
    }
    // Read at every apply (see #stopSignal).
    get stopSignal(): AbortSignal | undefined {
      return this.engine.#stopSignal();
    }
    current(): C {
      return this.engine.#config.value;
    }
    commit(config: C): number {
      return this.engine.#commit(config);
    }
    callbacks(): ReadonlyArray<ReloadCallback<C>> {
      this.engine.#applying = true;
      return [...this.engine.#callbacks];
    }
    onRevertError(index: number, err: unknown): void {
      const engine = this.engine;
      engine.#log.error({ path: engine.path, callback: index + 1, err }, logMessages.revertFailed);
    }
  };

  /**
   * @param initial the config running now (`await loadConfig(path, profile)`); checked, frozen.
   * @param path the file to watch (or the source's name); a relative path may not contain `..`.
   * @param logger a pino logger; hotrc logs through `logger.child({ module: 'hotrc' })`.
   * @param options any of ReloadOptions, the profile required; a bad option throws a TypeError here.
   */
  constructor(
    initial: C,
    path: string,
    logger: Logger | undefined,
    options: ReloadOptionsInput<C>,
  ) {
    this.#options = resolveOptions(options);
    this.path = sourcePath(path, this.#options.source !== undefined);
    this.#log = safeLog(logger, (err) => this.#loggerFailed(err));
    this.#lines = new OutcomeLog(this.#log, this.path);
    this.#config = new BehaviorSubject(
      checkedConfig(this.#options.profile, initial, 'the initial config'),
    );
    this.#status = new BehaviorSubject<ReloadStatus>({
      path: this.path,
      generation: 0,
      watching: false,
      lastSuccessAt: undefined,
      lastError: undefined,
      sha256: undefined,
      version: undefined,
      source: undefined,
      pendingRestart: [],
      fastPath: 'off',
      fastPathReason: notWatching,
    });
    this.config$ = this.#config.asObservable();
    this.changes$ = this.#changes.asObservable();
    this.rejections$ = this.#rejections.asObservable();
    this.status$ = this.#status.asObservable();
    this.reload$ = this.#reload;

    const o = this.#options;
    // Whatever the source is (the file, etcd, a user's own), it cannot error, throw, hang up
    // without a value or hand over a malformed state: each of those is an `internal` problem.
    const file =
      o.source === undefined
        ? fileSource(this.path, {
            policy: o,
            fs: o.fs,
            now: () => o.scheduler.now(),
            racyWindowMs: o.racyWindowMs,
            writeQuietMs: o.writeQuietMs,
          })
        : undefined;
    const source = guardSource(o.source ?? (file as NonNullable<typeof file>), {
      ms: o.lookTimeoutMs,
      scheduler: o.scheduler,
    });
    const profile = o.profile;
    const load = loadForSource(source, profile, {
      policy: { maxBytes: o.maxBytes, root: o.root, allowInsecureMode: o.allowInsecureMode },
      base: o.base,
      strict: o.strict,
    });
    // Every look is announced as it is seen (OutcomeLog.announce), before distinctSnapshots: a
    // look it drops saw the version or problem last announced, which announces nothing, so the
    // lines are the same and the pipeline has one operator fewer per watcher.
    const look = (trigger: TriggerKind): Observable<Observation> =>
      source.look().pipe(
        map((state) => {
          const observation = { trigger, state };
          this.#lines.announce(observation);
          return observation;
        }),
      );

    // The file source polls for itself (one shared stat per path per tick, a look only when
    // one moved); any other source is looked at on every tick.
    // A look still running (a slow NFS stat) swallows ticks rather than queueing them. The file
    // source's polls are moves, not ticks: one that comes while a look runs is looked at after it.
    // The fast path: the source's change hints, each a look deduplicated like a poll. A hint
    // that comes while a look runs is not dropped: one more look follows that one, so the last
    // event of a burst is always looked at after it happened.
    const hints = o.fsWatch ? source.changeHints : undefined;
    this.#fastPathOff = !o.fsWatch
      ? 'fsWatch: false'
      : hints === undefined
        ? 'the source gives no change hints'
        : undefined;
    const signal = o.reloadOnSignal;
    const lanes = lookLanes({
      period$: this.#interval,
      polls:
        file === undefined
          ? (period) => intervalTrigger(period, o.scheduler)
          : (period) => file.polls(period, o.scheduler),
      trailingPolls: file !== undefined,
      ...(hints === undefined
        ? {}
        : {
            hints: () => hints.call(source, o.scheduler),
            onHint: (hint: ChangeHint) => this.#fastPathHint(hint),
          }),
      ...(signal === undefined ? {} : { signals: () => signalTrigger(signal) }),
      look,
    });
    this.#ask = lanes.ask;

    let finished: () => void = () => {};
    this.#done = new Promise((resolve) => {
      finished = resolve;
    });
    // Health is shown in status() for as long as this lives (an outage matters while stopped too).
    const health = source.health;
    this.#health = health?.call(source).subscribe((h) => this.#setStatus({ source: h }));
    this.#subscription = lanes.looks$
      .pipe(
        distinctSnapshots(),
        loadLatest(source, load, {
          settleMs: o.settleMs,
          settleTimeoutMs: o.settleTimeoutMs,
          scheduler: o.scheduler,
          // On the default scheduler the last 2 ms of a quiet period are waited on turns of the
          // event loop (a save is live about a millisecond sooner); on a scheduler passed in, all
          // of every wait is on its clock.
          fineWait: fineWaitFor(o.scheduler),
          requestNumber: () => this.#requests.newest,
        }),
        // stop(): reads and settles in flight are aborted here; an apply in flight finishes,
        // its running callback cut short through stopSignal.
        this.#stop.cut(),
        applySerially(new Reloadable.#ApplyContext(this)),
        // The error-recovery operator of last resort: an error that got past every guard is
        // reported, and the pipeline is built again (after a pause) unless stop() was called.
        retry({
          delay: (err: unknown) => {
            this.#pipelineFailed(err);
            return this.#stopped
              ? EMPTY
              : timer(restartDelayMs, o.scheduler).pipe(this.#stop.cut());
          },
        }),
      )
      .subscribe({
        next: (outcome) => this.#report(outcome),
        complete: () => finished(),
        error: () => finished(),
      });
  }

  /**
   * Registers a callback, told (old, new, signal) before each change is committed; it may veto.
   * Returns a function that unregisters it.
   * @example const off = rc.onReload((o, n) => { if (n.CircuitPoolMaxSize > 100) throw new Error('too big'); });
   */
  onReload(callback: ReloadCallback<C>): () => void {
    if (typeof callback !== 'function') throw new TypeError('onReload needs a function');
    this.#callbacks.push(callback);
    return () => {
      const i = this.#callbacks.indexOf(callback);
      if (i >= 0) this.#callbacks.splice(i, 1);
    };
  }

  /**
   * Polls the file every `intervalMs` (first look at once; of many watchers started together,
   * eight begin at once and each of the others as soon as one of those has its first outcome).
   * Calling it again changes the interval. Aborting `signal` stops the watcher (manual reloads
   * keep working until `stop()`).
   * @example rc.startWatcher(30_000, controller.signal);
   */
  startWatcher(intervalMs: number, signal?: AbortSignal): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new TypeError(`startWatcher needs an interval in ms > 0, got ${intervalMs}`);
    }
    if (this.#stopping !== undefined) throw new Error('startWatcher after stop()');
    if (signal?.aborted === true) return;
    this.#log.info(
      { path: this.path, interval: formatGoDuration(intervalMs) },
      logMessages.watcherStarted,
    );
    this.#detachAbort();
    if (signal !== undefined) {
      const listener = () => this.stopWatcher();
      signal.addEventListener('abort', listener, { once: true });
      this.#abort = { signal, listener };
    }
    const starting = this.#wanted === undefined;
    this.#wanted = intervalMs;
    if (!starting) {
      // Running: the new interval at once; still waiting for its place: taken when it comes.
      if (this.#interval.value !== undefined) this.#interval.next(intervalMs);
      this.#setStatus({ watching: true });
      return;
    }
    // Before the hints are armed: an `armed` hint may come at once, and must not be overwritten.
    this.#setStatus(
      this.#fastPathOff === undefined
        ? { fastPath: 'starting', fastPathReason: 'arming the watches' }
        : { fastPath: 'off', fastPathReason: this.#fastPathOff },
    );
    this.#start = startQueueFor(this.#options.scheduler).enter(() => {
      if (this.#wanted !== undefined) this.#interval.next(this.#wanted);
    });
    this.#setStatus({ watching: true });
  }

  /**
   * Stops polling and the reload signal; manual reloads keep working. Idempotent.
   * @example rc.stopWatcher();
   */
  stopWatcher(): void {
    this.#detachAbort();
    if (this.#wanted === undefined) return;
    this.#wanted = undefined;
    this.#started();
    if (this.#interval.value !== undefined) this.#interval.next(undefined);
    this.#setStatus({ watching: false, fastPath: 'off', fastPathReason: notWatching });
    this.#log.info({ path: this.path }, logMessages.watcherStopped);
  }

  /**
   * The current config: frozen, and never half-updated (one reference is swapped per commit).
   * @example rc.get().LogLevel
   */
  get(): C {
    return this.#config.value;
  }

  /**
   * Reloads now. Resolves once this reload (or a newer one that read the file after it was
   * asked for) has ended: `applied` with the changes, or `unchanged`. Rejects with a ReloadError
   * on any rejection: invalid, vetoed, io (missing, unreadable), security or internal. Always
   * settles, at the latest when `stop()` is called.
   * @example const { status, changes, restartRequired } = await rc.reload();
   */
  reload(): Promise<ReloadResult> {
    if (this.#stopping !== undefined) {
      return Promise.reject(this.#stoppedError());
    }
    const answer = this.#requests.open();
    this.#askManual();
    return answer;
  }

  // A reload asked while callbacks run (by one of them, say) waits a turn of the event loop
  // first: a callback that asks for a reload and vetoes the change would otherwise go round on
  // microtasks alone (a local read settles at once), and no timer, signal or stop() would run.
  #askManual(): void {
    if (this.#applying) this.#options.scheduler.schedule(() => this.#ask('manual'));
    else this.#ask('manual');
  }

  /**
   * Where things stand now.
   * @example if (rc.status().lastError) alert(rc.status().lastError.reason);
   */
  status(): ReloadStatus {
    return this.#status.value;
  }

  /**
   * Stops everything: the timer, the signal handler, reads in flight, and completes every
   * stream. An apply in flight runs to its end first, but its running callback is told through
   * its AbortSignal and not waited for (so a callback may itself await `stop()`); a candidate
   * waiting to be applied is dropped. Pending `reload()` calls reject. Always resolves.
   * Idempotent: every call returns the same promise.
   * @example await rc.stop();
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.stopWatcher();
      this.#stopped = true;
      this.#stopController?.abort();
      this.#stop.stop();
      await this.#done;
      this.#subscription.unsubscribe();
      this.#health?.unsubscribe();
      this.#requests.rejectAll(this.#stoppedError());
      this.#reload.close();
      this.#interval.complete();
      this.#config.complete();
      this.#changes.complete();
      this.#rejections.complete();
      this.#status.complete();
    })();
    return this.#stopping;
  }

  // The stop signal applySerially and the callbacks are given: aborted once stopped. Undefined
  // until either an apply has callbacks (each is handed the signal) or stop() was called.
  #stopSignal(): AbortSignal | undefined {
    if (this.#stopController === undefined && (this.#stopped || this.#callbacks.length > 0)) {
      this.#stopController = new AbortController();
      if (this.#stopped) this.#stopController.abort();
    }
    return this.#stopController?.signal;
  }

  #stoppedError(): ReloadError {
    return new ReloadError({
      kind: 'io',
      cause: 'stopped',
      reason: 'the reloadable config was stopped',
      path: this.path,
      trigger: 'manual',
      problems: [],
    });
  }

  // The first outcome since the watcher started (or its stop): its place goes to the next.
  #started(): void {
    this.#start?.done();
    this.#start = undefined;
  }

  #detachAbort(): void {
    if (this.#abort !== undefined) {
      this.#abort.signal.removeEventListener('abort', this.#abort.listener);
      this.#abort = undefined;
    }
  }

  #setStatus(patch: Partial<ReloadStatus>): void {
    if (!this.#status.closed) this.#status.next({ ...this.#status.value, ...patch });
  }

  // The fast path's state, from the source's hints: one warning when it fails, one line when it
  // is back; `changed` hints are looks, not states.
  #fastPathHint(hint: ChangeHint): void {
    if (this.#interval.value === undefined) return;
    const was = this.#status.value.fastPath;
    if (hint.kind === 'armed') {
      if (was === 'watching') return;
      this.#setStatus({ fastPath: 'watching', fastPathReason: undefined });
      if (was === 'polling-only') this.#log.info({ path: this.path }, logMessages.watchRestored);
    } else if (hint.kind === 'unavailable') {
      this.#setStatus({ fastPath: 'polling-only', fastPathReason: hint.reason });
      if (was === 'polling-only') return;
      const err = hint.error instanceof Error ? hint.error : undefined;
      this.#log.warn(
        { path: this.path, reason: hint.reason, ...(err === undefined ? {} : { err }) },
        logMessages.watchUnavailable,
      );
    }
  }

  #commit(config: C): number {
    const generation = this.#status.value.generation + 1;
    this.#config.next(config);
    this.#setStatus({ generation });
    return generation;
  }

  // Reporting must not throw into the subscriber (RxJS would rethrow it asynchronously and crash
  // the process): a throw here, from a logger or a stream's subscriber, still answers the
  // reload() calls this outcome was for, and becomes an `internal` rejection.
  #report(outcome: Outcome<C>): void {
    this.#applying = false;
    this.#started();
    this.#logErrors = [];
    try {
      this.#reportOutcome(outcome);
    } catch (err) {
      this.#requests.rejectUpTo(
        outcome.answers,
        new ReloadError({
          ...internalRejection(this.path, 'report', err),
          trigger: outcome.trigger,
        }),
      );
      this.#logErrors.push(err);
    } finally {
      const errors = this.#logErrors;
      this.#logErrors = undefined;
      if (errors.length > 0) this.#emitInternal('logger', errors[0]);
    }
  }

  #reportOutcome(outcome: Outcome<C>): void {
    const o = this.#options;
    const durationMs = o.scheduler.now() - outcome.startedAt;
    if (outcome.status === 'rejected') {
      this.#lines.rejected(outcome, durationMs);
      this.#setStatus({ lastError: outcome.rejection });
      this.#rejections.next(outcome.rejection);
      this.#requests.rejectUpTo(outcome.answers, new ReloadError(outcome.rejection));
      return;
    }
    const restartMoved = this.#lines.loaded(outcome, durationMs, this.#status.value.generation);
    this.#setStatus({
      lastSuccessAt: o.scheduler.now(),
      lastError: undefined,
      sha256: outcome.sha256,
      version: outcome.version,
      ...(restartMoved ? { pendingRestart: outcome.restartRequired } : {}),
    });
    // After the status: whoever hears of the change reads a status that already includes it.
    if (outcome.status === 'applied') this.#changes.next(outcome.change);
    this.#requests.resolveUpTo(outcome.answers, {
      status: outcome.status,
      changes: outcome.changes,
      restartRequired: outcome.restartRequired,
    });
  }

  // An error got past every guard into the pipeline's error channel. The attempts in flight died
  // with it, so every pending reload() is answered now; retry() then builds the pipeline again.
  #pipelineFailed(err: unknown): void {
    this.#started();
    const rejection: Rejection = {
      ...internalRejection(this.path, 'pipeline', err),
      trigger: 'manual',
    };
    this.#lines.problem(rejection);
    this.#setStatus({ lastError: rejection });
    this.#rejections.next(rejection);
    const error = new ReloadError(rejection);
    this.#requests.rejectAll(error);
  }

  // A logger threw. Inside a report, the errors are gathered and become one rejection at its end;
  // elsewhere (startWatcher, stopWatcher) at once. Never logged: that would throw again.
  #loggerFailed(err: unknown): void {
    if (this.#logErrors !== undefined) this.#logErrors.push(err);
    else this.#emitInternal('logger', err);
  }

  #emitInternal(stage: string, err: unknown): void {
    if (this.#rejections.closed) return;
    this.#rejections.next({ ...internalRejection(this.path, stage, err), trigger: 'manual' });
  }
}
