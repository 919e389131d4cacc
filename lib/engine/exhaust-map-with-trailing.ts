import { from, Observable, type ObservableInput, type OperatorFunction, Subscription } from 'rxjs';

/**
 * `exhaustMap` that never drops the last value: while an inner observable runs, values are not
 * projected but remembered (the newest only), and when it completes the newest remembered one is
 * projected. So a burst of values costs one inner run for the first and one more for the rest,
 * however long the burst, and the last value of every burst is always followed by a run that
 * started after it. That is what a look after a file event needs: a look that began before the
 * final write of a save may have missed it, so one more look follows it; no delay is added.
 *
 * Completes when the source has completed and no inner runs or waits; errors from either end it.
 * @example fileEvents$.pipe(exhaustMapWithTrailing(() => source.look()))
 */
export function exhaustMapWithTrailing<T, R>(
  project: (value: T, index: number) => ObservableInput<R>,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let running: Subscription | undefined;
      let waiting: { readonly value: T } | undefined;
      let sourceDone = false;
      let index = 0;

      const run = (value: T): void => {
        const inner = new Subscription();
        running = inner;
        inner.add(
          from(project(value, index++)).subscribe({
            next: (r) => subscriber.next(r),
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              // Update state before emitting or starting the next: both can re-enter.
              running = undefined;
              const next = waiting;
              waiting = undefined;
              if (next !== undefined) run(next.value);
              else if (sourceDone) subscriber.complete();
            },
          }),
        );
      };

      const outer = source.subscribe({
        next: (value) => {
          if (running === undefined) run(value);
          else waiting = { value };
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (running === undefined && waiting === undefined) subscriber.complete();
        },
      });
      return () => {
        outer.unsubscribe();
        running?.unsubscribe();
        waiting = undefined;
      };
    });
}
