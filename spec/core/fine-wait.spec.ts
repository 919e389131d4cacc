import assert from 'node:assert/strict';
import { asapScheduler, asyncScheduler } from 'rxjs';
import { eventLoopTurns, fineWaitFor } from '../../lib/core/fine-wait.js';
import { scheduler } from '../support/marbles.js';

describe('eventLoopTurns', () => {
  it('runs a turn on each later turn of the loop until it returns false', async () => {
    let turns = 0;
    let sync = true;
    await new Promise<void>((done) => {
      eventLoopTurns.turns(() => {
        assert.equal(sync, false, 'a turn runs on a later turn of the loop, not at once');
        turns++;
        if (turns < 5) return true;
        setImmediate(done);
        return false;
      });
      sync = false;
    });
    assert.equal(turns, 5);
  });

  it('runs no turn once stopped, and stopping twice or after the last turn is harmless', async () => {
    let turns = 0;
    const stop = eventLoopTurns.turns(() => {
      turns++;
      return true;
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    stop();
    const seen = turns;
    assert.ok(seen >= 1, 'turns ran before the stop');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(turns, seen);
    stop();
    const done = eventLoopTurns.turns(() => false);
    await new Promise((r) => setImmediate(r));
    done();
  });

  it('queues no turn after one that stopped it, whatever that turn returns', async () => {
    let turns = 0;
    // It asks for more turns (three in all, so a queue that ignores the stop still ends).
    const stop = eventLoopTurns.turns(() => {
      turns++;
      stop();
      return turns < 3;
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(turns, 1);
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(eventLoopTurns));
  });
});

describe('fineWaitFor', () => {
  it("gives eventLoopTurns on Node's own timers, and nothing on any other scheduler", () => {
    assert.equal(fineWaitFor(asyncScheduler), eventLoopTurns);
    assert.equal(fineWaitFor(scheduler()), undefined);
    assert.equal(fineWaitFor(asapScheduler), undefined);
    assert.equal(
      fineWaitFor({ now: () => Date.now(), schedule: asyncScheduler.schedule }),
      undefined,
    );
  });
});
