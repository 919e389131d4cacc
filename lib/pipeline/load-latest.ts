import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  concatMap,
  defer,
  map,
  Observable,
  type OperatorFunction,
  of,
  type SchedulerLike,
  switchMap,
  timer,
} from 'rxjs';
import type { Loaded } from '../config-file.js';
import type {
  Candidate,
  FailedLoad,
  Observation,
  RejectionFields,
  SnapshotSource,
  SourceState,
} from './types.js';

/** How loadLatest waits for a file to hold still. */
export interface LoadLatestOptions {
  /** How long a new version must hold still before it is read (ms). */
  readonly settleMs: number;
  /** Settle rounds before giving up on a file that never holds still. */
  readonly maxSettleRounds: number;
  readonly scheduler: SchedulerLike;
  /** The number of the newest manual reload request; read when an attempt starts. */
  readonly requestNumber: () => number;
}

const stateKey = (s: SourceState): string =>
  s.kind === 'snapshot' ? `v:${s.version}` : `p:${s.rejection.cause}`;

/**
 * The read stage: for each observation, wait until the source holds still, read it safely, then
 * parse, decode and validate, giving a Candidate or a FailedLoad, never an error.
 *
 * It is a `switchMap`: a newer observation supersedes an older attempt, and the stale read or
 * decode is aborted through its AbortSignal rather than left running.
 *
 * Reading safely (FIELD-NOTES row 4): a snapshot that changed recently (racy), or any problem
 * state, must keep the same version for `settleMs` before it is acted on, so a delete-then-recreate
 * save does not report "disappeared", and a truncate-then-write is read after the write. A read
 * that sees the file move under it (stat, read, stat again) settles and tries again. A file that
 * never holds still is rejected after `maxSettleRounds`.
 * @example distinct$.pipe(loadLatest(fileSource, { settleMs: 50, maxSettleRounds: 40, scheduler, requestNumber }))
 */
export function loadLatest(
  source: SnapshotSource,
  options: LoadLatestOptions,
): OperatorFunction<Observation, Candidate | FailedLoad> {
  const { settleMs, maxSettleRounds, scheduler } = options;
  return switchMap((observation) =>
    defer(() => {
      const trigger = observation.trigger;
      // Requests made before this attempt started are answered by it: its read comes later.
      const answers = options.requestNumber();
      const startedAt = scheduler.now();
      const fail = (rejection: RejectionFields, sha256?: string): FailedLoad => ({
        kind: 'failed',
        rejection: { ...rejection, trigger },
        answers,
        startedAt,
        ...(sha256 === undefined ? {} : { sha256 }),
      });

      const settle = (
        expected: string | undefined,
        round: number,
      ): Observable<Candidate | FailedLoad> =>
        round >= maxSettleRounds
          ? of(
              fail({
                kind: 'io',
                cause: 'unstable',
                reason: `${source.name} kept changing for ${round} settle rounds of ${settleMs} ms; not read`,
                path: source.name,
                problems: [],
              }),
            )
          : timer(settleMs, scheduler).pipe(
              concatMap(() => source.look()),
              concatMap((state) => {
                const key = stateKey(state);
                if (key !== expected) return settle(key, round + 1);
                return state.kind === 'snapshot' ? read(state, round) : of(fail(state.rejection));
              }),
            );

      const read = (
        snapshot: Extract<SourceState, { kind: 'snapshot' }>,
        round: number,
      ): Observable<Candidate | FailedLoad> =>
        snapshot.read().pipe(
          concatMap((result) => {
            if (result.kind === 'moved') return settle(undefined, round + 1);
            if (result.kind === 'problem') return of(fail(result.rejection));
            return decodeAborting(source, result.bytes).pipe(
              map((decoded): Candidate | FailedLoad =>
                E.isLeft(decoded)
                  ? fail(decoded.left, result.sha256)
                  : {
                      kind: 'candidate',
                      trigger,
                      loaded: decoded.right,
                      sha256: result.sha256,
                      answers,
                      startedAt,
                    },
              ),
            );
          }),
        );

      const state = observation.state;
      const attempt$ =
        state.kind === 'snapshot' && !state.racy ? read(state, 0) : settle(stateKey(state), 0);
      return attempt$.pipe(
        // A bug below must not end polling: it becomes a rejection like any other failure.
        catchError((err: unknown) =>
          of(
            fail({
              kind: 'io',
              cause: 'internal',
              reason: `internal error while loading ${source.name}: ${err instanceof Error ? err.message : String(err)}`,
              path: source.name,
              problems: [],
              error: err,
            }),
          ),
        ),
      );
    }),
  );
}

// The decode step reads %include files from disk; a superseded attempt aborts it.
function decodeAborting(
  source: SnapshotSource,
  bytes: Uint8Array,
): Observable<E.Either<RejectionFields, Loaded>> {
  return new Observable((subscriber) => {
    const controller = new AbortController();
    let ended = false;
    const subscription = source.decode(bytes, controller.signal).subscribe({
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
