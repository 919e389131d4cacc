// A TestScheduler that compares with node:assert, for marble specs.
import assert from 'node:assert/strict';
import { Observable } from 'rxjs';
// The class TestScheduler's own subscription logs are made of, so they compare equal.
import { SubscriptionLog } from 'rxjs/internal/testing/SubscriptionLog';
import { TestScheduler } from 'rxjs/testing';

/** A fresh TestScheduler per test: `scheduler().run(({ cold, expectObservable }) => ...)`. */
export function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
}

/**
 * `source` with its subscriptions logged the way a cold observable logs its own, so a spec can
 * assert teardown with `expectSubscriptions(logged.subscriptions)` for any observable (a timer,
 * a trigger), not only for marble sources. Use inside `testScheduler.run`.
 */
export function logSubscriptions<T>(
  source: Observable<T>,
  testScheduler: TestScheduler,
): { readonly observable: Observable<T>; readonly subscriptions: SubscriptionLog[] } {
  const subscriptions: SubscriptionLog[] = [];
  const observable = new Observable<T>((subscriber) => {
    const index = subscriptions.push(new SubscriptionLog(testScheduler.now())) - 1;
    const inner = source.subscribe(subscriber);
    return () => {
      inner.unsubscribe();
      const started = subscriptions[index]?.subscribedFrame ?? 0;
      subscriptions[index] = new SubscriptionLog(started, testScheduler.now());
    };
  });
  return { observable, subscriptions };
}
