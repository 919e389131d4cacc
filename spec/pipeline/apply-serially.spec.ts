import assert from 'node:assert/strict';
import { asyncScheduler, firstValueFrom, map, of, Subject, toArray } from 'rxjs';
import {
  type ApplyContext,
  applySerially,
  mergeReloadable,
} from '../../lib/pipeline/apply-serially.js';
import type { ReloadCallback } from '../../lib/pipeline/transaction.js';
import type { Candidate, FailedLoad, Outcome } from '../../lib/pipeline/types.js';
import { deepFreeze } from '../../lib/schema/freeze.js';
import { defaultConfig, type TorConfig } from '../../lib/schema/tor-config.js';
import { scheduler } from '../support/marbles.js';

const base = defaultConfig();

const candidate = (config: Partial<TorConfig>, answers = 0): Candidate => ({
  kind: 'candidate',
  trigger: 'poll',
  loaded: {
    config: deepFreeze({ ...base, ...config }),
    warnings: [],
    files: ['/t'],
    watched: ['/t'],
  },
  sha256: 'abc',
  answers,
  startedAt: 0,
});

function context(callbacks: ReloadCallback[] = [], over: Partial<ApplyContext> = {}) {
  let live: TorConfig = base;
  const commits: TorConfig[] = [];
  const ctx: ApplyContext = {
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

const brief = (o: Outcome) =>
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
    assert.equal(commits.length, 0);
  });

  it('commits before it tells: a callback sees the old config live, the outcome the new one', async () => {
    const seenLive: string[] = [];
    const { ctx, live } = context();
    const callbacks: ReloadCallback[] = [() => void seenLive.push(live().LogLevel)];
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
      const slow: ReloadCallback = (_o, n) => {
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
        x: 'rejected:vetoed:veto',
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
    const input = new Subject<Candidate>();
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

  it('mergeReloadable takes only reloadable fields from the file', () => {
    const merged = mergeReloadable(base, { ...base, LogLevel: 'error', ControlPort: 1 });
    assert.deepEqual([merged.LogLevel, merged.ControlPort], ['error', 9051]);
    assert.ok(Object.isFrozen(merged));
  });
});
