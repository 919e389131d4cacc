import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  concatMap,
  defer,
  map,
  Observable,
  type Observer,
  type OperatorFunction,
  of,
  type SchedulerLike,
  type Subscriber,
  Subscription,
} from 'rxjs';
import type { FineWait } from '../core/fine-wait.js';
import { fullTimer } from '../core/full-timer.js';
import { internalRejection } from './guard.js';
import type {
  Candidate,
  FailedLoad,
  Load,
  Loaded,
  Observation,
  RejectionFields,
  SnapshotSource,
  SourceState,
} from './types.js';

/**
 * How loadLatest waits for a source to hold still.
 * @example const options: LoadLatestOptions = { settleMs: 50, settleTimeoutMs: 10_000, scheduler: asyncScheduler, requestNumber: () => 0 };
 */
export interface LoadLatestOptions {
  /**
   * How long a problem (a missing or empty file) must last before it is reported, the pause
   * before looking again after a read saw the source move, and the wait of a racy snapshot whose
   * source gives no `waitMs` (ms).
   */
  readonly settleMs: number;
  /**
   * A source that is still changing this long after it began to (ms) is given up on: the attempt
   * ends as an `io` rejection of cause `unstable`. One that has stopped changing and only waits
   * out its quiet period is never given up on.
   */
  readonly settleTimeoutMs: number;
  readonly scheduler: SchedulerLike;
  /**
   * How a snapshot's wait (an in-place save's quiet period) spends its last stretch, so the
   * save is read as soon as the clock allows; none by default. Meant for Node's own timers
   * (eventLoopTurns): on a scheduler of the caller's, leave it out.
   */
  readonly fineWait?: FineWait | undefined;
  /** The number of the newest manual reload request; read when an attempt starts. */
  readonly requestNumber: () => number;
}

type Snapshot = Extract<SourceState, { kind: 'snapshot' }>;

const stateKey = (s: SourceState): string =>
  s.kind === 'snapshot' ? `v:${s.version}` : `p:${s.rejection.cause}`;

function checkMs(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`loadLatest: ${name} must be a number >= 0, got ${value}`);
  }
}

/**
 * The read stage: for each observation, wait until the source holds still, read it safely, then
 * parse, decode and validate, giving a Candidate or a FailedLoad, never an error.
 *
 * It behaves as a `switchMap`: a newer observation supersedes an older attempt, and the stale wait, read
 * or decode is unsubscribed (reads and decodes are aborted through their AbortSignal).
 *
 * Waiting (FIELD-NOTES row 4): a snapshot is read after its `waitMs` (the file source gives 0 for
 * a file that arrived whole, and the rest of the write-quiet period for one changed in place),
 * provided its version has not moved by then; if it has, the new version is judged the same way.
 * A racy snapshot without `waitMs` waits `settleMs`. A problem state must last `settleMs` before
 * it is reported, so a delete-then-recreate save does not report "disappeared". A read that sees
 * the source move under it (stat, read, stat again) looks again after `settleMs`. A source still
 * changing `settleTimeoutMs` after it began to, counted across superseded attempts, is rejected
 * as `unstable`.
 *
 * The bytes read are handed to `load` (the profile's parse, decode and validate, wired by the
 * engine), aborted through its signal when superseded.
 * @example distinct$.pipe(loadLatest(fileSource, load, { settleMs: 50, settleTimeoutMs: 10_000, scheduler, requestNumber }))
 */
export function loadLatest<C>(
  source: SnapshotSource,
  load: Load<C>,
  options: LoadLatestOptions,
): OperatorFunction<Observation, Candidate<C> | FailedLoad> {
  const { settleMs, settleTimeoutMs, scheduler } = options;
  checkMs('settleMs', settleMs);
  checkMs('settleTimeoutMs', settleTimeoutMs);
  const waitOf = (s: Snapshot): number => {
    const wait = s.waitMs ?? (s.racy ? settleMs : 0);
    // A source bug, not a file's state: thrown here, it ends this attempt as `internal`.
    if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) {
      throw new TypeError(`${source.name}: waitMs must be a number >= 0, got ${String(wait)}`);
    }
    return wait;
  };

  const attempt = (
    run: Latest<C>,
    observation: Observation,
  ): Observable<Candidate<C> | FailedLoad> =>
    defer(() => {
      const trigger = observation.trigger;
      // Requests made before this attempt started are answered by it: its read comes later.
      const answers = options.requestNumber();
      const startedAt = scheduler.now();
      const fail = (
        rejection: RejectionFields,
        read?: { readonly sha256?: string; readonly version: string },
      ): FailedLoad => ({
        kind: 'failed',
        rejection: {
          ...rejection,
          trigger,
          ...(read === undefined ? {} : { version: read.version }),
        },
        answers,
        startedAt,
        ...(read === undefined ? {} : read),
      });

      // One state seen: read it, wait for it, or give up on a source that keeps moving.
      // `moved` says the source changed since the last state seen (a new key, or a read
      // that saw it move).
      const handle = (
        state: SourceState,
        moved: boolean,
      ): Observable<Candidate<C> | FailedLoad> => {
        const key = stateKey(state);
        const now = scheduler.now();
        const since = run.unsettled?.since ?? now;
        run.unsettled = { since, key };
        if (state.kind === 'snapshot' && waitOf(state) === 0) return read(state);
        if (moved && now - since >= settleTimeoutMs) {
          return of(
            fail({
              kind: 'io',
              cause: 'unstable',
              reason: `${source.name} kept changing for ${now - since} ms (settleTimeoutMs ${settleTimeoutMs}); not read`,
              path: source.name,
              problems: [],
            }),
          );
        }
        // Waited in full by the clock (fullTimer): on plain timers, which can fire early, reads of
        // in-place saves began up to 1.2 ms before their ctime + writeQuietMs.
        const wait = state.kind === 'snapshot' ? waitOf(state) : settleMs;
        // Only a source's own wait (an in-place save's quiet period) is waited finely: nobody
        // waits on a settle pause to the millisecond.
        const fine =
          state.kind === 'snapshot' && state.waitMs !== undefined ? options.fineWait : undefined;
        // A read that says `moved` for any change since the look needs no look before it: one
        // fs round trip (stats, realpath, the arrival evidence) less once an in-place save's
        // quiet period is over. A move it finds is looked at at once, as a look would have.
        if (state.kind === 'snapshot' && state.readVerifies === true) {
          return fullTimer(wait, scheduler, fine).pipe(concatMap(() => read(state, 0)));
        }
        return lookAfter(wait, fine).pipe(
          concatMap((next) => {
            if (stateKey(next) !== key) return handle(next, true);
            return next.kind === 'snapshot' ? read(next) : of(fail(next.rejection));
          }),
        );
      };

      const lookAfter = (ms: number, fine?: FineWait): Observable<SourceState> =>
        fullTimer(ms, scheduler, fine).pipe(concatMap(() => source.look()));

      // A read that saw the source move looks again after `movedWaitMs` (settleMs: a read that
      // raced a writer; 0: a version that changed during its wait).
      const read = (
        snapshot: Snapshot,
        movedWaitMs = settleMs,
      ): Observable<Candidate<C> | FailedLoad> =>
        snapshot.read().pipe(
          concatMap((result) => {
            if (result.kind === 'moved') {
              const next$ = movedWaitMs === 0 ? source.look() : lookAfter(movedWaitMs);
              return next$.pipe(concatMap((next) => handle(next, true)));
            }
            // Refused on reading (too large, not allowed): that version was seen and refused.
            if (result.kind === 'problem') {
              return of(fail(result.rejection, { version: snapshot.version }));
            }
            return loadAborting(load, result.bytes).pipe(
              map((decoded): Candidate<C> | FailedLoad =>
                E.isLeft(decoded)
                  ? fail(decoded.left, { sha256: result.sha256, version: snapshot.version })
                  : {
                      kind: 'candidate',
                      trigger,
                      loaded: decoded.right,
                      sha256: result.sha256,
                      version: snapshot.version,
                      answers,
                      startedAt,
                    },
              ),
            );
          }),
        );

      const state = observation.state;
      const moved = run.unsettled !== undefined && run.unsettled.key !== stateKey(state);
      // Deferred, so a source that throws while the attempt is being built is caught too.
      return defer(() => handle(state, moved)).pipe(
        // A bug below must not end polling: it becomes a rejection like any other failure.
        catchError((err: unknown) => of(fail(internalRejection(source.name, 'load', err)))),
        map((result) => {
          // Update state before emitting: emitting can re-enter (a subscriber reloading).
          run.unsettled = undefined;
          return result;
        }),
      );
    });

  return (observations) =>
    new Observable<Candidate<C> | FailedLoad>((subscriber) => {
      const run = new Latest<C>(attempt, subscriber);
      const input = observations.subscribe(run);
      return () => {
        input.unsubscribe();
        run.close();
      };
    });
}

// One subscription: the attempt running now and the run of unsettled states, as switchMap
// would keep them, in one object whose methods are on the prototype (a watcher keeps it for as
// long as it runs). A newer observation unsubscribes the attempt running before it starts its
// own; the output completes once the input has and no attempt runs.
class Latest<C> implements Observer<Observation> {
  // The run of states that could not be read yet: when it began, and the last state seen.
  // It outlives a superseded attempt (every poll that sees a new version starts one), so a
  // file that never holds still is given up on; any attempt that ends clears it.
  unsettled: { readonly since: number; readonly key: string } | undefined;
  #running: Subscription | undefined;
  #inputDone = false;

  constructor(
    private readonly attempt: (
      run: Latest<C>,
      o: Observation,
    ) => Observable<Candidate<C> | FailedLoad>,
    private readonly subscriber: Subscriber<Candidate<C> | FailedLoad>,
  ) {}

  next(observation: Observation): void {
    this.#running?.unsubscribe();
    const inner = new Subscription();
    this.#running = inner;
    inner.add(
      this.attempt(this, observation).subscribe({
        next: (result) => this.subscriber.next(result),
        error: (err: unknown) => this.subscriber.error(err),
        complete: () => {
          if (this.#running !== inner) return;
          this.#running = undefined;
          if (this.#inputDone) this.subscriber.complete();
        },
      }),
    );
  }

  error(err: unknown): void {
    this.subscriber.error(err);
  }

  complete(): void {
    this.#inputDone = true;
    if (this.#running === undefined) this.subscriber.complete();
  }

  close(): void {
    this.#running?.unsubscribe();
    this.#running = undefined;
  }
}

// The load may read more files (a torrc's %includes); a superseded attempt aborts it.
function loadAborting<C>(
  load: Load<C>,
  bytes: Uint8Array,
): Observable<E.Either<RejectionFields, Loaded<C>>> {
  return new Observable((subscriber) => {
    const controller = new AbortController();
    let ended = false;
    const subscription = load(bytes, controller.signal).subscribe({
      next: (value) => subscriber.next(value),
      error: (err: unknown) => {
        ended = true;
        subscriber.error(err);
      },
      complete: () => {
        ended = true;
        subscriber.complete();
      },
    });
    return () => {
      // Unsubscribed before the decode ended: superseded, so stop its include reads.
      if (!ended) controller.abort();
      subscription.unsubscribe();
    };
  });
}
