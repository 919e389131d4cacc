// Waiting in real-time specs: for what is expected, with a generous deadline, rather than
// sleeping a fixed time.
import { filter, firstValueFrom, type Observable, timeout } from 'rxjs';

/** How long a spec waits for what it expects before it fails. */
export const WAIT = 8000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check()` holds, polling every 10 ms; rejects after WAIT naming `what`. */
export async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The first value of `source` that satisfies `predicate`; rejects after WAIT naming `what`. */
export function until<T>(
  source: Observable<T>,
  predicate: (v: T) => boolean,
  what: string,
): Promise<T> {
  return firstValueFrom(
    source.pipe(
      filter(predicate),
      timeout({
        first: WAIT,
        with: () => Promise.reject(new Error(`timed out waiting for ${what}`)),
      }),
    ),
  );
}
