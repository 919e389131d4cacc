import assert from 'node:assert/strict';
import { asyncScheduler, firstValueFrom, type SchedulerLike } from 'rxjs';
import { fullTimer } from '../../lib/core/full-timer.js';
import { maxTimerMs } from '../../lib/core/timer-delay.js';
import { scheduler } from '../support/marbles.js';
import { clockSetBack, earlyTimers } from '../support/skewed-schedulers.js';

// fullTimer(ms) on the spec's virtual time, over the scheduler `over` makes of it.
function expectAt(
  ms: number,
  marble: string,
  over: (ts: SchedulerLike) => SchedulerLike = (ts) => ts,
): void {
  const ts = scheduler();
  ts.run(({ expectObservable }) => {
    expectObservable(fullTimer(ms, over(ts))).toBe(marble, { a: 0 });
  });
}

describe('fullTimer', () => {
  it('gives 0 once its delay is over, and completes', () => {
    expectAt(25, '25ms (a|)');
    expectAt(0, '(a|)');
  });

  it('is not ended early by timers that fire early: it is armed again for what is left', () => {
    expectAt(25, '25ms (a|)', (ts) => earlyTimers(ts, 3));
    expectAt(25, '25ms (a|)', (ts) => earlyTimers(ts, 20));
  });

  it('is not stretched by a clock set back by more than its delay: its timer has waited it', () => {
    expectAt(25, '25ms (a|)', (ts) => clockSetBack(ts, 10, 3_600_000));
  });

  it('waits a clock set back by less than its delay out, so never ends early by that clock', () => {
    expectAt(25, '30ms (a|)', (ts) => clockSetBack(ts, 10, 5));
  });

  it('waits at most the longest delay a timer can (timerDelay)', () => {
    expectAt(30 * 86_400_000, `${maxTimerMs}ms (a|)`);
  });

  it("on Node's timers, never ends before Date.now() says its delay is over", async () => {
    for (let i = 0; i < 40; i++) {
      const ms = 3 + (i % 5) + 0.5;
      const started = Date.now();
      await firstValueFrom(fullTimer(ms, asyncScheduler));
      const took = Date.now() - started;
      assert.ok(took >= ms, `fullTimer(${ms}) ended after ${took} ms by Date.now()`);
    }
  });
});
