// Schedulers over a spec's own (a TestScheduler in virtual time, or Node's asyncScheduler) whose
// timers or clock misbehave as real ones can: Node's timers fire up to a millisecond or two before their delay is over by the
// clock (they count from the event loop's cached time, in whole ms), and a wall clock can be set
// back (an NTP step) while a timer runs on its own time.
import type { SchedulerAction, SchedulerLike } from 'rxjs';

/** `scheduler`'s clock, with timers that fire `earlyMs` before their delay is over (never sooner than 1 ms on). */
export function earlyTimers(scheduler: SchedulerLike, earlyMs: number): SchedulerLike {
  return {
    now: () => scheduler.now(),
    schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) =>
      scheduler.schedule(work, delay === 0 ? 0 : Math.max(1, delay - earlyMs), state),
  };
}

/** `scheduler`, its clock set back by `byMs` from `atMs` on; its timers as they are. */
export function clockSetBack(scheduler: SchedulerLike, atMs: number, byMs: number): SchedulerLike {
  return {
    now: () => scheduler.now() - (scheduler.now() >= atMs ? byMs : 0),
    schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) =>
      scheduler.schedule(work, delay, state),
  };
}
