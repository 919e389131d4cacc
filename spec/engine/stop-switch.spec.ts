import assert from 'node:assert/strict';
import { Subject } from 'rxjs';
import { StopSwitch } from '../../lib/engine/stop-switch.js';

describe('StopSwitch', () => {
  it('mirrors a stream until stop(), then completes it and unsubscribes its source', () => {
    const stop = new StopSwitch();
    const source = new Subject<number>();
    const seen: string[] = [];
    source.pipe(stop.cut()).subscribe({
      next: (v) => seen.push(String(v)),
      complete: () => seen.push('done'),
    });
    source.next(1);
    assert.equal(stop.stopped, false);
    stop.stop();
    source.next(2);
    assert.deepEqual(seen, ['1', 'done']);
    assert.equal(source.observed, false);
    assert.equal(stop.stopped, true);
    stop.stop(); // idempotent
    assert.deepEqual(seen, ['1', 'done']);
  });

  it('completes a stream cut after stop() at once, without subscribing its source', () => {
    const stop = new StopSwitch();
    stop.stop();
    const source = new Subject<number>();
    let completed = false;
    source.pipe(stop.cut()).subscribe({ complete: () => (completed = true) });
    assert.equal(completed, true);
    assert.equal(source.observed, false);
  });

  it("passes a source's error and completion on, and forgets a stream that ended or was let go", () => {
    const stop = new StopSwitch();
    const failing = new Subject<number>();
    const ending = new Subject<number>();
    const left = new Subject<number>();
    const seen: string[] = [];
    failing.pipe(stop.cut()).subscribe({ error: (e: Error) => seen.push(e.message) });
    ending.pipe(stop.cut()).subscribe({ complete: () => seen.push('ended') });
    const sub = left.pipe(stop.cut()).subscribe({ complete: () => seen.push('left completed') });
    failing.error(new Error('boom'));
    ending.complete();
    sub.unsubscribe();
    assert.equal(left.observed, false);
    stop.stop();
    // Nothing is completed twice, and a stream let go of is not completed by stop().
    assert.deepEqual(seen, ['boom', 'ended']);
  });
});
