import assert from 'node:assert/strict';
import { of, Subject } from 'rxjs';
import { exhaustMapWithTrailing } from '../../lib/engine/exhaust-map-with-trailing.js';
import { scheduler } from '../support/marbles.js';

describe('exhaustMapWithTrailing', () => {
  it('runs a value at once when nothing runs, like exhaustMap', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const look = cold('--x|');
      const events = hot('a-----b-----|');
      expectObservable(events.pipe(exhaustMapWithTrailing(() => look))).toBe('--x-----x---|');
      expectSubscriptions(look.subscriptions).toBe(['^--!', '------^--!']);
    });
  });

  it('merges a burst that arrives while a run is on into one more run, started after the last value', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // A look takes 3 frames; the burst b c d arrives while the first runs.
      const look = cold('---x|');
      const events = hot('a-bcd-------|');
      expectObservable(events.pipe(exhaustMapWithTrailing(() => look))).toBe('---x---x----|');
      // The second look starts when the first ends (frame 4), after d, which came at frame 4 just
      // before the first look completed: waiting, not lost.
      expectSubscriptions(look.subscriptions).toBe(['^---!', '----^---!']);
    });
  });

  it('projects the newest waiting value, not the first of the burst', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const events = hot('a-bc---------|');
      const projected = events.pipe(
        exhaustMapWithTrailing((v: string) => cold('----(v|)', { v: v.toUpperCase() })),
      );
      expectObservable(projected).toBe('----A---C----|');
    });
  });

  it('never lets the last value of a burst go without a run that began after it; runs never overlap', () => {
    for (const burst of ['ab', 'a-b', 'a--b', 'a---b', 'abcdefg', 'a-b-c-d', 'ab-----cd']) {
      const ts = scheduler();
      ts.run(({ cold, hot }) => {
        const look = cold('---|');
        hot(`${burst}--------|`)
          .pipe(exhaustMapWithTrailing(() => look))
          .subscribe();
        ts.flush();
        const starts = look.subscriptions.map((s) => s.subscribedFrame);
        assert.ok((starts.at(-1) ?? -1) >= burst.length - 1, `${burst}: runs at ${starts}`);
        for (let i = 1; i < starts.length; i++) {
          assert.ok((starts[i] ?? 0) - (starts[i - 1] ?? 0) >= 3, `${burst}: overlap at ${starts}`);
        }
        // A burst within one run's time costs two runs, not one per value.
        if (burst === 'abcdefg') assert.equal(starts.length, 3);
      });
    }
  });

  it('completes only when the source has completed and nothing runs or waits', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const look = cold('---x|');
      expectObservable(hot('ab|').pipe(exhaustMapWithTrailing(() => look))).toBe('---x---x|');
    });
  });

  it('passes an error from either end, and unsubscribes the run on teardown', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const look = cold('--#');
      expectObservable(hot('a---').pipe(exhaustMapWithTrailing(() => look))).toBe('--#');
      const slow = cold('------x|');
      expectObservable(hot('a--#').pipe(exhaustMapWithTrailing(() => slow)), '^------').toBe(
        '---#',
      );
      expectSubscriptions(slow.subscriptions).toBe('^--!');
    });
  });

  it('handles runs that complete synchronously, and values sent from inside a run', () => {
    const events = new Subject<number>();
    const seen: number[] = [];
    events
      .pipe(
        exhaustMapWithTrailing((n) => {
          // Re-entering while the run is on: the value waits, and runs after this one.
          if (n === 1) events.next(2);
          return of(n);
        }),
      )
      .subscribe((n) => seen.push(n));
    events.next(1);
    events.next(3);
    assert.deepEqual(seen, [1, 2, 3]);
  });
});
