import assert from 'node:assert/strict';
import * as E from 'fp-ts/lib/Either.js';
import { asyncScheduler, firstValueFrom } from 'rxjs';
import { type ReloadCallback, transaction } from '../../lib/pipeline/transaction.js';
import { deepFreeze } from '../../lib/schema/freeze.js';
import { defaultConfig, type TorConfig } from '../../lib/schema/tor-config.js';
import { scheduler } from '../support/marbles.js';

const before = defaultConfig();
const after: TorConfig = deepFreeze({ ...before, LogLevel: 'debug' });

function recorder() {
  const calls: string[] = [];
  const revertErrors: Array<[number, unknown]> = [];
  const named =
    (
      name: string,
      behave: (o: TorConfig, n: TorConfig) => ReturnType<ReloadCallback> = () => undefined,
    ): ReloadCallback =>
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

  it('vetoes a callback that does not answer in time (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const calls: string[] = [];
      const hang: ReloadCallback = () => new Promise<undefined>(() => {});
      const first: ReloadCallback = (o, n) => void calls.push(`${o.LogLevel}->${n.LogLevel}`);
      const out = transaction([first, hang], before, after, {
        timeoutMs: 500,
        scheduler: ts,
        onRevertError: () => {},
      });
      expectObservable(out.pipe((s) => s)).toBe('500ms (v|)', {
        v: E.left({ index: 1, error: new Error('callback did not answer within 500 ms') }),
      });
      ts.flush();
      assert.deepEqual(calls, ['info->debug', 'debug->info']);
    });
  });
});
