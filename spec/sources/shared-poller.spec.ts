import assert from 'node:assert/strict';
import {
  chmod,
  mkdtemp,
  readFile,
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
import type { TestScheduler } from 'rxjs/testing';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { onLocalDisk } from '../../lib/sources/local-fs.js';
import { StatPoller, sharedTicks, statChanges, watchdog } from '../../lib/sources/shared-poller.js';
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

// Every behaviour of the poller holds on both sides: paths on a local disk are stat'ed on the
// event loop, the others (forced here: the files are real, the answer is not) by the worker.
const sides = [
  { side: 'on a local disk (main thread)', isLocal: () => Promise.resolve(true), worker: false },
  { side: 'not on a local disk (worker)', isLocal: () => Promise.resolve(false), worker: true },
] as const;

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

for (const { side, isLocal, worker } of sides)
  describe(`StatPoller, paths ${side}, on real files`, () => {
    let dir: string;
    const stops: Array<() => void> = [];
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hotrc-stat-poller-'));
    });
    afterEach(async () => {
      for (const stop of stops.splice(0)) stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses a period or a hang limit that is not a finite number of ms > 0', () => {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(() => new StatPoller(bad, asyncScheduler, () => {}), TypeError);
        assert.throws(() => new StatPoller(100, asyncScheduler, () => {}, { hungStatMs: bad }), {
          name: 'TypeError',
          message: `StatPoller: hungStatMs must be a finite number of ms > 0, got ${bad}`,
        });
      }
    });

    it("schedules one action on the event loop: the period's shared tick, or the worker's watchdog", async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'SocksPort 9050\n');
      const ts = scheduler();
      const c = counter();
      const poller = new StatPoller(100, ts, () => {}, { hungStatMs: 3000, isLocal });
      const stop = poller.add(path, c.listener('torrc'));
      stops.push(stop);
      // Its first stat is reported with no virtual time: once the answer comes (main thread) or
      // by the worker's own timer.
      await c.until('torrc', 1);
      assert.deepEqual(
        ts.actions.map((a) => a.delay),
        [worker ? 1500 : 100],
      );
      stop();
      assert.equal(ts.actions.length, 0);
    });

    it('takes a second call of a stop function as a no-op, even after the path is watched again', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'SocksPort 9050\n');
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, { isLocal });
      const stopA = poller.add(path, c.listener('a'));
      await c.until('a', 1);
      stopA();
      stops.push(poller.add(path, c.listener('b')));
      await c.until('b', 1);
      stopA();
      await chmod(path, 0o600);
      await c.until('b', 2);
      assert.equal(c.count('a'), 1);
    });

    it('reports changes no size or mtime shows: mtime set back, chmod, same-size rename', async () => {
      const path = join(dir, 'torrc');
      await writeFile(path, 'SocksPort 9050\n');
      const before = await stat(path);
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, { isLocal });
      stops.push(poller.add(path, c.listener('torrc')));
      await c.until('torrc', 1);
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

    it('keeps every other path watched when paths in the middle stop', async () => {
      const names = ['a', 'b', 'c', 'd', 'e'];
      await Promise.all(names.map((n) => writeFile(join(dir, n), `${n}\n`)));
      const c = counter();
      const poller = new StatPoller(20, asyncScheduler, () => {}, { isLocal });
      const stopOf = new Map(names.map((n) => [n, poller.add(join(dir, n), c.listener(n))]));
      stops.push(...stopOf.values());
      for (const n of names) await c.until(n, 1);
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
  });

describe('StatPoller, a stat that hangs in the worker (real files)', () => {
  let dir: string;
  const stops: Array<() => void> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-stat-poller-hang-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await rm(dir, { recursive: true, force: true });
  });

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
      isLocal: () => Promise.resolve(false),
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
    } finally {
      clearInterval(turning);
    }
    for (const stop of stops.splice(0)) stop();
    assert.equal(emptied, 1);
  });
});

describe('StatPoller, which side stats a path (real files, virtual time)', () => {
  let dir: string;
  let shm: string | undefined;
  const stops: Array<() => void> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-stat-poller-side-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await rm(dir, { recursive: true, force: true });
    if (shm !== undefined) await rm(shm, { recursive: true, force: true });
    shm = undefined;
  });

  /** Runs the shared tick's virtual time `ms` on (a worker's timer and fs are real). */
  const advance = (ts: TestScheduler, ms: number) => {
    const to = ts.now() + ms;
    ts.maxFrames = to;
    ts.flush();
    // flush leaves the clock at the last action it ran.
    ts.frame = to;
  };
  /** In how long each scheduled action runs (virtual ms). */
  const due = (ts: TestScheduler) => ts.actions.map((a) => a.delay - ts.now());
  /** The real worker source, which first appends a line to `marker` each time a worker starts. */
  const counted = (marker: string) =>
    `require('node:fs').appendFileSync(${JSON.stringify(marker)}, 'started\\n');\n${statWorkerSource}`;
  const starts = async (marker: string) =>
    (await readFile(marker, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  it('stats a path on a local disk at each shared tick: a move is told at the next tick, and only then', async () => {
    const paths = Array.from({ length: 30 }, (_, i) => join(dir, `torrc-${i}`));
    await Promise.all(paths.map((p) => writeFile(p, 'SocksPort 9050\n')));
    const marker = join(dir, 'workers');
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, { workerSource: counted(marker) });
    for (const [i, p] of paths.entries()) stops.push(poller.add(p, c.listener(`${i}`)));
    // Asked with the real onLocalDisk: the temp directory is on a local disk.
    assert.ok(await onLocalDisk(dir), `${dir} should be on a local disk`);
    for (const i of paths.keys()) await c.until(`${i}`, 1);
    // Thirty paths, one action: the period's tick. No worker, no watchdog.
    assert.deepEqual(due(ts), [100]);
    advance(ts, 300);
    const counts = () => paths.map((_, i) => c.count(`${i}`));
    assert.deepEqual(counts(), Array(30).fill(1));
    for (const i of [0, 13, 29]) await chmod(paths[i] as string, 0o600);
    // Nothing stats between ticks: the moves wait for the next one, which tells each once.
    assert.deepEqual(counts(), Array(30).fill(1));
    advance(ts, 100);
    assert.deepEqual(
      counts(),
      paths.map((_, i) => ([0, 13, 29].includes(i) ? 2 : 1)),
    );
    advance(ts, 500);
    assert.equal(
      counts().reduce((a, b) => a + b),
      33,
    );
    assert.equal(await starts(marker), 0);
  });

  it('gives a path whose answer is late to the worker after hungStatMs, then to the main thread when it comes', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const marker = join(dir, 'workers');
    let answer: (local: boolean) => void = () => {};
    const late = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    const asked: string[] = [];
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, {
      hungStatMs: 1000,
      workerSource: counted(marker),
      isLocal: (p) => {
        asked.push(p);
        return late;
      },
    });
    stops.push(poller.add(path, c.listener('torrc')));
    await sleep(50);
    // Not stat'ed anywhere while the question is open; the watchdog times it.
    assert.equal(c.count('torrc'), 0);
    assert.deepEqual(due(ts), [500]);
    advance(ts, 999);
    assert.equal(await starts(marker), 0);
    advance(ts, 1);
    await c.until('torrc', 1);
    assert.equal(await starts(marker), 1);
    // On the worker, a move is told by the worker's own timer.
    await chmod(path, 0o600);
    await c.until('torrc', 2);
    answer(true);
    // Local after all: stat'ed on the event loop from now on, told once more on the move, and
    // the worker (its last path gone) ended with its watchdog.
    await c.until('torrc', 3);
    assert.deepEqual(due(ts), [100]);
    await chmod(path, 0o644);
    advance(ts, 100);
    assert.equal(c.count('torrc'), 4);
    assert.ok(asked.length >= 1 && asked.every((p) => p === path));
  });

  it('starts the worker with the first path not on a local disk and ends it with the last', async () => {
    const local = join(dir, 'torrc');
    const remote = join(dir, 'remote');
    await writeFile(local, 'SocksPort 9050\n');
    await writeFile(remote, 'SocksPort 9050\n');
    const marker = join(dir, 'workers');
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, {
      workerSource: counted(marker),
      isLocal: (p) => Promise.resolve(!p.includes('remote')),
    });
    stops.push(poller.add(local, c.listener('local')));
    await c.until('local', 1);
    assert.equal(await starts(marker), 0);
    const stopRemote = poller.add(remote, c.listener('remote'));
    await c.until('remote', 1);
    assert.equal(await starts(marker), 1);
    assert.deepEqual(
      due(ts).sort((a, b) => a - b),
      [100, 1000],
    );
    await chmod(remote, 0o600);
    await c.until('remote', 2);
    stopRemote();
    // The worker and its watchdog are gone; the local path goes on at the shared tick.
    assert.deepEqual(due(ts), [100]);
    await chmod(local, 0o600);
    advance(ts, 100);
    assert.equal(c.count('local'), 2);
    const again = join(dir, 'remote-2');
    await writeFile(again, 'SocksPort 9050\n');
    stops.push(poller.add(again, c.listener('again')));
    await c.until('again', 1);
    assert.equal(await starts(marker), 2);
  });

  it('takes an answer that fails as "not local": the path goes to the worker', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'SocksPort 9050\n');
    const marker = join(dir, 'workers');
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, {
      workerSource: counted(marker),
      isLocal: () => Promise.reject(new Error('statfs failed')),
    });
    stops.push(poller.add(path, c.listener('torrc')));
    await c.until('torrc', 1);
    assert.equal(await starts(marker), 1);
    await chmod(path, 0o600);
    await c.until('torrc', 2);
  });

  it('sends a path whose stat reaches another file system (a symlink retargeted) to the worker, and asks again', async () => {
    shm = await mkdtemp(join('/dev/shm', 'hotrc-stat-poller-'));
    const here = join(dir, 'real');
    const there = join(shm, 'real');
    await writeFile(here, 'SocksPort 9050\n');
    await writeFile(there, 'SocksPort 9050\n');
    assert.notEqual((await stat(here)).dev, (await stat(there)).dev, '/dev/shm and the temp dir');
    const link = join(dir, 'torrc');
    await symlink(here, link);
    const marker = join(dir, 'workers');
    const answers = [true, false];
    const ts = scheduler();
    const c = counter();
    const poller = new StatPoller(100, ts, () => {}, {
      workerSource: counted(marker),
      isLocal: () => Promise.resolve(answers.shift() ?? false),
    });
    stops.push(poller.add(link, c.listener('torrc')));
    await c.until('torrc', 1);
    assert.equal(await starts(marker), 0);
    await rm(link);
    await symlink(there, link);
    advance(ts, 100);
    // Told at once, and off the event loop until the new file system's answer says local.
    assert.equal(c.count('torrc'), 2);
    await c.until('torrc', 3);
    assert.equal(await starts(marker), 1);
    assert.equal(answers.length, 0);
    await writeFile(there, 'SocksPort 9051 # there\n');
    await c.until('torrc', 4);
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
