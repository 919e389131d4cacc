import assert from 'node:assert/strict';
import { asyncScheduler, firstValueFrom, switchMap, take } from 'rxjs';
import type { TriggerKind } from '../../lib/core/source.js';
import { intervalTrigger, signalTrigger } from '../../lib/sources/triggers.js';
import { logSubscriptions, scheduler } from '../support/marbles.js';

describe('intervalTrigger', () => {
  it('polls at once, then every period, until unsubscribed', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, expectSubscriptions }) => {
      const trigger = logSubscriptions(intervalTrigger(10, asyncScheduler), ts);
      expectObservable(trigger.observable, '^ 34ms !').toBe('p 9ms p 9ms p 9ms p', {
        p: 'poll',
      });
      expectSubscriptions(trigger.subscriptions).toBe('^ 34ms !');
    });
  });

  it('uses the scheduler it is given, never the real clock', () => {
    // Outside run(), only the scheduler passed in is virtual: a real timer would not fire here.
    const ts = scheduler();
    ts.maxFrames = 100_000;
    const at: number[] = [];
    intervalTrigger(10_000, ts)
      .pipe(take(4))
      .subscribe(() => at.push(ts.now()));
    ts.flush();
    assert.deepEqual(at, [0, 10_000, 20_000, 30_000]);
  });

  it('is torn down when a consumer takes what it needs', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, expectSubscriptions }) => {
      const trigger = logSubscriptions(intervalTrigger(5, asyncScheduler), ts);
      expectObservable(trigger.observable.pipe(take(3))).toBe('p 4ms p 4ms (p|)', { p: 'poll' });
      expectSubscriptions(trigger.subscriptions).toBe('^ 9ms !');
    });
  });

  it('stops the old period when the interval changes (startWatcher called again)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const logged = new Map<number, ReturnType<typeof logSubscriptions<TriggerKind>>>();
      const periods = cold('a 24ms b', { a: 10, b: 4 });
      const polls = periods.pipe(
        switchMap((p) => {
          const trigger = logSubscriptions(intervalTrigger(p, asyncScheduler), ts);
          logged.set(p, trigger);
          return trigger.observable;
        }),
      );
      expectObservable(polls, '^ 34ms !').toBe('p 9ms p 9ms p 4ms p 3ms p 3ms p', { p: 'poll' });
      ts.flush();
      expectSubscriptions(logged.get(10)?.subscriptions ?? []).toBe('^ 24ms !');
      expectSubscriptions(logged.get(4)?.subscriptions ?? []).toBe('25ms ^ 9ms !');
    });
  });
});

describe('signalTrigger', () => {
  const signal: NodeJS.Signals = 'SIGUSR2';

  it('installs its handler on subscribe and removes it on unsubscribe', () => {
    const before = process.listenerCount(signal);
    const trigger = signalTrigger(signal);
    assert.equal(process.listenerCount(signal), before, 'nothing before subscribe');
    const subscription = trigger.subscribe();
    assert.equal(process.listenerCount(signal), before + 1);
    subscription.unsubscribe();
    assert.equal(process.listenerCount(signal), before);
  });

  it('emits "signal" for each real signal the process receives', async () => {
    const before = process.listenerCount(signal);
    const seen: string[] = [];
    let arrived: () => void = () => {};
    const subscription = signalTrigger(signal).subscribe((kind) => {
      seen.push(kind);
      arrived();
    });
    try {
      for (let n = 1; n <= 2; n++) {
        const next = new Promise<void>((resolve) => {
          arrived = resolve;
        });
        // The handler is installed: the signal no longer ends the process.
        process.kill(process.pid, signal);
        await next;
        assert.equal(seen.length, n);
      }
    } finally {
      subscription.unsubscribe();
    }
    assert.deepEqual(seen, ['signal', 'signal']);
    assert.equal(process.listenerCount(signal), before);
  });

  it('is torn down with its consumer (firstValueFrom), handler and all', async () => {
    const before = process.listenerCount(signal);
    const first = firstValueFrom(signalTrigger(signal));
    assert.equal(process.listenerCount(signal), before + 1);
    process.kill(process.pid, signal);
    assert.equal(await first, 'signal');
    assert.equal(process.listenerCount(signal), before);
  });

  it('gives each subscriber its own handler, and removes only its own', async () => {
    const before = process.listenerCount(signal);
    const trigger = signalTrigger(signal);
    const seen: string[] = [];
    const a = trigger.subscribe(() => seen.push('a'));
    const b = trigger.subscribe(() => seen.push('b'));
    assert.equal(process.listenerCount(signal), before + 2);
    a.unsubscribe();
    assert.equal(process.listenerCount(signal), before + 1);
    const delivered = new Promise((resolve) => process.once(signal, resolve));
    process.kill(process.pid, signal);
    await delivered;
    b.unsubscribe();
    assert.deepEqual(seen, ['b']);
    assert.equal(process.listenerCount(signal), before);
  });
});
