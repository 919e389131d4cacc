import { Observable, type Subscriber, Subscription } from 'rxjs';
import type { ChangeHint, Observation, TriggerKind } from './types.js';

/**
 * What lookLanes turns into looks.
 * @example const o: LookLaneSources = { period$, polls, trailingPolls: true, look };
 */
export interface LookLaneSources {
  /** The watcher's interval (ms), undefined while it is stopped; its current value on subscribe. */
  readonly period$: Observable<number | undefined>;
  /** The poll triggers at a period, subscribed while the watcher runs at it. */
  readonly polls: (periodMs: number) => Observable<unknown>;
  /**
   * A poll that comes while a poll's look runs: looked at after it (true: the file source's
   * polls are moves, each of which must be looked at) or dropped (false: a plain tick).
   */
  readonly trailingPolls: boolean;
  /** The source's change hints, armed while the watcher runs (kept across a new interval). */
  readonly hints?: () => Observable<ChangeHint>;
  /** Told every hint, before a `changed` one is looked at. */
  readonly onHint?: (hint: ChangeHint) => void;
  /** Reload signals (SIGHUP), subscribed while the watcher runs: each a `signal` look. */
  readonly signals?: () => Observable<unknown>;
  readonly look: (trigger: TriggerKind) => Observable<Observation>;
}

type Mode = 'exhaust' | 'trailing' | 'queue';

/**
 * The looks, and the door for manual reloads: `ask('manual')` queues a look in the manual lane
 * of every subscription of `looks$` (as a Subject's `next` would, without a Subject and a
 * subscriber per watcher); asked while nothing is subscribed, it does nothing.
 * @example const { looks$, ask } = lookLanes(sources); looks$.subscribe(console.log); ask('manual');
 */
export interface LookLanes {
  readonly looks$: Observable<Observation>;
  readonly ask: (trigger: TriggerKind) => void;
}

/**
 * Every look the engine makes, as one stream of observations, in three lanes:
 * - polls: `exhaust` (a tick while a look runs is dropped) or, for the file source, `trailing`
 *   (one more look follows the running one, however many polls came meanwhile);
 * - hints (the fast path): `trailing`, so the last event of a burst is always looked at after
 *   it happened;
 * - manual and signal reloads: `queue`, each looked at in turn (concatMap).
 *
 * The behaviour of `merge(polls$, watches$, manual$)` built from switchMap, exhaustMap and
 * concatMap, by hand: one subscriber per lane instead of some twenty operators and subjects,
 * which a thousand watchers would each keep alive. Stopping the watcher (`period$` undefined)
 * releases the poll triggers, hints and signals; a look already running ends normally. A new
 * interval swaps the poll triggers only. Each subscription starts from `period$`'s current value,
 * so a pipeline rebuilt after an error picks up where the watcher is.
 * @example lookLanes({ period$: interval$, polls: (p) => intervalTrigger(p, scheduler), trailingPolls: false, look }).looks$.subscribe(console.log)
 */
export function lookLanes(sources: LookLaneSources): LookLanes {
  const { period$, polls, trailingPolls, hints, onHint, signals, look } = sources;
  const manualLanes = new Set<Lane>();
  const looks$ = new Observable<Observation>((subscriber) => {
    const pollLane = new Lane(trailingPolls ? 'trailing' : 'exhaust', look, subscriber);
    const hintLane = hints === undefined ? undefined : new Lane('trailing', look, subscriber);
    const manualLane = new Lane('queue', look, subscriber);
    // Made whole (a push would make room for sixteen): a watcher keeps it for as long as it runs.
    const lanes =
      hintLane === undefined ? [pollLane, manualLane] : [pollLane, hintLane, manualLane];
    manualLanes.add(manualLane);

    let period: number | undefined;
    let pollTriggers: Subscription | undefined;
    let hintStream: Subscription | undefined;
    let signalStream: Subscription | undefined;
    const release = (): void => {
      pollTriggers?.unsubscribe();
      hintStream?.unsubscribe();
      signalStream?.unsubscribe();
      pollTriggers = hintStream = signalStream = undefined;
    };
    const fail = (err: unknown) => subscriber.error(err);

    const watch = period$.subscribe({
      next: (next) => {
        if (next === undefined) {
          period = undefined;
          release();
          return;
        }
        if (next !== period) {
          period = next;
          pollTriggers?.unsubscribe();
          pollTriggers = undefined;
          const triggers = polls(next).subscribe({
            next: () => pollLane.push('poll'),
            error: fail,
          });
          // A trigger that ended the watcher or errored while subscribing is not kept.
          if (period === next && !subscriber.closed) pollTriggers = triggers;
          else triggers.unsubscribe();
        }
        if (hints !== undefined && hintStream === undefined && period !== undefined) {
          hintStream = new Subscription();
          const armed = hintStream;
          armed.add(
            hints().subscribe({
              next: (hint) => {
                // A throw here would reach no error channel (rxjs reports it on a timer and
                // the process dies): it errors the lanes, as the operators did.
                try {
                  onHint?.(hint);
                } catch (err) {
                  fail(err);
                  return;
                }
                if (hint.kind === 'changed') hintLane?.push('watch');
              },
              error: fail,
            }),
          );
          if (period === undefined) armed.unsubscribe();
        }
        if (signals !== undefined && signalStream === undefined && period !== undefined) {
          signalStream = new Subscription();
          const handled = signalStream;
          handled.add(signals().subscribe({ next: () => manualLane.push('signal'), error: fail }));
          if (period === undefined) handled.unsubscribe();
        }
      },
      error: fail,
    });
    return () => {
      watch.unsubscribe();
      release();
      manualLanes.delete(manualLane);
      for (const l of lanes) l.close();
    };
  });
  const ask = (trigger: TriggerKind): void => {
    for (const l of [...manualLanes]) l.push(trigger);
  };
  return { looks$, ask };
}

// One lane: the look running now, and what waits for it to end.
class Lane {
  #running: Subscription | undefined;
  /** `trailing`: whether one more look follows; `queue`: the triggers waiting, in order. */
  #again = false;
  readonly #queued: TriggerKind[] = [];
  #closed = false;

  constructor(
    readonly mode: Mode,
    readonly look: (trigger: TriggerKind) => Observable<Observation>,
    readonly out: Subscriber<Observation>,
  ) {}

  push(trigger: TriggerKind): void {
    if (this.#closed) return;
    if (this.#running === undefined) this.#run(trigger);
    else if (this.mode === 'trailing') this.#again = true;
    else if (this.mode === 'queue') this.#queued.push(trigger);
  }

  close(): void {
    this.#closed = true;
    this.#queued.length = 0;
    this.#again = false;
    this.#running?.unsubscribe();
    this.#running = undefined;
  }

  #run(trigger: TriggerKind): void {
    let looking: Observable<Observation>;
    try {
      looking = this.look(trigger);
    } catch (err) {
      // As concatMap and exhaustMap do with a throwing project: the lanes error.
      this.out.error(err);
      return;
    }
    const inner = new Subscription();
    this.#running = inner;
    inner.add(
      looking.subscribe({
        next: (observation) => this.out.next(observation),
        error: (err: unknown) => this.out.error(err),
        complete: () => {
          // State first: the next look, or a subscriber told of this one, can re-enter.
          if (this.#running === inner) this.#running = undefined;
          if (this.#closed) return;
          const next =
            this.mode === 'queue' ? this.#queued.shift() : this.#again ? trigger : undefined;
          this.#again = false;
          if (next !== undefined) this.#run(next);
        },
      }),
    );
  }
}
