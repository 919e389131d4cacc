import assert from 'node:assert/strict';
import {
  chmod,
  mkdtemp,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, filter, firstValueFrom, merge, timeout } from 'rxjs';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { onLocalDiskNow } from '../../lib/sources/local-fs.js';
import {
  hungStatMs,
  StatPoller,
  sharedTicks,
  statChanges,
  watchdog,
} from '../../lib/sources/shared-poller.js';
import { statWorkerSource } from '../../lib/sources/stat-worker-source.js';
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

  it('waits a period longer than a timer can (30 days) about 24.8 days, never 1 ms (real timers)', async () => {
    let ticks = 0;
    const s = sharedTicks(30 * 86_400_000, asyncScheduler).subscribe(() => ticks++);
    await sleep(50);
    s.unsubscribe();
    // The one at once for the subscriber, and none after: Node cuts a longer delay to 1 ms.
    assert.equal(ticks, 1);
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
    // Five changes, each seen; an in-place write is two steps (truncate, write) a tick may split.
    await sleep(60);
    const moves = w.moves();
    assert.ok(moves >= 5 && moves <= 7, `${moves} moves`);
    await sleep(100);
    assert.equal(w.moves(), moves);
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

describe('watchdog', () => {
  it('calls a path hung only when one stat of it has run for the limit', () => {
    const first = watchdog(undefined, 3, 7, 1000, 2000);
    assert.deepEqual(first, { sighting: { progress: 3, on: 7, since: 1000 }, hung: undefined });
    assert.equal(watchdog(first.sighting, 3, 7, 2999, 2000).hung, undefined);
    assert.equal(watchdog(first.sighting, 3, 7, 3000, 2000).hung, 7);
  });

  it('calls nothing hung that moved on: another stat, another batch, or between stats', () => {
    const seen = { progress: 3, on: 7, since: 0 };
    assert.deepEqual(watchdog(seen, 3, 8, 5000, 2000), {
      sighting: { progress: 3, on: 8, since: 5000 },
      hung: undefined,
    });
    assert.equal(watchdog(seen, 4, 7, 5000, 2000).hung, undefined);
    const idle = watchdog({ progress: 3, on: -1, since: 0 }, 3, -1, 5000, 2000);
    assert.deepEqual(idle, { sighting: { progress: 3, on: -1, since: 5000 }, hung: undefined });
  });
});

describe('StatPoller, on real files', () => {
  let dir: string;
  const stops: Array<() => void> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-stat-poller-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Counts the reports of each path; `until` waits for a count (5 s at most). */
  function counter() {
    const counts = new Map<string, number>();
    const waiters: Array<() => void> = [];
    return {
      listener: (name: string) => () => {
        counts.set(name, (counts.get(name) ?? 0) + 1);
        for (const w of waiters.splice(0)) w();
      },
      count: (name: string) => counts.get(name) ?? 0,
      until: async (name: string, n: number) => {
        const deadline = Date.now() + 5000;
        while ((counts.get(name) ?? 0) < n) {
          if (Date.now() > deadline) throw new Error(`${name}: ${counts.get(name) ?? 0} < ${n}`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 50);
          });
        }
      },
    };
  }

  it('refuses a period or a hang limit that is not a finite number of ms > 0, and a loopStatLimit that is not a whole number >= 0', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new StatPoller(100, asyncScheduler, () => {}, { loopStatLimit: bad }), {
        name: 'TypeError',
        message: `StatPoller: loopStatLimit must be a whole number >= 0, got ${bad}`,
      });
    }
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new StatPoller(bad, asyncScheduler, () => {}), TypeError);
      assert.throws(() => new StatPoller(100, asyncScheduler, () => {}, { hungStatMs: bad }), {
        name: 'TypeError',
        message: `StatPoller: hungStatMs must be a finite number of ms > 0, got ${bad}`,
      });
    }
  });

  it('with the worker, schedules nothing on the event loop per tick: only its watchdog, every hungStatMs / 2', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, { hungStatMs: 3000, loopStatLimit: 0 });
    const stop = poller.add(path, c.listener('torrc'));
    stops.push(stop);
    // The worker's own timer drives the stats: the first one is reported with no virtual time.
    await c.until('torrc', 1);
    assert.deepEqual(
      ts.actions.map((a) => a.delay),
      [1500],
    );
    stop();
    assert.equal(ts.actions.length, 0);
  });

  it('stats a path on a local disk on the event loop at a tick of its period, starting no worker and no watchdog', async () => {
    assert.ok(await onLocalDiskNow(dir), `this spec needs ${dir} on a local disk`);
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {});
    const stop = poller.add(path, c.listener('torrc'));
    stops.push(stop);
    // Its first stat is reported once its file system is known, with no virtual time.
    await c.until('torrc', 1);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 1, worker: 0, own: 0 });
    assert.equal(poller.threads, 0);
    assert.deepEqual(
      ts.actions.map((a) => a.delay),
      [100],
    );
    await chmod(path, 0o600);
    await sleep(50);
    assert.equal(c.count('torrc'), 1, 'stat only at a tick');
    ts.flush(); // to 750 virtual ms: seven ticks, one move
    assert.equal(c.count('torrc'), 2);
    stop();
    assert.equal(ts.actions.length, 0);
  });

  it('stats a path not on a local disk in the worker, beside those on the loop', async () => {
    const names = ['a', 'remote'];
    await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
    const c = counter();
    const poller = new StatPoller(20, asyncScheduler, () => {}, {
      // What onLocalDiskNow says of an NFS mount, for the one path named so.
      isLocal: async (p) => !p.endsWith('remote'),
    });
    const stopOf = new Map(names.map((n) => [n, poller.add(join(dir, n), c.listener(n))]));
    stops.push(...stopOf.values());
    for (const n of names) await c.until(n, 1);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 1, worker: 1, own: 0 });
    assert.equal(poller.threads, 1);
    for (const n of names) await chmod(join(dir, n), 0o600);
    for (const n of names) await c.until(n, 2);
    // The worker's last path stops: the worker ends, and the loop goes on.
    stopOf.get('remote')?.();
    assert.equal(poller.threads, 0);
    await chmod(join(dir, 'a'), 0o644);
    await c.until('a', 3);
  });

  it('once it watches more than loopStatLimit paths, stats every one in the worker, those on the loop before too, until all stop', async () => {
    const names = ['a', 'b', 'c', 'd'];
    await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
    const c = counter();
    const asked: string[] = [];
    const poller = new StatPoller(20, asyncScheduler, () => {}, {
      loopStatLimit: 2,
      isLocal: async (p) => {
        asked.push(p);
        return true;
      },
    });
    const stopOf = new Map<string, () => void>();
    const add = (n: string) => {
      const stop = poller.add(join(dir, n), c.listener(n));
      stopOf.set(n, stop);
      stops.push(stop);
    };
    add('a');
    add('b');
    for (const n of ['a', 'b']) await c.until(n, 1);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 2, worker: 0, own: 0 });
    // The third: a and b move to the worker, which reports each once more as it takes them.
    add('c');
    for (const [n, count] of [
      ['a', 2],
      ['b', 2],
      ['c', 1],
    ] as const)
      await c.until(n, count);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 3, own: 0 });
    assert.deepEqual(
      asked,
      ['a', 'b'].map((n) => join(dir, n)),
    );
    for (const n of ['a', 'b', 'c']) await chmod(join(dir, n), 0o600);
    for (const [n, count] of [
      ['a', 3],
      ['b', 3],
      ['c', 2],
    ] as const)
      await c.until(n, count);
    // Back to one path, still in the worker: no moving back and forth.
    stopOf.get('b')?.();
    stopOf.get('c')?.();
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 1, own: 0 });
    // Once every path has stopped, the next is on the loop again.
    stopOf.get('a')?.();
    add('d');
    await c.until('d', 1);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 1, worker: 0, own: 0 });
  });

  it('sends a path to the worker when the question about its file system does not answer within hungStatMs (statfs on a dead NFS server), or fails', async () => {
    const names = ['silent', 'failing'];
    await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
    const c = counter();
    const poller = new StatPoller(20, asyncScheduler, () => {}, {
      hungStatMs: 200,
      isLocal: (p) =>
        p.endsWith('silent') ? new Promise<boolean>(() => {}) : Promise.reject(new Error('EIO')),
    });
    const started = Date.now();
    for (const n of names) stops.push(poller.add(join(dir, n), c.listener(n)));
    await c.until('failing', 1);
    assert.deepEqual(poller.lanes(), { placing: 1, loop: 0, worker: 1, own: 0 });
    await c.until('silent', 1);
    assert.ok(Date.now() - started >= 190, 'the silent one waited for its deadline');
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 2, own: 0 });
    for (const n of names) await chmod(join(dir, n), 0o600);
    for (const n of names) await c.until(n, 2);
  });

  it('leaves nothing scheduled for a path stopped while its file system is asked about', () => {
    const ts = scheduler();
    const poller = new StatPoller(100, ts, () => {}, { isLocal: () => new Promise(() => {}) });
    const stop = poller.add(join(dir, 'torrc'), () => {});
    assert.deepEqual(poller.lanes(), { placing: 1, loop: 0, worker: 0, own: 0 });
    assert.deepEqual(
      ts.actions.filter((a) => !a.closed).map((a) => a.delay),
      [hungStatMs],
    );
    stop();
    assert.deepEqual(
      ts.actions.filter((a) => !a.closed),
      [],
    );
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 0, own: 0 });
  });

  it('asks again about a path found on another device, before its next stat there', async function () {
    this.timeout(10_000);
    // A symlink swapped from a file here to one on /dev/shm (tmpfs, another device), which
    // isLocal then calls remote, as an NFS mount would be.
    const other = await mkdtemp('/dev/shm/hotrc-stat-poller-');
    try {
      assert.notEqual((await stat(other)).dev, (await stat(dir)).dev, '/dev/shm is another device');
      const here = join(dir, 'here');
      const there = join(other, 'there');
      await writeFile(here, 'SocksPort 9050\n');
      await writeFile(there, 'SocksPort 9051\n');
      const path = join(dir, 'torrc');
      await symlink(here, path);
      const c = counter();
      const asked: string[] = [];
      const poller = new StatPoller(20, asyncScheduler, () => {}, {
        isLocal: async (p) => {
          asked.push(p);
          return (await realpath(p)).startsWith(dir);
        },
      });
      stops.push(poller.add(path, c.listener('torrc')));
      await c.until('torrc', 1);
      assert.deepEqual(poller.lanes(), { placing: 0, loop: 1, worker: 0, own: 0 });
      await symlink(there, `${path}.new`);
      await rename(`${path}.new`, path);
      // The move is told, then the path is placed again (in the worker), and told once more.
      await c.until('torrc', 3);
      assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 1, own: 0 });
      assert.deepEqual(asked, [path, path]);
      await chmod(there, 0o600);
      await c.until('torrc', 4);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  // The same behaviour whichever way a path is stat'ed.
  const laneOptions = { loop: {}, worker: { loopStatLimit: 0 } } as const;
  for (const lane of ['loop', 'worker'] as const) {
    it(`takes a second call of a stop function as a no-op, even after the path is watched again, on the ${lane}`, async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'SocksPort 9050\n');
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, laneOptions[lane]);
      const stopA = poller.add(path, c.listener('a'));
      await c.until('a', 1);
      assert.equal(poller.lanes()[lane], 1);
      stopA();
      stops.push(poller.add(path, c.listener('b')));
      await c.until('b', 1);
      stopA();
      await chmod(path, 0o600);
      await c.until('b', 2);
      assert.equal(c.count('a'), 1);
    });

    it(`reports changes no size or mtime shows: mtime set back, chmod, same-size rename, on the ${lane}`, async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'SocksPort 9050\n');
      const before = await stat(path);
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, laneOptions[lane]);
      stops.push(poller.add(path, c.listener('torrc')));
      await c.until('torrc', 1);
      assert.equal(poller.lanes()[lane], 1);
      // Each step is seen (a tick may also catch a moment inside one), then three quiet ticks.
      const seen = async (step: () => Promise<void>) => {
        const was = c.count('torrc');
        await step();
        await c.until('torrc', was + 1);
        await sleep(60);
      };
      // Same size, mtime put back where it was: only the ctime moved.
      await seen(async () => {
        await writeFile(path, 'SocksPort 9051\n');
        await utimes(path, before.atime, before.mtime);
      });
      // Only the ctime shows a chmod, and it is one step.
      const chmodded = c.count('torrc');
      await seen(() => chmod(path, 0o600));
      assert.equal(c.count('torrc'), chmodded + 1);
      // A new inode of the same size with the same mtime, renamed over it: one step too.
      const tmp = join(dir, 'tmp');
      await writeFile(tmp, 'SocksPort 9052\n');
      await utimes(tmp, before.atime, before.mtime);
      const renamed = c.count('torrc');
      await seen(() => rename(tmp, path));
      await sleep(100);
      assert.equal(c.count('torrc'), renamed + 1);
    });

    it(`keeps every other path watched when paths in the middle stop, on the ${lane}`, async () => {
      const names = ['a', 'b', 'c', 'd', 'e'];
      await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, laneOptions[lane]);
      const stopOf = new Map(names.map((n) => [n, poller.add(join(dir, n), c.listener(n))]));
      stops.push(...stopOf.values());
      for (const n of names) await c.until(n, 1);
      assert.equal(poller.lanes()[lane], names.length);
      // The worker fills each gap with its last path: e stands where b was, then (e stopping
      // too) d where e stood, and a gap at the end is just dropped.
      stopOf.get('b')?.();
      stopOf.get('e')?.();
      stopOf.get('d')?.();
      // chmod: one step each, so one report each.
      for (const n of names) await chmod(join(dir, n), 0o600);
      for (const n of ['a', 'c']) await c.until(n, 2);
      await sleep(100);
      assert.deepEqual(
        names.map((n) => c.count(n)),
        [2, 1, 2, 1, 1],
      );
      // A path added after the gaps were filled is stat'ed and reported like the others.
      const f = join(dir, 'f');
      await writeFile(f, 'f\n');
      stops.push(poller.add(f, c.listener('f')));
      await c.until('f', 1);
      await chmod(f, 0o600);
      await c.until('f', 2);
    });
  }

  it('moves a path whose stat hangs to its own stat, and keeps the others and the event loop going', async function () {
    this.timeout(10_000);
    // The worker's statSync of a path named "hangs" blocks its thread (as a dead NFS server
    // would) until the worker is terminated; everything else is the real worker and real files.
    const hanging = `
      const fs = require('node:fs');
      const real = fs.statSync;
      const never = new Int32Array(new SharedArrayBuffer(4));
      fs.statSync = (p, o) => {
        if (p.endsWith('hangs')) Atomics.wait(never, 0, 0, 30000);
        return real(p, o);
      };
    `;
    const slow = join(dir, 'hangs');
    const other = join(dir, 'other');
    await writeFile(slow, 'SocksPort 9050\n');
    await writeFile(other, 'SocksPort 9050\n');
    const c = counter();
    let emptied = 0;
    const poller = new StatPoller(20, asyncScheduler, () => emptied++, {
      hungStatMs: 200,
      workerSource: hanging + statWorkerSource,
      loopStatLimit: 0,
    });
    stops.push(poller.add(slow, c.listener('hangs')));
    stops.push(poller.add(other, c.listener('other')));
    // The event loop turns all along: the first stat of "hangs" blocks only the worker.
    let turns = 0;
    const turning = setInterval(() => turns++, 10);
    try {
      await c.until('other', 1);
      await c.until('hangs', 1);
      assert.ok(turns > 0);
      await writeFile(other, 'SocksPort 9051 # other\n');
      await c.until('other', 2);
      await writeFile(slow, 'SocksPort 9051 # hangs\n');
      await c.until('hangs', 2);
      assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 1, own: 1 });
    } finally {
      clearInterval(turning);
    }
    for (const stop of stops.splice(0)) stop();
    assert.equal(emptied, 1);
  });

  // Each start of these workers appends a byte to `starts`: how often a worker was tried.
  const startsIn = (file: string) =>
    `require('node:fs').appendFileSync(${JSON.stringify(file)}, 'x');\n`;
  const startsOf = async (file: string) => (await stat(file).catch(() => ({ size: 0 }))).size;

  // A StatPoller whose worker runs `source(starts)` (every path to the worker, hungStatMs 100) on a
  // torrc of its own, once it has reported that torrc the first time; `changeReported` then
  // saves the torrc and waits for the report of it.
  async function pollerWith(source: (starts: string) => string) {
    const starts = join(dir, 'starts');
    const file = join(dir, 'torrc');
    await writeFile(file, 'SocksPort 9050\n');
    const c = counter();
    const poller = new StatPoller(20, asyncScheduler, () => {}, {
      hungStatMs: 100,
      workerSource: source(starts),
      loopStatLimit: 0,
    });
    stops.push(poller.add(file, c.listener('torrc')));
    await c.until('torrc', 1);
    const changeReported = async (comment: string) => {
      const seen = c.count('torrc');
      await writeFile(file, `SocksPort 9051 # ${comment}\n`);
      await c.until('torrc', seen + 1);
    };
    return { starts, poller, changeReported };
  }

  it('stands a worker that cannot run (its source throws at start) in with async stats: changes are still reported, and a worker is tried again less and less often', async function () {
    this.timeout(10_000);
    const { starts, poller, changeReported } = await pollerWith(
      (starts) => `${startsIn(starts)}throw new Error('this worker cannot run');\n`,
    );
    const cpu = process.cpuUsage();
    await sleep(1500);
    // Tried at once, again at once, then after 100, 200, 400 and 800 ms: about six times in
    // 1.5 s, where a worker replaced at every death would have been started hundreds of times.
    const tried = await startsOf(starts);
    assert.ok(tried >= 3 && tried <= 7, `${tried} workers started`);
    const spent = process.cpuUsage(cpu);
    assert.ok((spent.user + spent.system) / 1000 < 750, 'no busy loop of worker starts');
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 0, own: 1 });
    assert.equal(poller.threads, 0);
    await changeReported('changed while no worker runs');
  });

  it('stands in when the system will not start a worker at all (its constructor throws)', async () => {
    // Not a string: new Worker throws at once, as it does when no thread can be had.
    const { poller, changeReported } = await pollerWith(() => 42 as unknown as string);
    assert.deepEqual(poller.lanes(), { placing: 0, loop: 0, worker: 0, own: 1 });
    await changeReported('changed');
  });

  it('replaces a worker that exits unasked, and reports the change made after', async function () {
    this.timeout(10_000);
    const { starts, changeReported } = await pollerWith(
      (starts) => `${startsIn(starts)}setTimeout(() => process.exit(0), 150);\n${statWorkerSource}`,
    );
    await sleep(400);
    assert.ok((await startsOf(starts)) >= 2, 'the worker that exited was replaced');
    await changeReported('after the exits');
  });

  it('replaces at once a worker that dies after a healthy life (10 hungStatMs), however often that happens', async function () {
    this.timeout(10_000);
    // Lives 1200 ms, past the 1000 ms that make it healthy, then dies by a throw.
    const { starts, poller, changeReported } = await pollerWith(
      (starts) =>
        `${startsIn(starts)}setTimeout(() => { throw new Error('late'); }, 1200);\n${statWorkerSource}`,
    );
    // Every 5 ms: a second death taken for a crash loop would stand the path in for 100 ms.
    const lanesSeen = new Set<string>();
    const sampling = setInterval(() => lanesSeen.add(JSON.stringify(poller.lanes())), 5);
    try {
      const deadline = Date.now() + 6000;
      while ((await startsOf(starts)) < 3) {
        assert.ok(Date.now() < deadline, 'the worker was not replaced twice');
        await sleep(20);
      }
      await sleep(50);
    } finally {
      clearInterval(sampling);
    }
    assert.deepEqual([...lanesSeen], [JSON.stringify({ placing: 0, loop: 0, worker: 1, own: 0 })]);
    await changeReported('changed');
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
