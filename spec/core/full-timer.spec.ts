import assert from 'node:assert/strict';
import { asyncScheduler, firstValueFrom, type SchedulerLike } from 'rxjs';
import { eventLoopTurns, type FineWait } from '../../lib/core/fine-wait.js';
import { fullTimer } from '../../lib/core/full-timer.js';
import { maxTimerMs } from '../../lib/core/timer-delay.js';
import { scheduler } from '../support/marbles.js';
import { clockSetBack, earlyTimers } from '../support/skewed-schedulers.js';
import { virtualTurns } from '../support/virtual-turns.js';

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

  describe('with a FineWait', () => {
    // fullTimer(ms, over(ts), fine) on virtual time; gives the virtual times of its turns.
    function fineAt(
      ms: number,
      marble: string,
      over: (ts: SchedulerLike) => SchedulerLike = (ts) => ts,
    ): number[] {
      const ts = scheduler();
      const { fine, at } = virtualTurns(ts);
      ts.run(({ expectObservable }) => {
        expectObservable(fullTimer(ms, over(ts), fine)).toBe(marble, { a: 0 });
      });
      return at;
    }

    it('hands its last leadMs to turns of the loop, which end it at its instant', () => {
      // The timer is armed for 23 ms; the turns run from 23.25 to 25, none after.
      assert.deepEqual(
        fineAt(25, '25ms (a|)'),
        Array.from({ length: 8 }, (_, i) => 23.25 + i * 0.25),
      );
    });

    it('waits a delay no longer than its lead on turns alone', () => {
      assert.deepEqual(fineAt(0.5, '0.5ms (a|)'), [0.25, 0.5]);
    });

    it('is not ended early by timers that fire early: a turn that finds more than the lead left arms a timer again', () => {
      const at = fineAt(25, '25ms (a|)', (ts) => earlyTimers(ts, 20));
      assert.ok(
        at.every((t) => t > 23),
        `turns ran at ${at.join(', ')}: only the last 2 ms are turns`,
      );
    });

    it('goes back to a timer when the clock is set back while it turns, and waits that out', () => {
      // Set back 5 ms at 23.5: the turn then finds 6.5 ms left, a timer waits 4.5 of them,
      // and the turns finish the wait at 30 by the real (virtual) time.
      const at = fineAt(25, '30ms (a|)', (ts) => clockSetBack(ts, 23.5, 5));
      assert.deepEqual(at, [23.25, 23.5, 28.25, 28.5, 28.75, 29, 29.25, 29.5, 29.75, 30]);
    });

    it('is not stretched by a clock set back by more than its delay, nor ended early by it', () => {
      // Set back an hour before its timer fires (at 23, the lead short): the lead is waited on
      // a timer, no turns.
      assert.deepEqual(
        fineAt(25, '25ms (a|)', (ts) => clockSetBack(ts, 10, 3_600_000)),
        [],
      );
      // Set back an hour while it turns, 1 ms before its instant: it cannot tell how much is
      // left, so it waits the lead (2 ms) on a timer, and ends 1 ms late rather than early.
      assert.deepEqual(
        fineAt(25, '26ms (a|)', (ts) => clockSetBack(ts, 24, 3_600_000)),
        [23.25, 23.5, 23.75, 24],
      );
    });

    it('stops turning when unsubscribed', () => {
      const ts = scheduler();
      const { fine, at } = virtualTurns(ts);
      ts.run(({ expectObservable }) => {
        expectObservable(fullTimer(25, ts, fine), '^ 22.4ms !').toBe('');
      });
      assert.deepEqual(at, [23.25]);
    });

    it('asks a FineWait for no turn once unsubscribed, even one whose stop does nothing', () => {
      const ts = scheduler();
      const at: number[] = [];
      const deaf: FineWait = {
        leadMs: 2,
        turns: (turn) => {
          ts.schedule(function again() {
            at.push(ts.now());
            if (turn()) this.schedule(undefined, 0.25);
          }, 0.25);
          return () => {};
        },
      };
      ts.run(({ expectObservable }) => {
        expectObservable(fullTimer(25, ts, deaf), '^ 22.4ms !').toBe('');
      });
      // The turn at 23.5 finds its subscriber gone and asks for no more.
      assert.deepEqual(at, [23.25, 23.5]);
    });

    it("on Node's timers, unsubscribed while it turns, queues no turn after", async () => {
      const immediates = () =>
        process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
      const before = immediates();
      let turned = 0;
      let ended = false;
      const stopped = new Promise<void>((done) => {
        const fine: FineWait = {
          leadMs: eventLoopTurns.leadMs,
          turns: (turn) =>
            eventLoopTurns.turns(() => {
              turned++;
              if (turned === 1) subscription.unsubscribe();
              setImmediate(done);
              return turn();
            }),
        };
        const subscription = fullTimer(30, asyncScheduler, fine).subscribe(() => {
          ended = true;
        });
      });
      await stopped;
      assert.equal(immediates(), before, 'no turn is queued after the unsubscribe');
      await new Promise((r) => setTimeout(r, 40));
      assert.equal(turned, 1, 'no turn ran after the unsubscribe');
      assert.equal(ended, false);
    });

    it("on Node's timers (eventLoopTurns), never ends before Date.now() says its delay is over", async () => {
      for (let i = 0; i < 40; i++) {
        const ms = 3 + (i % 5) + 0.5;
        const started = Date.now();
        await firstValueFrom(fullTimer(ms, asyncScheduler, eventLoopTurns));
        const took = Date.now() - started;
        assert.ok(took >= ms, `fullTimer(${ms}) ended after ${took} ms by Date.now()`);
      }
    });
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
