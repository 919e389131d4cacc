import assert from 'node:assert/strict';
import { maxTimerMs, timerDelay } from '../../lib/core/timer-delay.js';

describe('timerDelay', () => {
  it('keeps a delay a timer can wait, and makes a longer one the longest there is', () => {
    assert.equal(timerDelay(0), 0);
    assert.equal(timerDelay(30_000), 30_000);
    assert.equal(timerDelay(maxTimerMs), maxTimerMs);
    assert.equal(timerDelay(maxTimerMs + 1), maxTimerMs);
    assert.equal(timerDelay(30 * 86_400_000), maxTimerMs);
    assert.equal(timerDelay(Number.POSITIVE_INFINITY), maxTimerMs);
  });

  it("is the longest delay Node's own timers wait: one more is cut to 1 ms, with a warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      clearTimeout(setTimeout(() => {}, maxTimerMs));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings, []);
      let fired = false;
      const t = setTimeout(() => {
        fired = true;
      }, maxTimerMs + 1);
      await new Promise((r) => setTimeout(r, 20));
      clearTimeout(t);
      assert.equal(fired, true);
      assert.deepEqual(warnings, ['TimeoutOverflowWarning']);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
