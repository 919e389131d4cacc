import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { defer, map, type Observable, of, type SchedulerLike } from 'rxjs';
import { type LoadLatestOptions, loadLatest } from '../../lib/engine/load-latest.js';
import type {
  Candidate,
  FailedLoad,
  Observation,
  ReadResult,
  SnapshotSource,
  SourceState,
  TriggerKind,
} from '../../lib/engine/types.js';
import type { TorConfig } from '../../lib/tor/schema/tor-config.js';
import { type FakeFile, FakeSource } from '../support/fake-source.js';
import { scheduler } from '../support/marbles.js';
import { clockSetBack, earlyTimers } from '../support/skewed-schedulers.js';
import { virtualTurns } from '../support/virtual-turns.js';

const SETTLE = 10;

// The fake's own decode, as the engine's load stage (the profile's work) would run it.
const loadOf = (fake: FakeSource) => (bytes: Uint8Array, signal: AbortSignal) =>
  fake.decode(bytes, signal);

// Candidates shown by LogLevel, failures by cause: enough to tell every outcome apart.
const summary = map((r: Candidate<TorConfig> | FailedLoad) =>
  r.kind === 'candidate'
    ? `ok:${r.loaded.config.LogLevel}@${r.answers}`
    : `fail:${r.rejection.cause}`,
);

/**
 * A fake file entry, and the `waitMs` and `readVerifies` its snapshots carry (as the file source
 * gives them; the fake's read answers `moved` whenever the file moved since the look).
 */
type Entry = readonly [
  number,
  FakeFile & { readonly waitMs?: number; readonly readVerifies?: boolean },
];

/** The FakeSource over `timeline`, its snapshots carrying each entry's `waitMs`. */
function waitingSource(
  fake: FakeSource,
  timeline: ReadonlyArray<Entry>,
): SnapshotSource & { stateAt(now: number): SourceState } {
  const withWait = (s: SourceState): SourceState => {
    if (s.kind !== 'snapshot') return s;
    const entry = timeline[Number(s.version.slice(1))]?.[1];
    const waitMs = entry !== undefined && 'waitMs' in entry ? entry.waitMs : undefined;
    const readVerifies = entry !== undefined && 'readVerifies' in entry && entry.readVerifies;
    return {
      ...s,
      ...(waitMs === undefined ? {} : { waitMs }),
      ...(readVerifies === true ? { readVerifies } : {}),
    };
  };
  return {
    name: fake.name,
    look: () => fake.look().pipe(map(withWait)),
    stateAt: (now) => withWait(fake.stateAt(now)),
  };
}

function run(
  timeline: ReadonlyArray<Entry>,
  triggers: string,
  expected: string,
  expectedValues: Record<string, string>,
  options: {
    readMs?: number;
    decodeMs?: number;
    settleTimeoutMs?: number;
    triggerKinds?: Record<string, TriggerKind>;
    /** The trigger subscription as a marble, to check teardown. */
    subscription?: string;
    /** Unsubscribes the output at this marble, as stop() does. */
    unsubscribe?: string;
    /** The scheduler loadLatest is given, over the test's (its timers early, its clock set back). */
    schedulerOf?: (ts: SchedulerLike) => SchedulerLike;
    check?: (s: FakeSource) => void;
    /** Gives loadLatest a FineWait on virtual time, and checks the virtual times of its turns. */
    turns?: (at: ReadonlyArray<number>) => void;
  } = {},
) {
  const ts = scheduler();
  const turns = virtualTurns(ts);
  ts.run(({ cold, expectObservable, expectSubscriptions }) => {
    const fake = new FakeSource(ts, timeline, options.readMs ?? 0, options.decodeMs ?? 0);
    const source = waitingSource(fake, timeline);
    const kinds = options.triggerKinds ?? {};
    const triggers$ = cold(triggers);
    const observations: Observable<Observation> = triggers$.pipe(
      map((t) => ({ trigger: kinds[t] ?? 'poll', state: source.stateAt(ts.now()) })),
    );
    let requests = 0;
    const out = observations.pipe(
      map((o) => {
        if (o.trigger === 'manual') requests++;
        return o;
      }),
      loadLatest(source, loadOf(fake), {
        settleMs: SETTLE,
        settleTimeoutMs: options.settleTimeoutMs ?? 1000,
        scheduler: options.schedulerOf?.(ts) ?? ts,
        ...(options.turns === undefined ? {} : { fineWait: turns.fine }),
        requestNumber: () => requests,
      }),
      summary,
    );
    expectObservable(out, options.unsubscribe).toBe(expected, expectedValues);
    if (options.subscription !== undefined) {
      expectSubscriptions(triggers$.subscriptions).toBe(options.subscription);
    }
    ts.flush();
    options.check?.(fake);
  });
  options.turns?.(turns.at);
}

describe('loadLatest', () => {
  it('reads a file that has held still at once, then decodes it', () => {
    run(
      [[0, { text: 'LogLevel debug\n' }]],
      'a',
      '3ms a',
      { a: 'ok:debug@0' },
      { readMs: 2, decodeMs: 1 },
    );
  });

  // Node's timers can fire a millisecond or two before their delay is over (they count from the
  // event loop's cached time, in whole ms): each wait is kept with timers on time and early.
  for (const [timing, early] of [
    ['', {}],
    [
      ', with timers that fire 3 ms early',
      { schedulerOf: (ts: SchedulerLike) => earlyTimers(ts, 3) },
    ],
  ] as const) {
    it(`waits the waitMs its source gives before reading, then reads at once${timing}`, () => {
      run(
        [[0, { text: 'LogLevel warn\n', racy: true, waitMs: 25 }]],
        'a',
        '25ms a',
        { a: 'ok:warn@0' },
        early,
      );
    });

    it(`after the wait, reads a snapshot whose read verifies its version with no look first${timing}`, () => {
      run(
        [[0, { text: 'LogLevel warn\n', racy: true, waitMs: 25, readVerifies: true }]],
        'a',
        '25ms a',
        { a: 'ok:warn@0' },
        { ...early, check: (s) => assert.deepEqual([s.log.looks, s.log.reads], [0, 1]) },
      );
    });

    it(`without readVerifies, looks after the wait and reads only a version that held${timing}`, () => {
      run(
        [[0, { text: 'LogLevel warn\n', racy: true, waitMs: 25 }]],
        'a',
        '25ms a',
        { a: 'ok:warn@0' },
        { ...early, check: (s) => assert.deepEqual([s.log.looks, s.log.reads], [1, 1]) },
      );
    });

    it(`waits settleMs for a racy snapshot whose source gives no waitMs${timing}`, () => {
      run(
        [[0, { text: 'LogLevel warn\n', racy: true }]],
        'a',
        `${SETTLE}ms a`,
        { a: 'ok:warn@0' },
        early,
      );
    });
  }

  describe('with a FineWait', () => {
    const lastTwoMs = Array.from({ length: 8 }, (_, i) => 23.25 + i * 0.25);

    for (const readVerifies of [true, false]) {
      it(`spends the last of a snapshot's waitMs on turns, and reads at its instant${readVerifies ? ' (readVerifies)' : ''}`, () => {
        run(
          [[0, { text: 'LogLevel warn\n', racy: true, waitMs: 25, readVerifies }]],
          'a',
          '25ms a',
          { a: 'ok:warn@0' },
          { turns: (at) => assert.deepEqual(at, lastTwoMs) },
        );
      });
    }

    it('waits a settle pause on a timer alone: a racy snapshot with no waitMs, a missing file', () => {
      const none = (at: ReadonlyArray<number>) => assert.deepEqual(at, []);
      run(
        [[0, { text: 'LogLevel warn\n', racy: true }]],
        'a',
        `${SETTLE}ms a`,
        { a: 'ok:warn@0' },
        { turns: none },
      );
      run([[0, { missing: true }]], 'a', `${SETTLE}ms a`, { a: 'fail:missing' }, { turns: none });
    });
  });

  it('keeps a wait by the clock set back mid-wait: never shorter, and not stretched by a step longer than the wait', () => {
    // Set back 1 h at 10 ms: the timer has waited its 25 ms; set back 5 ms: 5 ms more.
    for (const [byMs, marble] of [
      [3_600_000, '25ms a'],
      [5, '30ms a'],
    ] as const) {
      run(
        [[0, { text: 'LogLevel warn\n', racy: true, waitMs: 25, readVerifies: true }]],
        'a',
        marble,
        { a: 'ok:warn@0' },
        { schedulerOf: (ts) => clockSetBack(ts, 10, byMs) },
      );
    }
  });

  it('looks at once when such a read finds the version moved during its wait, and waits anew', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n', waitMs: 20, readVerifies: true }],
        [10, { text: 'LogLevel error\n', waitMs: 20, readVerifies: true }],
      ],
      'a',
      // Read at 20 says moved; the look then (at 20) sees the new version, read at 40.
      '40ms a',
      { a: 'ok:error@0' },
      { check: (s) => assert.deepEqual([s.log.looks, s.log.reads], [1, 2]) },
    );
  });

  it('reads a snapshot whose source says waitMs 0 at once, racy or not (a rename-save)', () => {
    run([[0, { text: 'LogLevel warn\n', racy: true, waitMs: 0 }]], 'a', 'a', { a: 'ok:warn@0' });
  });

  it('keeps waiting while the file keeps changing, and reads the last version only', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n', waitMs: 10 }],
        [5, { text: 'LogLevel info\n', waitMs: 10 }],
        [15, { text: 'LogLevel error\n', waitMs: 10 }],
      ],
      'a',
      // Seen at 10 (moved), at 20 (moved), still at 30: read.
      '30ms a',
      { a: 'ok:error@0' },
      { check: (s) => assert.equal(s.log.reads, 1) },
    );
  });

  it('never applies the empty file of a truncate-then-write', () => {
    run(
      [
        [0, { text: '' }],
        [4, { text: 'LogLevel warn\n', waitMs: 10 }],
      ],
      'a',
      // The empty state settles for 10 ms, the file seen then waits its 10 ms.
      `${2 * SETTLE}ms a`,
      { a: 'ok:warn@0' },
      { check: (s) => assert.equal(s.log.reads, 1) },
    );
  });

  it('looks again after settleMs when the file moves during the read (stat, read, stat)', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [3, { text: 'LogLevel error\n' }],
      ],
      'a',
      // The read (0-5 ms) sees the move; the new version, seen at 15 ms, is read 15-20 ms.
      `${SETTLE + 10}ms a`,
      { a: 'ok:error@0' },
      { readMs: 5, check: (s) => assert.equal(s.log.reads, 2) },
    );
  });

  it('supersedes an older attempt: the stale read is aborted and only the newest result comes out', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [4, { text: 'LogLevel error\n' }],
      ],
      'a 3ms b',
      `${4 + 8}ms b`,
      { b: 'ok:error@0' },
      { readMs: 8, check: (s) => assert.deepEqual([s.log.reads, s.log.readsAborted], [2, 1]) },
    );
  });

  it('aborts a stale decode through its AbortSignal', () => {
    run(
      [
        [0, { text: 'LogLevel debug\n' }],
        [2, { text: 'LogLevel error\n' }],
      ],
      'a 1ms b',
      '-- 6ms b',
      { b: 'ok:error@0' },
      {
        decodeMs: 6,
        check: (s) => assert.deepEqual([s.log.decodes, s.log.decodesAborted], [2, 1]),
      },
    );
  });

  it('reports a missing file only once it stays missing for the settle delay', () => {
    run([[0, { missing: true }]], 'a', `${SETTLE}ms a`, { a: 'fail:missing' });
  });

  it('does not report a delete-and-recreate save as missing', () => {
    run(
      [
        [0, { missing: true }],
        [4, { text: 'LogLevel warn\n' }],
      ],
      'a',
      `${SETTLE}ms a`,
      { a: 'ok:warn@0' },
    );
  });

  describe('the give-up budget (settleTimeoutMs)', () => {
    // A writer that changes the file every 5 ms until `until`, each version waiting 20 ms.
    const writer = (until: number): Entry[] =>
      Array.from({ length: until / 5 + 1 }, (_, i) => [
        i * 5,
        { text: `LogLevel ${i % 2 ? 'info' : 'warn'}\n`, waitMs: 20 },
      ]);

    it('gives up on a file still changing settleTimeoutMs after it began to, at the next change seen', () => {
      // Looks at 20, 40, 60 see new versions; at 60 the file has been changing for 60 >= 50 ms.
      run(writer(100), 'a', '60ms a', { a: 'fail:unstable' }, { settleTimeoutMs: 50 });
    });

    it('never gives up on a file that stopped changing and only waits out its quiet period', () => {
      // The last change is at 45; the look at 60 sees it (moved, 60 >= 50 ms) and gives up...
      run(writer(45), 'a', '60ms a', { a: 'fail:unstable' }, { settleTimeoutMs: 50 });
      // ...but with the last change at 35, the look at 40 sees it (40 < 50 ms), and at 60 it
      // has not moved: it is read, though the attempt is past its budget by then.
      run(writer(35), 'a', '60ms a', { a: 'ok:info@0' }, { settleTimeoutMs: 50 });
    });

    it('does not give up on a manual reload of the version already being waited for', () => {
      // Past the budget at 55 ms, but the version has not moved since the look at 40: the
      // manual attempt waits its 20 ms and reads.
      run(
        writer(35),
        'a 54ms m',
        '75ms b',
        { b: 'ok:info@1' },
        {
          settleTimeoutMs: 50,
          triggerKinds: { m: 'manual' },
        },
      );
    });

    it('counts the budget across attempts that newer polls superseded', () => {
      // A poll every 10 ms sees a new version each time and starts a new attempt; the budget
      // runs from the first of them: the poll at 50 gives up.
      run(
        writer(100),
        'a 9ms b 9ms c 9ms d 9ms e 9ms f',
        '50ms f',
        { f: 'fail:unstable' },
        {
          settleTimeoutMs: 50,
        },
      );
    });

    it('still reads at once a new inode seen after the budget (waitMs 0)', () => {
      // The writer stops at 55; a rename-save lands at 58 and the look at 60 sees it.
      run(
        [...writer(55), [58, { text: 'LogLevel error\n', waitMs: 0 }]],
        'a',
        '60ms a',
        { a: 'ok:error@0' },
        { settleTimeoutMs: 50 },
      );
    });

    it('starts a new budget after an attempt ends', () => {
      run(
        [...writer(60), [130, { text: 'LogLevel error\n', waitMs: 20 }]],
        'a 129ms b',
        '60ms a 69ms - 19ms b',
        { a: 'fail:unstable', b: 'ok:error@0' },
        { settleTimeoutMs: 50 },
      );
    });
  });

  it('turns a bad file into a failure carrying every problem, not an error', () => {
    run([[0, { text: 'LogLevel loud\nConnLimit 0\n' }]], 'a', 'a', { a: 'fail:invalid' });
  });

  it('answers the manual requests made before the attempt began', () => {
    run(
      [[0, { text: 'LogLevel debug\n' }]],
      'm 2ms m',
      '8ms b',
      { b: 'ok:debug@2' },
      { readMs: 5, triggerKinds: { m: 'manual' } },
    );
  });

  it('unsubscribes its input and stops looking when its output is unsubscribed mid-wait', () => {
    run(
      [[0, { text: 'LogLevel debug\n', waitMs: 30 }]],
      'a',
      '',
      {},
      {
        unsubscribe: '^ 9ms !',
        subscription: '^ 9ms !',
        check: (s) => assert.deepEqual([s.log.looks, s.log.reads], [0, 0]),
      },
    );
  });

  it('turns a read that throws into an internal failure, and goes on with the next observation', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const fake = new FakeSource(ts, [[0, { text: 'LogLevel debug\n' }]]);
      let throws = true;
      const source: SnapshotSource = {
        name: fake.name,
        look: () => fake.look(),
      };
      const state = (): SourceState => {
        const s = fake.stateAt(ts.now());
        if (s.kind !== 'snapshot') return s;
        return {
          ...s,
          read: () => {
            if (throws) {
              throws = false;
              throw new Error('read exploded');
            }
            return s.read();
          },
        };
      };
      const out = cold('a 9ms b').pipe(
        map((): Observation => ({ trigger: 'manual', state: state() })),
        loadLatest(source, loadOf(fake), options(ts)),
        summary,
      );
      expectObservable(out).toBe('a 9ms b', { a: 'fail:load', b: 'ok:debug@0' });
    });
  });

  it('turns a snapshot with a waitMs that is not a number >= 0 into an internal failure', () => {
    for (const waitMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      run([[0, { text: 'LogLevel debug\n', waitMs }]], 'a', 'a', { a: 'fail:load' });
    }
  });

  describe('teardown of reads (marble reads)', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const readOf = (text: string): ReadResult => ({
      kind: 'read',
      bytes: new TextEncoder().encode(text),
      sha256: sha(text),
    });

    it('unsubscribes a superseded read at the moment the newer observation arrives', () => {
      const ts = scheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const fake = new FakeSource(ts, [[0, { text: 'LogLevel debug\n' }]]);
        const reads = {
          a: cold<ReadResult>('-----r|', { r: readOf('LogLevel debug\n') }),
          b: cold<ReadResult>('-----r|', { r: readOf('LogLevel warn\n') }),
        };
        const source: SnapshotSource = {
          name: fake.name,
          look: () => of(snapshot('b')),
        };
        function snapshot(version: 'a' | 'b'): SourceState {
          return { kind: 'snapshot', version, racy: false, read: () => reads[version] };
        }
        const out = cold('a 2ms b').pipe(
          map((v): Observation => ({ trigger: 'poll', state: snapshot(v as 'a' | 'b') })),
          loadLatest(source, loadOf(fake), options(ts)),
          summary,
        );
        expectObservable(out).toBe('--- 5ms b', { b: 'ok:warn@0' });
        expectSubscriptions(reads.a.subscriptions).toBe('^--!');
        expectSubscriptions(reads.b.subscriptions).toBe('---^-----!');
      });
    });

    it('never subscribes the read of a version that moved during its wait', () => {
      const ts = scheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const fake = new FakeSource(ts, [[0, { text: 'LogLevel debug\n' }]]);
        const reads = {
          a: cold<ReadResult>('-r|', { r: readOf('LogLevel debug\n') }),
          b: cold<ReadResult>('-r|', { r: readOf('LogLevel warn\n') }),
        };
        const snapshot = (version: 'a' | 'b'): SourceState => ({
          kind: 'snapshot',
          version,
          racy: true,
          waitMs: 10,
          read: () => reads[version],
        });
        // Version a until 5 ms, then b: the look after a's wait sees b, which waits its own 10.
        const source: SnapshotSource = {
          name: fake.name,
          look: () => defer(() => of(snapshot(ts.now() < 5 ? 'a' : 'b'))),
        };
        const out = cold('a').pipe(
          map((): Observation => ({ trigger: 'poll', state: snapshot('a') })),
          loadLatest(source, loadOf(fake), options(ts)),
          summary,
        );
        expectObservable(out).toBe('21ms b', { b: 'ok:warn@0' });
        expectSubscriptions(reads.a.subscriptions).toBe([]);
        expectSubscriptions(reads.b.subscriptions).toBe('20ms ^-!');
      });
    });
  });

  it('refuses a negative or non-finite settleMs or settleTimeoutMs (a programmer error)', () => {
    const ts = scheduler();
    const fake = new FakeSource(ts, []);
    for (const bad of [
      { settleMs: -1 },
      { settleTimeoutMs: Number.NaN },
      { settleTimeoutMs: Number.POSITIVE_INFINITY },
    ]) {
      assert.throws(() => loadLatest(fake, loadOf(fake), { ...options(ts), ...bad }), TypeError);
    }
  });
});

function options(ts: ReturnType<typeof scheduler>): LoadLatestOptions {
  return { settleMs: SETTLE, settleTimeoutMs: 1000, scheduler: ts, requestNumber: () => 0 };
}
