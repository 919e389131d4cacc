import assert from 'node:assert/strict';
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, firstValueFrom, map } from 'rxjs';
import { deepFreeze } from '../../lib/engine/freeze.js';
import { type ReloadCallback, transaction } from '../../lib/engine/transaction.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { scheduler } from '../support/marbles.js';
import { earlyTimers } from '../support/skewed-schedulers.js';

const before = defaultConfig();
const after: TorConfig = deepFreeze({ ...before, LogLevel: 'debug' });

function recorder() {
  const calls: string[] = [];
  const revertErrors: Array<[number, unknown]> = [];
  const named =
    (
      name: string,
      behave: (o: TorConfig, n: TorConfig) => ReturnType<ReloadCallback<TorConfig>> = () =>
        undefined,
    ): ReloadCallback<TorConfig> =>
    (o, n) => {
      calls.push(`${name}(${o.LogLevel}->${n.LogLevel})`);
      return behave(o, n);
    };
  const options = {
    timeoutMs: 1000,
    scheduler: asyncScheduler,
    onRevertError: (i: number, e: unknown) => revertErrors.push([i, e]),
  };
  return { calls, revertErrors, named, options };
}

describe('transaction', () => {
  it('runs every callback in registration order with frozen (old, new) and accepts', async () => {
    const { calls, named, options } = recorder();
    const frozen: boolean[] = [];
    const r = await firstValueFrom(
      transaction(
        [
          named('a'),
          named('b', (o, n) => void frozen.push(Object.isFrozen(o), Object.isFrozen(n))),
          named('c'),
        ],
        before,
        after,
        options,
      ),
    );
    assert.ok(E.isRight(r));
    assert.deepEqual(calls, ['a(info->debug)', 'b(info->debug)', 'c(info->debug)']);
    assert.deepEqual(frozen, [true, true]);
  });

  for (const [how, veto] of [
    [
      'throwing',
      () => {
        throw new Error('no');
      },
    ],
    ['returning an Error', () => new Error('no')],
    ['rejecting a promise', () => Promise.reject(new Error('no'))],
    ['resolving to an Error', () => Promise.resolve(new Error('no'))],
  ] as const) {
    it(`treats ${how} as a veto and reverts the callbacks that accepted, newest first`, async () => {
      const { calls, named, options } = recorder();
      const r = await firstValueFrom(
        transaction(
          [named('a'), named('b', async () => undefined), named('c', veto), named('d')],
          before,
          after,
          options,
        ),
      );
      assert.ok(E.isLeft(r));
      assert.equal(r.left.index, 2);
      assert.equal((r.left.error as Error).message, 'no');
      assert.deepEqual(calls, [
        'a(info->debug)',
        'b(info->debug)',
        'c(info->debug)',
        'b(debug->info)',
        'a(debug->info)',
      ]);
    });
  }

  it('reports an error while reverting and goes on reverting, never throwing', async () => {
    const { calls, revertErrors, named, options } = recorder();
    const boom = new Error('revert failed');
    const r = await firstValueFrom(
      transaction(
        [
          named('a'),
          named('b', (_o, n) => (n.LogLevel === 'info' ? boom : undefined)),
          named('c', () => new Error('veto')),
        ],
        before,
        after,
        options,
      ),
    );
    assert.ok(E.isLeft(r));
    assert.deepEqual(calls, [
      'a(info->debug)',
      'b(info->debug)',
      'c(info->debug)',
      'b(debug->info)',
      'a(debug->info)',
    ]);
    assert.deepEqual(revertErrors, [[1, boom]]);
  });

  it('accepts with no callbacks at all', async () => {
    const { options } = recorder();
    assert.ok(E.isRight(await firstValueFrom(transaction([], before, after, options))));
  });

  it('with no callbacks, accepts before subscribe returns, setting no deadline', () => {
    const { options } = recorder();
    let scheduled = 0;
    const counting = {
      ...options,
      scheduler: {
        now: () => asyncScheduler.now(),
        schedule: (...args: Parameters<typeof asyncScheduler.schedule>) => {
          scheduled++;
          return asyncScheduler.schedule(...args);
        },
      },
    };
    const seen: Array<E.Either<unknown, true>> = [];
    let completed = false;
    transaction([], before, after, counting).subscribe({
      next: (r) => seen.push(r),
      complete: () => {
        completed = true;
      },
    });
    assert.deepEqual(seen, [E.right(true)]);
    assert.ok(completed);
    assert.equal(scheduled, 0);
  });

  it('vetoes a callback that does not answer in time (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const calls: string[] = [];
      const hang: ReloadCallback<TorConfig> = () => new Promise<undefined>(() => {});
      const first: ReloadCallback<TorConfig> = (o, n) =>
        void calls.push(`${o.LogLevel}->${n.LogLevel}`);
      const out = transaction([first, hang], before, after, {
        timeoutMs: 500,
        scheduler: ts,
        onRevertError: () => {},
      });
      expectObservable(out.pipe((s) => s)).toBe('500ms (v|)', {
        v: E.left({
          index: 1,
          error: new Error('callback did not answer within 500 ms'),
          cause: 'timeout',
        }),
      });
      ts.flush();
      assert.deepEqual(calls, ['info->debug', 'debug->info']);
    });
  });

  it('does not veto a callback that answers within its time though the timers fire early', async () => {
    // Node's timers can fire a millisecond or two early; these fire 40 ms early, so a deadline
    // on a plain timer would end at 60 ms, before the callback's answer at 80.
    const { calls, named, options } = recorder();
    const r = await firstValueFrom(
      transaction(
        [
          named(
            'slow',
            () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 80)),
          ),
        ],
        before,
        after,
        { ...options, timeoutMs: 100, scheduler: earlyTimers(asyncScheduler, 40) },
      ),
    );
    assert.ok(E.isRight(r), JSON.stringify(r));
    assert.deepEqual(calls, ['slow(info->debug)']);
  });

  it('treats a thenable that is not a Promise, rejecting or resolving to an Error, as a veto', async () => {
    for (const thenable of [
      // biome-ignore lint/suspicious/noThenProperty: these are the thenables under test
      { then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('no')) },
      // biome-ignore lint/suspicious/noThenProperty: these are the thenables under test
      { then: (ok: (v: unknown) => void) => ok(new Error('no')) },
      {
        // biome-ignore lint/suspicious/noThenProperty: these are the thenables under test
        then: () => {
          throw new Error('no');
        },
      },
    ]) {
      const { calls, named, options } = recorder();
      const r = await firstValueFrom(
        transaction(
          [named('a'), named('b', () => thenable as unknown as PromiseLike<undefined>)],
          before,
          after,
          options,
        ),
      );
      assert.ok(E.isLeft(r));
      assert.deepEqual(
        [r.left.index, r.left.cause, (r.left.error as Error).message],
        [1, 'veto', 'no'],
      );
      assert.deepEqual(calls, ['a(info->debug)', 'b(info->debug)', 'a(debug->info)']);
    }
  });

  it('accepts a thenable that resolves to nothing', async () => {
    const { options } = recorder();
    // biome-ignore lint/suspicious/noThenProperty: these are the thenables under test
    const thenable = { then: (ok: (v: unknown) => void) => ok(undefined) };
    const r = await firstValueFrom(
      transaction([() => thenable as unknown as PromiseLike<undefined>], before, after, options),
    );
    assert.ok(E.isRight(r));
  });

  it('gives each callback a signal that aborts when it runs out of time (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const signals: AbortSignal[] = [];
      const hang: ReloadCallback<TorConfig> = (_o, _n, signal) => {
        signals.push(signal);
        return new Promise<undefined>(() => {});
      };
      const out = transaction([hang], before, after, {
        timeoutMs: 100,
        scheduler: ts,
        onRevertError: () => {},
      });
      expectObservable(out.pipe(map((r) => (E.isLeft(r) ? r.left.cause : 'ok')))).toBe(
        '100ms (t|)',
        { t: 'timeout' },
      );
      ts.schedule(() => assert.equal(signals[0]?.aborted, false), 99);
      ts.flush();
      assert.equal(signals.length, 1);
      assert.equal(signals[0]?.aborted, true);
    });
  });

  it('cuts the running callback short on stopSignal, as a veto of cause stopped, and still reverts', async () => {
    const { calls, named, options } = recorder();
    const stop = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = firstValueFrom(
      transaction(
        [
          named('a'),
          (o, n, signal) => {
            seen = signal;
            return named('b', () => new Promise<undefined>(() => {}))(o, n, signal);
          },
          named('c'),
        ],
        before,
        after,
        { ...options, timeoutMs: 60_000, stopSignal: stop.signal },
      ),
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(seen?.aborted, false);
    stop.abort();
    const r = await pending;
    assert.ok(E.isLeft(r));
    assert.deepEqual([r.left.index, r.left.cause], [1, 'stopped']);
    assert.deepEqual(calls, ['a(info->debug)', 'b(info->debug)', 'a(debug->info)']);
    assert.equal(seen?.aborted, true, 'the callback was told through its signal');
  });

  it('aborts the signal of a callback whose transaction is unsubscribed before it answers', () => {
    const { options } = recorder();
    let signal: AbortSignal | undefined;
    const subscription = transaction(
      [
        (_o, _n, s) => {
          signal = s;
          return new Promise<undefined>(() => {});
        },
      ],
      before,
      after,
      { ...options, timeoutMs: 60_000 },
    ).subscribe();
    assert.equal(signal?.aborted, false);
    subscription.unsubscribe();
    assert.equal(signal?.aborted, true);
  });

  it('a stopSignal already aborted vetoes the first callback without calling it', async () => {
    const { calls, named, options } = recorder();
    const stop = new AbortController();
    stop.abort();
    const r = await firstValueFrom(
      transaction([named('a')], before, after, { ...options, stopSignal: stop.signal }),
    );
    assert.ok(E.isLeft(r) && r.left.cause === 'stopped');
    assert.deepEqual(calls, []);
  });
});
