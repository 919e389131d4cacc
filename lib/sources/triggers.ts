import { map, Observable, type SchedulerLike } from 'rxjs';
import type { TriggerKind } from '../core/source.js';
import { sharedTicks } from './shared-poller.js';

/**
 * The interval trigger: one `'poll'` at once, then one every `periodMs`, on `scheduler` (so
 * tests run it in virtual time). The ticks are shared with every other trigger of that period on
 * that scheduler (sharedTicks): one timer for all.
 * @example intervalTrigger(30_000, asyncScheduler).subscribe(() => look())
 */
export function intervalTrigger(
  periodMs: number,
  scheduler: SchedulerLike,
): Observable<TriggerKind> {
  return sharedTicks(periodMs, scheduler).pipe(map((): TriggerKind => 'poll'));
}

/**
 * The signal trigger: a `'signal'` each time the process receives `signal` (SIGHUP, as Tor
 * reloads its torrc). The handler is installed on subscribe and removed on unsubscribe; while
 * installed, the signal no longer ends the process.
 * @example signalTrigger('SIGHUP').subscribe(() => rc.reload$.next())
 */
export function signalTrigger(signal: NodeJS.Signals): Observable<TriggerKind> {
  return new Observable<TriggerKind>((subscriber) => {
    const handler = () => subscriber.next('signal');
    process.on(signal, handler);
    return () => {
      process.off(signal, handler);
    };
  });
}
