import { concatMap, defer, type Observable, of, type SchedulerLike, timer } from 'rxjs';
import { timerDelay } from './timer-delay.js';

/**
 * A timer that never ends a wait early: one value (0) once `ms` have passed by `scheduler`'s
 * clock (at most timerDelay(ms)), then complete. Node's timers count from the event loop's
 * cached time, in whole milliseconds, and fire up to a millisecond or two before their delay is
 * over by the clock; this one is armed again for what is left. A clock set back while it waits
 * (more than the whole delay left once its timer fired) does not stretch it: the timer has
 * waited the delay on its own clock.
 * @example fullTimer(500, asyncScheduler).subscribe(() => read()); // not before Date.now() says 500 ms
 */
export function fullTimer(ms: number, scheduler: SchedulerLike): Observable<0> {
  return defer(() => {
    const delay = timerDelay(ms);
    const due = scheduler.now() + delay;
    const rest = (wait: number): Observable<0> =>
      timer(wait, scheduler).pipe(
        concatMap(() => {
          const left = due - scheduler.now();
          return left > 0 && left <= delay ? rest(left) : of(0 as const);
        }),
      );
    return rest(delay);
  });
}
