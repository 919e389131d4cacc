import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, type Subscription, VirtualTimeScheduler } from 'rxjs';
import type { ChangeHint } from '../../lib/core/source.js';
import type { DirectoryWatch } from '../../lib/sources/fs-port.js';
import { nodeFs } from '../../lib/sources/fs-port.js';
import { fsWatch } from '../../lib/sources/fs-watch.js';
import type { EntryRole, WatchedDirectory, WatchPlan } from '../../lib/sources/watch-plan.js';

const errno = (code: string) => Object.assign(new Error(`${code}: fake`), { code });

/** A watch door that records what is open and lets a test fire events and failures. */
class FakeWatches {
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  readonly failures = new Map<string, Error>();
  readonly live = new Map<
    string,
    { onEvent: (name: string | null) => void; onError: (e: unknown) => void }
  >();

  readonly watch = (
    dir: string,
    onEvent: (name: string | null) => void,
    onError: (e: unknown) => void,
  ): DirectoryWatch => {
    const failure = this.failures.get(dir);
    if (failure !== undefined) throw failure;
    this.opened.push(dir);
    const handlers = { onEvent, onError };
    this.live.set(dir, handlers);
    return {
      close: () => {
        if (this.live.get(dir) === handlers) this.live.delete(dir);
        this.closed.push(dir);
      },
    };
  };

  event(dir: string, name: string | null): void {
    const h = this.live.get(dir);
    assert.ok(h !== undefined, `no watch on ${dir}`);
    h.onEvent(name);
  }

  error(dir: string, err: unknown): void {
    this.live.get(dir)?.onError(err);
  }
}

const directory = (
  path: string,
  entries: Record<string, EntryRole>,
  id = '1:1',
  anyEntry = false,
): WatchedDirectory => ({ path, id, entries: new Map(Object.entries(entries)), anyEntry });

// Lets pending promise callbacks (a plan in flight) run.
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('sources/fs-watch', () => {
  let watches: FakeWatches;
  let scheduler: VirtualTimeScheduler;
  let plan: WatchPlan;
  let plans: number;
  let replan$: Subject<void>;
  let hints: ChangeHint['kind'][];
  let unavailable: string[];
  let subscription: Subscription | undefined;

  const start = async (options: { planDelay?: () => Promise<void> } = {}) => {
    subscription = fsWatch({
      plan: async () => {
        plans++;
        await options.planDelay?.();
        return plan;
      },
      watch: watches.watch,
      replan$,
      scheduler,
    }).subscribe((h) => {
      hints.push(h.kind);
      if (h.kind === 'unavailable') unavailable.push(h.reason);
    });
    await settle();
  };

  beforeEach(() => {
    watches = new FakeWatches();
    scheduler = new VirtualTimeScheduler();
    plan = [directory('/etc/tor', { torrc: 'file' })];
    plans = 0;
    replan$ = new Subject();
    hints = [];
    unavailable = [];
  });

  afterEach(() => {
    subscription?.unsubscribe();
    subscription = undefined;
  });

  it('watches every directory of the plan, never a file; armed, then a look for what came before', async () => {
    plan = [
      directory('/cm', { torrc: 'link', '..data': 'link' }),
      directory('/cm/..2026', { torrc: 'file' }),
    ];
    await start();
    assert.deepEqual(watches.opened, ['/cm', '/cm/..2026']);
    assert.deepEqual(hints, ['armed', 'changed']);
  });

  it('hints at a change in the event callback itself, for the entries that matter only', async () => {
    await start();
    hints.length = 0;
    watches.event('/etc/tor', 'torrc');
    assert.deepEqual(hints, ['changed'], 'synchronously: no delay, no debounce');
    for (const other of ['passwd', 'torrc.tmp', '.torrc.swp', 'sedAbC123']) {
      watches.event('/etc/tor', other);
    }
    assert.deepEqual(hints, ['changed'], 'another file in the directory is no change');
    assert.equal(plans, 1);
  });

  it('looks and plans again on an event without a name', async () => {
    await start();
    hints.length = 0;
    watches.event('/etc/tor', null);
    assert.deepEqual(hints, ['changed']);
    await settle();
    assert.equal(plans, 2);
  });

  it('follows the plan: a link event re-arms, closing what is no longer wanted and opening the new', async () => {
    plan = [
      directory('/cm', { torrc: 'link', '..data': 'link' }),
      directory('/cm/..1', { torrc: 'file' }),
    ];
    await start();
    hints.length = 0;
    // kubelet renames a new ..data link into place; the chain now leads to ..2.
    plan = [
      directory('/cm', { torrc: 'link', '..data': 'link' }),
      directory('/cm/..2', { torrc: 'file' }),
    ];
    watches.event('/cm', '..data');
    await settle();
    assert.deepEqual(watches.closed, ['/cm/..1']);
    assert.deepEqual(watches.opened, ['/cm', '/cm/..1', '/cm/..2']);
    // One look for the event, one for whatever landed before ..2 was watched.
    assert.deepEqual(hints, ['changed', 'changed']);
    watches.event('/cm/..2', 'torrc');
    assert.equal(hints.length, 3);
  });

  it('opens a directory afresh when it is another inode at the same path (deleted and made again)', async () => {
    await start();
    plan = [directory('/etc/tor', { torrc: 'missing' }, '1:99')];
    watches.event('/etc/tor', 'tor');
    await settle();
    assert.deepEqual(watches.opened, ['/etc/tor', '/etc/tor']);
    assert.deepEqual(watches.closed, ['/etc/tor']);
  });

  it('changes which entries matter without reopening the watch', async () => {
    await start();
    plan = [directory('/etc/tor', { torrc: 'missing' })];
    replan$.next();
    await settle();
    assert.deepEqual(watches.opened, ['/etc/tor']);
    assert.deepEqual(watches.closed, []);
    hints.length = 0;
    watches.event('/etc/tor', 'torrc');
    await settle();
    assert.deepEqual(hints, ['changed']);
    assert.equal(plans, 3, 'a missing entry that appears is planned for again');
  });

  it('a watch that cannot start is one unavailable hint, then retries with a doubling backoff until it can', async () => {
    plan = [
      directory('/etc/tor', { torrc: 'file' }),
      directory('/etc/tor/torrc.d', {}, '1:2', true),
    ];
    watches.failures.set('/etc/tor/torrc.d', errno('ENOSPC'));
    await start();
    assert.deepEqual(hints, ['unavailable', 'changed']);
    assert.match(unavailable[0] ?? '', /cannot watch \/etc\/tor\/torrc\.d: ENOSPC/);
    // The directory that could be watched is watched: its saves are still seen at once.
    assert.deepEqual(watches.opened, ['/etc/tor']);
    const retriedAt: number[] = [];
    for (let i = 0; i < 4; i++) {
      scheduler.flush();
      retriedAt.push(scheduler.now());
      await settle();
    }
    assert.deepEqual(retriedAt, [100, 300, 700, 1500]);
    assert.deepEqual(hints, ['unavailable', 'changed'], 'warned once, however many retries');
    watches.failures.clear();
    scheduler.flush();
    await settle();
    assert.deepEqual(hints, ['unavailable', 'changed', 'armed', 'changed']);
    assert.deepEqual(watches.opened, ['/etc/tor', '/etc/tor/torrc.d']);
    // A later failure is a new one: warned again, and the backoff starts over.
    const before = scheduler.now();
    watches.error('/etc/tor/torrc.d', errno('EIO'));
    assert.deepEqual(hints.slice(4), ['changed', 'unavailable']);
    scheduler.flush();
    assert.equal(scheduler.now() - before, 100);
  });

  it("an 'error' from a watch closes it, looks, falls back, and re-arms on the retry", async () => {
    await start();
    hints.length = 0;
    watches.error('/etc/tor', errno('EPERM'));
    assert.deepEqual(hints, ['changed', 'unavailable']);
    assert.match(unavailable[0] ?? '', /EPERM/);
    assert.deepEqual(watches.closed, ['/etc/tor']);
    scheduler.flush();
    await settle();
    assert.deepEqual(hints, ['changed', 'unavailable', 'armed', 'changed']);
    assert.equal(watches.live.size, 1);
  });

  it('a directory that vanished between planning and watching is planned again at once, not a failure', async () => {
    plan = [directory('/srv/cfg', { torrc: 'file' })];
    watches.failures.set('/srv/cfg', errno('ENOENT'));
    let calls = 0;
    await start({
      planDelay: async () => {
        if (++calls === 2) plan = [directory('/srv', { cfg: 'missing' })];
      },
    });
    assert.equal(plans, 2);
    assert.deepEqual(watches.opened, ['/srv']);
    assert.deepEqual(hints, ['armed', 'changed']);
  });

  it('runs one plan at a time; asked while one runs, it plans once more after, never drops the last', async () => {
    let release: () => void = () => {};
    let gate = Promise.resolve();
    await start({ planDelay: () => gate });
    gate = new Promise((r) => {
      release = r;
    });
    replan$.next();
    replan$.next();
    replan$.next();
    await settle();
    assert.equal(plans, 2, 'one plan running, the others waiting as one');
    plan = [
      directory('/etc/tor', { torrc: 'file' }),
      directory('/etc/tor/torrc.d', {}, '1:2', true),
    ];
    gate = Promise.resolve();
    release();
    await settle();
    assert.equal(plans, 3);
    assert.deepEqual(
      watches.opened,
      ['/etc/tor', '/etc/tor/torrc.d'],
      'the last word was planned for',
    );
  });

  it('unsubscribing closes every watch and the retry timer; what comes late is dropped', async () => {
    plan = [directory('/a', { x: 'file' }), directory('/b', { y: 'file' })];
    watches.failures.set('/c', errno('EMFILE'));
    plan = [...plan, directory('/c', { z: 'file' })];
    await start();
    const late = watches.live.get('/a');
    subscription?.unsubscribe();
    assert.deepEqual(watches.closed.sort(), ['/a', '/b']);
    assert.equal(watches.live.size, 0);
    assert.equal(scheduler.actions.filter((a) => !a.closed).length, 0, 'no retry left');
    const count = hints.length;
    late?.onEvent('x');
    replan$.next();
    await settle();
    assert.equal(hints.length, count);
    assert.equal(plans, 1);
  });

  describe('nodeFs.watch, the real adapter', () => {
    let dir: string;
    let open: DirectoryWatch | undefined;

    beforeEach(async () => {
      dir = await realpath(await mkdtemp(join(tmpdir(), 'hotrc-fswatch-')));
    });

    afterEach(async () => {
      open?.close();
      open = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    const next = (names: (string | null)[], want: string | null) =>
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (names.includes(want)) {
            clearInterval(check);
            resolve();
          }
        }, 2);
      });

    it('names the entry a rename-save lands on, and closes twice without harm', async () => {
      const names: (string | null)[] = [];
      const watch = nodeFs.watch;
      assert.ok(watch !== undefined);
      open = watch(
        dir,
        (n) => names.push(n),
        (err) => assert.fail(String(err)),
      );
      await writeFile(join(dir, 'torrc.tmp'), 'x\n');
      await rename(join(dir, 'torrc.tmp'), join(dir, 'torrc'));
      await next(names, 'torrc');
      open.close();
      open.close();
      const seen = names.length;
      await writeFile(join(dir, 'torrc'), 'y\n');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(names.length, seen, 'no event after close');
    });

    it('throws with an errno code for a directory that is not there', () => {
      assert.throws(
        () =>
          nodeFs.watch?.(
            join(dir, 'nope'),
            () => {},
            () => {},
          ),
        (e: unknown) => (e as { code?: string }).code === 'ENOENT',
      );
    });

    it('sends the directory its own name when it is deleted (what judgeEvent replans on)', async () => {
      const sub = join(dir, 'sub');
      await mkdir(sub);
      const names: (string | null)[] = [];
      open = nodeFs.watch?.(
        sub,
        (n) => names.push(n),
        () => {},
      );
      await rm(sub, { recursive: true });
      await next(names, 'sub');
    });
  });
});
