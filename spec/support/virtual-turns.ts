// A FineWait on a spec's virtual time (a TestScheduler): a lead of 2 ms and turns 0.25 ms apart
// (a binary fraction, so the turns land on an instant exactly), each turn's virtual time logged.
import type { SchedulerLike } from 'rxjs';
import type { FineWait } from '../../lib/core/fine-wait.js';

export function virtualTurns(ts: SchedulerLike): {
  readonly fine: FineWait;
  readonly at: number[];
} {
  const at: number[] = [];
  const fine: FineWait = {
    leadMs: 2,
    turns: (turn) => {
      const action = ts.schedule(function again() {
        at.push(ts.now());
        if (turn()) this.schedule(undefined, 0.25);
      }, 0.25);
      return () => action.unsubscribe();
    },
  };
  return { fine, at };
}
