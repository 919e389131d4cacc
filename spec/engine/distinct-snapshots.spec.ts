import { EMPTY } from 'rxjs';
import { distinctSnapshots } from '../../lib/engine/distinct-snapshots.js';
import type { Observation, SourceState, TriggerKind } from '../../lib/engine/types.js';
import { scheduler } from '../support/marbles.js';

const snap = (version: string, racy = false): SourceState => ({
  kind: 'snapshot',
  version,
  racy,
  read: () => EMPTY,
});
const missing: SourceState = {
  kind: 'problem',
  rejection: { kind: 'io', cause: 'missing', reason: 'gone', path: '/p', problems: [] },
};
const denied: SourceState = {
  kind: 'problem',
  rejection: { kind: 'io', cause: 'denied', reason: 'no', path: '/p', problems: [] },
};
const obs = (trigger: TriggerKind, state: SourceState): Observation => ({ trigger, state });

describe('distinctSnapshots', () => {
  it('passes a poll only when the version moved, in either direction', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = {
        a: obs('poll', snap('v1')),
        b: obs('poll', snap('v2')),
        c: obs('poll', snap('v1')),
      };
      const source = cold('a-a-a-b-b-c-c|', values);
      expectObservable(source.pipe(distinctSnapshots())).toBe('a-----b---c--|', values);
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('treats a watch look (an fs.watch event) as a poll: it passes only when the version moved', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = {
        p: obs('poll', snap('v1')),
        w: obs('watch', snap('v1')),
        x: obs('watch', snap('v2')),
        q: obs('poll', snap('v2')),
        r: obs('watch', snap('v2', true)),
        s: obs('watch', snap('v2')),
      };
      expectObservable(cold('p-w-w-x-q-s-|', values).pipe(distinctSnapshots())).toBe(
        'p-----x-----|',
        values,
      );
      // Racy then settled: the content is read once more, as for polls.
      expectObservable(cold('p-r-r-s-|', values).pipe(distinctSnapshots())).toBe(
        'p-r---s-|',
        values,
      );
    });
  });

  it('always passes manual and signal reloads', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: obs('poll', snap('v1')),
        m: obs('manual', snap('v1')),
        s: obs('signal', snap('v1')),
      };
      expectObservable(cold('a-m-m-s-a|', values).pipe(distinctSnapshots())).toBe(
        'a-m-m-s--|',
        values,
      );
    });
  });

  it('reports a problem once per state change, and the recovery', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = {
        a: obs('poll', snap('v1')),
        x: obs('poll', missing),
        d: obs('poll', denied),
      };
      expectObservable(cold('a-x-x-x-d-d-x-a-a|', values).pipe(distinctSnapshots())).toBe(
        'a-x-----d---x-a--|',
        values,
      );
    });
  });

  it('passes the same version once more when it stops being racy, so the content is read again', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { r: obs('poll', snap('v1', true)), a: obs('poll', snap('v1')) };
      expectObservable(cold('r-r-r-a-a-a|', values).pipe(distinctSnapshots())).toBe(
        'r-----a----|',
        values,
      );
    });
  });

  it('does not let racy looks of the same version pass (they would supersede the read in flight)', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const values = { r: obs('poll', snap('v1', true)), s: obs('poll', snap('v2', true)) };
      expectObservable(cold('r-r-s-s-r|', values).pipe(distinctSnapshots())).toBe(
        'r---s---r|',
        values,
      );
    });
  });
});
