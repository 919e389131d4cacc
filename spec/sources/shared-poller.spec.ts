import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, filter, firstValueFrom, merge, timeout } from 'rxjs';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { sharedTicks, statChanges } from '../../lib/sources/shared-poller.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { logSubscriptions, scheduler } from '../support/marbles.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sharedTicks', () => {
  it('gives each subscriber a tick at once, then the ticks of one shared action', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const a = sharedTicks(10, ts);
      const b = sharedTicks(10, ts);
      expectObservable(a, '^ 35ms !').toBe('a 9ms b 9ms b 9ms b', { a: undefined, b: undefined });
      // Joins at 15: its own tick at once, then the group's, at 20 and 30 (not 25 and 35).
      expectObservable(b, '15ms ^ 20ms !').toBe('15ms a 4ms b 9ms b', {
        a: undefined,
        b: undefined,
      });
    });
  });

  it('keeps periods apart and releases the action with its last subscriber', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, expectSubscriptions }) => {
      const fast = logSubscriptions(sharedTicks(10, ts), ts);
      expectObservable(fast.observable, '^ 25ms !').toBe('a 9ms a 9ms a', { a: undefined });
      expectObservable(sharedTicks(15, ts), '^ 31ms !').toBe('a 14ms a 14ms a', { a: undefined });
      expectSubscriptions(fast.subscriptions).toBe('^ 25ms !');
    });
    // Every action ended with the run: nothing was left scheduled on the virtual clock.
    assert.equal(ts.actions.length, 0);
  });
});

describe('statChanges, on real files', () => {
  let dir: string;
  const stops: Array<() => void> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-poller-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await rm(dir, { recursive: true, force: true });
  });

  function watch(path: string, periodMs = 20): { moves: () => number; next: () => Promise<void> } {
    let moves = 0;
    let wake: (() => void) | undefined;
    stops.push(
      statChanges(path, periodMs, asyncScheduler, () => {
        moves++;
        wake?.();
      }),
    );
    return {
      moves: () => moves,
      next: () =>
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no move within 5 s')), 5000);
          wake = () => {
            clearTimeout(t);
            wake = undefined;
            resolve();
          };
        }),
    };
  }

  it('reports a path once after it is added, then only when its stat moves', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const w = watch(path);
    await w.next();
    await sleep(200); // ten ticks of an unchanged file
    assert.equal(w.moves(), 1);
    const moved = w.next();
    await writeFile(path, 'SocksPort 9051\n');
    await moved;
    const renamed = w.next();
    await writeFile(join(dir, 'tmp'), 'SocksPort 9052\n');
    await rename(join(dir, 'tmp'), path);
    await renamed;
    const gone = w.next();
    await unlink(path);
    await gone;
    const back = w.next();
    await writeFile(path, 'SocksPort 9053\n');
    await back;
    assert.equal(w.moves(), 5);
  });

  it('tells every watcher of one path, and stops telling those who stopped', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const a = watch(path);
    const b = watch(path);
    await Promise.all([a.next(), b.next()]);
    const stopB = stops.pop() as () => void;
    stopB();
    const moved = a.next();
    await writeFile(path, 'SocksPort 9051 # longer\n');
    await moved;
    await sleep(100);
    assert.equal(b.moves(), 1);
    assert.ok(a.moves() >= 2);
  });
});

describe('the shared poller behind ReloadableConfig (fsWatch: false, real files)', () => {
  let dir: string;
  const configs: ReloadableConfig[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-poller-rc-'));
  });
  afterEach(async () => {
    await Promise.all(configs.splice(0).map((rc) => rc.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('polls many files on one period and applies a save to any of them, and to an %include', async () => {
    const paths = Array.from({ length: 20 }, (_, i) => join(dir, `torrc-${i}`));
    await Promise.all(paths.map((p) => writeFile(p, 'LogLevel error\n')));
    const included = join(dir, 'extra.conf');
    await writeFile(included, 'LogLevel warn\n');
    await writeFile(paths[0] as string, `%include ${included}\n`);
    for (const p of paths) {
      const rc = new ReloadableConfig(await loadFromFile(p), p, undefined, {
        fsWatch: false,
        writeQuietMs: 0,
        racyWindowMs: 0,
      });
      configs.push(rc);
      rc.startWatcher(20);
    }
    await sleep(200);
    const changed = (i: number) =>
      firstValueFrom(
        (configs[i] as ReloadableConfig).changes$.pipe(
          filter((c) => c.trigger === 'poll'),
          timeout(5000),
        ),
      );
    const seven = changed(7);
    await writeFile(paths[7] as string, 'LogLevel info\n');
    await seven;
    assert.equal((configs[7] as ReloadableConfig).get().LogLevel, 'info');
    const first = changed(0);
    await writeFile(included, 'LogLevel debug\n');
    await first;
    assert.equal((configs[0] as ReloadableConfig).get().LogLevel, 'debug');
    // Every other file kept its config: nothing spilled over from the shared ticks.
    const others = merge(...configs.slice(1, 7).map((rc) => rc.changes$));
    let spilled = 0;
    const sub = others.subscribe(() => spilled++);
    await sleep(150);
    sub.unsubscribe();
    assert.equal(spilled, 0);
  });
});
