/**
 * The longest delay Node's timers can wait, in ms (2^31 - 1, about 24.8 days). A longer one is
 * not waited at all: Node fires it after 1 ms, with a TimeoutOverflowWarning, so a watcher asked
 * to poll every 30 days would poll every millisecond.
 * @example maxTimerMs // 2147483647
 */
export const maxTimerMs = 2 ** 31 - 1;

/**
 * A delay given to hotrc (an interval, a quiet period, a timeout) as a timer can wait it: at
 * most maxTimerMs, so anything longer is waited about 24.8 days, which errs on the side of looking
 * sooner than asked.
 * @example timerDelay(30 * 86_400_000) // 2147483647
 */
export function timerDelay(ms: number): number {
  return Math.min(ms, maxTimerMs);
}
