import * as E from 'fp-ts/lib/Either.js';
import {
  catchError,
  concatMap,
  defer,
  EMPTY,
  from,
  map,
  type Observable,
  of,
  type SchedulerLike,
  tap,
  throwError,
  timeout,
  toArray,
} from 'rxjs';
import type { TorConfig } from '../schema/tor-config.js';

/**
 * A reload callback: told (old, new) before the change is committed. It vetoes by throwing,
 * returning an Error, or returning a promise that rejects or resolves to an Error. It is called
 * again with (new, old) if a later callback vetoes, so it can put back what it changed.
 * @example rc.onReload((o, n) => { if (n.CircuitPoolMaxSize > 100) return new Error('too big'); pool.resize(n); });
 */
export type ReloadCallback = (
  oldConfig: TorConfig,
  newConfig: TorConfig,
) => undefined | Error | Promise<undefined | Error> | void | Promise<void>;

/** A callback's refusal: which callback (registration order) and what it said. */
export interface Veto {
  readonly index: number;
  readonly error: unknown;
}

/** Carries a veto through the error channel, to the recovery operator that reverts. */
class VetoSignal extends Error {
  constructor(readonly veto: Veto) {
    super('vetoed');
  }
}

/** Options for a transaction. */
export interface TransactionOptions {
  /** A callback that has not answered after this long (ms) is a veto. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  /** Told about a callback that failed while being reverted; reverting goes on. */
  readonly onRevertError: (index: number, error: unknown) => void;
}

function invoke(
  callback: ReloadCallback,
  from_: TorConfig,
  to: TorConfig,
  options: TransactionOptions,
): Observable<void> {
  return defer(() => {
    const result = callback(from_, to);
    if (result instanceof Error) throw result;
    return result instanceof Promise ? from(result) : of(result);
  }).pipe(
    map((value) => {
      if (value instanceof Error) throw value;
    }),
    timeout({
      first: options.timeoutMs,
      scheduler: options.scheduler,
      with: () =>
        throwError(() => new Error(`callback did not answer within ${options.timeoutMs} ms`)),
    }),
  );
}

/**
 * Runs the callbacks in registration order with (old, new), one at a time, each waiting for the
 * previous. All accept: emits Right and completes. One vetoes: the callbacks that had already
 * accepted are called again, newest first, with (new, old) so the components they updated go
 * back (FIELD-NOTES row 12); an error while reverting is reported to `onRevertError`, never
 * thrown; then emits Left(veto). The veto travels the error channel and `catchError` (the
 * recovery operator) turns it into the revert, so the outer stream never errors (row 13).
 * @example transaction(callbacks, current, next, options).subscribe((r) => E.isRight(r) && commit(next))
 */
export function transaction(
  callbacks: ReadonlyArray<ReloadCallback>,
  oldConfig: TorConfig,
  newConfig: TorConfig,
  options: TransactionOptions,
): Observable<E.Either<Veto, true>> {
  return defer(() => {
    const accepted: Array<{ readonly index: number; readonly callback: ReloadCallback }> = [];
    return from(callbacks.map((callback, index) => ({ callback, index }))).pipe(
      concatMap(({ callback, index }) =>
        invoke(callback, oldConfig, newConfig, options).pipe(
          catchError((error: unknown) => throwError(() => new VetoSignal({ index, error }))),
          tap({ complete: () => accepted.push({ index, callback }) }),
        ),
      ),
      toArray(),
      map((): E.Either<Veto, true> => E.right(true)),
      catchError((err: unknown) => {
        // Anything but a veto signal is a bug in this file; let it surface.
        if (!(err instanceof VetoSignal)) return throwError(() => err);
        return from(accepted.reverse()).pipe(
          concatMap(({ index, callback }) =>
            invoke(callback, newConfig, oldConfig, options).pipe(
              catchError((error: unknown) => {
                options.onRevertError(index, error);
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
