import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  concatMap,
  defer,
  EMPTY,
  from,
  map,
  Observable,
  of,
  type SchedulerLike,
  tap,
  throwError,
  toArray,
} from 'rxjs';
import { fullTimer } from '../core/full-timer.js';

/**
 * A reload callback: told (old, new) before the change is committed. It vetoes by throwing,
 * returning an Error, or returning a promise (any thenable) that rejects or resolves to an Error.
 * It is called again with (new, old) if a later callback vetoes, so it can put back what it
 * changed. `signal` aborts when the callback runs out of time (`callbackTimeoutMs`) or the
 * config is stopped: pass it on to the work the callback starts (fetch, a pool resize).
 * @example rc.onReload(async (o, n, signal) => { await pool.resize(n.CircuitPoolMaxSize, { signal }); });
 */
export type ReloadCallback<C> = (
  oldConfig: C,
  newConfig: C,
  signal: AbortSignal,
) => undefined | Error | void | PromiseLike<undefined | Error> | PromiseLike<void>;

/**
 * A callback's refusal: which callback (registration order), what it said, and how it refused:
 * `veto` (threw, returned or resolved to an Error, rejected), `timeout` (no answer within
 * `timeoutMs`) or `stopped` (the config was stopped while it ran).
 * @example if (E.isLeft(result)) console.log(result.left.index, result.left.cause);
 */
export interface Veto {
  readonly index: number;
  readonly error: unknown;
  readonly cause: 'veto' | 'timeout' | 'stopped';
}

/** Carries a veto through the error channel, to the recovery operator that reverts. */
class VetoSignal extends Error {
  constructor(readonly veto: Veto) {
    super('vetoed');
  }
}

/** Options for a transaction. */
export interface TransactionOptions {
  /** A callback that has not answered after this long (ms) is a veto; its signal aborts. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  /** Told about a callback that failed while being reverted; reverting goes on. */
  readonly onRevertError: (index: number, error: unknown) => void;
  /**
   * Aborted when the engine stops: the callback running is told through its signal and is no
   * longer waited for (a veto of cause `stopped`), so a callback that awaits `stop()` cannot
   * deadlock it. The callbacks that had accepted are still reverted.
   */
  readonly stopSignal?: AbortSignal | undefined;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as { then?: unknown }).then === 'function';

/**
 * One call of one callback, as an observable that completes when it accepts and errors with a
 * VetoSignal when it refuses, runs out of time, or is cut short by `stopSignal`. Unsubscribing
 * (or any of those ends) aborts the signal the callback was given.
 */
function invoke<C>(
  callback: ReloadCallback<C>,
  index: number,
  from_: C,
  to: C,
  options: TransactionOptions,
  stopSignal: AbortSignal | undefined,
): Observable<never> {
  return new Observable<never>((subscriber) => {
    const controller = new AbortController();
    const refuse = (cause: Veto['cause'], error: unknown) => {
      controller.abort(error);
      subscriber.error(new VetoSignal({ index, error, cause }));
    };
    const onStop = () => refuse('stopped', new Error('the reloadable config was stopped'));
    if (stopSignal?.aborted === true) {
      onStop();
      return;
    }
    stopSignal?.addEventListener('abort', onStop, { once: true });
    // In full by the clock (fullTimer): a plain timer can fire a millisecond or so early, which
    // would veto a callback that answered within timeoutMs.
    const deadline = fullTimer(options.timeoutMs, options.scheduler).subscribe(() =>
      refuse('timeout', new Error(`callback did not answer within ${options.timeoutMs} ms`)),
    );
    const settle = (value: unknown) => {
      if (value instanceof Error) refuse('veto', value);
      else subscriber.complete();
    };
    try {
      const result = callback(from_, to, controller.signal);
      // Any thenable counts, not only native promises: Promise.resolve adopts it, and a `then`
      // that throws becomes a rejection, so a veto.
      if (isThenable(result)) {
        Promise.resolve(result).then(settle, (error: unknown) => refuse('veto', error));
      } else settle(result);
    } catch (error) {
      refuse('veto', error);
    }
    return () => {
      deadline.unsubscribe();
      stopSignal?.removeEventListener('abort', onStop);
      // Abandoned before it answered (unsubscribed): tell the callback to stop its work.
      if (!controller.signal.aborted) controller.abort(new Error('the reload was abandoned'));
    };
  });
}

/**
 * Runs the callbacks in registration order with (old, new, signal), one at a time, each waiting
 * for the previous. All accept: emits Right and completes. One vetoes: the callbacks that had
 * already accepted are called again, newest first, with (new, old) so the components they
 * updated go back (FIELD-NOTES row 12); an error while reverting is reported to `onRevertError`,
 * never thrown; then emits Left(veto). The veto travels the error channel and `catchError` (the
 * recovery operator) turns it into the revert, so the outer stream never errors (row 13).
 * @example transaction(callbacks, current, next, options).subscribe((r) => E.isRight(r) && commit(next))
 */
export function transaction<C>(
  callbacks: ReadonlyArray<ReloadCallback<C>>,
  oldConfig: C,
  newConfig: C,
  options: TransactionOptions,
): Observable<E.Either<Veto, true>> {
  // Nobody to ask (the usual case): accepted, without building the chain that asks them.
  if (callbacks.length === 0) return of<E.Either<Veto, true>>(E.right(true));
  return defer(() => {
    const accepted: Array<{ readonly index: number; readonly callback: ReloadCallback<C> }> = [];
    return from(callbacks.map((callback, index) => ({ callback, index }))).pipe(
      concatMap(({ callback, index }) =>
        invoke(callback, index, oldConfig, newConfig, options, options.stopSignal).pipe(
          tap({ complete: () => accepted.push({ index, callback }) }),
        ),
      ),
      toArray(),
      map((): E.Either<Veto, true> => E.right(true)),
      catchError((err: unknown) => {
        // Only vetoes come through here: invoke turns every callback failure into one. Anything
        // else would be a bug in this file, which the apply stage's guard reports as internal.
        if (!(err instanceof VetoSignal)) return throwError(() => err);
        // Reverts are not cut short by stop(): the components must go back either way.
        return from(accepted.reverse()).pipe(
          concatMap(({ index, callback }) =>
            invoke(callback, index, newConfig, oldConfig, options, undefined).pipe(
              catchError((revertErr: unknown) => {
                options.onRevertError(
                  index,
                  revertErr instanceof VetoSignal ? revertErr.veto.error : revertErr,
                );
                return EMPTY;
              }),
            ),
          ),
          toArray(),
          map((): E.Either<Veto, true> => E.left(err.veto)),
        );
      }),
    );
  });
}
