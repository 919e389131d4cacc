import assert from 'node:assert/strict';
import { asyncScheduler, firstValueFrom, map, of, Subject, toArray } from 'rxjs';
import { type ApplyContext, applySerially } from '../../lib/engine/apply-serially.js';
import { deepFreeze } from '../../lib/engine/freeze.js';
import type { ReloadCallback } from '../../lib/engine/transaction.js';
import type { Candidate, FailedLoad, Outcome } from '../../lib/engine/types.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { scheduler } from '../support/marbles.js';

const base = defaultConfig();

const candidate = (config: Partial<TorConfig>, answers = 0): Candidate<TorConfig> => ({
  kind: 'candidate',
  trigger: 'poll',
  loaded: {
    config: deepFreeze({ ...base, ...config }),
    warnings: [],
    files: ['/t'],
    watched: ['/t'],
  },
  sha256: 'abc',
  version: 'v7',
  answers,
  startedAt: 0,
});

function context(
  callbacks: ReloadCallback<TorConfig>[] = [],
  over: Partial<ApplyContext<TorConfig>> = {},
) {
  let live: TorConfig = base;
  const commits: TorConfig[] = [];
  const ctx: ApplyContext<TorConfig> = {
    profile: torProfile,
    current: () => live,
    commit: (c) => {
      live = c;
      commits.push(c);
      return commits.length;
    },
    callbacks: () => callbacks,
    restartRequired: 'keep',
    timeoutMs: 1000,
    scheduler: asyncScheduler,
    onRevertError: () => {},
    ...over,
  };
  return { ctx, commits, live: () => live };
}

const brief = (o: Outcome<TorConfig>) =>
  o.status === 'rejected'
    ? `rejected:${o.rejection.kind}:${o.rejection.cause}`
    : `${o.status}:${o.changes.map((c) => c.field).join(',')}|${o.restartRequired.map((c) => c.field).join(',')}`;

describe('applySerially', () => {
  it('commits the reloadable fields and reports the restart-only ones, keeping them back', async () => {
    const { ctx, commits } = context();
    const [o] = await firstValueFrom(
      of(candidate({ LogLevel: 'debug', SocksPort: 9150 })).pipe(applySerially(ctx), toArray()),
    );
    assert.ok(o?.status === 'applied');
    assert.equal(brief(o), 'applied:LogLevel|SocksPort');
    assert.equal(commits.length, 1);
    assert.equal(commits[0]?.LogLevel, 'debug');
    assert.equal(commits[0]?.SocksPort, 9050);
    assert.equal(o.change.newConfig, commits[0]);
    assert.equal(o.change.oldConfig, base);
    assert.equal(o.change.generation, 1);
    assert.equal(o.version, 'v7', "the outcome carries the source's version of what it applied");
  });

  it('is unchanged, committing nothing, when no reloadable field differs', async () => {
    const { ctx, commits } = context();
    const outs = await firstValueFrom(
      of(candidate({}), candidate({ SocksPort: 9150 })).pipe(
        applySerially(ctx),
        map(brief),
        toArray(),
      ),
    );
    assert.deepEqual(outs, ['unchanged:|', 'unchanged:|SocksPort']);
    assert.equal(commits.length, 0);
  });

  it("rejects a restart-only change under restartRequired: 'reject', as Tor does", async () => {
    const { ctx, commits } = context([], { restartRequired: 'reject' });
    const outs = await firstValueFrom(
      of(candidate({ LogLevel: 'debug', SocksPort: 9150 })).pipe(
        applySerially(ctx),
        map(brief),
        toArray(),
      ),
    );
    assert.deepEqual(outs, ['rejected:invalid:restart']);
    assert.equal(commits.length, 0);
  });

  it('rejects a vetoed change without committing it', async () => {
    const { ctx, commits } = context([() => new Error('pool too big')]);
    const [o] = await firstValueFrom(
      of(candidate({ CircuitPoolMaxSize: 500 })).pipe(applySerially(ctx), toArray()),
    );
    assert.ok(o?.status === 'rejected');
    assert.equal(o.rejection.kind, 'vetoed');
    assert.equal(o.rejection.reason, 'reload callback #1 rejected the change: pool too big');
    assert.equal(o.rejection.version, 'v7', 'the rejection names the version it refused');
    assert.equal(commits.length, 0);
  });

  it('commits before it tells: a callback sees the old config live, the outcome the new one', async () => {
    const seenLive: string[] = [];
    const { ctx, live } = context();
    const callbacks: ReloadCallback<TorConfig>[] = [() => void seenLive.push(live().LogLevel)];
    const c2 = { ...ctx, callbacks: () => callbacks };
    const [o] = await firstValueFrom(
      of(candidate({ LogLevel: 'warn' })).pipe(applySerially(c2), toArray()),
    );
    assert.deepEqual(seenLive, ['info']);
    assert.ok(o?.status === 'applied' && live() === o.change.newConfig);
  });

  it('passes failed loads through as rejected outcomes', async () => {
    const failed: FailedLoad = {
      kind: 'failed',
      rejection: {
        kind: 'io',
        cause: 'missing',
        reason: 'gone',
        path: '/t',
        trigger: 'poll',
        problems: [],
      },
      answers: 3,
      startedAt: 0,
    };
    const [o] = await firstValueFrom(of(failed).pipe(applySerially(context().ctx), toArray()));
    assert.deepEqual([o?.status, o?.answers], ['rejected', 3]);
  });

  it('never interrupts an apply: a newer candidate waits for the running one to end (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const calls: string[] = [];
      const slow: ReloadCallback<TorConfig> = (_o, n) => {
        calls.push(`call:${n.LogLevel}`);
        // The first apply's callback never answers; it is vetoed by the timeout at 300 ms.
        return n.LogLevel === 'debug' ? new Promise<undefined>(() => {}) : undefined;
      };
      const { ctx } = context([slow], { timeoutMs: 300, scheduler: ts });
      const input = cold('a 9ms b', {
        a: candidate({ LogLevel: 'debug' }),
        b: candidate({ LogLevel: 'warn' }),
      });
      expectObservable(input.pipe(applySerially(ctx), map(brief))).toBe('300ms (xy)', {
        x: 'rejected:vetoed:timeout',
        y: 'applied:LogLevel|',
      });
      ts.flush();
      assert.deepEqual(calls, ['call:debug', 'call:warn']);
    });
  });

  it('never interrupts an apply whose callback is async (real promises)', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { ctx, commits } = context([
      async (_o, n) => {
        order.push(`start:${n.LogLevel}`);
        if (n.LogLevel === 'debug') await gate;
        order.push(`end:${n.LogLevel}`);
      },
    ]);
    const input = new Subject<Candidate<TorConfig>>();
    const done = firstValueFrom(input.pipe(applySerially(ctx), map(brief), toArray()));
    input.next(candidate({ LogLevel: 'debug' }));
    input.next(candidate({ LogLevel: 'warn' }));
    input.complete();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['start:debug']);
    release();
    assert.deepEqual(await done, ['applied:LogLevel|', 'applied:LogLevel|']);
    assert.deepEqual(order, ['start:debug', 'end:debug', 'start:warn', 'end:warn']);
    assert.deepEqual(
      commits.map((c) => c.LogLevel),
      ['debug', 'warn'],
    );
  });

  it('lets at most one candidate wait, the newest: ten saves during a slow apply mean one more apply (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const calls: string[] = [];
      const slow: ReloadCallback<TorConfig> = (_o, n) => {
        calls.push(n.LogLevel + n.CircuitPoolMaxSize);
        return new Promise<undefined>(() => {}); // never answers: the timeout ends each apply
      };
      const { ctx } = context([slow], { timeoutMs: 1000, scheduler: ts });
      const values: Record<string, Candidate<TorConfig>> = {};
      for (let i = 0; i < 10; i++) values[String(i)] = candidate({ CircuitPoolMaxSize: 11 + i });
      const input = cold('0 9ms 1 9ms 2 9ms 3 9ms 4 9ms 5 9ms 6 9ms 7 9ms 8 9ms 9 |', values);
      expectObservable(input.pipe(applySerially(ctx), map(brief))).toBe('1000ms x 999ms (x|)', {
        x: 'rejected:vetoed:timeout',
      });
      expectSubscriptions(input.subscriptions).toBe('^ 90ms !');
      ts.flush();
      assert.deepEqual(calls, ['info11', 'info20']);
    });
  });

  it('reports a failed load at once, even while an apply runs, and still applies the waiting candidate (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const slow: ReloadCallback<TorConfig> = (_o, n) =>
        n.LogLevel === 'debug' ? new Promise<undefined>(() => {}) : undefined;
      const { ctx } = context([slow], { timeoutMs: 100, scheduler: ts });
      const failed: FailedLoad = {
        kind: 'failed',
        rejection: {
          kind: 'invalid',
          cause: 'invalid',
          reason: 'bad',
          path: '/t',
          trigger: 'poll',
          problems: [],
        },
        answers: 0,
        startedAt: 0,
      };
      const input = cold('a 9ms b 9ms f', {
        a: candidate({ LogLevel: 'debug' }),
        b: candidate({ LogLevel: 'warn' }),
        f: failed,
      });
      expectObservable(input.pipe(applySerially(ctx), map(brief))).toBe('20ms f 79ms (xy)', {
        f: 'rejected:invalid:invalid',
        x: 'rejected:vetoed:timeout',
        y: 'applied:LogLevel|',
      });
    });
  });

  it('turns a throw while applying (a config diffConfig cannot read) into an internal rejection, and goes on', async () => {
    const { ctx, commits } = context();
    const broken = candidate({});
    const poisoned: Candidate<TorConfig> = {
      ...broken,
      loaded: { ...broken.loaded, config: null as unknown as TorConfig },
    };
    const outs = await firstValueFrom(
      of(poisoned, candidate({ LogLevel: 'warn' })).pipe(applySerially(ctx), toArray()),
    );
    assert.deepEqual(outs.map(brief), ['rejected:internal:apply', 'applied:LogLevel|']);
    const [first] = outs;
    assert.ok(first?.status === 'rejected');
    assert.ok(first.rejection.error instanceof TypeError);
    assert.equal(commits.length, 1);
  });

  it('applies what waits when the input completes; drops it when stopSignal aborted first', async () => {
    for (const stopped of [false, true]) {
      const stop = new AbortController();
      let release: () => void = () => {};
      const gate = new Promise<undefined>((r) => {
        release = () => r(undefined);
      });
      const { ctx, commits } = context([(_o, n) => (n.LogLevel === 'debug' ? gate : undefined)], {
        stopSignal: stop.signal,
        timeoutMs: 60_000,
      });
      const input = new Subject<Candidate<TorConfig>>();
      const done = firstValueFrom(input.pipe(applySerially(ctx), map(brief), toArray()));
      input.next(candidate({ LogLevel: 'debug' }));
      input.next(candidate({ LogLevel: 'warn' }));
      if (stopped) stop.abort();
      input.complete();
      release();
      const outs = await done;
      assert.deepEqual(
        outs,
        stopped ? ['rejected:vetoed:stopped'] : ['applied:LogLevel|', 'applied:LogLevel|'],
      );
      assert.deepEqual(
        commits.map((c) => c.LogLevel),
        stopped ? [] : ['debug', 'warn'],
      );
    }
  });

  it('unsubscribes from its input and the running apply on teardown (virtual time)', () => {
    const ts = scheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const signals: AbortSignal[] = [];
      const { ctx } = context(
        [
          (_o, _n, signal) => {
            signals.push(signal);
            return new Promise<undefined>(() => {});
          },
        ],
        { timeoutMs: 1000, scheduler: ts },
      );
      const input = hot('-a-', { a: candidate({ LogLevel: 'debug' }) });
      expectObservable(input.pipe(applySerially(ctx), map(brief)), '^ 50ms !').toBe('');
      expectSubscriptions(input.subscriptions).toBe('^ 50ms !');
      ts.flush();
      assert.equal(signals[0]?.aborted, true, 'the abandoned callback is told');
    });
  });
});
