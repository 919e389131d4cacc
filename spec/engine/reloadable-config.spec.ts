import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import {
  asyncScheduler,
  defer,
  finalize,
  map,
  NEVER,
  type Observable,
  of,
  config as rxjsConfig,
  Subject,
  throwError,
  timer,
} from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { logMessages } from '../../lib/engine/log.js';
import type { Profile } from '../../lib/engine/profile.js';
import type { ReloadOptions } from '../../lib/engine/reload-options.js';
import { ReloadError } from '../../lib/engine/reloadable-config.js';
import type {
  ChangeHint,
  ConfigChange,
  Rejection,
  SnapshotSource,
  SourceState,
} from '../../lib/engine/types.js';
import { ReloadableConfig } from '../../lib/reloadable-config.js';
import { loadFromFile } from '../../lib/tor/config-file.js';
import { defaultConfig, type TorConfig } from '../../lib/tor/schema/tor-config.js';
import { torProfile } from '../../lib/tor/tor-profile.js';
import { type FakeFile, FakeSource } from '../support/fake-source.js';
import { type LogSink, logSink } from '../support/log-sink.js';
import { scheduler } from '../support/marbles.js';
import { memoryTorProfile } from '../support/memory-torrc-format.js';

const base = defaultConfig();

interface Harness {
  readonly rc: ReloadableConfig;
  readonly ts: TestScheduler;
  readonly source: FakeSource;
  readonly log: LogSink;
  readonly configs: TorConfig[];
  readonly changes: ConfigChange<TorConfig>[];
  readonly rejections: Rejection[];
  /** Runs `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void;
}

/**
 * Runs a ReloadableConfig over a fake file in virtual time: `script` schedules what happens;
 * everything up to `until` ms is flushed, then `check` looks at the result.
 */
async function virtual(
  timeline: ReadonlyArray<readonly [number, FakeFile]>,
  script: (h: Harness) => void,
  options: Partial<ReloadOptions<TorConfig>> = {},
  initial: TorConfig = base,
  wrap: (fake: FakeSource) => SnapshotSource = (fake) => fake,
  logger?: Logger,
): Promise<Harness> {
  const ts = scheduler();
  let harness: Harness | undefined;
  ts.run(() => {
    const source = new FakeSource(ts, timeline);
    const log = logSink();
    const rc = new ReloadableConfig(initial, '/fake/torrc', logger ?? log.logger, {
      settleMs: 10,
      scheduler: ts,
      profile: memoryTorProfile,
      ...options,
      source: wrap(source),
    });
    const h: Harness = {
      rc,
      ts,
      source,
      log,
      configs: [],
      changes: [],
      rejections: [],
      at: (at, fn) => void ts.schedule(fn, at),
    };
    rc.config$.subscribe((c) => h.configs.push(c));
    rc.changes$.subscribe((c) => h.changes.push(c));
    rc.rejections$.subscribe((r) => h.rejections.push(r));
    script(h);
    harness = h;
    ts.flush();
  });
  if (harness === undefined) throw new Error('unreachable');
  // Let promise callbacks (reload() answers) run; virtual time has already been flushed.
  await new Promise((r) => setImmediate(r));
  return harness;
}

const stop = (h: Harness) => h.at(10_000, () => void h.rc.stop());

describe('ReloadableConfig (virtual time)', () => {
  it('loads on the first tick, then only when the version moves; one change per save', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [250, { text: 'LogLevel debug\nMaxCircuitDirtiness 15 minutes\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(
      h.changes.map((c) => c.changes.map((x) => x.text)),
      [['MaxCircuitDirtiness: 10m0s -> 15m0s', 'LogLevel: info -> debug']],
    );
    assert.deepEqual(
      h.configs.map((c) => c.LogLevel),
      ['info', 'debug'],
    );
    // 0 and 300: the only two looks that passed to a read (the rest were the same version).
    assert.equal(h.source.log.reads, 2);
    assert.deepEqual(
      h.log.messages().filter((m) => m !== logMessages.attempt),
      [
        logMessages.watcherStarted,
        logMessages.fileChanged,
        logMessages.fieldsUpdated,
        logMessages.reloaded,
        logMessages.watcherStopped,
      ],
    );
    const [updated] = h.log.find(logMessages.fieldsUpdated);
    assert.deepEqual(updated?.changes, [
      'MaxCircuitDirtiness: 10m0s -> 15m0s',
      'LogLevel: info -> debug',
    ]);
    assert.equal(updated?.count, 2);
    assert.deepEqual(h.log.find(logMessages.watcherStarted)[0]?.interval, '100ms');
    assert.equal(h.rc.status().generation, 1);
  });

  it('is silent when the decoded config is equal (a comment-only save)', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [150, { text: '# just a comment\nLogLevel info\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(h.changes, []);
    assert.equal(h.configs.length, 1);
    assert.equal(h.source.log.reads, 2);
  });

  it('keeps the last good config when the file turns invalid, and says why, once', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { text: 'LogLevel loud\nConnLimit 0\n' }],
        [450, { text: 'LogLevel warn\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        h.at(350, () => assert.equal(h.rc.get().LogLevel, 'debug'));
        stop(h);
      },
    );
    assert.deepEqual(
      h.configs.map((c) => c.LogLevel),
      ['info', 'debug', 'warn'],
    );
    assert.equal(h.rejections.length, 1);
    const [r] = h.rejections;
    assert.deepEqual([r?.kind, r?.cause, r?.trigger], ['invalid', 'invalid', 'poll']);
    assert.deepEqual(
      r?.problems.filter((p) => p.severity === 'error').map((p) => p.line),
      [1, 2],
    );
    assert.equal(h.log.find(logMessages.rejected).length, 1);
    assert.equal(h.rc.status().lastError, undefined, 'cleared by the later success');
  });

  it('treats a missing file as a state: warns once, keeps polling, logs the recovery', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { missing: true }],
        [650, { text: 'LogLevel warn\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.equal(h.log.find(logMessages.disappeared).length, 1);
    assert.equal(h.log.find(logMessages.recovered).length, 1);
    assert.deepEqual(
      h.rejections.map((r) => `${r.kind}:${r.cause}`),
      ['io:missing'],
    );
    assert.equal(h.rc.get().LogLevel, 'warn');
  });

  it('keeps restart-only fields back, reports them once, and applies the rest', async () => {
    const h = await virtual(
      [
        [0, { text: 'SocksPort 9150\nLogLevel debug\n' }],
        [150, { text: 'SocksPort 9150\nLogLevel warn\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.equal(h.rc.get().SocksPort, 9050);
    assert.equal(h.rc.get().LogLevel, 'warn');
    assert.deepEqual(
      h.changes[0]?.restartRequired.map((c) => c.text),
      ['SocksPort: 9050 -> 9150'],
    );
    const warned = h.log.find(logMessages.restartRequired);
    assert.equal(warned.length, 1);
    assert.deepEqual(warned[0]?.fields, ['SocksPort']);
  });

  it("rejects restart-only changes as Tor does with restartRequired: 'reject'", async () => {
    const h = await virtual(
      [[0, { text: 'SocksPort 9150\nLogLevel debug\n' }]],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
      { restartRequired: 'reject' },
    );
    assert.equal(h.rc.get().LogLevel, 'info');
    assert.deepEqual(
      h.rejections.map((r) => `${r.kind}:${r.cause}`),
      ['invalid:restart'],
    );
  });

  it('rebuilds from the base each time: a deleted key returns to its default, and the diff says so', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\nCircuitPoolMaxSize 20\n' }],
        [150, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(
      h.changes.map((c) => c.changes.map((x) => x.text)),
      [
        ['LogLevel: info -> debug', 'CircuitPoolMaxSize: 10 -> 20'],
        ['CircuitPoolMaxSize: 20 -> 10'],
      ],
    );
  });

  it('vetoes on a throwing callback, reverts the ones before it, and keeps polling', async () => {
    const calls: string[] = [];
    const h = await virtual(
      [
        [0, { text: 'CircuitPoolMaxSize 500\n' }],
        [150, { text: 'CircuitPoolMaxSize 50\n' }],
      ],
      (h) => {
        h.rc.onReload(
          (o, n) => void calls.push(`pool ${o.CircuitPoolMaxSize}->${n.CircuitPoolMaxSize}`),
        );
        h.rc.onReload((_o, n) => {
          if (n.CircuitPoolMaxSize > 100)
            throw new Error('CircuitPoolMaxSize too high for this deployment');
        });
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(calls, ['pool 10->500', 'pool 500->10', 'pool 10->50']);
    assert.deepEqual(
      h.configs.map((c) => c.CircuitPoolMaxSize),
      [10, 50],
    );
    assert.equal(h.rejections[0]?.kind, 'vetoed');
    assert.match(h.rejections[0]?.reason ?? '', /too high for this deployment/);
  });

  it("a subscriber that throws is RxJS's unhandled error: the commit stands, every other subscriber is told, watching goes on", async () => {
    const unhandled: unknown[] = [];
    const before = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (err) => void unhandled.push(err);
    const after: number[] = [];
    try {
      const h = await virtual(
        [
          [0, { text: 'CircuitPoolMaxSize 20\n' }],
          [250, { text: 'CircuitPoolMaxSize 30\n' }],
        ],
        (h) => {
          h.rc.changes$.subscribe(() => {
            throw new Error('a bug in a subscriber');
          });
          h.rc.config$.subscribe((c) => {
            if (c.CircuitPoolMaxSize === 20) throw new Error('another');
          });
          // Subscribed after the two that throw.
          h.rc.changes$.subscribe((c) => void after.push(c.newConfig.CircuitPoolMaxSize));
          h.rc.startWatcher(100);
          stop(h);
        },
      );
      assert.deepEqual(after, [20, 30]);
      assert.deepEqual(
        h.configs.map((c) => c.CircuitPoolMaxSize),
        [10, 20, 30],
      );
      assert.equal(h.rc.get().CircuitPoolMaxSize, 30);
      assert.deepEqual(h.rejections, []);
      assert.deepEqual(
        unhandled.map((e) => (e as Error).message),
        // config$ is pushed as the change commits, changes$ after: commit, then notify.
        ['another', 'a bug in a subscriber', 'a bug in a subscriber'],
      );
    } finally {
      rxjsConfig.onUnhandledError = before;
    }
  });

  it('reload() resolves with what happened, and rejects with a typed ReloadError', async () => {
    const results: unknown[] = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [100, { missing: true }],
      ],
      (h) => {
        h.at(0, () => void h.rc.reload().then((r) => results.push(r)));
        h.at(50, () => void h.rc.reload().then((r) => results.push(r)));
        h.at(150, () => void h.rc.reload().catch((e: unknown) => results.push(e)));
        stop(h);
      },
    );
    const [first, second, third] = results as [
      { status: string; changes: Array<{ text: string }> },
      { status: string },
      ReloadError,
    ];
    assert.equal(first.status, 'applied');
    assert.deepEqual(
      first.changes.map((c) => c.text),
      ['LogLevel: info -> debug'],
    );
    assert.equal(second.status, 'unchanged');
    assert.ok(third instanceof ReloadError);
    assert.deepEqual(
      [third.rejection.kind, third.rejection.cause, third.rejection.trigger],
      ['io', 'missing', 'manual'],
    );
    assert.equal(h.log.find(logMessages.manualReload).length, 3);
  });

  it('answers a reload() superseded by a newer attempt with that attempt', async () => {
    const results: string[] = [];
    await virtual(
      [
        [0, { text: 'LogLevel debug\n', racy: true }],
        [5, { text: 'LogLevel warn\n', racy: true }],
      ],
      (h) => {
        h.at(
          0,
          () => void h.rc.reload().then((r) => results.push(`${r.status}:${h.rc.get().LogLevel}`)),
        );
        h.at(
          7,
          () => void h.rc.reload().then((r) => results.push(`${r.status}:${h.rc.get().LogLevel}`)),
        );
        stop(h);
      },
    );
    assert.deepEqual(results, ['applied:warn', 'applied:warn']);
  });

  it('reload$.next() forces a reload; completing or erroring it from outside does nothing', async () => {
    const h = await virtual([[0, { text: 'LogLevel debug\n' }]], (h) => {
      h.at(10, () => {
        h.rc.reload$.complete();
        h.rc.reload$.error(new Error('nope'));
        h.rc.reload$.next();
      });
      stop(h);
    });
    assert.equal(h.rc.get().LogLevel, 'debug');
  });

  it('stops polling when the AbortSignal given to startWatcher aborts', async () => {
    const controller = new AbortController();
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [250, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100, controller.signal);
        h.at(150, () => controller.abort());
        stop(h);
      },
    );
    assert.equal(h.rc.get().LogLevel, 'info');
    assert.equal(h.source.log.looks, 2);
    assert.equal(h.rc.status().watching, false);
  });

  it('stop() completes every stream, rejects pending reloads, and is idempotent', async () => {
    const completed: string[] = [];
    let pending: Promise<unknown> | undefined;
    let stops: Array<Promise<void>> = [];
    const h = await virtual([[0, { text: 'LogLevel debug\n', racy: true }]], (h) => {
      const streams: Array<[string, Observable<unknown>]> = [
        ['config$', h.rc.config$],
        ['changes$', h.rc.changes$],
        ['rejections$', h.rc.rejections$],
        ['status$', h.rc.status$],
      ];
      for (const [name, s] of streams) s.subscribe({ complete: () => completed.push(name) });
      h.rc.startWatcher(100);
      // The first look settles for 10 ms; stopping at 5 ms aborts it.
      h.at(5, () => {
        pending = h.rc.reload().catch((e: unknown) => e);
        stops = [h.rc.stop(), h.rc.stop()];
      });
    });
    assert.equal(stops[0], stops[1]);
    await stops[0];
    assert.deepEqual(completed.sort(), ['changes$', 'config$', 'rejections$', 'status$']);
    const err = await pending;
    assert.ok(err instanceof ReloadError && err.rejection.cause === 'stopped');
    await assert.rejects(h.rc.reload(), ReloadError);
    assert.throws(() => h.rc.startWatcher(100), /after stop/);
    assert.equal(h.rc.get().LogLevel, 'info');
  });

  it('logs the warnings of a loaded file (an unknown key) once per distinct set', async () => {
    const h = await virtual(
      [
        [0, { text: 'SocksPrt 9050\n' }],
        [150, { text: 'SocksPrt 9050\n# touched\n' }],
        [250, { text: 'LogLevel info\n' }],
        [350, { text: 'SocksPrt 9050\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    const warned = h.log.find(logMessages.warning);
    assert.equal(warned.length, 2);
    assert.deepEqual(
      [warned[0]?.file, warned[0]?.line, warned[0]?.reason],
      ['/fake/torrc', 1, "Unknown option 'SocksPrt' (did you mean 'SocksPort'?)."],
    );
  });

  it('reports status: generation, watching, last error and hash', async () => {
    const statuses: string[] = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { text: 'LogLevel loud\n' }],
      ],
      (h) => {
        h.rc.status$.subscribe((s) =>
          statuses.push(`${s.generation}:${s.watching}:${s.lastError?.kind ?? '-'}`),
        );
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(
      [...new Set(statuses)],
      ['0:false:-', '0:true:-', '1:true:-', '1:true:invalid', '1:false:invalid'],
    );
    assert.match(h.rc.status().sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it('refuses bad options and an invalid initial config at construction', () => {
    assert.throws(() => new ReloadableConfig(base, '/t', undefined, { settleMs: -1 }), TypeError);
    assert.throws(
      () =>
        new ReloadableConfig(base, '/t', undefined, { settle: 50 } as Partial<
          ReloadOptions<TorConfig>
        >),
      /unknown ReloadableConfig option 'settle'/,
    );
    assert.throws(
      () => new ReloadableConfig(base, '/t', undefined, { restartRequired: 'maybe' as 'keep' }),
      TypeError,
    );
    assert.throws(
      () => new ReloadableConfig({ ...base, ConnLimit: 0 }, '/t'),
      /ConnLimit must be at least 1/,
    );
    assert.throws(() => new ReloadableConfig(base, '../etc/torrc'), TypeError);
  });
});

describe('ReloadableConfig: the fast path, from a source with change hints (virtual time)', () => {
  // The fake file with hints a test sends on a subject: a file source's fs.watch, in virtual time.
  const hinting =
    (hints: Subject<ChangeHint>, counter = { subscribed: 0 }) =>
    (fake: FakeSource): SnapshotSource => ({
      name: fake.name,
      look: () => fake.look(),
      changeHints: () =>
        defer(() => {
          counter.subscribed++;
          return hints;
        }),
    });

  it('looks when hinted, at once and deduplicated like a poll; status and logs follow the hints', async () => {
    const hints = new Subject<ChangeHint>();
    const appliedAt: number[] = [];
    const fastPaths: string[] = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [250, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.changes$.subscribe(() => appliedAt.push(h.ts.now()));
        h.rc.status$.subscribe((s) => {
          const shown = `${s.fastPath}${s.fastPathReason === undefined ? '' : `: ${s.fastPathReason}`}`;
          if (fastPaths.at(-1) !== shown) fastPaths.push(shown);
        });
        // A poll once a minute: only the hints can explain a read before that.
        h.rc.startWatcher(60_000);
        h.at(1, () => hints.next({ kind: 'armed' }));
        h.at(100, () => hints.next({ kind: 'changed' })); // nothing moved: no read
        h.at(250, () => hints.next({ kind: 'changed' }));
        h.at(300, () => hints.next({ kind: 'unavailable', reason: 'cannot watch /fake: ENOSPC' }));
        h.at(310, () => hints.next({ kind: 'unavailable', reason: 'cannot watch /fake: ENOSPC' }));
        h.at(400, () => hints.next({ kind: 'armed' }));
        h.at(500, () => h.rc.stopWatcher());
        stop(h);
      },
      {},
      base,
      hinting(hints),
    );
    assert.deepEqual(appliedAt, [250]);
    assert.deepEqual(
      h.changes.map((c) => c.trigger),
      ['watch'],
    );
    // The first poll's read, and the hinted one at 250; the hint at 100 saw the same version.
    assert.equal(h.source.log.reads, 2);
    assert.equal(h.source.log.looks, 3);
    assert.deepEqual(fastPaths, [
      'off: the watcher is stopped',
      'starting: arming the watches',
      'watching',
      'polling-only: cannot watch /fake: ENOSPC',
      'watching',
      'off: the watcher is stopped',
    ]);
    const warned = h.log.find(logMessages.watchUnavailable);
    assert.deepEqual(
      warned.map((l) => [l.level, l.reason]),
      [[40, 'cannot watch /fake: ENOSPC']],
    );
    assert.equal(h.log.find(logMessages.watchRestored).length, 1);
    assert.equal(h.log.find(logMessages.fileChanged).length, 1);
    assert.equal(h.log.find(logMessages.manualReload).length, 0);
  });

  it('arms the hints on startWatcher, keeps them across a new interval, releases them on stopWatcher', async () => {
    const hints = new Subject<ChangeHint>();
    const counter = { subscribed: 0 };
    await virtual(
      [[0, { text: 'LogLevel info\n' }]],
      (h) => {
        h.at(0, () => h.rc.startWatcher(100));
        h.at(50, () => h.rc.startWatcher(200));
        h.at(60, () => assert.equal(hints.observed, true));
        h.at(70, () => h.rc.stopWatcher());
        h.at(80, () => assert.equal(hints.observed, false));
        h.at(90, () => h.rc.startWatcher(100));
        stop(h);
      },
      {},
      base,
      hinting(hints, counter),
    );
    assert.equal(counter.subscribed, 2);
    assert.equal(hints.observed, false, 'stop() released them');
  });

  it('with fsWatch: false, or a source without hints, polls only and says why', async () => {
    const hints = new Subject<ChangeHint>();
    const counter = { subscribed: 0 };
    const off = await virtual(
      [[0, { text: 'LogLevel info\n' }]],
      (h) => {
        h.rc.startWatcher(100);
        h.at(50, () => {
          assert.deepEqual(
            [h.rc.status().fastPath, h.rc.status().fastPathReason],
            ['off', 'fsWatch: false'],
          );
        });
        stop(h);
      },
      { fsWatch: false },
      base,
      hinting(hints, counter),
    );
    assert.equal(counter.subscribed, 0);
    assert.equal(off.rc.status().fastPath, 'off');
    await virtual([[0, { text: 'LogLevel info\n' }]], (h) => {
      h.rc.startWatcher(100);
      h.at(50, () => {
        assert.deepEqual(
          [h.rc.status().fastPath, h.rc.status().fastPathReason],
          ['off', 'the source gives no change hints'],
        );
      });
      stop(h);
    });
  });

  it('a hint stream that errors leaves polling alone: one warning, and polls still apply', async () => {
    const hints = new Subject<ChangeHint>();
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [150, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        h.at(20, () => hints.error(new Error('inotify gave up')));
        stop(h);
      },
      {},
      base,
      hinting(hints),
    );
    assert.deepEqual(
      h.changes.map((c) => c.trigger),
      ['poll'],
    );
    assert.equal(h.log.find(logMessages.watchUnavailable).length, 1);
    assert.match(String(h.log.find(logMessages.watchUnavailable)[0]?.reason), /inotify gave up/);
    assert.deepEqual(h.rejections, []);
  });
});

// A source that behaves like `fake` except where `over` says otherwise: the hostile plug-ins.
function hostile(
  over: (fake: FakeSource, look: number) => Partial<SnapshotSource> | undefined,
): (fake: FakeSource) => SnapshotSource {
  return (fake) => {
    let looks = 0;
    return {
      name: fake.name,
      look: () => {
        looks++;
        return (over(fake, looks)?.look ?? (() => fake.look()))();
      },
    };
  };
}

const kinds = (rs: ReadonlyArray<Rejection>) => rs.map((r) => `${r.kind}:${r.cause}`);

describe('ReloadableConfig: a look that never answers (virtual time)', () => {
  it('is given up after lookTimeoutMs as internal/look, and polling goes on to the next save', async () => {
    const lookedAt: number[] = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [2000, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
      { lookTimeoutMs: 1000 },
      base,
      (fake) => {
        const hanging = hostile((_fake, n) => (n === 3 ? { look: () => NEVER } : undefined))(fake);
        return {
          name: hanging.name,
          look: () => {
            lookedAt.push(fake.scheduler.now());
            return hanging.look();
          },
        };
      },
    );
    // The third look (at 200) hangs, and nothing looks while it does; at 1200 it is given up
    // (one internal problem, which the next look's success settles unreported), and that tick
    // looks again.
    assert.deepEqual(lookedAt.slice(0, 5), [0, 100, 200, 1200, 1300]);
    // Polling went on: the save at 2000 is live, from a poll.
    assert.equal(h.rc.get().LogLevel, 'debug');
    assert.equal(h.changes.at(-1)?.trigger, 'poll');
    assert.equal(h.rc.status().lastError, undefined);
  });

  it('a look that keeps hanging is reported as internal/look, once per attempt', async () => {
    const h = await virtual(
      [[0, { text: 'LogLevel info\n' }]],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
      { lookTimeoutMs: 1000 },
      base,
      hostile((_fake, n) => (n >= 2 ? { look: () => NEVER } : undefined)),
    );
    const given = h.rejections.filter((r) => r.kind === 'internal' && r.cause === 'look');
    assert.ok(given.length >= 1, JSON.stringify(h.rejections));
    assert.match(given[0]?.reason ?? '', /look did not answer within 1000 ms/);
    assert.equal(h.rc.status().lastError?.cause, 'look');
    // The config that was live stays live.
    assert.equal(h.rc.get().LogLevel, 'info');
  });

  it('lookTimeoutMs must be a time in ms, more than 0', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => new ReloadableConfig(base, '/fake/torrc', undefined, { lookTimeoutMs: bad }),
        TypeError,
      );
    }
  });
});

describe("ReloadableConfig: the source's version and health in status (virtual time)", () => {
  it('shows the version of the content running, and names the version a rejection refused', async () => {
    const versions: Array<string | undefined> = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel info\n' }],
        [150, { text: 'LogLevel debug\n' }],
        [350, { text: 'NoSuchOption 1\n' }],
      ],
      (h) => {
        h.rc.status$.subscribe((s) => {
          if (versions.length === 0 || versions.at(-1) !== s.version) versions.push(s.version);
        });
        h.rc.startWatcher(100);
        stop(h);
      },
      { strict: true },
    );
    // v0 read at 0 (unchanged), v1 applied at 200; v2 refused, so v1 stays the version running.
    assert.deepEqual(versions, [undefined, 'v0', 'v1']);
    assert.equal(h.rejections.length, 1);
    assert.equal(h.rejections[0]?.version, 'v2');
    assert.equal(h.rc.status().lastError?.version, 'v2');
    assert.equal(h.rc.status().source, undefined, 'a source without health() shows none');
  });

  it("shows a remote source's health in status() from construction, and lets it go at stop()", async () => {
    const health = new Subject<{ reachable: boolean; since: number; detail: string }>();
    let subscribed = 0;
    const shown: string[] = [];
    const h = await virtual(
      [[0, { text: 'LogLevel info\n' }]],
      (h) => {
        h.rc.status$.subscribe((s) => {
          const text = s.source === undefined ? '-' : `${s.source.reachable}@${s.source.since}`;
          if (shown.at(-1) !== text) shown.push(text);
        });
        h.at(10, () => health.next({ reachable: true, since: 10, detail: 'connected' }));
        h.at(20, () => health.next({ reachable: false, since: 20, detail: 'etcd down' }));
        // A malformed health value is dropped, not shown.
        h.at(30, () => health.next({ reachable: 'yes' } as never));
        stop(h);
      },
      {},
      base,
      (fake) => ({
        name: fake.name,
        look: () => fake.look(),
        health: () =>
          defer(() => {
            subscribed++;
            return health;
          }),
      }),
    );
    assert.deepEqual(shown, ['-', 'true@10', 'false@20']);
    assert.equal(subscribed, 1);
    assert.equal(h.rc.status().source?.detail, 'etcd down');
    assert.equal(health.observed, false, 'stop() unsubscribed from the health stream');
  });
});

describe('ReloadableConfig: nothing a plug-in does ends it (virtual time)', () => {
  const timeline: ReadonlyArray<readonly [number, FakeFile]> = [
    [0, { text: 'LogLevel debug\n' }],
    [250, { text: 'LogLevel warn\n' }],
  ];
  const looks: Array<[string, () => Observable<SourceState>]> = [
    ['errors', () => throwError(() => new Error('stat exploded'))],
    [
      'throws synchronously',
      () => {
        throw new Error('stat exploded');
      },
    ],
    [
      'emits a malformed state',
      () => of({ kind: 'snapshot', version: 7 } as unknown as SourceState),
    ],
  ];
  for (const [how, bad] of looks) {
    it(`a look() that ${how} is an internal rejection; polling goes on and the next save applies`, async () => {
      const h = await virtual(
        timeline,
        (h) => {
          h.rc.startWatcher(100);
          stop(h);
        },
        {},
        base,
        // Looks 2 and 3 (the tick at 100 ms and its settle look) fail; a single failed look that
        // the settle look contradicts is not reported.
        hostile((_fake, n) => (n === 2 || n === 3 ? { look: bad } : undefined)),
      );
      assert.deepEqual(kinds(h.rejections), ['internal:look']);
      assert.deepEqual(
        h.configs.map((c) => c.LogLevel),
        ['info', 'debug', 'warn'],
      );
      assert.equal(h.rc.status().lastError, undefined, 'cleared by the later success');
      assert.equal(h.log.find(logMessages.rejected)[0]?.kind, 'internal');
    });
  }

  it('a read() that throws synchronously is an internal rejection answering reload()', async () => {
    const results: unknown[] = [];
    const h = await virtual(
      [[0, { text: 'LogLevel debug\n' }]],
      (h) => {
        h.at(0, () => void h.rc.reload().catch((e: unknown) => results.push(e)));
        h.at(50, () => void h.rc.reload().then((r) => results.push(r.status)));
        stop(h);
      },
      {},
      base,
      hostile((fake, n) =>
        n === 1
          ? {
              look: () =>
                fake.look().pipe((s$) => {
                  const state = fake.stateAt(0);
                  return state.kind === 'snapshot'
                    ? of<SourceState>({
                        ...state,
                        read: () => {
                          throw new Error('read exploded');
                        },
                      })
                    : s$;
                }),
            }
          : undefined,
      ),
    );
    const [first, second] = results;
    assert.ok(first instanceof ReloadError);
    assert.deepEqual([first.rejection.kind, first.rejection.cause], ['internal', 'read']);
    assert.equal((first.rejection.error as Error).message, 'read exploded');
    assert.equal(second, 'applied');
    assert.equal(h.rc.get().LogLevel, 'debug');
  });

  // Hostile profiles: the first two loads (the tick at 0 and its racy re-read, or the tick at 0
  // alone) meet the hostile part, later ones the real Tor profile.
  const firstLoads = (n: number) => {
    let loads = 0;
    return () => ++loads <= n;
  };
  const profiles: Array<[string, (hostileNow: () => boolean) => Profile<TorConfig>]> = [
    [
      'a decode() that returns a config that is not a TorConfig',
      (now) => ({
        ...memoryTorProfile,
        decode: (doc, context) =>
          now()
            ? E.right({
                config: { ...base, CircuitPoolMaxSize: 'lots' } as unknown as TorConfig,
                warnings: [],
              })
            : memoryTorProfile.decode(doc, context),
      }),
    ],
    [
      'a decode() that throws',
      (now) => ({
        ...memoryTorProfile,
        decode: (doc, context) => {
          if (now()) throw new Error('codec exploded');
          return memoryTorProfile.decode(doc, context);
        },
      }),
    ],
    [
      'a format whose parse() throws synchronously',
      (now) => ({
        ...memoryTorProfile,
        format: {
          name: 'hostile',
          parse: (input) => {
            if (now()) throw new Error('parser exploded');
            return memoryTorProfile.format.parse(input);
          },
        },
      }),
    ],
    [
      'a validate() that throws',
      (now) => ({
        ...memoryTorProfile,
        // Only for the file's config (LogLevel debug): the initial config is checked at
        // construction, where a throw is the programmer's error it is.
        validate: (config) => {
          if (config.LogLevel === 'debug' && now()) throw new Error('validator exploded');
          return memoryTorProfile.validate(config);
        },
      }),
    ],
  ];
  for (const [how, make] of profiles) {
    it(`${how} is an internal rejection; nothing is applied, and the next save is`, async () => {
      const h = await virtual(
        timeline,
        (h) => {
          h.rc.startWatcher(100);
          stop(h);
        },
        { profile: make(firstLoads(1)) },
      );
      assert.deepEqual(kinds(h.rejections), ['internal:decode']);
      assert.deepEqual(
        h.configs.map((c) => c.LogLevel),
        ['info', 'warn'],
      );
    });
  }

  it('a logger that throws on every call changes nothing but gets its own internal rejection', async () => {
    const throwing = {
      child() {
        return this;
      },
      debug() {
        throw new Error('disk full');
      },
      info() {
        throw new Error('disk full');
      },
      warn() {
        throw new Error('disk full');
      },
      error() {
        throw new Error('disk full');
      },
    } as unknown as Logger;
    const results: string[] = [];
    const h = await virtual(
      timeline,
      (h) => {
        h.rc.startWatcher(100);
        h.at(400, () => void h.rc.reload().then((r) => results.push(r.status)));
        stop(h);
      },
      {},
      base,
      undefined,
      throwing,
    );
    assert.deepEqual(
      h.configs.map((c) => c.LogLevel),
      ['info', 'debug', 'warn'],
    );
    assert.deepEqual(results, ['unchanged']);
    assert.ok(h.rejections.length > 0);
    assert.ok(h.rejections.every((r) => r.kind === 'internal' && r.cause === 'logger'));
    const [first] = h.rejections;
    assert.ok(first?.error instanceof Error);
    assert.equal(first.error.message, 'disk full');
    assert.equal(h.rc.status().lastError, undefined, 'a logger failure is not a failed reload');
  });

  it('a logger whose child() throws is used as it is', async () => {
    const sink = logSink();
    const odd = Object.create(sink.logger, {
      child: {
        value: () => {
          throw new Error('no children');
        },
      },
    }) as Logger;
    const h = await virtual(
      timeline,
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
      {},
      base,
      undefined,
      odd,
    );
    assert.equal(h.rc.get().LogLevel, 'warn');
    assert.ok(sink.find(logMessages.reloaded).length >= 1);
  });

  it('a scheduler whose now() throws once errors the pipeline itself: it is rebuilt and goes on', async () => {
    const ts = scheduler();
    let fail = false;
    let h: Harness | undefined;
    const results: unknown[] = [];
    ts.run(() => {
      const flaky = {
        now: () => {
          if (fail) {
            fail = false;
            throw new Error('clock broke');
          }
          return ts.now();
        },
        schedule: ts.schedule.bind(ts),
      };
      const source = new FakeSource(ts, timeline);
      const rc = new ReloadableConfig(base, '/fake/torrc', undefined, {
        settleMs: 10,
        scheduler: flaky,
        source,
        profile: memoryTorProfile,
      });
      const rejections: Rejection[] = [];
      rc.rejections$.subscribe((r) => rejections.push(r));
      h = {
        rc,
        ts,
        source,
        log: logSink(),
        configs: [],
        changes: [],
        rejections,
        at: (at, fn) => void ts.schedule(fn, at),
      };
      rc.startWatcher(100);
      ts.schedule(() => {
        fail = true;
        void rc.reload().catch((e: unknown) => results.push(e));
      }, 50);
      ts.schedule(() => void rc.stop(), 10_000);
      ts.flush();
    });
    await new Promise((r) => setImmediate(r));
    assert.ok(h !== undefined);
    assert.deepEqual(kinds(h.rejections), ['internal:pipeline']);
    const [err] = results;
    assert.ok(err instanceof ReloadError && err.rejection.cause === 'pipeline');
    assert.equal(h.rc.get().LogLevel, 'warn', 'the rebuilt pipeline applied the later save');
  });

  it('stop() resolves and a pending reload() settles even when a look never answers', async () => {
    let pending: Promise<unknown> | undefined;
    const h = await virtual(
      timeline,
      (h) => {
        h.at(10, () => {
          pending = h.rc.reload().catch((e: unknown) => e);
        });
        h.at(500, () => void h.rc.stop());
      },
      {},
      base,
      hostile(() => ({ look: () => NEVER })),
    );
    await h.rc.stop();
    const err = await pending;
    assert.ok(err instanceof ReloadError && err.rejection.cause === 'stopped');
  });
});

describe('ReloadableConfig: what every attempt tells (virtual time)', () => {
  it('rejections$ hears every rejected attempt: the same invalid content saved twice is two rejections', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { text: 'LogLevel loud\n' }],
        [350, { text: 'LogLevel loud\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    assert.deepEqual(kinds(h.rejections), ['invalid:invalid', 'invalid:invalid']);
    // Each save was announced, so each ends with an info-level outcome line.
    const outcomes = h.log.find(logMessages.attempt).filter((l) => l.outcome === 'rejected');
    assert.deepEqual(
      outcomes.map((l) => l.level),
      [30, 30],
    );
  });

  it('ends every announced attempt with an info-level outcome line, unchanged ones included', async () => {
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { text: '# a comment\nLogLevel debug\n' }],
      ],
      (h) => {
        h.rc.startWatcher(100);
        stop(h);
      },
    );
    const messages = h.log.lines.map((l) => `${l.level}:${l.msg}:${l.outcome ?? ''}`);
    const changed = messages.indexOf(`30:${logMessages.fileChanged}:`);
    assert.ok(changed >= 0);
    assert.equal(messages[changed + 1], `30:${logMessages.attempt}:unchanged`);
  });

  it('status().pendingRestart lists the restart-only fields where file and running config differ', async () => {
    const seen: string[] = [];
    const h = await virtual(
      [
        [0, { text: 'LogLevel debug\n' }],
        [150, { text: 'LogLevel debug\nSocksPort 9150\n' }],
        [350, { text: 'LogLevel debug\n' }],
      ],
      (h) => {
        h.rc.status$.subscribe((s) => seen.push(s.pendingRestart.map((c) => c.text).join(',')));
        h.rc.startWatcher(100);
        h.at(250, () =>
          assert.deepEqual(
            h.rc.status().pendingRestart.map((c) => c.field),
            ['SocksPort'],
          ),
        );
        stop(h);
      },
    );
    assert.deepEqual(h.changes.length, 1, 'only the first load changed a live field');
    const moves = seen.filter((x, i) => i === 0 || x !== seen[i - 1]);
    assert.deepEqual(moves, ['', 'SocksPort: 9050 -> 9150', '']);
    assert.deepEqual(h.rc.status().pendingRestart, []);
  });
});

describe('ReloadableConfig: callbacks and stop() (real time)', () => {
  it('a callback that awaits rc.stop() does not deadlock it; its signal aborts', async () => {
    const source = new FakeSource(asyncScheduler, [[0, { text: 'LogLevel debug\n' }]]);
    const rc = new ReloadableConfig(base, '/fake/torrc', undefined, {
      source,
      callbackTimeoutMs: 600_000,
    });
    let signal: AbortSignal | undefined;
    let stopped: Promise<void> | undefined;
    rc.onReload(async (_o, _n, s) => {
      signal = s;
      stopped = rc.stop();
      await stopped;
    });
    const answer = rc.reload().catch((e: unknown) => e);
    const err = await answer;
    assert.ok(err instanceof ReloadError);
    assert.deepEqual([err.rejection.kind, err.rejection.cause], ['vetoed', 'stopped']);
    await stopped;
    assert.equal(signal?.aborted, true);
    assert.equal(rc.get().LogLevel, 'info', 'a change cut short is not committed');
  });
  it('a callback returning a rejecting thenable vetoes the change', async () => {
    const source = new FakeSource(asyncScheduler, [[0, { text: 'LogLevel debug\n' }]]);
    const rc = new ReloadableConfig(base, '/fake/torrc', undefined, { source });
    rc.onReload(
      () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: the thenable under test
          then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('not now')),
        }) as unknown as PromiseLike<undefined>,
    );
    const err = await rc.reload().catch((e: unknown) => e);
    assert.ok(err instanceof ReloadError);
    assert.deepEqual([err.rejection.kind, err.rejection.cause], ['vetoed', 'veto']);
    assert.match(err.rejection.reason, /not now/);
    assert.equal(rc.get().LogLevel, 'info');
    await rc.stop();
  });
});

describe('ReloadableConfig on real files', function () {
  this.timeout(20_000);
  let dir: string;
  let rc: ReloadableConfig | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-rc-'));
  });
  afterEach(async () => {
    await rc?.stop();
    rc = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('a callback registered after an apply without callbacks is still cut short by stop()', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {
      callbackTimeoutMs: 600_000,
    });
    const stopping = rc;
    assert.equal((await rc.reload()).status, 'unchanged');
    let signal: AbortSignal | undefined;
    let stopped: Promise<void> | undefined;
    rc.onReload(async (_o, _n, s) => {
      signal = s;
      assert.equal(s.aborted, false, 'not stopped yet');
      stopped = stopping.stop();
      await stopped;
    });
    await writeFile(path, 'LogLevel debug\n');
    const err = await rc.reload().catch((e: unknown) => e);
    assert.ok(err instanceof ReloadError);
    assert.deepEqual([err.rejection.kind, err.rejection.cause], ['vetoed', 'stopped']);
    await stopped;
    assert.ok(signal?.aborted === true && signal.reason instanceof Error);
    assert.equal(signal.reason.message, 'the reloadable config was stopped');
    assert.equal(rc.get().LogLevel, 'info');
  });

  it('forty watchers started in a loop: the first look of each unchanged file sets its hash and applies nothing', async () => {
    const text = 'SocksPort 9050\nLogLevel warn\n';
    const paths = Array.from({ length: 40 }, (_, i) => join(dir, `torrc-${i}`));
    await Promise.all(paths.map((p) => writeFile(p, text)));
    const initial = await loadFromFile(paths[0] as string);
    const rcs = paths.map((p) => new ReloadableConfig(initial, p, undefined, {}));
    const changes: unknown[] = [];
    const rejections: Rejection[] = [];
    try {
      for (const r of rcs) {
        r.changes$.subscribe((c) => changes.push(c));
        r.rejections$.subscribe((x) => rejections.push(x));
      }
      for (const r of rcs) r.startWatcher(60_000);
      assert.ok(rcs.every((r) => r.status().watching));
      while (!rcs.every((r) => r.status().sha256 !== undefined)) {
        await new Promise((done) => setTimeout(done, 5));
      }
      const sha256 = createHash('sha256').update(text).digest('hex');
      assert.ok(rcs.every((r) => r.status().sha256 === sha256));
      assert.ok(rcs.every((r) => r.status().generation === 0 && r.get() === initial));
      assert.deepEqual(changes, []);
      assert.deepEqual(rejections, []);
      // Each still answers a manual reload, as unchanged.
      const answers = await Promise.all(rcs.map((r) => r.reload()));
      assert.ok(answers.every((a) => a.status === 'unchanged'));
    } finally {
      await Promise.all(rcs.map((r) => r.stop()));
    }
  });

  it('latest wins at apply: ten saves during a slow callback are one more apply, of the last', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'CircuitPoolMaxSize 15\n');
    const r = new ReloadableConfig(base, path, undefined, { settleMs: 5 });
    rc = r;
    const seen: number[] = [];
    r.onReload(async (_o, n) => {
      seen.push(n.CircuitPoolMaxSize);
      if (seen.length === 1) await new Promise((done) => setTimeout(done, 600));
    });
    r.startWatcher(10);
    // Wait for the first apply to be under way, then save ten times while it runs.
    while (seen.length === 0) await new Promise((done) => setTimeout(done, 5));
    for (let i = 1; i <= 10; i++) {
      await writeFile(`${path}.tmp`, `CircuitPoolMaxSize ${20 + i}\n`);
      await rename(`${path}.tmp`, path);
      await new Promise((done) => setTimeout(done, 20));
    }
    await r.reload();
    assert.equal(r.get().CircuitPoolMaxSize, 30);
    // The first (slow) apply, then the newest save that waited for it: never each save in turn.
    assert.ok(seen.length <= 3, `callbacks ran ${seen.length} times: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 30);
  });

  it('a format whose parse() rejects is an internal rejection; the next load applies', async () => {
    const source = new FakeSource(asyncScheduler, [[0, { text: 'LogLevel debug\n' }]]);
    let hostileNow = true;
    const rc = new ReloadableConfig(base, '/fake/torrc', undefined, {
      source,
      profile: {
        ...torProfile,
        format: {
          name: 'hostile',
          parse: (input) => {
            if (!hostileNow) return torProfile.format.parse(input);
            hostileNow = false;
            return Promise.reject(new Error('parser exploded'));
          },
        },
      },
    });
    const err = await rc.reload().catch((e: unknown) => e);
    assert.ok(err instanceof ReloadError);
    assert.deepEqual([err.rejection.kind, err.rejection.cause], ['internal', 'decode']);
    assert.match(err.rejection.reason, /parser exploded/);
    assert.equal((await rc.reload()).status, 'applied');
    assert.equal(rc.get().LogLevel, 'debug');
    await rc.stop();
  });
});

describe('ReloadableConfig: many watchers on one clock (virtual time)', () => {
  // A source whose looks take 5 ms: how many are in flight at once is what the queue bounds.
  function slowLooks(ts: TestScheduler, inFlight: { now: number; most: number }): SnapshotSource {
    const fake = new FakeSource(ts, [[0, { text: 'LogLevel info\n' }]]);
    return {
      name: fake.name,
      look: () =>
        defer(() => {
          inFlight.now++;
          inFlight.most = Math.max(inFlight.most, inFlight.now);
          return timer(5, ts).pipe(
            map(() => fake.stateAt(ts.now())),
            finalize(() => inFlight.now--),
          );
        }),
    };
  }

  it('two hundred started in a loop begin a few at a time; each makes its first look and sets its hash', () => {
    const ts = scheduler();
    const inFlight = { now: 0, most: 0 };
    const rcs: ReloadableConfig[] = [];
    const firstLookAt: number[] = [];
    ts.run(() => {
      for (let i = 0; i < 200; i++) {
        const rc = new ReloadableConfig(base, `/fake/torrc-${i}`, undefined, {
          scheduler: ts,
          profile: memoryTorProfile,
          source: slowLooks(ts, inFlight),
        });
        rc.status$.subscribe((s) => {
          if (s.sha256 !== undefined && firstLookAt[i] === undefined) firstLookAt[i] = ts.now();
        });
        rcs.push(rc);
      }
      for (const rc of rcs) rc.startWatcher(60_000);
      ts.schedule(() => {
        for (const rc of rcs) void rc.stop();
      }, 59_000);
    });
    // 200 first looks of 5 ms each, eight at a time: done by 200 / 8 * 5 ms, none lost.
    assert.ok(inFlight.most <= 8, `${inFlight.most} looks in flight at once`);
    assert.equal(firstLookAt.filter((t) => t !== undefined).length, 200);
    assert.equal(firstLookAt[0], 5);
    assert.equal(Math.max(...firstLookAt), (200 / 8) * 5);
    assert.ok(rcs.every((rc) => rc.status().sha256 !== undefined));
  });

  it('a watcher stopped while it waits for its place never looks; its place goes to the next', () => {
    const ts = scheduler();
    const inFlight = { now: 0, most: 0 };
    const looked: number[] = [];
    ts.run(() => {
      const rcs = Array.from({ length: 10 }, (_, i) => {
        const slow = slowLooks(ts, inFlight);
        return new ReloadableConfig(base, `/fake/torrc-${i}`, undefined, {
          scheduler: ts,
          profile: memoryTorProfile,
          source: {
            name: slow.name,
            look: () => {
              looked.push(i);
              return slow.look();
            },
          },
        });
      });
      for (const rc of rcs) rc.startWatcher(60_000);
      // The ninth and tenth wait; the ninth is stopped before its turn, the tenth keeps waiting.
      assert.deepEqual(looked, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.equal(rcs[8]?.status().watching, true);
      rcs[8]?.stopWatcher();
      assert.equal(rcs[8]?.status().watching, false);
      ts.schedule(() => {
        for (const rc of rcs) void rc.stop();
      }, 1000);
    });
    assert.deepEqual(looked, [0, 1, 2, 3, 4, 5, 6, 7, 9]);
  });

  it('a watcher whose first look hangs frees its place after a quarter of a second', () => {
    const ts = scheduler();
    const looked: Array<[number, number]> = [];
    ts.run(() => {
      const rcs = Array.from(
        { length: 9 },
        (_, i) =>
          new ReloadableConfig(base, `/fake/torrc-${i}`, undefined, {
            scheduler: ts,
            profile: memoryTorProfile,
            source: {
              name: '/fake/torrc',
              look: () => {
                looked.push([i, ts.now()]);
                return NEVER;
              },
            },
          }),
      );
      for (const rc of rcs) rc.startWatcher(60_000);
      ts.schedule(() => {
        for (const rc of rcs) void rc.stop();
      }, 1000);
    });
    assert.deepEqual(looked.at(-1), [8, 250]);
    assert.equal(looked.length, 9);
  });
});

describe('ReloadableConfig: a callback that asks for a reload and vetoes (real files)', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotrc-veto-loop-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cannot starve the event loop: timers still fire while it goes round, and stop() resolves', async () => {
    const path = join(dir, 'torrc');
    await writeFile(path, 'LogLevel info\n');
    const rc = new ReloadableConfig(await loadFromFile(path), path, undefined, {});
    let calls = 0;
    // "Not now, try again": each veto asks for the next reload. On a local disk a read settles at
    // once, so without a turn of the event loop between them this would run on microtasks alone.
    rc.onReload(() => {
      calls++;
      rc.reload().catch(() => {});
      return new Error('not now');
    });
    await writeFile(join(dir, 'next'), 'LogLevel debug\n');
    await rename(join(dir, 'next'), path);
    const first = await rc.reload().then(
      (r) => r.status,
      (e: unknown) => (e instanceof ReloadError ? e.rejection.kind : 'other'),
    );
    assert.equal(first, 'vetoed');
    // A timer set now fires, with the reloads still going round behind it.
    const seen = await new Promise<number>((resolve) => setTimeout(() => resolve(calls), 20));
    assert.ok(seen >= 1, `${seen}`);
    await rc.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(calls, after, 'no callback after stop()');
    assert.equal(rc.get().LogLevel, 'info');
  });
});
