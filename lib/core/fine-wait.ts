import { asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * How a wait on the real clock spends its last `leadMs`: on turns of the event loop
 * (`setImmediate`, a few microseconds each) instead of on a timer. Node's timers fire on a
 * whole-millisecond tick, 1 to 2 ms after the instant they wait for (BENCHMARKS.md), and a
 * turn of the loop ends the wait on the first tick of `Date.now()` at or after it. I/O and
 * other timers still run between turns, but the CPU is busy for that stretch, so this is for
 * a wait someone is waiting on (an in-place save's quiet period), not for polling.
 * @example fullTimer(500.4, asyncScheduler, eventLoopTurns).subscribe(read); // read < 1 ms after its instant
 */
export interface FineWait {
  /** How long before its instant a timer hands the wait over to `turns` (ms). */
  readonly leadMs: number;
  /**
   * Runs `turn` on later turns of the event loop, one each, until it returns false, and gives
   * what stops it sooner.
   */
  readonly turns: (turn: () => boolean) => () => void;
}

/**
 * The FineWait of Node's event loop: the last 2 ms on `setImmediate`. Two, because a timer
 * fires up to about 2 ms late, so it hands over before the instant nearly always.
 * @example eventLoopTurns.leadMs // 2
 */
export const eventLoopTurns: FineWait = Object.freeze({
  leadMs: 2,
  turns: (turn: () => boolean): (() => void) => {
    // Stopped from inside a turn (its wait unsubscribed as it ran), none is queued after it.
    let stopped = false;
    const again = (): void => {
      if (turn() && !stopped) immediate = setImmediate(again);
    };
    let immediate = setImmediate(again);
    return () => {
      stopped = true;
      clearImmediate(immediate);
    };
  },
});

/**
 * The FineWait a wait on `scheduler` may use: eventLoopTurns on Node's own timers
 * (`asyncScheduler`), none on any other (a TestScheduler, a scheduler of the caller's), whose
 * clock turns of the event loop would not follow.
 * @example fineWaitFor(asyncScheduler) === eventLoopTurns // true
 */
export function fineWaitFor(scheduler: SchedulerLike): FineWait | undefined {
  return scheduler === asyncScheduler ? eventLoopTurns : undefined;
}
