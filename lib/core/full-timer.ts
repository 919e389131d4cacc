import {
  concatMap,
  defer,
  map,
  Observable,
  of,
  type SchedulerLike,
  type Subscription,
  timer,
} from 'rxjs';
import type { FineWait } from './fine-wait.js';
import { timerDelay } from './timer-delay.js';

/**
 * A timer that never ends a wait early: one value (0) once `ms` have passed by `scheduler`'s
 * clock (at most timerDelay(ms)), then complete. Node's timers count from the event loop's
 * cached time, in whole milliseconds, and fire up to a millisecond or two before their delay is
 * over by the clock; this one is armed again for what is left. A clock set back while it waits
 * (more than the whole delay left once its timer fired) does not stretch it: the timer has
 * waited the delay on its own clock. With `fine`, its last `fine.leadMs` are waited on turns
 * of the event loop instead, so it also ends less late (see FineWait).
 * @example fullTimer(500, asyncScheduler).subscribe(() => read()); // not before Date.now() says 500 ms
 */
export function fullTimer(ms: number, scheduler: SchedulerLike, fine?: FineWait): Observable<0> {
  return defer(() => {
    const delay = timerDelay(ms);
    const due = scheduler.now() + delay;
    const lead = fine?.leadMs ?? 0;
    // Where the clock says the wait stands: over, `rest` for what is left, or (the clock set
    // back by more than the whole delay) the lead on a timer: a timer armed `lead` short of the
    // instant, or turns begun at most `lead` before it, have waited all but that on their own
    // clock, so it is not stretched, nor ended one moment early.
    const next = (): Observable<0> => {
      const left = due - scheduler.now();
      if (left <= 0 || (left > delay && lead === 0)) return of(0);
      if (left > delay) return timer(lead, scheduler).pipe(map(() => 0 as const));
      return rest(left);
    };
    const rest = (wait: number): Observable<0> =>
      fine !== undefined && wait <= lead
        ? turns(fine)
        : timer(wait - lead, scheduler).pipe(concatMap(next));
    // Turns of the loop until the clock says the wait is over; a clock set back while they run
    // hands back to `next`.
    const turns = (f: FineWait): Observable<0> =>
      new Observable<0>((subscriber) => {
        let timed: Subscription | undefined;
        const stop = f.turns(() => {
          // Unsubscribed during this turn (stop() came too late to cancel it): no more.
          if (subscriber.closed) return false;
          const left = due - scheduler.now();
          if (left <= 0) {
            subscriber.next(0);
            subscriber.complete();
          } else if (left > lead) timed = next().subscribe(subscriber);
          return left > 0 && left <= lead;
        });
        return () => {
          stop();
          timed?.unsubscribe();
        };
      });
    return rest(delay);
  });
}
