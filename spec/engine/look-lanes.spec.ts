import assert from 'node:assert/strict';
import { BehaviorSubject, map, type Observable, Subject, timer } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { lookLanes } from '../../lib/engine/look-lanes.js';
import type { ChangeHint, Observation, TriggerKind } from '../../lib/engine/types.js';
import { scheduler } from '../support/marbles.js';

const state = { kind: 'snapshot', version: 'v', racy: false, read: () => timer(0) } as never;

/** Looks that take `ms` of virtual time; `log` gets `trigger@start` and `trigger#end`. */
function looks(ts: TestScheduler, ms: number, log: string[]) {
  return (trigger: TriggerKind): Observable<Observation> => {
    log.push(`${trigger}@${ts.now()}`);
    return timer(ms, ts).pipe(map(() => ({ trigger, state })));
  };
}

describe('lookLanes', () => {
  it('drops a plain tick that comes while a poll look runs (exhaust)', () => {
    const ts = scheduler();
    const log: string[] = [];
    ts.run(({ hot, flush }) => {
      const ticks = hot('a-b-c------d');
      const period$ = new BehaviorSubject<number | undefined>(100);
      const seen: string[] = [];
      lookLanes({
        period$,
        polls: () => ticks,
        trailingPolls: false,
        look: looks(ts, 5, log),
      }).looks$.subscribe((o) => seen.push(`${o.trigger}#${ts.now()}`));
      flush();
      assert.deepEqual(log, ['poll@0', 'poll@11']);
      assert.deepEqual(seen, ['poll#5', 'poll#16']);
    });
  });

  it('follows a poll that comes while a poll look runs with one more look (trailing)', () => {
    const ts = scheduler();
    const log: string[] = [];
    ts.run(({ hot, flush }) => {
      const ticks = hot('a-b-c------d');
      lookLanes({
        period$: new BehaviorSubject<number | undefined>(100),
        polls: () => ticks,
        trailingPolls: true,
        look: looks(ts, 5, log),
      }).looks$.subscribe();
      flush();
      // b and c came during the look at 0: one look after it, at 5; then d.
      assert.deepEqual(log, ['poll@0', 'poll@5', 'poll@11']);
    });
  });

  it('looks at every manual reload and signal in turn, in order (a queue)', () => {
    const ts = scheduler();
    const log: string[] = [];
    ts.run(({ hot, flush }) => {
      const signals = hot('--s');
      const { looks$, ask } = lookLanes({
        period$: new BehaviorSubject<number | undefined>(100),
        polls: () => hot('-'),
        trailingPolls: true,
        signals: () => signals,
        look: looks(ts, 5, log),
      });
      ask('manual'); // nothing subscribed yet: nothing to queue it in
      looks$.subscribe();
      ts.schedule(() => ask('manual'), 0);
      ts.schedule(() => ask('manual'), 1);
      ts.schedule(() => ask('manual'), 2);
      flush();
      // Each in the order it came: the ask at 2 was scheduled before the signal of frame 2.
      assert.deepEqual(log, ['manual@0', 'manual@5', 'manual@10', 'signal@15']);
    });
  });

  it('arms hints and signals while the watcher runs, keeps them across a new interval, swaps the polls', () => {
    const ts = scheduler();
    const log: string[] = [];
    const events: string[] = [];
    const told: string[] = [];
    ts.run(({ flush }) => {
      const period$ = new BehaviorSubject<number | undefined>(undefined);
      const hints = new Subject<ChangeHint>();
      const signals = new Subject<void>();
      lookLanes({
        period$,
        polls: (p) => {
          events.push(`polls ${p}`);
          return timer(0, p, ts);
        },
        trailingPolls: true,
        hints: () => {
          events.push('hints armed');
          return hints;
        },
        onHint: (h) => told.push(h.kind),
        signals: () => {
          events.push('signals on');
          return signals;
        },
        look: looks(ts, 1, log),
      }).looks$.subscribe();
      assert.equal(hints.observed, false);
      ts.schedule(() => period$.next(100), 10);
      ts.schedule(() => {
        hints.next({ kind: 'armed' });
        hints.next({ kind: 'changed' });
      }, 20);
      ts.schedule(() => period$.next(50), 150);
      ts.schedule(() => {
        assert.equal(hints.observed, true);
        assert.equal(signals.observed, true);
        signals.next();
        period$.next(undefined);
        assert.equal(hints.observed, false);
        assert.equal(signals.observed, false);
      }, 230);
      ts.schedule(() => period$.complete(), 400);
      flush();
    });
    assert.deepEqual(events, ['polls 100', 'hints armed', 'signals on', 'polls 50']);
    assert.deepEqual(told, ['armed', 'changed']);
    assert.deepEqual(log, [
      'poll@10',
      'watch@20',
      'poll@110',
      'poll@150',
      'poll@200',
      'signal@230',
    ]);
  });

  it('starts a new subscription where the watcher is (a pipeline rebuilt after an error)', () => {
    const ts = scheduler();
    const log: string[] = [];
    ts.run(({ flush }) => {
      const period$ = new BehaviorSubject<number | undefined>(100);
      const { looks$: lanes } = lookLanes({
        period$,
        polls: () => timer(0, 100, ts),
        trailingPolls: true,
        look: looks(ts, 1, log),
      });
      const first = lanes.subscribe();
      ts.schedule(() => {
        first.unsubscribe();
        lanes.subscribe();
      }, 150);
      ts.schedule(() => period$.next(undefined), 260);
      flush();
    });
    assert.deepEqual(log, ['poll@0', 'poll@100', 'poll@150', 'poll@250']);
  });

  it('lets a look already running end normally when the watcher stops, and passes errors on', () => {
    const ts = scheduler();
    const log: string[] = [];
    const seen: string[] = [];
    let failed: unknown;
    ts.run(({ flush }) => {
      const period$ = new BehaviorSubject<number | undefined>(100);
      const { looks$, ask } = lookLanes({
        period$,
        polls: () => timer(0, 100, ts),
        trailingPolls: true,
        look: (trigger) => {
          if (trigger === 'manual') throw new Error('look threw');
          return looks(ts, 30, log)(trigger);
        },
      });
      looks$.subscribe({
        next: (o) => seen.push(`${o.trigger}#${ts.now()}`),
        error: (err: unknown) => {
          failed = err;
        },
      });
      ts.schedule(() => period$.next(undefined), 10);
      ts.schedule(() => ask('manual'), 50);
      flush();
    });
    assert.deepEqual(log, ['poll@0']);
    assert.deepEqual(seen, ['poll#30']);
    assert.equal((failed as Error).message, 'look threw');
  });
});
