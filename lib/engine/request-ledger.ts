/**
 * The `reload()` calls still waiting for their answer, numbered in the order they were made. An
 * attempt that starts notes the newest number (`newest`); when it ends, every request up to that
 * number is answered by it, since its read came after they were asked. So each call is answered
 * by the first attempt that read the source after it, even one that superseded the attempt the
 * call started.
 * @example const ledger = new RequestLedger<ReloadResult, ReloadError>(); const answer = ledger.open();
 */
export class RequestLedger<R, E> {
  #pending: Array<{
    readonly n: number;
    readonly resolve: (r: R) => void;
    readonly reject: (e: E) => void;
  }> = [];
  #count = 0;

  /** The number of the newest request: an attempt starting now answers it and all before. */
  get newest(): number {
    return this.#count;
  }

  /** A new request, answered by a later `resolveUpTo`, `rejectUpTo` or `rejectAll`. */
  open(): Promise<R> {
    const n = ++this.#count;
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ n, resolve, reject });
    });
  }

  /** Resolves every request numbered `upTo` or less with `result`. */
  resolveUpTo(upTo: number, result: R): void {
    for (const r of this.#take(upTo)) r.resolve(result);
  }

  /** Rejects every request numbered `upTo` or less with `error`. */
  rejectUpTo(upTo: number, error: E): void {
    for (const r of this.#take(upTo)) r.reject(error);
  }

  /** Rejects every request still waiting (the engine stopped, or its pipeline failed). */
  rejectAll(error: E): void {
    this.rejectUpTo(Number.POSITIVE_INFINITY, error);
  }

  // Removed before they are settled: settling can re-enter (a caller reloading again).
  #take(upTo: number) {
    const due = this.#pending.filter((r) => r.n <= upTo);
    if (due.length > 0) this.#pending = this.#pending.filter((r) => r.n > upTo);
    return due;
  }
}
