// A TestScheduler that compares with node:assert, for marble specs.
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';

/** A fresh TestScheduler per test: `scheduler().run(({ cold, expectObservable }) => ...)`. */
export function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
}
