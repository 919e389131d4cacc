import { type MonoTypeOperatorFunction, Observable } from 'rxjs';

/**
 * What `stop()` ends: every stream cut by the switch completes when it is thrown (and one cut
 * after that completes at once), letting go of its source, as `takeUntil(stop$)` does.
 *
 * A set of callbacks rather than a ReplaySubject and a takeUntil per stream: each of those keeps
 * a subject, a subscriber and their arrays alive for the whole life of every watcher, which a
 * thousand watchers pay a thousand times.
 * @example const stop = new StopSwitch(); reads$.pipe(stop.cut()).subscribe(); stop.stop(); // completes
 */
export class StopSwitch {
  #stopped = false;
  // Copied on change: a watcher's switch holds one or two (a Set would cost some 150 bytes).
  #cuts: ReadonlyArray<() => void> = [];

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Completes every stream cut by this switch, now and from now on. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const cuts = this.#cuts;
    this.#cuts = [];
    for (const end of cuts) end();
  }

  /** `takeUntil(stopped)`: mirrors its source until stop(), then completes and unsubscribes it. */
  cut<T>(): MonoTypeOperatorFunction<T> {
    return (source) =>
      new Observable<T>((subscriber) => {
        if (this.#stopped) {
          subscriber.complete();
          return;
        }
        const end = () => subscriber.complete();
        this.#cuts = this.#cuts.concat(end);
        // The subscriber itself goes upstream (no extra subscriber): its completion, error or
        // unsubscription tears the source down with it.
        source.subscribe(subscriber);
        return () => {
          this.#cuts = this.#cuts.filter((c) => c !== end);
        };
      });
  }
}
