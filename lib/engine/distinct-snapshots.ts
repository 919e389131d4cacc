import { type MonoTypeOperatorFunction, Observable, type Observer, type Subscriber } from 'rxjs';
import type { Observation, TriggerKind } from './types.js';

function keyOf(o: Observation): string {
  return o.state.kind === 'snapshot' ? `v:${o.state.version}` : `p:${o.state.rejection.cause}`;
}

/** Looks that pass only when they saw something new: the interval's, and the source's own hints. */
const deduplicated: ReadonlySet<TriggerKind> = new Set<TriggerKind>(['poll', 'watch']);

/**
 * Drops polls that saw nothing new, so a file is read only when its version moved. A `watch`
 * look (the source hinted at a change: an fs.watch event) is a poll in every respect here: an
 * event that changed nothing (another save of the same bytes, a touch) reads nothing.
 * - A poll passes when its version differs from the last one passed (any difference: never
 *   "newer than"), or when its problem differs from the last problem passed, so a missing file
 *   is reported once per state change rather than every tick (FIELD-NOTES rows 1, 6, 7).
 * - A poll with the same version passes once more when the last one passed was racy (written
 *   within the racy window of the look) and this one is not: two writes inside the timestamp
 *   granularity look identical, so the content is read again once the window has passed (row 5).
 *   Looks still inside the window pass nothing: they would only supersede the read in flight.
 * - Manual and signal reloads always pass.
 * @example looks$.pipe(distinctSnapshots(), loadLatest(source, options))
 */
export function distinctSnapshots(): MonoTypeOperatorFunction<Observation> {
  return (source) =>
    new Observable<Observation>((subscriber) => source.subscribe(new DistinctObserver(subscriber)));
}

// The state and the observer in one object whose methods are on the prototype: a watcher keeps
// one of these for as long as it runs, not a context and three closures.
class DistinctObserver implements Observer<Observation> {
  #previous: { readonly key: string; readonly racy: boolean } | undefined;
  constructor(private readonly subscriber: Subscriber<Observation>) {}

  next(observation: Observation): void {
    const key = keyOf(observation);
    const racy = observation.state.kind === 'snapshot' && observation.state.racy;
    const previous = this.#previous;
    const pass =
      !deduplicated.has(observation.trigger) ||
      previous === undefined ||
      previous.key !== key ||
      (previous.racy && !racy);
    if (!pass) return;
    // Update state before emitting: emitting can re-enter (a subscriber reloading).
    this.#previous = { key, racy };
    this.subscriber.next(observation);
  }
  error(err: unknown): void {
    this.subscriber.error(err);
  }
  complete(): void {
    this.subscriber.complete();
  }
}
