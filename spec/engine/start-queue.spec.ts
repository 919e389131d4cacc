import assert from 'node:assert/strict';
import { StartQueue } from '../../lib/engine/start-queue.js';
import { scheduler } from '../support/marbles.js';

describe('StartQueue', () => {
  it('runs a start at once while a slot is free, and the rest in order as slots are freed', () => {
    const ts = scheduler();
    ts.run(() => {
      const queue = new StartQueue(2, 250, ts);
      const ran: string[] = [];
      const a = queue.enter(() => ran.push('a'));
      queue.enter(() => ran.push('b'));
      queue.enter(() => ran.push('c'));
      queue.enter(() => ran.push('d'));
      assert.deepEqual(ran, ['a', 'b']);
      assert.equal(queue.running, 2);
      assert.equal(queue.waiting, 2);
      a.done();
      assert.deepEqual(ran, ['a', 'b', 'c']);
      a.done(); // idempotent: frees nothing more
      assert.deepEqual(ran, ['a', 'b', 'c']);
      assert.equal(queue.running, 2);
      assert.equal(queue.waiting, 1);
    });
  });

  it('withdraws a start that is still waiting: it never runs and takes no slot', () => {
    const ts = scheduler();
    ts.run(() => {
      const queue = new StartQueue(1, 250, ts);
      const ran: string[] = [];
      const a = queue.enter(() => ran.push('a'));
      const b = queue.enter(() => ran.push('b'));
      queue.enter(() => ran.push('c'));
      b.done();
      a.done();
      assert.deepEqual(ran, ['a', 'c']);
      assert.equal(queue.waiting, 0);
    });
  });

  it('frees the slot of a start that never says done after capMs, so a hung start holds no one back', () => {
    const ts = scheduler();
    const ran: Array<[string, number]> = [];
    ts.run(({ flush }) => {
      const queue = new StartQueue(1, 250, ts);
      queue.enter(() => ran.push(['hung', ts.now()]));
      queue.enter(() => ran.push(['next', ts.now()]));
      flush();
      // The second's own cap has freed its slot too.
      assert.equal(queue.running, 0);
    });
    assert.deepEqual(ran, [
      ['hung', 0],
      ['next', 250],
    ]);
  });

  it('lets a start say done while it runs (a synchronous first outcome) and starts the next', () => {
    const ts = scheduler();
    ts.run(() => {
      const queue = new StartQueue(1, 250, ts);
      const ran: string[] = [];
      const tickets: Array<{ done(): void }> = [];
      for (const name of ['a', 'b', 'c']) {
        const i = tickets.length;
        tickets.push(
          queue.enter(() => {
            ran.push(name);
            // Its own ticket is not returned yet when the start runs at once: done later.
            tickets[i]?.done();
          }),
        );
      }
      assert.deepEqual(ran, ['a']);
      tickets[0]?.done();
      assert.deepEqual(ran, ['a', 'b', 'c']);
      assert.equal(queue.running, 0);
    });
  });

  it('refuses no slots and a cap that is not a time > 0', () => {
    const ts = scheduler();
    assert.throws(() => new StartQueue(0, 250, ts), TypeError);
    assert.throws(() => new StartQueue(1.5, 250, ts), TypeError);
    assert.throws(() => new StartQueue(1, 0, ts), TypeError);
    assert.throws(() => new StartQueue(1, Number.NaN, ts), TypeError);
  });
});
